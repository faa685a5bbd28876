//go:build !js

package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// goAppPkg is the one dependency allowed to import net/http: go-app's
// package app declares its server-side Handler (http.go, resource.go) next
// to its client code, so net/http is always in the build list. The linker
// drops the functions the client never calls, but not the initialisation of
// a package that is imported: net/http's imports are all initialised, and
// their package-level variables (crypto/hpke's KEMs, crypto/ecdsa's curves,
// mime's types, text/template's builtins...) keep crypto, math/big, mime
// and text/template in the client: ~1.7 MB raw, ~375 KB brotli, measured
// by building go-app's http.go and resource.go for !wasm only. A client
// main that serves HTTP itself keeps far more, and grows from about 7 MB to
// about 18 MB.
const goAppPkg = "github.com/maxence-charriere/go-app/v9/pkg/app"

// TestClientDoesNotImportNetHTTP lists the wasm build's dependencies with
// `go list -deps` and fails if any package of this module, or any
// dependency other than go-app's, imports net/http.
func TestClientDoesNotImportNetHTTP(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(gobin, "list", "-deps",
		"-f", `{{.ImportPath}} {{.Standard}} {{join .Imports " "}}`, ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	sawMain := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		pkg, std, imports := fields[0], fields[1] == "true", fields[2:]
		if pkg == "github.com/wasmsched/wasmsched/cmd/wasm" {
			sawMain = true
		}
		if std || pkg == goAppPkg {
			continue
		}
		for _, imp := range imports {
			if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
				t.Errorf("%s imports %s; the browser client must not", pkg, imp)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !sawMain {
		t.Fatalf("go list did not list the wasm main; output:\n%s", out)
	}
}
