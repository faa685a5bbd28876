package main

import (
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/internal/hosting"
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

// notFoundPage is the 404 page of a site served under base ("" for the
// root); its link leads to the site's start page.
func notFoundPage(base string) string {
	return `<!doctype html>
<meta charset="utf-8">
<title>404 Not Found</title>
<h1>404 Not Found</h1>
<p>Nothing is published at this address. <a href="` + html.EscapeString(base+"/") + `">Go to the start page.</a></p>
`
}

// newHandler serves the files of site under base ("" or a path that
// hosting.CleanBase returned), logging one line per request. Only regular
// files are served: no listings, no dotfiles, nothing outside the folder
// (os.Root refuses paths and symlinks that leave it).
func newHandler(site *site, base string, logger *slog.Logger) http.Handler {
	return logRequests(logger, &fileHandler{site: site, base: base, notFound: notFoundPage(base)})
}

type fileHandler struct {
	site     *site
	base     string
	notFound string
}

// lookups bounds how often a request looks again after the build it looked
// in was replaced meanwhile: more than once only when rebuilds follow each
// other faster than one request, and never forever.
const lookups = 3

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	for _, x := range hosting.Headers {
		hdr.Set(x.Name, x.Value)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	urlPath := r.URL.Path
	if h.base != "" {
		switch {
		case urlPath == h.base || urlPath == "/":
			// 302, not 301: a browser keeps a 301 for good, and the same
			// port may serve another base, or none, tomorrow.
			redirect(w, r, h.base+"/", http.StatusFound)
			return
		case strings.HasPrefix(urlPath, h.base+"/"):
			urlPath = urlPath[len(h.base):]
		default:
			h.sendNotFound(w, r)
			return
		}
	}
	name, ok := cleanPath(urlPath)
	if !ok {
		h.sendNotFound(w, r)
		return
	}
	bare := !strings.HasSuffix(urlPath, "/")
	for range lookups {
		b := h.site.current()
		if other, ok := b.otherBase(h.base); ok {
			// A forced rebuild for another base replaced the folder: its
			// pages would ask for every file elsewhere.
			h.sendError(w, r, http.StatusServiceUnavailable, wrongBase(h.site.dir, h.base, other)+
				". Stop this server (Ctrl-C) first.")
			return
		}
		target, f := h.lookup(b.root, r, name, bare)
		switch {
		case target != "":
			redirect(w, r, target, http.StatusMovedPermanently)
			return
		case f != nil:
			defer f.Close()
			f.serve(w, r)
			return
		case h.site.current() == b:
			h.sendNotFound(w, r)
			return
		}
		// The build was replaced while we looked, and the old one is
		// closed or being deleted: its "not found" says nothing.
	}
	h.sendNotFound(w, r)
}

// redirect sends the client to target, a path built from cleaned names
// only: a request for "//evil.example" must not become a redirect to
// another host. The query goes along.
func redirect(w http.ResponseWriter, r *http.Request, target string, code int) {
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, code)
}

// cleanPath turns a URL path into a name relative to the root. It refuses
// rather than repairs: a segment starting with a dot is "..", ".git", ".env"
// or the like, an attack or a file never meant to be published. _headers
// is the host's configuration (Netlify, Cloudflare Pages), which those hosts
// do not publish either.
func cleanPath(urlPath string) (string, bool) {
	if !strings.HasPrefix(urlPath, "/") {
		return "", false
	}
	for _, seg := range strings.Split(urlPath[1:], "/") {
		if strings.HasPrefix(seg, ".") || strings.EqualFold(seg, "_headers") {
			return "", false
		}
	}
	name := strings.TrimPrefix(path.Clean(urlPath), "/")
	if strings.HasSuffix(urlPath, "/") {
		name = path.Join(name, "index.html")
	}
	return name, true
}

