// Package wasmbuild builds the browser main (cmd/wasm) as `make build`
// ships it: with go-app's server-side files left out.
//
// go-app v9 declares its HTTP handler (http.go, resource.go) in the same
// package as its browser code, and builds both for the browser. The
// linker drops the handler's functions, which the page never calls, but
// not the initialisation of the packages they import: net/http, and with
// it crypto's curves and self-tests, math/big, mime and text/template's
// builtins, about 1.7 MB of app.wasm's 8.5 MB and 375 KB of its 1.67 MB
// brotli, are set up in every page that loads.
//
// [Prepare] copies go-app from the module cache into a temporary folder
// and gives those two files a `//go:build !wasm` line, which is what an
// upstream fix would do (see [Patches]); it writes a go.mod beside it that
// replaces go-app with that copy. [Setup.Build] builds with it through
// `go build -modfile`, so the project's own go.mod, go.sum and module
// cache are untouched, native builds (the site generator, which uses the
// handler) see go-app as released, and a build needs nothing but the
// module cache.
//
// One patch changes what the browser does: go-app's engine could draw one
// change over two frames, a component at a time (see [Patches]); the
// patched engine draws it in one.
//
// Each patch must apply exactly once: when go-app's files change, Prepare
// fails, naming the file and the patch, rather than build a wasm that
// silently lost the fix or broke.
package wasmbuild

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// GoApp is the module whose browser build is patched.
const GoApp = "github.com/maxence-charriere/go-app/v9"

// Patch is one change to a file of go-app's package app.
type Patch struct {
	File  string // in pkg/app
	What  string // what it does, for the error when it no longer applies
	Apply func(pkg fs.FS, src []byte) ([]byte, error)
}

// serverOnly is the line that keeps a file out of the browser build.
const serverOnly = "//go:build !wasm\n\n"

// Helpers that go-app's browser code calls but http.go declares: the
// browser build gets them, verbatim, from a file of their own.
const (
	isRemoteLocation = `func isRemoteLocation(path string) bool {
	return strings.HasPrefix(path, "https://") ||
		strings.HasPrefix(path, "http://")
}
`
	isStaticResourcePath = `func isStaticResourcePath(path string) bool {
	return strings.HasPrefix(path, "/web/") ||
		strings.HasPrefix(path, "web/")
}
`
	// frameCase is where go-app's engine loop draws a frame. The loop picks
	// at random between a frame and the next dispatch when both are ready,
	// and a frame that took longer than its period leaves the next one
	// ready: so a change that asks several components for an update, one
	// dispatch each, could be drawn over two frames, half of them showing
	// the change a frame before the others, and a reader of the page could
	// see two panels disagree. The patch marks the updates already asked
	// for before it draws.
	frameCase = `			case <-frames.C:
				e.handleFrame()
`
	frameCaseFixed = `			case <-frames.C:
				// Added by wasmsched's internal/wasmbuild: take the
				// dispatches already waiting first, so that the updates a
				// change asks of several components are drawn in one frame.
				for n := len(e.dispatches); n > 0; n-- {
					e.handleDispatch(<-e.dispatches)
				}
				e.handleFrame()
`
	// generateStub is wasm.go's GenerateStaticWebsite, which only panics
	// in the browser and names Handler, which http.go declares.
	generateStub = `func GenerateStaticWebsite(dir string, h *Handler, pages ...string) error {
	panic(errBadInstruction)
}
`
)

