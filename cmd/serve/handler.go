package main

import (
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// contentTypes pins the types a go-app site depends on instead of trusting
// the host's mime tables: a wasm sent as anything but application/wasm makes
// the browser's streaming compile fail.
var contentTypes = map[string]string{
	".wasm":        "application/wasm",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".webmanifest": "application/manifest+json",
	".json":        "application/json",
	".png":         "image/png",
	".svg":         "image/svg+xml",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
}

// encodings are the precompressed siblings looked for, most preferred first.
var encodings = []struct{ coding, ext string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

const notFoundPage = `<!doctype html>
<meta charset="utf-8">
<title>404 Not Found</title>
<h1>404 Not Found</h1>
<p>Nothing is published at this address. <a href="/">Go to the start page.</a></p>
`

// newHandler serves the files in root, logging one line per request. Only
// regular files are served: no listings, no dotfiles, nothing outside root
// (os.Root refuses paths and symlinks that leave it).
func newHandler(root *os.Root, logger *slog.Logger) http.Handler {
	return logRequests(logger, &fileHandler{root: root})
}

type fileHandler struct {
	root *os.Root
}

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every type is set on purpose, so browsers must not second-guess it.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanPath(r.URL.Path)
	if !ok {
		notFound(w, r)
		return
	}
	if !strings.HasSuffix(r.URL.Path, "/") {
		if fi, err := h.root.Stat(name); err == nil && fi.IsDir() && h.isFile(path.Join(name, "index.html")) {
			// Redirect so the index's relative links resolve inside the
			// directory. Built from the cleaned name, so a request for
			// "//evil.example" cannot become a redirect to another host.
			target := "/" + name + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		// go-app's static build writes the page for /x as x.html.
		if !h.isFile(name) && h.isFile(name+".html") {
			name += ".html"
		}
	}
	h.serveFile(w, r, name)
}

// cleanPath turns a URL path into a name relative to the root. It refuses
// rather than repairs: a segment starting with a dot is "..", ".git", ".env"
// or the like, an attack or a file never meant to be published.
func cleanPath(urlPath string) (string, bool) {
	if !strings.HasPrefix(urlPath, "/") {
		return "", false
	}
	for _, seg := range strings.Split(urlPath[1:], "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	name := strings.TrimPrefix(path.Clean(urlPath), "/")
	if strings.HasSuffix(urlPath, "/") {
		name = path.Join(name, "index.html")
	}
	return name, true
}

func (h *fileHandler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, fi, err := h.open(name)
	if err != nil {
		notFound(w, r)
		return
	}
	defer f.Close()

	hdr := w.Header()
	ctype := contentType(name)
	coding, sibling := "", ""
	best := 0.0
	for _, enc := range encodings {
		if !h.isFile(name + enc.ext) {
			continue
		}
		// The answer depends on Accept-Encoding even when we send the
		// original, so caches must not hand it to a client that differs.
		hdr.Set("Vary", "Accept-Encoding")
		if q := acceptQuality(r.Header.Get("Accept-Encoding"), enc.coding); q > best {
			coding, sibling, best = enc.coding, name+enc.ext, q
		}
	}
	if sibling != "" {
		if cf, cfi, err := h.open(sibling); err == nil {
			defer cf.Close()
			f, fi = cf, cfi
			hdr.Set("Content-Encoding", coding)
			if ctype == "" {
				ctype = "application/octet-stream" // sniffing compressed bytes would be wrong
			}
		}
	}
	if ctype != "" {
		hdr.Set("Content-Type", ctype)
	}
	hdr.Set("Cache-Control", cacheControl)
	// ServeContent handles HEAD, Range and If-Modified-Since from modtime;
	// it sniffs the type only when we could not name it.
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// open opens name only if it is a regular file. It stats first because
// opening a FIFO left in the site folder would block the request.
func (h *fileHandler) open(name string) (*os.File, fs.FileInfo, error) {
	fi, err := h.root.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fs.ErrNotExist
	}
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, fi, nil
}

func (h *fileHandler) isFile(name string) bool {
	fi, err := h.root.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	return mime.TypeByExtension(ext)
}

// cacheControl is sent with every file: the browser may keep a copy
// but asks, cheaply (If-Modified-Since, 304), before each use. go-app's
// URLs carry no version (/web/app.wasm), and its service worker fills a new
// version's cache through the HTTP cache: any max-age would let a new
// worker store the previous build's wasm. The worker's own cache is what
// serves returning and offline visits.
const cacheControl = "no-cache"

// acceptQuality returns the q-value an Accept-Encoding header gives coding;
// 0 means the client refuses it. An explicit entry beats "*".
func acceptQuality(header, coding string) float64 {
	wildcard := 0.0
	for entry := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(entry, ";")
		name = strings.TrimSpace(name)
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			key, value, ok := strings.Cut(param, "=")
			if ok && strings.EqualFold(strings.TrimSpace(key), "q") {
				var err error
				if q, err = strconv.ParseFloat(strings.TrimSpace(value), 64); err != nil {
					q = 0 // unreadable: do not guess the client accepts it
				}
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			return q
		case name == "*":
			wildcard = q
		}
	}
	return wildcard
}

func notFound(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Length", strconv.Itoa(len(notFoundPage)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write([]byte(notFoundPage))
	}
}

func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration", time.Since(start))
	})
}

// recorder notes what was sent, for the request log.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (rec *recorder) WriteHeader(status int) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = status, true
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.wroteHeader = true
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