// lookup finds what a request for name gets from root: a redirect target,
// or a file opened to send, or neither (not found). bare says the URL path
// has no trailing slash, so name may be a folder (redirected into) or a
// page written as name.html.
func (h *fileHandler) lookup(root *os.Root, r *http.Request, name string, bare bool) (target string, f *file) {
	if bare {
		if fi, err := root.Stat(name); err == nil && fi.IsDir() && isFile(root, path.Join(name, "index.html")) {
			// Redirect so the index's relative links resolve inside the
			// directory.
			return h.base + "/" + name + "/", nil
		}
		// go-app's static build writes the page for /x as x.html.
		if !isFile(root, name) && isFile(root, name+".html") {
			name += ".html"
		}
	}
	plain, fi, err := open(root, name)
	if err != nil {
		return "", nil
	}
	f = &file{name: name, f: plain, modTime: fi.ModTime(), size: fi.Size(), bodySize: fi.Size()}
	best := 0.0
	sibling := ""
	for _, enc := range encodings {
		if !isFile(root, name+enc.ext) {
			continue
		}
		f.vary = true
		if q := acceptQuality(r.Header.Get("Accept-Encoding"), enc.coding); q > best {
			f.coding, sibling, best = enc.coding, name+enc.ext, q
		}
	}
	if sibling != "" {
		if cf, cfi, err := open(root, sibling); err == nil {
			f.compressed, f.modTime, f.bodySize = cf, cfi.ModTime(), cfi.Size()
		} else {
			f.coding = ""
		}
	}
	return "", f
}

// file is a file opened for sending, with its precompressed sibling when
// the client takes that instead.
type file struct {
	name       string
	f          *os.File
	compressed *os.File // the sibling to send, or nil
	coding     string   // the sibling's Content-Encoding
	modTime    time.Time
	size       int64 // the file's own, decoded size
	bodySize   int64 // the size of what is sent: the sibling's, if sent
	vary       bool  // a sibling exists
}

func (f *file) Close() {
	f.f.Close()
	if f.compressed != nil {
		f.compressed.Close()
	}
}

func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	ctype := contentType(f.name)
	body := f.f
	if f.vary {
		// The answer depends on Accept-Encoding even when we send the
		// original, so caches must not hand it to a client that differs.
		hdr.Set("Vary", "Accept-Encoding")
	}
	if f.compressed != nil {
		body = f.compressed
		hdr.Set("Content-Encoding", f.coding)
		if ctype == "" {
			ctype = "application/octet-stream" // sniffing compressed bytes would be wrong
		}
	}
	if ctype != "" {
		hdr.Set("Content-Type", ctype)
	}
	if strings.EqualFold(path.Ext(f.name), ".wasm") {
		// Content-Length is the size sent, compressed; the page's loader
		// counts decoded bytes, so it needs this for a true progress.
		hdr.Set(hosting.WasmLengthHeader, strconv.FormatInt(f.size, 10))
	}
	hdr.Set("Cache-Control", cacheControl)
	// Last-Modified has whole seconds: two builds in one second would look
	// the same to a revalidating browser, which would keep the older file.
	// The ETag has the time to the nanosecond, the size and the encoding.
	hdr.Set("ETag", fmt.Sprintf(`"%x-%x-%s"`, f.modTime.UnixNano(), f.bodySize, f.coding))
	if f.compressed != nil {
		// ServeContent leaves Content-Length out of a whole response whose
		// Content-Encoding is set (it guards against handlers that
		// compress as they write, which this one does not), so the body
		// would go out chunked, with no size for the loader's progress.
		w = &lengthWriter{ResponseWriter: w, size: f.bodySize}
	}
	// ServeContent handles HEAD, Range and If-Modified-Since from modtime;
	// it sniffs the type only when we could not name it.
	http.ServeContent(w, r, f.name, f.modTime, body)
}

// lengthWriter gives a whole (200) response the Content-Length of the
// precompressed file it sends, size. Other statuses keep what ServeContent
// sets: a range response its range's length, a 304 or an error none.
type lengthWriter struct {
	http.ResponseWriter
	size int64
}

func (w *lengthWriter) WriteHeader(code int) {
	if h := w.Header(); code == http.StatusOK && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.FormatInt(w.size, 10))
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *lengthWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// open opens name only if it is a regular file. It stats first because
// opening a FIFO left in the site folder would block the request.
func open(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	fi, err := root.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fs.ErrNotExist
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, fi, nil
}

func isFile(root *os.Root, name string) bool {
	fi, err := root.Stat(name)
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

func (h *fileHandler) sendNotFound(w http.ResponseWriter, r *http.Request) {
	sendPage(w, r, http.StatusNotFound, h.notFound)
}

// sendError answers with a page that says msg.
func (h *fileHandler) sendError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	sendPage(w, r, code, `<!doctype html>
<meta charset="utf-8">
<title>`+strconv.Itoa(code)+" "+http.StatusText(code)+`</title>
<h1>`+strconv.Itoa(code)+" "+http.StatusText(code)+`</h1>
<p>`+html.EscapeString(msg)+`</p>
`)
}

func sendPage(w http.ResponseWriter, r *http.Request, code int, page string) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		io.WriteString(w, page)
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
