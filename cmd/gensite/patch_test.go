package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPatchesApply: each patch changed what go-app wrote as it says.
func TestPatchesApply(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	for _, base := range []string{"", "/wasmsched"} {
		out, _ := build(t, "-wasm", wasm, "-base", base)
		page := string(read(t, out, "index.html"))
		if !strings.Contains(page, `<meta content="width=device-width, initial-scale=1, viewport-fit=cover" name="viewport">`) ||
			strings.Contains(page, "user-scalable") || strings.Contains(page, "maximum-scale") {
			t.Errorf("base %q: the viewport still forbids zoom", base)
		}
		if !regexp.MustCompile(`<img alt="" class="goapp-logo goapp-spin" id="app-wasm-loader-icon" src="` + base + `/web/icon-192.png">`).MatchString(page) {
			t.Errorf("base %q: the loader icon has no empty alt", base)
		}
		if string(read(t, out, "404.html")) != page {
			t.Errorf("base %q: 404.html is not the patched start page", base)
		}

		appJS := string(read(t, out, "app.js"))
		fi, err := os.Stat(wasm)
		if err != nil {
			t.Fatal(err)
		}
		if want := "const wasmschedWasmSize = " + strconv.FormatInt(fi.Size(), 10) + ";"; !strings.Contains(appJS, want) {
			t.Errorf("base %q: app.js lacks %q", base, want)
		}
		if !strings.Contains(appJS, `"The scheduler could not load (" + err + ")`) {
			t.Errorf("base %q: a failed load shows the bare error", base)
		}
		if !strings.Contains(appJS, `const goappWasmContentLengthHeader = "X-Wasm-Content-Length";`) {
			t.Errorf("base %q: app.js does not read the length header", base)
		}

		worker := string(read(t, out, "app-worker.js"))
		if !strings.Contains(worker, "caches.match(wasmschedCacheKey(event.request), { ignoreSearch: true })") {
			t.Errorf("base %q: the worker's cache lookup heeds the query", base)
		}
		// The page is cached where visitors open it, BASE/: a visit there
		// would not find it under BASE.
		if urls := workerList(t, out); !slices.Contains(urls, base+"/") || slices.Contains(urls, base) {
			t.Errorf("base %q: the worker caches %q; want the page as %q", base, urls, base+"/")
		}
		if strings.Contains(worker, "cache.addAll(") {
			t.Errorf("base %q: the worker still caches without checking", base)
		}
		// Every file the worker caches has the digest of the file served.
		m := workerDigests.FindStringSubmatch(worker)
		if m == nil {
			t.Fatalf("base %q: no digests in the worker", base)
		}
		var digests map[string]string
		if err := json.Unmarshal([]byte(m[1]), &digests); err != nil {
			t.Fatal(err)
		}
		urls := workerList(t, out)
		if len(digests) != len(urls) {
			t.Errorf("base %q: %d digests for %d cached files", base, len(digests), len(urls))
		}
		for _, u := range urls {
			name, problem := siteFile(out, base, u)
			if problem != "" {
				t.Fatalf("%s %s", u, problem)
			}
			sum := sha256.Sum256(read(t, out, name))
			if got := digests[u]; got != hex.EncodeToString(sum[:]) {
				t.Errorf("base %q: digest of %s is %q, want that of %s", base, u, got, name)
			}
		}
	}
}

// TestPatchThatNoLongerAppliesFailsBuild: when go-app writes something a
// patch does not find, or finds twice, the build stops and names it.
func TestPatchThatNoLongerAppliesFailsBuild(t *testing.T) {
	t.Parallel()
	p := []patch{{name: "the test's patch", files: []string{"app.js"}, old: literal("old()"), new: to("new()")}}
	for content, wantErr := range map[string]string{
		"old();":        "",
		"other();":      `patch "the test's patch" matches 0 times in app.js, want once`,
		"old(); old();": `patch "the test's patch" matches 2 times in app.js, want once`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		err := applyPatches(dir, p)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%q: %v", content, err)
		case wantErr == "" && string(read(t, dir, "app.js")) != "new();":
			t.Errorf("%q became %q", content, read(t, dir, "app.js"))
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%q: error %v, want %q", content, err, wantErr)
		}
	}
}

// node returns the path of Node.js; `make test` installs it. Only outside
// CI may a machine without it skip the tests that run the patched scripts.
func node(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no node on PATH: make setup installs it")
		}
		t.Skip("no node on PATH to run the patched scripts (make setup installs it)")
	}
	return p
}

// TestPatchedScriptsParse: the patched app.js and app-worker.js are still
// JavaScript.
func TestPatchedScriptsParse(t *testing.T) {
	t.Parallel()
	nodePath := node(t)
	out, _ := build(t, "-wasm", fakeWasm(t, t.TempDir(), "a"))
	for _, name := range []string{"app.js", "app-worker.js"} {
		if b, err := exec.Command(nodePath, "--check", filepath.Join(out, name)).CombinedOutput(); err != nil {
			t.Errorf("node --check %s: %v\n%s", name, err, b)
		}
	}
}

