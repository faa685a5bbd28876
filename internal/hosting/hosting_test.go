package hosting

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCleanBase(t *testing.T) {
	for base, want := range map[string]string{
		"": "", "/": "", "/wasmsched": "/wasmsched", "/wasmsched/": "/wasmsched", "/a/b-c_d.e~f": "/a/b-c_d.e~f",
	} {
		if got, err := CleanBase(base); err != nil || got != want {
			t.Errorf("CleanBase(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	for _, base := range []string{
		"wasmsched", "/wasm sched", "/a//b", "/a/../b", "/./a", "/a?b", "/a#b",
		"/%20", "//evil.example", "/a\\b", "/ä", "/..", "/.",
	} {
		if got, err := CleanBase(base); err == nil || !strings.Contains(err.Error(), "bad base path") {
			t.Errorf("CleanBase(%q) = %q, %v; want an error", base, got, err)
		}
	}
}

// TestHeadersAreValid: each header is one a browser reads, written once,
// with a value that fits on one header line.
func TestHeadersAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range Headers {
		name := http.CanonicalHeaderKey(h.Name)
		if name != h.Name || seen[name] || h.Value == "" || h.Why == "" || strings.ContainsAny(h.Value, "\r\n") {
			t.Errorf("header %q: %q (%s) is not canonical, unique, one line and explained", h.Name, h.Value, h.Why)
		}
		seen[name] = true
	}
	for _, want := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy"} {
		if !seen[want] {
			t.Errorf("no %s header", want)
		}
	}
}

// TestCSPAllowsWasmAndNothingRemote: the policy lets the page compile its
// wasm and load its own files, and names no other origin.
func TestCSPAllowsWasmAndNothingRemote(t *testing.T) {
	directives := map[string][]string{}
	for d := range strings.SplitSeq(CSP, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			t.Fatalf("empty directive in %q", CSP)
		}
		if _, dup := directives[f[0]]; dup {
			t.Errorf("directive %s twice", f[0])
		}
		directives[f[0]] = f[1:]
		for _, src := range f[1:] {
			if !strings.HasPrefix(src, "'") {
				t.Errorf("%s allows %s: only keywords such as 'self' are expected, no host", f[0], src)
			}
			if src == "'unsafe-eval'" || (src == "'unsafe-inline'" && f[0] != "style-src-attr") {
				t.Errorf("%s allows %s", f[0], src)
			}
		}
	}
	has := func(d, src string) bool {
		for _, s := range directives[d] {
			if s == src {
				return true
			}
		}
		return false
	}
	if !has("script-src", "'wasm-unsafe-eval'") || !has("script-src", "'self'") {
		t.Errorf("script-src %q must allow 'self' and 'wasm-unsafe-eval'", directives["script-src"])
	}
	if !has("default-src", "'none'") {
		t.Errorf("default-src %q: want 'none', so that what is not named is refused", directives["default-src"])
	}
}

// TestBuildFile: what gensite writes, cmd/serve reads back; a folder
// without the file says so, and a file that names a bad base is refused.
func TestBuildFile(t *testing.T) {
	for _, b := range []Build{{Base: "", Version: "0123456789abcdef"}, {Base: "/wasmsched", Version: "v"}} {
		got, err := ReadBuild(fstest.MapFS{BuildFile: {Data: b.Marshal()}})
		if err != nil || got != b {
			t.Errorf("ReadBuild(Marshal(%+v)) = %+v, %v", b, got, err)
		}
	}
	if _, err := ReadBuild(fstest.MapFS{"index.html": {}}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a folder without %s: err = %v, want fs.ErrNotExist", BuildFile, err)
	}
	for _, data := range []string{`{"base": "wasmsched"}`, `{"base": "/a/"}`, `{"base": "/../x"}`, `not json`} {
		if b, err := ReadBuild(fstest.MapFS{BuildFile: {Data: []byte(data)}}); err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), BuildFile) {
			t.Errorf("ReadBuild(%s) = %+v, %v; want an error naming the file", data, b, err)
		}
	}
	if BaseName("") != "/ (the root)" || BaseName("/x") != "/x" {
		t.Errorf("BaseName: %q, %q", BaseName(""), BaseName("/x"))
	}
	if MakeCommand("build", "") != "make build" || MakeCommand("serve", "/x") != "make serve BASE=/x" {
		t.Errorf("MakeCommand: %q, %q", MakeCommand("build", ""), MakeCommand("serve", "/x"))
	}
}
