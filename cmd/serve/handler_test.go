package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// siteFiles is a small built site. Compressed siblings hold marker text, not
// real compressed data: the server never looks inside them.
var siteFiles = map[string]string{
	"index.html":             "<h1>home</h1>",
	"about.html":             "<h1>about</h1>",
	"app.wasm":               "\x00asm wasm bytes",
	"app.wasm.br":            "brotli wasm",
	"app.wasm.gz":            "gzip wasm",
	"app.js":                 "console.log('app')",
	"app.js.br":              "brotli js",
	"app.css":                "body{}",
	"app.css.gz":             "gzip css",
	"app-worker.js":          "self.addEventListener('install', () => {})",
	"manifest.webmanifest":   `{"name":"wasmsched"}`,
	"data.json":              `{"ok":true}`,
	"icon.png":               "\x89PNG\r\n\x1a\n",
	"logo.svg":               "<svg></svg>",
	"favicon.ico":            "ico",
	"robots.txt":             "User-agent: *",
	"manual.pdf":             "%PDF-1.4",
	"LICENSE":                "Plain text licence.",
	"docs/index.html":        "<h1>docs</h1>",
	"docs/intro.html":        "<h1>intro</h1>",
	"guide.html":             "<h1>guide page</h1>",
	"guide/step.html":        "<h1>step</h1>",
	"web/app.wasm":           "\x00asm in web",
	"web/.cache/x.txt":       "hidden dir",
	".env":                   "SECRET=1",
	".git/config":            "[core]",
	"empty/placeholder.json": "{}",
	"_headers":               "/*\n  X-Frame-Options: DENY",
	"docs/_headers":          "/*\n  X-Frame-Options: DENY",
}

