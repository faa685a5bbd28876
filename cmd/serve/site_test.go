package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// buildFile is file name's content in build n: big enough that sending it
// takes many writes, and recognisable as a whole from its first line.
func buildFile(name string, n int) string {
	line := fmt.Sprintf("%s of build %03d\n", name, n)
	return strings.Repeat(line, 64<<10/len(line))
}

// whichBuild returns the build body is the complete file name of, or -1.
func whichBuild(name, body string) int {
	first, _, _ := strings.Cut(body, "\n")
	n, err := strconv.Atoi(strings.TrimPrefix(first, name+" of build "))
	if err != nil || body != buildFile(name, n) {
		return -1
	}
	return n
}

var buildFiles = map[string]string{"/": "index.html", "/web/app.wasm": "web/app.wasm"}

func writeBuild(t *testing.T, dir string, n int) {
	t.Helper()
	for _, name := range buildFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(buildFile(name, n)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rebuild replaces out with build n as cmd/gensite does: the new folder is
// written aside, then out is renamed away, the new one renamed in, and the
// old one removed.
func rebuild(t *testing.T, out string, n int) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(out), fmt.Sprintf(".dist.gensite-%d", n))
	writeBuild(t, tmp, n)
	old := tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(old); err != nil {
		t.Fatal(err)
	}
}

// getBuild fetches path and returns which build's complete file came back.
func getBuild(client *http.Client, srv *httptest.Server, path string) (int, error) {
	resp, err := client.Get(srv.URL + path)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s = %d", path, resp.StatusCode)
	}
	n := whichBuild(buildFiles[path], string(body))
	if n < 0 {
		return 0, fmt.Errorf("GET %s: %d bytes that are no build's whole file", path, len(body))
	}
	return n, nil
}

func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second} // a hang guard
}

func TestServesEachRebuildWhileRequestsRun(t *testing.T) {
	const readers, builds = 4, 50
	out := filepath.Join(t.TempDir(), "dist")
	writeBuild(t, out, 0)
	srv := startLoggedServer(t, out, "", io.Discard) // some thousand requests

	stop := make(chan struct{})
	progress := make(chan struct{})
	seen := make([]map[int]bool, readers)
	var wg sync.WaitGroup
	for i := range readers {
		seen[i] = map[int]bool{}
		wg.Go(func() {
			client := newClient(t)
			last := 0
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				path := "/"
				if k%2 == 1 {
					path = "/web/app.wasm"
				}
				n, err := getBuild(client, srv, path)
				if err != nil {
					t.Error(err)
					return
				}
				if n < last {
					t.Errorf("GET %s gave build %d after build %d", path, n, last)
					return
				}
				last = n
				seen[i][n] = true
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}

	stalled := false
rebuilds:
	for n := 1; n <= builds; n++ {
		rebuild(t, out, n)
		// Let the readers make some requests around each swap, or a fast
		// loop of rebuilds would race past them.
		for range readers {
			select {
			case <-progress:
			case <-time.After(10 * time.Second): // a hang guard: the readers failed
				stalled = true
				break rebuilds
			}
		}
	}
	close(stop)
	wg.Wait()
	if stalled {
		t.Fatal("the readers stopped")
	}

	client := newClient(t)
	for path := range buildFiles {
		if n, err := getBuild(client, srv, path); err != nil || n != builds {
			t.Errorf("after the last rebuild, GET %s = build %d, %v; want build %d", path, n, err, builds)
		}
	}
	all := map[int]bool{}
	for _, s := range seen {
		for n := range s {
			all[n] = true
		}
	}
	if len(all) < 2 {
		t.Errorf("the readers saw builds %v, want several: the test did not race the rebuilds", all)
	}
}

// Between a rebuild's two renames, the folder is missing for a moment: the
// previous build, renamed aside but whole, is still served.
func TestServesPreviousBuildWhileFolderIsMissing(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "dist")
	writeBuild(t, out, 1)
	srv := startServer(t, out)
	client := newClient(t)

	aside := filepath.Join(parent, "dist.old")
	if err := os.Rename(out, aside); err != nil {
		t.Fatal(err)
	}
	for path := range buildFiles {
		if n, err := getBuild(client, srv, path); err != nil || n != 1 {
			t.Errorf("with the folder missing, GET %s = build %d, %v; want build 1", path, n, err)
		}
	}
	writeBuild(t, out, 2)
	if err := os.RemoveAll(aside); err != nil {
		t.Fatal(err)
	}
	for path := range buildFiles {
		if n, err := getBuild(client, srv, path); err != nil || n != 2 {
			t.Errorf("after the new folder came, GET %s = build %d, %v; want build 2", path, n, err)
		}
	}
}

// A folder without index.html is not a build: the last one is kept.
func TestKeepsServingWhenNewFolderIsNoSite(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "dist")
	writeBuild(t, out, 1)
	srv := startServer(t, out)
	client := newClient(t)

	if err := os.Rename(out, filepath.Join(parent, "dist.old")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(out, "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "web", "app.wasm"), []byte("half a build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := getBuild(client, srv, "/web/app.wasm"); err != nil || n != 1 {
		t.Errorf("GET /web/app.wasm = build %d, %v; want build 1 until the new folder has index.html", n, err)
	}

	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	writeBuild(t, out, 2)
	for path := range buildFiles {
		if n, err := getBuild(client, srv, path); err != nil || n != 2 {
			t.Errorf("GET %s = build %d, %v; want build 2", path, n, err)
		}
	}
}

// writeBuildFile says in dir that it was built for base, as gensite does.
func writeBuildFile(t *testing.T, dir, base string) {
	t.Helper()
	b := hosting.Build{Base: base, Version: "test"}
	if err := os.WriteFile(filepath.Join(dir, hosting.BuildFile), b.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildForAnotherBaseSwappedIn: a forced rebuild for another base
// replaces the folder while it is served under /wasmsched. Its pages would
// ask for every file at the wrong path, so each request is told what
// happened and what to run, rather than served pages that half work; the
// build file itself is never served.
func TestBuildForAnotherBaseSwappedIn(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "dist")
	writeBuild(t, out, 1)
	writeBuildFile(t, out, "/wasmsched")
	srv := startLoggedServer(t, out, "/wasmsched", t.Output())
	client := newClient(t)
	if resp, body := fetch(t, srv, "GET", "/wasmsched/"); resp.StatusCode != http.StatusOK || whichBuild("index.html", body) != 1 {
		t.Fatalf("GET /wasmsched/ = %d before the rebuild", resp.StatusCode)
	}
	if resp, _ := fetch(t, srv, "GET", "/wasmsched/"+hosting.BuildFile); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET the build file = %d, want 404", resp.StatusCode)
	}

	rebuild(t, out, 2)
	writeBuildFile(t, out, "")
	resp, body := fetch(t, srv, "GET", "/wasmsched/")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /wasmsched/ = %d after a rebuild for the root, want 503", resp.StatusCode)
	}
	for _, want := range []string{"is a build for / (the root), not for /wasmsched", "-base &#39;&#39; (make serve)", "make build BASE=/wasmsched FORCE=1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the 503 page does not say %q:\n%s", want, body)
		}
	}

	// Built for its base again: served again.
	rebuild(t, out, 3)
	writeBuildFile(t, out, "/wasmsched")
	resp, err := client.Get(srv.URL + "/wasmsched/web/app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if whichBuild("web/app.wasm", string(b)) != 3 {
		t.Errorf("after a rebuild for /wasmsched, GET app.wasm = %d, not build 3", resp.StatusCode)
	}
}