// Patches are what [Prepare] applies to go-app's pkg/app, in order.
var Patches = []Patch{
	{File: "http.go", What: "keep the HTTP handler out of the browser", Apply: serverSide},
	{File: "resource.go", What: "keep the handler's resource providers out of the browser", Apply: serverSide},
	{File: "wasm.go", What: "drop the browser's GenerateStaticWebsite stub, which names Handler", Apply: func(_ fs.FS, src []byte) ([]byte, error) {
		return replaceOnce(src, generateStub, "")
	}},
	{File: "engine.go", What: "draw in one frame the updates one change asks of several components", Apply: func(_ fs.FS, src []byte) ([]byte, error) {
		return replaceOnce(src, frameCase, frameCaseFixed)
	}},
	{File: "paths_wasm.go", What: "give the browser http.go's two path helpers", Apply: func(pkg fs.FS, src []byte) ([]byte, error) {
		if src != nil {
			return nil, errors.New("the file already exists")
		}
		http, err := fs.ReadFile(pkg, "http.go")
		if err != nil {
			return nil, err
		}
		for _, fn := range []string{isRemoteLocation, isStaticResourcePath} {
			if bytes.Count(http, []byte(fn)) != 1 {
				return nil, fmt.Errorf("http.go does not declare, once and as written here:\n%s", fn)
			}
		}
		return []byte("// Added by wasmsched's internal/wasmbuild: copied from http.go, which\n" +
			"// the browser build leaves out.\n\npackage app\n\nimport \"strings\"\n\n" +
			isRemoteLocation + "\n" + isStaticResourcePath), nil
	}},
}

// serverSide gives a file the line that keeps it out of the browser.
func serverSide(_ fs.FS, src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, []byte("package app\n")) {
		return nil, errors.New("it does not begin with `package app` (a build constraint of its own?)")
	}
	return append([]byte(serverOnly), src...), nil
}

// replaceOnce replaces the one occurrence of old in src with new.
func replaceOnce(src []byte, old, new string) ([]byte, error) {
	if n := bytes.Count(src, []byte(old)); n != 1 {
		return nil, fmt.Errorf("found %d times, want once:\n%s", n, old)
	}
	return bytes.Replace(src, []byte(old), []byte(new), 1), nil
}