// newSite writes siteFiles into a fresh folder and returns it. Next to it,
// outside the site, is secret.txt, which no request may ever reach.
func newSite(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "site")
	for name, body := range siteFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "nothing"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	for _, p := range []string{filepath.Join(base, "secret.txt"), filepath.Join(outside, "secret.txt")} {
		if err := os.WriteFile(p, []byte("SECRET outside the site"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"link-out.txt": filepath.Join(outside, "secret.txt"),
		"dir-out":      outside,
		"link-in.txt":  "robots.txt",
		"link-abs.txt": filepath.Join(dir, "robots.txt"), // os.Root refuses absolute links
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startServer serves dir over loopback HTTP at the root, logging to the
// test output.
func startServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	return startLoggedServer(t, dir, "", t.Output())
}

// startLoggedServer serves dir under base ("" or a clean base path).
func startLoggedServer(t *testing.T, dir, base string, log io.Writer) *httptest.Server {
	t.Helper()
	site, err := openSite(dir, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	srv := httptest.NewServer(newHandler(site, base, slog.New(slog.NewTextHandler(log, nil))))
	t.Cleanup(srv.Close)
	return srv
}

// fetch sends one request and returns the response with its body read. The
// client neither decompresses (so Content-Encoding stays visible) nor
// follows redirects.
func fetch(t *testing.T, srv *httptest.Server, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequest(method, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// fetchRaw sends target exactly as written, which Go's client would not do
// for every path, and returns the status and body.
func fetchRaw(t *testing.T, srv *httptest.Server, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestContentTypes(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct{ path, want string }{
		{"/app.wasm", "application/wasm"},
		{"/web/app.wasm", "application/wasm"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/app.css", "text/css; charset=utf-8"},
		{"/about.html", "text/html; charset=utf-8"},
		{"/", "text/html; charset=utf-8"},
		{"/manifest.webmanifest", "application/manifest+json"},
		{"/data.json", "application/json"},
		{"/icon.png", "image/png"},
		{"/logo.svg", "image/svg+xml"},
		{"/favicon.ico", "image/x-icon"},
		{"/robots.txt", "text/plain; charset=utf-8"},
		{"/manual.pdf", "application/pdf"},        // from mime.TypeByExtension
		{"/LICENSE", "text/plain; charset=utf-8"}, // sniffed
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := fetch(t, srv, "GET", tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.want {
				t.Errorf("Content-Type = %q, want %q", got, tt.want)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

func TestPrecompressedSiblings(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct {
		path, accept string
		wantEncoding string
		wantBody     string
		wantType     string
		wantVary     bool
	}{
		{"/app.wasm", "", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.wasm", "identity", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.wasm", "gzip", "gzip", "gzip wasm", "application/wasm", true},
		{"/app.wasm", "br", "br", "brotli wasm", "application/wasm", true},
		{"/app.wasm", "gzip, deflate, br, zstd", "br", "brotli wasm", "application/wasm", true},
		{"/app.wasm", "BR;Q=0.8, GZIP;Q=0.8", "br", "brotli wasm", "application/wasm", true},
		{"/app.wasm", "gzip;q=1.0, br;q=0.5", "gzip", "gzip wasm", "application/wasm", true},
		{"/app.wasm", "br;q=0, gzip", "gzip", "gzip wasm", "application/wasm", true},
		{"/app.wasm", "br ; q=0.000, gzip ; q=0", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.wasm", "br;q=nonsense", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.wasm", "*", "br", "brotli wasm", "application/wasm", true},
		{"/app.wasm", "*;q=0", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.wasm", "br;q=0, *", "gzip", "gzip wasm", "application/wasm", true},
		{"/app.wasm", "deflate", "", siteFiles["app.wasm"], "application/wasm", true},
		{"/app.js", "gzip", "", siteFiles["app.js"], "text/javascript; charset=utf-8", true},
		{"/app.js", "br", "br", "brotli js", "text/javascript; charset=utf-8", true},
		{"/app.css", "br, gzip", "gzip", "gzip css", "text/css; charset=utf-8", true},
		{"/data.json", "br, gzip", "", siteFiles["data.json"], "application/json", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			resp, body := fetch(t, srv, "GET", tt.path, "Accept-Encoding", tt.accept)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tt.wantEncoding)
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(tt.wantBody)) {
				t.Errorf("Content-Length = %q, want %d", got, len(tt.wantBody))
			}
			if got, want := resp.Header.Get("Vary"), map[bool]string{true: "Accept-Encoding"}[tt.wantVary]; got != want {
				t.Errorf("Vary = %q, want %q", got, want)
			}
		})
	}
}

func TestPagesAndIndexes(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []pathCase{
		{"/", 200, siteFiles["index.html"], ""},
		{"/index.html", 200, siteFiles["index.html"], ""},
		{"/about", 200, siteFiles["about.html"], ""},
		{"/about.html", 200, siteFiles["about.html"], ""},
		{"/docs/", 200, siteFiles["docs/index.html"], ""},
		{"/docs/intro", 200, siteFiles["docs/intro.html"], ""},
		{"/docs", 301, "", "/docs/"},
		{"/docs?tab=2", 301, "", "/docs/?tab=2"},
		{"//docs", 301, "", "/docs/"},                // never "//docs/", another host to a browser
		{"/guide", 200, siteFiles["guide.html"], ""}, // a folder without index.html does not hide guide.html
		{"/guide/step", 200, siteFiles["guide/step.html"], ""},
		{"//", 200, siteFiles["index.html"], ""},
	}
	checkPaths(t, srv, "", tests)
}

func TestSymlinkInsideRootIsServed(t *testing.T) {
	srv := startServer(t, newSite(t))
	resp, body := fetch(t, srv, "GET", "/link-in.txt")
	if resp.StatusCode != http.StatusOK || body != siteFiles["robots.txt"] {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, siteFiles["robots.txt"])
	}
}

func TestNotFound(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct{ name, target string }{
		{"missing file", "/missing.wasm"},
		{"missing page", "/missing"},
		{"missing dir index", "/missing/"},
		{"dotfile", "/.env"},
		{"escaped dotfile", "/%2eenv"},
		{"dot dir", "/.git/config"},
		{"dot dir listing", "/.git/"},
		{"nested dot dir", "/web/.cache/x.txt"},
		{"listing without index", "/empty/"},
		{"folder without index", "/empty"},
		{"empty folder", "/nothing/"},
		{"symlink to outside file", "/link-out.txt"},
		{"symlink to outside dir", "/dir-out/secret.txt"},
		{"symlink to outside dir listing", "/dir-out/"},
		{"absolute symlink", "/link-abs.txt"},
		{"parent", "/../secret.txt"},
		{"escaped parent", "/%2e%2e/secret.txt"},
		{"escaped slash parent", "/..%2fsecret.txt"},
		{"nested parent", "/docs/../../secret.txt"},
		{"harmless parent", "/docs/../index.html"},
		{"dot segment", "/./index.html"},
		{"not a path", "*"},
		{"host configuration", "/_headers"},
		{"host configuration in a folder", "/docs/_headers"},
		{"host configuration, other case", "/_HEADERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := fetchRaw(t, srv, tt.target)
			if status != http.StatusNotFound {
				t.Errorf("status = %d, want 404", status)
			}
			if strings.Contains(body, "SECRET") {
				t.Fatalf("leaked %q", body)
			}
			if body != notFoundPage("") {
				t.Errorf("body = %q, want the 404 page", body)
			}
		})
	}
}

func TestNotFoundPage(t *testing.T) {
	srv := startServer(t, newSite(t))
	resp, body := fetch(t, srv, "GET", "/missing")
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if !strings.Contains(body, "404") || !strings.Contains(body, `href="/"`) {
		t.Errorf("body = %q, want a 404 page linking home", body)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	srv := startServer(t, newSite(t))
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, target := range []string{"/app.wasm", "/missing"} {
			t.Run(method+" "+target, func(t *testing.T) {
				resp, _ := fetch(t, srv, method, target)
				if resp.StatusCode != http.StatusMethodNotAllowed {
					t.Errorf("status = %d, want 405", resp.StatusCode)
				}
				if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q, want %q", got, "GET, HEAD")
				}
			})
		}
	}
}

func TestHeadHasNoBody(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct {
		path       string
		wantStatus int
		wantLength int
	}{
		{"/app.wasm", 200, len(siteFiles["app.wasm"])},
		{"/about", 200, len(siteFiles["about.html"])},
		{"/missing", 404, len(notFoundPage(""))},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := fetch(t, srv, "HEAD", tt.path)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if resp.ContentLength != int64(tt.wantLength) {
				t.Errorf("Content-Length = %d, want %d", resp.ContentLength, tt.wantLength)
			}
			if body != "" {
				t.Errorf("body = %q, want none", body)
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct{ path, want string }{
		{"/", "no-cache"},
		{"/index.html", "no-cache"},
		{"/about", "no-cache"},
		{"/docs/", "no-cache"},
		{"/docs/intro.html", "no-cache"},
		{"/app-worker.js", "no-cache"},
		{"/manifest.webmanifest", "no-cache"},
		{"/app.wasm", "no-cache"},
		{"/app.js", "no-cache"},
		{"/app.css", "no-cache"},
		{"/icon.png", "no-cache"},
		{"/missing", "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := fetch(t, srv, "GET", tt.path, "Accept-Encoding", "br, gzip")
			if got := resp.Header.Get("Cache-Control"); got != tt.want {
				t.Errorf("Cache-Control = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConditionalAndRangeRequests(t *testing.T) {
	dir := newSite(t)
	modified := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"app.wasm", "app.wasm.br", "index.html"} {
		if err := os.Chtimes(filepath.Join(dir, name), modified, modified); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t, dir)
	at := func(t time.Time) string { return t.Format(http.TimeFormat) }
	tests := []struct {
		name       string
		path       string
		header     []string
		wantStatus int
		wantBody   string
	}{
		{"not modified", "/app.wasm", []string{"If-Modified-Since", at(modified)}, 304, ""},
		{"not modified compressed", "/app.wasm", []string{"If-Modified-Since", at(modified), "Accept-Encoding", "br"}, 304, ""},
		{"not modified page", "/", []string{"If-Modified-Since", at(modified.Add(time.Hour))}, 304, ""},
		{"modified since", "/app.wasm", []string{"If-Modified-Since", at(modified.Add(-time.Hour))}, 200, siteFiles["app.wasm"]},
		{"range", "/app.wasm", []string{"Range", "bytes=1-3"}, 206, siteFiles["app.wasm"][1:4]},
		{"range compressed", "/app.wasm", []string{"Range", "bytes=0-5", "Accept-Encoding", "br"}, 206, "brotli"},
		{"range unsatisfiable", "/app.wasm", []string{"Range", "bytes=1000-"}, 416, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, srv, "GET", tt.path, tt.header...)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if tt.wantStatus == 200 && resp.Header.Get("Last-Modified") != at(modified) {
				t.Errorf("Last-Modified = %q, want %q", resp.Header.Get("Last-Modified"), at(modified))
			}
		})
	}
}

func TestLogsOneLinePerRequest(t *testing.T) {
	var log bytes.Buffer
	srv := startLoggedServer(t, newSite(t), "", &log)
	fetch(t, srv, "GET", "/app.wasm")
	fetch(t, srv, "HEAD", "/missing")
	fetch(t, srv, "POST", "/")
	srv.Close() // waits for the handlers, so the log is complete and ours to read

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := [][]string{
		{"method=GET", "path=/app.wasm", "status=200", "bytes=" + strconv.Itoa(len(siteFiles["app.wasm"])), "duration="},
		{"method=HEAD", "path=/missing", "status=404", "bytes=0"},
		{"method=POST", "path=/", "status=405"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d log lines, want %d:\n%s", len(lines), len(want), log.String())
	}
	for i, fields := range want {
		for _, f := range fields {
			if !strings.Contains(lines[i], f) {
				t.Errorf("log line %d = %q, want it to contain %q", i, lines[i], f)
			}
		}
	}
}

func TestServesUnderBase(t *testing.T) {
	srv := startLoggedServer(t, newSite(t), "/wasmsched", t.Output())
	tests := []pathCase{
		{"/wasmsched/", 200, siteFiles["index.html"], ""},
		{"/wasmsched/index.html", 200, siteFiles["index.html"], ""},
		{"/wasmsched/app.wasm", 200, siteFiles["app.wasm"], ""},
		{"/wasmsched/about", 200, siteFiles["about.html"], ""},
		{"/wasmsched/docs/intro", 200, siteFiles["docs/intro.html"], ""},
		{"/wasmsched", 302, "", "/wasmsched/"},
		{"/wasmsched?tab=2", 302, "", "/wasmsched/?tab=2"},
		{"/", 302, "", "/wasmsched/"},
		{"/?tab=2", 302, "", "/wasmsched/?tab=2"},
		{"/wasmsched/docs", 301, "", "/wasmsched/docs/"},
		{"/wasmsched/docs?tab=2", 301, "", "/wasmsched/docs/?tab=2"},
		{"/wasmsched//docs", 301, "", "/wasmsched/docs/"},
		{"/app.wasm", 404, "", ""},
		{"/about", 404, "", ""},
		{"/docs/", 404, "", ""},
		{"/wasmschedule/", 404, "", ""},
		{"//wasmsched/", 404, "", ""},
		{"/other/wasmsched/", 404, "", ""},
		{"/wasmsched/missing", 404, "", ""},
		{"/wasmsched/.env", 404, "", ""},
		{"/wasmsched/../wasmsched/.env", 404, "", ""},
		{"/wasmsched/_headers", 404, "", ""},
	}
	checkPaths(t, srv, "/wasmsched", tests)
}

// pathCase is what a GET of path answers: a status, and the body of a
// 200 or the Location of a redirect.
type pathCase struct {
	path         string
	wantStatus   int
	wantBody     string
	wantLocation string
}

// checkPaths GETs each case's path from srv, which serves under base; a
// 404 must be the not-found page linking to base's start page.
func checkPaths(t *testing.T, srv *httptest.Server, base string, tests []pathCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := fetch(t, srv, "GET", tt.path)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			switch tt.wantStatus {
			case http.StatusOK:
				if body != tt.wantBody {
					t.Errorf("body = %q, want %q", body, tt.wantBody)
				}
			case http.StatusNotFound:
				if body != notFoundPage(base) || !strings.Contains(body, `href="`+base+`/"`) {
					t.Errorf("body = %q, want the 404 page linking to %s/", body, base)
				}
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
		})
	}
}

// Paths the client would clean before sending: the redirects must still
// stay on the host and under the base.
func TestBaseRedirectsStayOnHost(t *testing.T) {
	srv := startLoggedServer(t, newSite(t), "/wasmsched", t.Output())
	for _, target := range []string{"//evil.example", "//evil.example/", "/wasmsched//evil.example/../docs", "//wasmsched"} {
		t.Run(target, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", target)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, "/wasmsched/") {
				t.Errorf("%d to %q, want no redirect or one to a path under /wasmsched/", resp.StatusCode, loc)
			}
		})
	}
}

func TestHostingHeadersOnEveryResponse(t *testing.T) {
	dir := newSite(t)
	modified := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "app.wasm"), modified, modified); err != nil {
		t.Fatal(err)
	}
	servers := map[string]*httptest.Server{
		"":           startServer(t, dir),
		"/wasmsched": startLoggedServer(t, dir, "/wasmsched", t.Output()),
	}
	tests := []struct {
		name, method, path string
		header             []string
		wantStatus         int
	}{
		{"page", "GET", "/", nil, 200},
		{"wasm", "GET", "/app.wasm", nil, 200},
		{"wasm brotli", "GET", "/app.wasm", []string{"Accept-Encoding", "br"}, 200},
		{"head", "HEAD", "/app.js", nil, 200},
		{"not modified", "GET", "/app.wasm", []string{"If-Modified-Since", modified.Format(http.TimeFormat)}, 304},
		{"range", "GET", "/app.wasm", []string{"Range", "bytes=0-1"}, 206},
		{"bad range", "GET", "/app.wasm", []string{"Range", "bytes=1000-"}, 416},
		{"folder redirect", "GET", "/docs", nil, 301},
		{"not found", "GET", "/missing", nil, 404},
		{"host configuration", "GET", "/_headers", nil, 404},
		{"method", "POST", "/", nil, 405},
	}
	for base, srv := range servers {
		for _, tt := range tests {
			t.Run(base+" "+tt.name, func(t *testing.T) {
				resp, _ := fetch(t, srv, tt.method, base+tt.path, tt.header...)
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				for _, h := range hosting.Headers {
					if got := resp.Header.Values(h.Name); len(got) != 1 || got[0] != h.Value {
						t.Errorf("%s = %q, want once %q", h.Name, got, h.Value)
					}
				}
			})
		}
	}
	// The redirects of a base, which no file lookup reaches.
	for _, path := range []string{"/", "/wasmsched", "/elsewhere"} {
		resp, _ := fetch(t, servers["/wasmsched"], "GET", path)
		for _, h := range hosting.Headers {
			if got := resp.Header.Values(h.Name); len(got) != 1 || got[0] != h.Value {
				t.Errorf("GET %s (%d): %s = %q, want once %q", path, resp.StatusCode, h.Name, got, h.Value)
			}
		}
	}
}

func TestWasmCarriesItsDecodedSize(t *testing.T) {
	srv := startServer(t, newSite(t))
	tests := []struct {
		method, path, accept string
		wantEncoding         string
		want                 string // the header's value; "" for none
	}{
		{"GET", "/app.wasm", "", "", strconv.Itoa(len(siteFiles["app.wasm"]))},
		{"GET", "/app.wasm", "gzip", "gzip", strconv.Itoa(len(siteFiles["app.wasm"]))},
		{"GET", "/app.wasm", "br", "br", strconv.Itoa(len(siteFiles["app.wasm"]))},
		{"HEAD", "/app.wasm", "br", "br", strconv.Itoa(len(siteFiles["app.wasm"]))},
		{"GET", "/web/app.wasm", "br", "", strconv.Itoa(len(siteFiles["web/app.wasm"]))},
		{"GET", "/app.js", "br", "br", ""},
		{"GET", "/", "br", "", ""},
		{"GET", "/missing.wasm", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.accept, func(t *testing.T) {
			resp, _ := fetch(t, srv, tt.method, tt.path, "Accept-Encoding", tt.accept)
			if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tt.wantEncoding)
			}
			if got := resp.Header.Values(hosting.WasmLengthHeader); strings.Join(got, ",") != tt.want {
				t.Errorf("%s = %q, want %q", hosting.WasmLengthHeader, got, tt.want)
			}
		})
	}
}

// TestRebuildInTheSameSecondIsNotStale: Last-Modified has whole seconds,
// so a file rewritten within the second it was written looks unchanged by
// date; a browser revalidating it must still get the new one, which the
// ETag tells apart.
func TestRebuildInTheSameSecondIsNotStale(t *testing.T) {
	dir := newSite(t)
	p := filepath.Join(dir, "index.html")
	second := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	write := func(body string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	write("first build", second.Add(100*time.Millisecond))
	srv := startServer(t, dir)
	first, _ := fetch(t, srv, "GET", "/")
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if resp, _ := fetch(t, srv, "GET", "/", "If-None-Match", etag, "If-Modified-Since", modified); resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating an unchanged file: %d, want 304", resp.StatusCode)
	}

	write("second build", second.Add(900*time.Millisecond))
	resp, body := fetch(t, srv, "GET", "/", "If-None-Match", etag, "If-Modified-Since", modified)
	if resp.StatusCode != http.StatusOK || body != "second build" {
		t.Errorf("revalidating after a rebuild in the same second: %d %q, want 200 with the new file", resp.StatusCode, body)
	}
	// Each encoding of a file is its own representation.
	plain, _ := fetch(t, srv, "GET", "/app.wasm")
	br, _ := fetch(t, srv, "GET", "/app.wasm", "Accept-Encoding", "br")
	if plain.Header.Get("ETag") == br.Header.Get("ETag") {
		t.Errorf("app.wasm and its brotli have the same ETag %s", plain.Header.Get("ETag"))
	}
}

// TestPrecompressedResponsesSayTheirLength: over real loopback HTTP, a
// precompressed file too large to be buffered whole goes out with the
// Content-Length of the bytes sent, for GET and HEAD, as an uncompressed one
// does; a range of it is still a 206 of the range's length, a 304 has no
// body, and the decoded size stays in its own header.
func TestPrecompressedResponsesSayTheirLength(t *testing.T) {
	dir := newSite(t)
	raw := bytes.Repeat([]byte("\x00asm large wasm "), 64<<10) // 1 MiB
	br := make([]byte, 300<<10)                                // far beyond the server's buffer
	for i := range br {
		br[i] = byte(i * 7)
	}
	for name, b := range map[string][]byte{"big.wasm": raw, "big.wasm.br": br} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t, dir)
	for _, tt := range []struct {
		method, accept string
		wantLength     int
		wantEncoding   string
	}{
		{"GET", "br", len(br), "br"},
		{"HEAD", "br", len(br), "br"},
		{"GET", "identity", len(raw), ""},
		{"HEAD", "identity", len(raw), ""},
	} {
		resp, body := fetch(t, srv, tt.method, "/big.wasm", "Accept-Encoding", tt.accept)
		what := tt.method + " with Accept-Encoding " + tt.accept
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != tt.wantEncoding {
			t.Fatalf("%s: %d, Content-Encoding %q", what, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(tt.wantLength) {
			t.Errorf("%s: Content-Length %q, want %d", what, got, tt.wantLength)
		}
		if len(resp.TransferEncoding) != 0 {
			t.Errorf("%s: sent %v", what, resp.TransferEncoding)
		}
		if tt.method == "GET" && len(body) != tt.wantLength {
			t.Errorf("%s: %d bytes of body, want %d", what, len(body), tt.wantLength)
		}
		if got := resp.Header.Get(hosting.WasmLengthHeader); got != strconv.Itoa(len(raw)) {
			t.Errorf("%s: %s %q, want %d", what, hosting.WasmLengthHeader, got, len(raw))
		}
	}

	resp, body := fetch(t, srv, "GET", "/big.wasm", "Accept-Encoding", "br", "Range", "bytes=100-199")
	if resp.StatusCode != http.StatusPartialContent || body != string(br[100:200]) ||
		resp.Header.Get("Content-Length") != "100" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(br)) {
		t.Errorf("a range of the brotli file: %d, Content-Length %q, Content-Range %q, %d bytes",
			resp.StatusCode, resp.Header.Get("Content-Length"), resp.Header.Get("Content-Range"), len(body))
	}
	resp, body = fetch(t, srv, "GET", "/big.wasm", "Accept-Encoding", "br", "Range", "bytes=0-9,20-29")
	if resp.StatusCode != http.StatusPartialContent || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") ||
		resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("two ranges of the brotli file: %d, %q, Content-Length %q for %d bytes",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Length"), len(body))
	}
	resp, _ = fetch(t, srv, "GET", "/big.wasm", "Accept-Encoding", "br", "Range", fmt.Sprintf("bytes=%d-", len(br)+10))
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("a range past the brotli file's end: %d, want 416", resp.StatusCode)
	}
	etag := fetchHeader(t, srv, "/big.wasm", "br", "ETag")
	resp, body = fetch(t, srv, "GET", "/big.wasm", "Accept-Encoding", "br", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("Content-Length") != "" {
		t.Errorf("If-None-Match %s: %d, Content-Length %q, %d bytes", etag, resp.StatusCode, resp.Header.Get("Content-Length"), len(body))
	}
}

func fetchHeader(t *testing.T, srv *httptest.Server, target, accept, name string) string {
	t.Helper()
	resp, _ := fetch(t, srv, "HEAD", target, "Accept-Encoding", accept)
	return resp.Header.Get(name)
}