// TestLoaderProgress runs the patched loader's arithmetic in Node: the
// percentage is true when any source tells the decoded size, is never NaN
// or over 100, and without a size the label shows the amount loaded.
func TestLoaderProgress(t *testing.T) {
	t.Parallel()
	nodePath := node(t)
	wasm := fakeWasm(t, t.TempDir(), "a")
	out, _ := build(t, "-wasm", wasm)
	appJS := string(read(t, out, "app.js"))
	var funcs []string
	for _, name := range []string{"wasmschedWasmTotal", "wasmschedProgress"} {
		m := regexp.MustCompile(`(?ms)^function ` + name + `\(.*?^}\n`).FindString(appJS)
		if m == "" {
			t.Fatalf("app.js has no function %s", name)
		}
		funcs = append(funcs, m)
	}
	// The harness stands in for fetch's Response: headers by name.
	script := `
const goappWasmContentLengthHeader = "X-Wasm-Content-Length";
let wasmschedWasmSize = 0;
` + strings.ReplaceAll(strings.Join(funcs, "\n"), "const wasmschedWasmSize", "//") + `
const response = (h) => ({ headers: { get: (k) => (k in h ? h[k] : null) } });
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map(([headers, baked, loaded]) => {
  wasmschedWasmSize = baked;
  const total = wasmschedWasmTotal(response(headers));
  return [total, wasmschedProgress(loaded, total)];
})));
`
	type tc struct {
		headers map[string]string
		baked   int
		loaded  int
		total   int
		shown   any // a percentage, or the label's text
	}
	cases := []tc{
		// cmd/serve: brotli, with the decoded size in its header.
		{map[string]string{"X-Wasm-Content-Length": "1000", "Content-Encoding": "br", "Content-Length": "300"}, 1000, 500, 1000, 50.0},
		// A static host that precompresses: Content-Length is of the brotli.
		{map[string]string{"Content-Encoding": "br", "Content-Length": "300"}, 1000, 999, 1000, 99.0},
		// A host that compresses on the fly: no length at all.
		{map[string]string{"Content-Encoding": "gzip"}, 1000, 1000, 1000, 100.0},
		// A rebuild between app.js and app.wasm: more than the size said.
		{map[string]string{"Content-Encoding": "gzip"}, 1000, 5000, 1000, 100.0},
		// No size anywhere but a plain Content-Length.
		{map[string]string{"Content-Length": "2000"}, 0, 500, 2000, 25.0},
		// No size at all: the amount loaded.
		{map[string]string{"Content-Encoding": "br", "Content-Length": "300"}, 0, 2500000, 0, "2.5 MB"},
		// Nonsense in the header is not a size.
		{map[string]string{"X-Wasm-Content-Length": "12abc", "Content-Encoding": "br"}, 800, 400, 800, 50.0},
		{map[string]string{"X-Wasm-Content-Length": "-5"}, 0, 10, 0, "0.0 MB"},
	}
	var in [][]any
	for _, c := range cases {
		in = append(in, []any{c.headers, c.baked, c.loaded})
	}
	arg, _ := json.Marshal(in)
	b, err := exec.Command(nodePath, "-e", script, string(arg)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	var got [][]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("node printed %q: %v", b, err)
	}
	for i, c := range cases {
		if got[i][0] != float64(c.total) || got[i][1] != c.shown {
			t.Errorf("headers %v, baked size %d, %d bytes loaded: total %v, shown %v; want %d, %v", c.headers, c.baked, c.loaded, got[i][0], got[i][1], c.total, c.shown)
		}
	}
}

// TestWorkerFindsThePageOffline runs the patched worker's cache key in
// Node, for a root build and a sub-path one: a visit to the page, with or
// without a query, as BASE/ or BASE/index.html, finds the page cached as
// BASE/; the worker's scope. Other files are looked up as they are.
func TestWorkerFindsThePageOffline(t *testing.T) {
	t.Parallel()
	nodePath := node(t)
	wasm := fakeWasm(t, t.TempDir(), "a")
	for _, base := range []string{"", "/wasmsched"} {
		out, _ := build(t, "-wasm", wasm, "-base", base)
		worker := string(read(t, out, "app-worker.js"))
		fn := regexp.MustCompile(`(?ms)^function wasmschedCacheKey\(.*?^}\n`).FindString(worker)
		if fn == "" {
			t.Fatalf("base %q: app-worker.js has no function wasmschedCacheKey", base)
		}
		origin := "http://127.0.0.1:8080"
		script := `
const self = { registration: { scope: "` + origin + base + `/" } };
` + fn + `
const key = (url) => {
  const request = { url: url, mode: "navigate" };
  const k = wasmschedCacheKey(request);
  return k === request ? "itself" : k;
};
console.log(JSON.stringify(JSON.parse(process.argv[1]).map(key)));
`
		page := base + "/"
		cases := map[string]string{
			origin + base + "/":                     page,
			origin + base + "/?tab=free":            page,
			origin + base + "/?tab=limit&n=5":       page,
			origin + base + "/index.html":           page,
			origin + base + "/index.html?tab=free":  page,
			origin + base + "/web/app.wasm":         "itself",
			origin + base + "/app.js?x=1":           "itself",
			origin + base + "/other":                "itself",
			"http://elsewhere.example" + base + "/": "itself",
			origin + base + "/sub/index.html":       "itself",
		}
		var urls []string
		for u := range cases {
			urls = append(urls, u)
		}
		arg, _ := json.Marshal(urls)
		b, err := exec.Command(nodePath, "-e", script, string(arg)).CombinedOutput()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, b)
		}
		var got []string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("node printed %q: %v", b, err)
		}
		for i, u := range urls {
			if got[i] != cases[u] {
				t.Errorf("base %q: a visit to %s is looked up as %q, want %q", base, u, got[i], cases[u])
			}
		}
	}
}
