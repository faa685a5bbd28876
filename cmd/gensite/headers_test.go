package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// TestHeadersFile: _headers sends every security header for every path,
// and app.wasm's decoded size for the loader, under the base.
func TestHeadersFile(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	size := len(read(t, "", wasm))
	for _, base := range []string{"", "/wasmsched"} {
		out, _ := build(t, "-wasm", wasm, "-base", base)
		rules := parseHeaders(t, string(read(t, out, "_headers")))
		all := rules["/*"]
		for _, h := range hosting.Headers {
			if all[h.Name] != h.Value {
				t.Errorf("base %q: /* sends %s: %q, want %q", base, h.Name, all[h.Name], h.Value)
			}
		}
		wasmRule := rules[base+"/web/app.wasm"]
		if got, want := wasmRule[hosting.WasmLengthHeader], fmt.Sprint(size); got != want {
			t.Errorf("base %q: %s/web/app.wasm sends %s %q, want %q", base, base, hosting.WasmLengthHeader, got, want)
		}
	}
}

// parseHeaders reads the _headers format: a path on a line of its own,
// then its headers indented, "Name: value"; # starts a comment.
func parseHeaders(t *testing.T, text string) map[string]map[string]string {
	t.Helper()
	rules := map[string]map[string]string{}
	var cur map[string]string
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
		case !strings.HasPrefix(line, " "):
			cur = map[string]string{}
			rules[line] = cur
		default:
			name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok || cur == nil {
				t.Fatalf("_headers: bad line %q", line)
			}
			cur[name] = strings.TrimSpace(value)
		}
	}
	return rules
}
