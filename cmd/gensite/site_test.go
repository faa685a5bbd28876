package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/wasmsched/wasmsched/app"
	"github.com/wasmsched/wasmsched/internal/hosting"
)

// webDir holds the real assets: the site is checked with what ships.
const webDir = "../../web"

// fakeWasm is enough of a module for gensite, which checks the magic
// number, and large enough to be precompressed.
func fakeWasm(t *testing.T, dir, seed string) string {
	t.Helper()
	b := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte(seed+" wasmsched "), 400)...)
	p := filepath.Join(dir, "app.wasm")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// build runs gensite as make does and returns the site folder and what it
// printed.
func build(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dist")
	var stdout, stderr bytes.Buffer
	args = append([]string{"-out", out, "-web", webDir, "-cache", t.TempDir()}, args...)
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("gensite %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, stdout.String()
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	workerDigests = regexp.MustCompile(`const wasmschedDigests = (\{[^}]*\});`)
	workerVersion = regexp.MustCompile(`const cacheName = "app-" \+ "([^"]*)";`)
	appJSEnv      = regexp.MustCompile(`const goappEnv = (\{.*\});`)
)

// versions returns the version the worker caches under and the one app.js
// hands to the wasm.
func versions(t *testing.T, dir string) (worker, appJS string) {
	t.Helper()
	m := workerVersion.FindSubmatch(read(t, dir, "app-worker.js"))
	if m == nil {
		t.Fatal("app-worker.js: no cacheName")
	}
	return string(m[1]), env(t, dir)["GOAPP_VERSION"]
}

func env(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := appJSEnv.FindSubmatch(read(t, dir, "app.js"))
	if m == nil {
		t.Fatal("app.js: no goappEnv")
	}
	var env map[string]string
	if err := json.Unmarshal(m[1], &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func workerList(t *testing.T, dir string) []string {
	t.Helper()
	m := workerCacheList.FindSubmatch(read(t, dir, "app-worker.js"))
	if m == nil {
		t.Fatal("app-worker.js: no resourcesToCache")
	}
	var urls []string
	if err := json.Unmarshal(m[1], &urls); err != nil {
		t.Fatal(err)
	}
	return urls
}

func TestBuildWritesSelfContainedSite(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	out, stdout := build(t, "-wasm", wasm)

	for _, name := range []string{
		"index.html", "404.html", "app.js", "app-worker.js", "wasm_exec.js",
		"app.css", "manifest.webmanifest", "web/app.wasm", "web/app.wasm.br", "web/app.wasm.gz",
	} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(name))); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	if !bytes.Equal(read(t, out, "web/app.wasm"), read(t, "", wasm)) {
		t.Error("web/app.wasm differs from -wasm")
	}
	if !bytes.Equal(read(t, out, "404.html"), read(t, out, "index.html")) {
		t.Error("404.html is not the start page")
	}
	assets, err := readAssets(webDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(assets) == 0 {
		t.Errorf("%s holds no assets; the handler's icons and styles live there", webDir)
	}
	for _, a := range assets {
		if !bytes.Equal(read(t, out, "web/"+a.name), a.data) {
			t.Errorf("web/%s not copied as it is", a.name)
		}
	}
	// Everything the worker caches is a file of the site: one failed fetch
	// and the worker never installs.
	for _, u := range workerList(t, out) {
		if p := checkURL(out, "", u); p != "" {
			t.Errorf("cached URL %q %s", u, p)
		}
	}
	// No temporary folders left next to the site.
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the parent of -out holds %d entries, want only the site", len(entries))
	}
	worker, _ := versions(t, out)
	if !strings.Contains(stdout, worker) || !strings.Contains(stdout, "web/app.wasm:") {
		t.Errorf("stdout does not report the version %s and the wasm sizes:\n%s", worker, stdout)
	}
}

func TestVersionIsContentHash(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	out1, _ := build(t, "-wasm", wasm)
	worker, appJS := versions(t, out1)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(worker) {
		t.Fatalf("version %q is not 16 hex digits", worker)
	}
	if appJS != worker {
		t.Errorf("app.js has version %q, the worker %q", appJS, worker)
	}

	// The version is the hash of the site as written with the placeholders:
	// the digests are of files that carry the version, so they come after,
	// as does the build file, which names the version.
	copyDir := t.TempDir()
	err := walkFiles(out1, func(p, rel string) error {
		if strings.HasSuffix(rel, ".br") || strings.HasSuffix(rel, ".gz") || rel == hosting.BuildFile {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "app.js" || rel == "app-worker.js" {
			b = bytes.ReplaceAll(b, []byte(worker), []byte(versionPlaceholder))
			b = workerDigests.ReplaceAll(b, []byte("const wasmschedDigests = "+digestsPlaceholder+";"))
		}
		return writeFile(filepath.Join(copyDir, filepath.FromSlash(rel)), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := hashSite(copyDir); err != nil || h != worker {
		t.Errorf("hash of the site = %q, %v; want the version %q", h, err, worker)
	}

	// The same inputs give the same site, so returning visitors keep their
	// cache; go-app alone prints attributes in random order.
	out2, _ := build(t, "-wasm", wasm)
	if v, _ := versions(t, out2); v != worker {
		t.Errorf("rebuilding the same inputs changed the version: %s, then %s", worker, v)
	}
	if !bytes.Equal(read(t, out1, "index.html"), read(t, out2, "index.html")) {
		t.Error("rebuilding the same inputs changed index.html")
	}

	// New wasm bytes, a new version.
	out3, _ := build(t, "-wasm", fakeWasm(t, t.TempDir(), "b"))
	if v, _ := versions(t, out3); v == worker {
		t.Error("new app.wasm bytes kept the version")
	}

	// A changed asset, a new version: the worker caches it too.
	web := t.TempDir()
	if err := os.CopyFS(web, os.DirFS(webDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(web, "extra.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	out4, _ := build(t, "-wasm", wasm, "-web", web)
	if v, _ := versions(t, out4); v == worker {
		t.Error("a new asset kept the version")
	}
}

func TestBasePrefixesEveryURL(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	out, _ := build(t, "-wasm", wasm, "-base", "/wasmsched")

	for _, page := range []string{"index.html", "404.html"} {
		urls := headURLs.FindAllSubmatch(read(t, out, page), -1)
		if len(urls) < 4 {
			t.Fatalf("%s: only %d head URLs", page, len(urls))
		}
		for _, m := range urls {
			if !strings.HasPrefix(string(m[1]), "/wasmsched/") {
				t.Errorf("%s: %q lacks the base", page, m[1])
			}
		}
	}

	var manifest manifestURLs
	if err := json.Unmarshal(read(t, out, "manifest.webmanifest"), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Scope != "/wasmsched/" || manifest.StartURL != "/wasmsched/" {
		t.Errorf("manifest scope %q, start_url %q; want /wasmsched/", manifest.Scope, manifest.StartURL)
	}
	for _, icon := range manifest.Icons {
		if !strings.HasPrefix(icon.Src, "/wasmsched/web/") {
			t.Errorf("manifest icon %q lacks the base", icon.Src)
		}
	}

	cached := workerList(t, out)
	if len(cached) < 5 {
		t.Fatalf("the worker caches only %q", cached)
	}
	for _, u := range cached {
		if u != "/wasmsched" && !strings.HasPrefix(u, "/wasmsched/") {
			t.Errorf("cached URL %q lacks the base", u)
		}
	}

	e := env(t, out)
	if e["GOAPP_ROOT_PREFIX"] != "/wasmsched" {
		t.Errorf("app.js GOAPP_ROOT_PREFIX = %q, want /wasmsched", e["GOAPP_ROOT_PREFIX"])
	}
	if !bytes.Contains(read(t, out, "app.js"), []byte(`"/wasmsched/web/app.wasm"`)) {
		t.Error("app.js does not load /wasmsched/web/app.wasm")
	}

	// A root build has no prefix at all.
	root, _ := build(t, "-wasm", wasm)
	for _, u := range workerList(t, root) {
		if strings.HasPrefix(u, "/wasmsched") {
			t.Errorf("root build caches %q", u)
		}
	}
}

func TestPrecompressedSiblingsDecompress(t *testing.T) {
	t.Parallel()
	out, _ := build(t, "-wasm", fakeWasm(t, t.TempDir(), "a"))
	n := 0
	err := walkFiles(out, func(p, rel string) error {
		var r io.Reader
		switch filepath.Ext(p) {
		case ".br":
			r = brotli.NewReader(bytes.NewReader(read(t, "", p)))
		case ".gz":
			zr, err := gzip.NewReader(bytes.NewReader(read(t, "", p)))
			if err != nil {
				return err
			}
			r = zr
		default:
			return nil
		}
		n++
		got, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		orig := strings.TrimSuffix(p, filepath.Ext(p))
		if !bytes.Equal(got, read(t, "", orig)) {
			t.Errorf("%s does not decompress to %s", rel, filepath.Base(orig))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// app.wasm, app.js, wasm_exec.js and app.css at least, both ways.
	if n < 8 {
		t.Errorf("only %d precompressed files", n)
	}
}

func TestBadBaseRejected(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	for _, base := range []string{
		"wasmsched", "/wasm sched", "/a//b", "/a/../b", "/./a", "/a?b", "/a#b",
		"/%20", "//evil.example", "/a\\b", "/ä",
	} {
		out := filepath.Join(t.TempDir(), "dist")
		var stdout, stderr bytes.Buffer
		err := run([]string{"-out", out, "-web", webDir, "-wasm", wasm, "-base", base}, &stdout, &stderr)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "bad base path") {
			t.Errorf("-base %q: err %v, stderr %q; want a usage error naming -base", base, err, stderr.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("-base %q: %s was created", base, out)
		}
	}
}

func TestRemoteURLFailsBuild(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "dist")
	registerRoutes()
	h := app.Handler()
	h.Icon.SVG = "https://example.com/icon.svg"
	_, err := generate(options{Out: out, Wasm: fakeWasm(t, t.TempDir(), "a"), Web: webDir}, h)
	if err == nil || !strings.Contains(err.Error(), `"https://example.com/icon.svg" is remote`) {
		t.Fatalf("err = %v; want the remote icon named", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed build created -out")
	}
}

func TestFailedBuildKeepsOldSite(t *testing.T) {
	t.Parallel()
	out, _ := build(t, "-wasm", fakeWasm(t, t.TempDir(), "a"))
	before := read(t, out, "app-worker.js")

	notWasm := filepath.Join(t.TempDir(), "app.wasm")
	if err := os.WriteFile(notWasm, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"-out", out, "-web", webDir, "-wasm", notWasm}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not a WebAssembly module") {
		t.Fatalf("err = %v; want the wasm refused", err)
	}
	if !bytes.Equal(read(t, out, "app-worker.js"), before) {
		t.Error("a failed build changed the old site")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("the parent of -out holds %d entries after a failed build, want only the site", len(entries))
	}
}

func TestRefusesToReplaceOtherFolders(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	precious := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(precious, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"-out", out, "-web", webDir, "-wasm", fakeWasm(t, t.TempDir(), "a")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Fatalf("err = %v; want a refusal", err)
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "keep" {
		t.Errorf("notes.txt = %q, %v after the refusal", b, err)
	}
}

func TestWasmFlagRequired(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-out", t.TempDir()}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("err = %v; want a usage error", err)
	}
	if !strings.Contains(stderr.String(), "-wasm is required") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

// TestUncachedPageURLFailsBuild: a file every page loads but the worker
// does not cache would break the app offline.
func TestUncachedPageURLFailsBuild(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "dist")
	registerRoutes()
	h := app.Handler()
	h.CacheableResources = nil // go-app then leaves Icon.SVG out of its cache list
	_, err := generate(options{Out: out, Wasm: fakeWasm(t, t.TempDir(), "a"), Web: webDir}, h)
	if err == nil || !strings.Contains(err.Error(), `"/web/icon.svg" is not in app-worker.js's cache list`) {
		t.Fatalf("err = %v; want the uncached icon named", err)
	}
}

// TestBuildSaysItsBase: the site says which base it was built for, in a
// file cmd/serve reads; a build for another base is not replaced unless
// forced, and the refusal names both bases and what to run. A build for
// the same base replaces it as before.
func TestBuildSaysItsBase(t *testing.T) {
	t.Parallel()
	wasm := fakeWasm(t, t.TempDir(), "a")
	out, _ := build(t, "-wasm", wasm, "-base", "/wasmsched")
	b, err := hosting.ReadBuild(os.DirFS(out))
	if err != nil || b.Base != "/wasmsched" {
		t.Fatalf("%s says %+v, %v; want base /wasmsched", hosting.BuildFile, b, err)
	}
	if w, _ := versions(t, out); b.Version != w {
		t.Errorf("%s says version %q, the worker %q", hosting.BuildFile, b.Version, w)
	}
	before := read(t, out, "app-worker.js")

	gensite := func(args ...string) error {
		var stdout, stderr bytes.Buffer
		return run(append([]string{"-out", out, "-web", webDir, "-cache", t.TempDir(), "-wasm", wasm}, args...), &stdout, &stderr)
	}
	err = gensite("-base", "")
	for _, want := range []string{"refusing to replace " + out, "a build for /wasmsched", "this build is for / (the root)", "BASE=/wasmsched", "FORCE=1", "-force"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a root build over a /wasmsched one: err = %v; want it to say %q", err, want)
		}
	}
	if !bytes.Equal(read(t, out, "app-worker.js"), before) {
		t.Error("the refused build changed the site")
	}
	if err := gensite("-base", "/wasmsched/"); err != nil {
		t.Errorf("the same base again: %v", err)
	}
	if err := gensite("-force"); err != nil {
		t.Fatalf("-force: %v", err)
	}
	if b, err := hosting.ReadBuild(os.DirFS(out)); err != nil || b.Base != "" {
		t.Errorf("after -force, %s says %+v, %v; want the root", hosting.BuildFile, b, err)
	}
	err = gensite("-base", "/other")
	if err == nil || !strings.Contains(err.Error(), "a build for / (the root), and this build is for /other") || !strings.Contains(err.Error(), "with make build (gensite -base '')") {
		t.Errorf("a /other build over a root one: err = %v", err)
	}
}