// patchFiles applies [Patches] to pkg, go-app's pkg/app, and returns the
// files they change or add.
func patchFiles(pkg fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, p := range Patches {
		src, ok := files[p.File]
		if !ok {
			var err error
			src, err = fs.ReadFile(pkg, p.File)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		out, err := p.Apply(pkg, src)
		if err != nil {
			return nil, fmt.Errorf("go-app's pkg/app/%s: patch %q no longer applies (written for %s v9.8.0): %w", p.File, p.What, GoApp, err)
		}
		files[p.File] = out
	}
	return files, nil
}

// Dir is where, under the module's root, the patched copies of go-app
// are kept (git ignores it; make clean removes it). The go.mod that
// replaces go-app names the copy by this relative path, which is all the
// wasm records of it: a build does not depend on where the checkout or
// the temporary folder is, and an unchanged build gives the same bytes,
// so the site's version and its compressed files stay the same.
const Dir = ".wasmbuild"

// Setup is a go.mod that replaces go-app with a patched copy.
type Setup struct {
	Modfile string // for go build -modfile (its go.sum is beside it); Close removes both
	Copy    string // the patched copy, kept under [Dir] for the next build
	Version string // go-app's version, as the project's go.mod requires it
	goCmd   string
	modRoot string
}

// Prepare makes a [Setup] for the module at modRoot, with the go command
// goCmd ("go" if empty). The patched copy of go-app is named by go-app's
// version and the patched files' hash, made once and then reused.
func Prepare(goCmd, modRoot string) (_ *Setup, err error) {
	if goCmd == "" {
		goCmd = "go"
	}
	s := &Setup{goCmd: goCmd, modRoot: modRoot}

	// go mod download says where the module is, fetching it if need be.
	out, err := s.goOut("mod", "download", "-json", GoApp)
	if err != nil {
		return nil, err
	}
	var mod struct{ Dir, Version, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return nil, fmt.Errorf("go mod download %s: %w", GoApp, err)
	}
	if mod.Error != "" || mod.Dir == "" {
		return nil, fmt.Errorf("go mod download %s: %s", GoApp, mod.Error)
	}
	s.Version = mod.Version

	patched, err := patchFiles(os.DirFS(filepath.Join(mod.Dir, "pkg", "app")))
	if err != nil {
		return nil, err
	}
	rel := filepath.Join(Dir, "go-app@"+mod.Version+"-"+digest(patched))
	s.Copy = filepath.Join(modRoot, rel)
	if err := makeCopy(mod.Dir, s.Copy, patched); err != nil {
		return nil, fmt.Errorf("copying %s into %s: %w", GoApp, Dir, err)
	}

	// The project's go.mod and go.sum, with go-app replaced by the copy.
	tmp, err := os.MkdirTemp("", "wasmsched-wasmbuild-")
	if err != nil {
		return nil, err
	}
	s.Modfile = filepath.Join(tmp, "wasm.mod")
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	for _, f := range [][2]string{{"go.mod", s.Modfile}, {"go.sum", filepath.Join(tmp, "wasm.sum")}} {
		b, err := os.ReadFile(filepath.Join(modRoot, f[0]))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(f[1], b, 0o644); err != nil {
			return nil, err
		}
	}
	replace := "-replace=" + GoApp + "=./" + filepath.ToSlash(rel)
	if _, err := s.goOut("mod", "edit", "-modfile="+s.Modfile, replace); err != nil {
		return nil, err
	}
	return s, nil
}

// digest names a set of patched files: 12 hex digits of their SHA-256.
func digest(files map[string][]byte) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s %d\n", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// makeCopy copies the module at from to to, with the patched files, unless
// to exists. The copy is made in a folder beside it and renamed into
// place, so a build that runs at the same time sees it whole or not at
// all.
func makeCopy(from, to string, patched map[string][]byte) error {
	if _, err := os.Stat(filepath.Join(to, "go.mod")); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(to), ".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyModule(from, tmp); err != nil {
		return err
	}
	for name, b := range patched {
		if err := os.WriteFile(filepath.Join(tmp, "pkg", "app", name), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, to); err != nil {
		if _, statErr := os.Stat(filepath.Join(to, "go.mod")); statErr == nil {
			return nil // another build made it first
		}
		return err
	}
	return nil
}

// copyModule copies a module's go.mod and its pkg folder without tests;
// the module cache's copy is read-only, the copy is writable. go-app's
// docs and examples (30 MB) are left behind.
func copyModule(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(from, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(to, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	return filepath.WalkDir(filepath.Join(from, "pkg"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case strings.HasSuffix(path, "_test.go") || !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// Close removes the set-up's go.mod and go.sum; the copy stays for the
// next build.
func (s *Setup) Close() error { return os.RemoveAll(filepath.Dir(s.Modfile)) }

// Command is `go <args>` for GOOS=js GOARCH=wasm with the set-up's go.mod,
// run in the module's root: args start with a subcommand, as "build".
func (s *Setup) Command(args ...string) *exec.Cmd {
	full := append([]string{args[0], "-modfile=" + s.Modfile}, args[1:]...)
	cmd := exec.Command(s.goCmd, full...)
	cmd.Dir = s.modRoot
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	return cmd
}

// Build writes the browser build of pkg (such as "./cmd/wasm") to out, as
// `make build` ships it: -trimpath, and -ldflags='-s -w' unless names is
// set, which keeps the name section (for scripts/wasmsize; the code and
// data are the same bytes).
func (s *Setup) Build(out, pkg string, names bool) error {
	args := []string{"build", "-trimpath"}
	if !names {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := s.Command(append(args, "-o", out, pkg)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("GOOS=js GOARCH=wasm go build %s (go-app's server-side files left out): %w\n%s", pkg, err, stderr.Bytes())
	}
	return nil
}

// goOut runs the go command natively in the module's root and returns its
// standard output.
func (s *Setup) goOut(args ...string) ([]byte, error) {
	cmd := exec.Command(s.goCmd, args...)
	cmd.Dir = s.modRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
