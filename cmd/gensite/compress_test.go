package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/app"
)

// buildWith runs generate as run does, with a cache folder of the test's
// choosing, and returns what it reports.
func buildWith(t *testing.T, wasm, out, cache string) (*site, string) {
	t.Helper()
	registerRoutes()
	var log bytes.Buffer
	s, err := generate(options{Out: out, Wasm: wasm, Web: webDir, Cache: cache, Log: &log}, app.Handler())
	if err != nil {
		t.Fatalf("generate: %v\n%s", err, log.String())
	}
	return s, log.String()
}

// siteFiles maps each file of the site in dir to its content.
func siteFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := walkFiles(dir, func(p, rel string) error {
		b, err := os.ReadFile(p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestUnchangedBuildCompressesNothing: the second build of the same inputs
// takes every compressed file from the cache and writes the same site; a
// new app.wasm is compressed again, and what did not change is not.
func TestUnchangedBuildCompressesNothing(t *testing.T) {
	t.Parallel()
	cache, out := t.TempDir(), filepath.Join(t.TempDir(), "dist")
	wasm := fakeWasm(t, t.TempDir(), "a")

	first, log := buildWith(t, wasm, out, cache)
	if len(first.Compressed) == 0 || first.Reused != 0 {
		t.Fatalf("first build: compressed %q, reused %d; want everything compressed", first.Compressed, first.Reused)
	}
	if !slices.Contains(first.Compressed, "web/app.wasm.br") || !strings.Contains(log, "compressing ") {
		t.Errorf("first build compressed %q and said %q; want app.wasm named while it is compressed", first.Compressed, log)
	}
	before := siteFiles(t, out)

	second, log := buildWith(t, wasm, out, cache)
	if len(second.Compressed) != 0 {
		t.Errorf("an unchanged build compressed %q again", second.Compressed)
	}
	if second.Reused != len(first.Compressed) || !strings.Contains(log, "reused") || strings.Contains(log, "compressing") {
		t.Errorf("second build reused %d of %d and said %q", second.Reused, len(first.Compressed), log)
	}
	after := siteFiles(t, out)
	if len(after) != len(before) {
		t.Errorf("the second build wrote %d files, the first %d", len(after), len(before))
	}
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s differs between the two builds", name)
		}
	}

	third, _ := buildWith(t, fakeWasm(t, t.TempDir(), "b"), out, cache)
	if !slices.Contains(third.Compressed, "web/app.wasm.br") || !slices.Contains(third.Compressed, "web/app.wasm.gz") {
		t.Errorf("a new app.wasm was not compressed: %q", third.Compressed)
	}
	if slices.Contains(third.Compressed, "web/app.css.br") || third.Reused == 0 {
		t.Errorf("files that did not change were compressed again: %q, reused %d", third.Compressed, third.Reused)
	}
}

// TestDamagedCacheIsNotServed: a cache entry that does not decompress to
// the file is compressed again, never copied into the site.
func TestDamagedCacheIsNotServed(t *testing.T) {
	t.Parallel()
	cache, out := t.TempDir(), filepath.Join(t.TempDir(), "dist")
	wasm := fakeWasm(t, t.TempDir(), "a")
	buildWith(t, wasm, out, cache)
	good := siteFiles(t, out)

	entries, err := os.ReadDir(cache)
	if err != nil || len(entries) == 0 {
		t.Fatalf("the cache holds %d entries, %v", len(entries), err)
	}
	for _, e := range entries {
		p := filepath.Join(cache, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil { // truncated
			t.Fatal(err)
		}
	}
	s, _ := buildWith(t, wasm, out, cache)
	if s.Reused != 0 {
		t.Errorf("%d damaged entries were reused", s.Reused)
	}
	for name, b := range siteFiles(t, out) {
		if !bytes.Equal(b, good[name]) {
			t.Errorf("%s differs from the build with a sound cache", name)
		}
	}
}

func TestNoCacheCompressesEveryTime(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "dist")
	wasm := fakeWasm(t, t.TempDir(), "a")
	buildWith(t, wasm, out, "")
	if s, _ := buildWith(t, wasm, out, ""); s.Reused != 0 || len(s.Compressed) == 0 {
		t.Errorf("with no cache: reused %d, compressed %q", s.Reused, s.Compressed)
	}
}

// TestCachePrunesOldest: the cache keeps the most recently used entries
// and drops what a killed build left half-written.
func TestCachePrunesOldest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := compressCache{dir: dir}
	var sums [][32]byte
	for i := range 5 {
		var sum [32]byte
		sum[0] = byte(i)
		sums = append(sums, sum)
		if err := c.put(sum, encodings[1], []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		// Older entries, older times: one second apart.
		at := sums0Time.Add(secondsN(i))
		if err := os.Chtimes(c.path(sum, encodings[1]), at, at); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(dir, ".tmp-stale")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(stale, sums0Time, sums0Time); err != nil {
		t.Fatal(err)
	}
	if err := c.prune(2); err != nil {
		t.Fatal(err)
	}
	for i, sum := range sums {
		_, err := os.Stat(c.path(sum, encodings[1]))
		if kept := err == nil; kept != (i >= 3) {
			t.Errorf("entry %d kept = %v; want only the 2 newest", i, kept)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary file was kept")
	}
}

var sums0Time = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func secondsN(i int) time.Duration { return time.Duration(i) * time.Second }
