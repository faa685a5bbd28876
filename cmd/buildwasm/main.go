// Command buildwasm builds the browser main as `make build` ships it:
// GOOS=js GOARCH=wasm, -trimpath, -ldflags='-s -w', with go-app's
// server-side files left out, which makes app.wasm about a fifth smaller
// (internal/wasmbuild says why and how).
//
// Usage:
//
//	go run ./cmd/buildwasm [-o app.wasm] [-names] [-go go] [package]
//
// The package defaults to ./cmd/wasm. Run it from the module's root.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wasmsched/wasmsched/internal/wasmbuild"
)

func main() {
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildwasm:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("buildwasm", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: buildwasm [-o app.wasm] [-names] [-go go] [package]\n\n"+
			"Builds package (./cmd/wasm) for GOOS=js GOARCH=wasm as make build ships it,\n"+
			"with go-app's server-side files left out (internal/wasmbuild).\n\n")
		fs.PrintDefaults()
	}
	out := fs.String("o", "app.wasm", "the `file` to write")
	names := fs.Bool("names", false, "keep the name section (for scripts/wasmsize): no -ldflags='-s -w'")
	goCmd := fs.String("go", "go", "the go `command` to build with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pkg := "./cmd/wasm"
	switch fs.NArg() {
	case 0:
	case 1:
		pkg = fs.Arg(0)
	default:
		fs.Usage()
		return errors.New("one package at most")
	}
	gomod, err := exec.Command(*goCmd, "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	modfile := strings.TrimSpace(string(gomod))
	if modfile == "" || modfile == os.DevNull {
		return errors.New("not in a module: run it from wasmsched's checkout")
	}
	output, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	s, err := wasmbuild.Prepare(*goCmd, filepath.Dir(modfile))
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Build(output, pkg, *names)
}
