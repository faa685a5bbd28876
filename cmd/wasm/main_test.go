//go:build !js

package main

import (
	"bufio"
	"bytes"
	"path/filepath"
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
