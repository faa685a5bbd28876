//go:build !js

package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wasmsched/wasmsched/internal/wasmbuild"
)

// TestClientDoesNotImportNetHTTP lists the dependencies of the wasm as
// `make build` builds it (cmd/buildwasm: go-app's server-side files left
// out) with `go list -deps`, and fails if any package imports net/http or
// a package that only a server needs.
//
// Importing a package is enough to keep its initialisation in the wasm,
// even when the linker drops every function the client never calls:
// net/http's imports keep crypto's curves and self-tests, math/big, mime
// and text/template's builtins, about 375 KB brotli. A client main that
// serves HTTP itself keeps far more, and grows from about 7 MB to about
// 18 MB.
func TestClientDoesNotImportNetHTTP(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	s, err := wasmbuild.Prepare("", root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := s.Command("list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./cmd/wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	serverOnly := []string{"net/http", "mime", "text/template", "html/template", "crypto/tls", "crypto/x509"}
	sawMain, sawGoApp := false, false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		if durableOnly.MatchString(pkg) {
			t.Errorf("the wasm depends on %s, which only the durable module may use", pkg)
		}
		switch pkg {
		case "github.com/wasmsched/wasmsched/cmd/wasm":
			sawMain = true
		case wasmbuild.GoApp + "/pkg/app":
			sawGoApp = true
		}
		for _, imp := range imports {
			for _, bad := range serverOnly {
				if imp == bad || strings.HasPrefix(imp, bad+"/") {
					t.Errorf("%s imports %s; the browser client must not", pkg, imp)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !sawMain || !sawGoApp {
		t.Fatalf("go list did not list the wasm main and go-app; output:\n%s", out)
	}
}

// durableOnly matches the packages of River, pgx and SQLite, which only the
// durable module (durable/, a module of its own) may pull in.
var durableOnly = regexp.MustCompile(`riverqueue|jackc/pgx|sqlite`)

// TestDurableStaysOut checks that a plain sched user, and anyone who
// requires this module, never gets River, pgx or SQLite: sched's
// dependencies name none of them, nor does the module graph of the root
// module, which is what `go get github.com/wasmsched/wasmsched/sched`
// resolves.
func TestDurableStaysOut(t *testing.T) {
	for _, args := range [][]string{
		{"list", "-deps", "../../sched"},
		{"list", "-deps", "-test", "../../sched"},
		{"list", "-m", "all"},
	} {
		out, err := exec.Command("go", args...).Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 3 {
			t.Fatalf("go %s listed too little to be right:\n%s", strings.Join(args, " "), out)
		}
		for _, l := range lines {
			if durableOnly.MatchString(l) {
				t.Errorf("go %s: %s; only the durable module may use it", strings.Join(args, " "), l)
			}
		}
	}
}
