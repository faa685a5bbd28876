package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/andybalholm/brotli"
	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"
)

// options say what to generate; the flags of run set them.
type options struct {
	Out  string // site folder; replaced as a whole
	Wasm string // the built app.wasm
	Web  string // static assets, copied into Out/web
	Base string // URL path prefix like "/name"; "" is the root
}

// site is what generate wrote.
type site struct {
	Dir     string
	Base    string
	Version string
	Wasm    sizes // web/app.wasm
	Files   int   // files written, precompressed siblings included
}

type sizes struct{ Raw, Gzip, Brotli int64 }

// wasmMagic starts every WebAssembly module. Checking it catches a -wasm
// that points at the wrong file (a native binary, a stale text file).
var wasmMagic = []byte("\x00asm")

// versionPlaceholder stands in for Handler.Version while the site is
// generated: the version hashes the generated files, so it is only known
// after them. The placeholder appears only in app.js and app-worker.js.
const versionPlaceholder = "gensite-version-placeholder"

// compressExts are the types worth precompressing; images are compressed
// already. Files under compressMin bytes gain nothing worth a second file.
var compressExts = map[string]bool{
	".wasm": true, ".js": true, ".css": true, ".html": true,
	".webmanifest": true, ".json": true, ".svg": true, ".txt": true,
}

const compressMin = 1024

// generate writes the site described by o, using h (from app.Handler) for
// the pages, and replaces o.Out with it once every file is written and
// checked. h is used up: a Handler initialises itself once.
func generate(o options, h *goapp.Handler) (*site, error) {
	base, err := cleanBase(o.Base)
	if err != nil {
		return nil, err
	}
	out := filepath.Clean(o.Out)
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	wasm, err := os.ReadFile(o.Wasm)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(wasm, wasmMagic) {
		return nil, fmt.Errorf("%s is not a WebAssembly module; build it with GOOS=js GOARCH=wasm", o.Wasm)
	}
	assets, err := readAssets(o.Web)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	// A sibling of out, so the final rename stays on one file system; the
	// leading dot keeps it out of anything served meanwhile.
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".gensite-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // a no-op once tmp has become out
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}

	h.Version = versionPlaceholder
	if base != "" {
		h.Resources = goapp.GitHubPages(strings.TrimPrefix(base, "/"))
	} else {
		h.Resources = goapp.LocalDir("")
	}
	if err := goapp.GenerateStaticWebsite(tmp, h); err != nil {
		return nil, fmt.Errorf("generating pages: %w", err)
	}
	if err := tidyPages(tmp); err != nil {
		return nil, err
	}
	for _, a := range assets {
		if err := writeFile(filepath.Join(tmp, "web", filepath.FromSlash(a.name)), a.data); err != nil {
			return nil, err
		}
	}
	if err := writeFile(filepath.Join(tmp, "web", "app.wasm"), wasm); err != nil {
		return nil, err
	}
	// GitHub Pages answers a missing path with 404.html. As a copy of the
	// start page it loads the app, whose router shows its own not-found page.
	if err := copyFile(filepath.Join(tmp, "index.html"), filepath.Join(tmp, "404.html")); err != nil {
		return nil, err
	}

	version, err := hashSite(tmp)
	if err != nil {
		return nil, err
	}
	if err := setVersion(tmp, version); err != nil {
		return nil, err
	}
	if err := checkSite(tmp, base); err != nil {
		return nil, err
	}
	s := &site{Dir: out, Base: base, Version: version, Wasm: sizes{Raw: int64(len(wasm))}}
	if err := precompress(tmp, s); err != nil {
		return nil, err
	}
	if err := replaceDir(tmp, out); err != nil {
		return nil, err
	}
	return s, nil
}

var baseSegment = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// cleanBase validates a -base value and returns it without a trailing
// slash: "" and "/" mean the root, otherwise a clean absolute URL path of
// plain segments ("/name", "/a/b"), since it is pasted into URLs unescaped.
func cleanBase(base string) (string, error) {
	if base == "" || base == "/" {
		return "", nil
	}
	bad := func(why string) error {
		return fmt.Errorf("bad -base %q: %s; want a path like /name or /a/b, or empty for the root", base, why)
	}
	if !strings.HasPrefix(base, "/") {
		return "", bad("it must start with /")
	}
	b := strings.TrimSuffix(base, "/")
	for _, seg := range strings.Split(b[1:], "/") {
		switch {
		case seg == "":
			return "", bad("it has an empty segment")
		case seg == "." || seg == "..":
			return "", bad(`"." and ".." are not allowed`)
		case !baseSegment.MatchString(seg):
			return "", bad("only letters, digits and - _ . ~ are allowed in a segment")
		}
	}
	return b, nil
}

// checkReplaceable refuses to replace anything but a missing folder, an
// empty one or a site built before, so a slip like -out . or -out web
// cannot delete source files.
func checkReplaceable(out string) error {
	fi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("-out %s exists and is not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if fi, err := os.Stat(filepath.Join(out, "app-worker.js")); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("refusing to replace %s: it is not empty and holds no app-worker.js, so it is not a site built before", out)
}

type asset struct {
	name string // slash-separated, relative to the web folder
	data []byte
}

// readAssets reads the regular files under dir, sorted by name. Dotfiles
// are skipped (they are not published), and anything but a regular file or
// folder is refused rather than followed.
func readAssets(dir string) ([]asset, error) {
	var assets []asset
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if strings.HasPrefix(name, "app.wasm") {
			return fmt.Errorf("%s: app.wasm is built, not copied; remove it from %s", p, dir)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assets = append(assets, asset{name: name, data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading assets: %w", err)
	}
	return assets, nil // WalkDir walks in lexical order
}

var (
	// htmlTag matches a start tag with attributes as go-app prints them: its
	// values are Go-quoted strings, which may hold '>'.
	htmlTag  = regexp.MustCompile(`<[a-zA-Z][a-zA-Z0-9-]*(?:\s+[^\s=>"/]+(?:="(?:[^"\\]|\\.)*")?)+\s*>`)
	htmlAttr = regexp.MustCompile(`\s+([^\s=>"/]+)(?:="(?:[^"\\]|\\.)*")?`)

	// loopbackURL matches the og:url tag, attributes sorted, that points at
	// the throwaway server GenerateStaticWebsite renders pages with.
	loopbackURL = regexp.MustCompile(`<meta content="http://127\.0\.0\.1:[0-9]+[^"]*" property="og:url">\n?`)
)

// tidyPages makes the generated pages the same on every run, so an
// unchanged app keeps its version: go-app prints attributes in map order,
// which Go randomises, and its og:url names the throwaway server, which is
// wrong for every visitor anyway and is dropped.
func tidyPages(dir string) error {
	return walkFiles(dir, func(p, _ string) error {
		if filepath.Ext(p) != ".html" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b = htmlTag.ReplaceAllFunc(b, sortAttributes)
		b = loopbackURL.ReplaceAll(b, nil)
		return os.WriteFile(p, b, 0o644)
	})
}

// sortAttributes rewrites a start tag with its attributes sorted by name.
func sortAttributes(tag []byte) []byte {
	name := tag[:bytes.IndexFunc(tag, unicode.IsSpace)]
	inner := tag[len(name) : len(tag)-1]
	attrs := htmlAttr.FindAllSubmatch(inner, -1)
	slices.SortStableFunc(attrs, func(a, b [][]byte) int { return bytes.Compare(a[1], b[1]) })
	out := slices.Clone(name)
	for _, a := range attrs {
		out = append(out, ' ')
		out = append(out, bytes.TrimLeftFunc(a[0], unicode.IsSpace)...)
	}
	return append(out, '>')
}

// hashSite returns the first 16 hex digits of a SHA-256 over the names and
// contents of every file in dir. The service worker serves its cache first
// and drops it only when the version changes, so the version must change
// whenever any file it caches does: app.wasm, but also a page whose title
// changed or an icon, neither of which is in app.wasm.
func hashSite(dir string) (string, error) {
	h := sha256.New()
	err := walkFiles(dir, func(p, rel string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write([]byte(rel))
		h.Write([]byte{0})
		h.Write(n[:])
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// setVersion replaces the placeholder with the version in the files that
// carry it; the worker must, or the version would not reach browsers.
func setVersion(dir, version string) error {
	for _, name := range []string{"app-worker.js", "app.js"} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Contains(b, []byte(versionPlaceholder)) {
			return fmt.Errorf("%s does not carry the version; has go-app changed how it writes it?", name)
		}
		b = bytes.ReplaceAll(b, []byte(versionPlaceholder), []byte(version))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// walkFiles calls fn for each regular file under dir, in lexical order,
// with its path and its slash-separated name relative to dir.
func walkFiles(dir string, fn func(p, rel string) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return fn(p, filepath.ToSlash(rel))
	})
}

// precompress writes .br (brotli, best quality) and .gz (gzip, best) next to
// app.wasm and the larger text files, keeping a sibling only when smaller.
// The files are compressed in parallel: brotli on app.wasm takes seconds.
func precompress(dir string, s *site) error {
	var names []string
	err := walkFiles(dir, func(p, rel string) error {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if compressExts[path.Ext(rel)] && fi.Size() >= compressMin {
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	type job struct {
		name, ext string
		size      int64
		err       error
	}
	var jobs []*job
	for _, name := range names {
		jobs = append(jobs, &job{name: name, ext: ".br"}, &job{name: name, ext: ".gz"})
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.size, j.err = compressFile(filepath.Join(dir, filepath.FromSlash(j.name)), j.ext) })
	}
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			return fmt.Errorf("compressing %s: %w", j.name, j.err)
		}
		if j.name == "web/app.wasm" {
			switch j.ext {
			case ".br":
				s.Wasm.Brotli = j.size
			case ".gz":
				s.Wasm.Gzip = j.size
			}
		}
	}
	return walkFiles(dir, func(string, string) error { s.Files++; return nil })
}

// compressFile writes p+ext and returns its size, or 0 if it would not be
// smaller than p and so was not kept.
func compressFile(p, ext string) (int64, error) {
	src, err := os.ReadFile(p)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	var w io.WriteCloser
	switch ext {
	case ".br":
		// Quality 11 costs ~18 s on a 7 MB wasm and saves ~2.5% over 10
		// (12 s); a larger window than the default 4 MB saved nothing.
		w = brotli.NewWriterLevel(&buf, brotli.BestCompression)
	case ".gz":
		// No name or time in the header: the same input gives the same bytes.
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	default:
		return 0, fmt.Errorf("unknown encoding %s", ext)
	}
	if _, err := w.Write(src); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	if buf.Len() >= len(src) {
		return 0, nil
	}
	return int64(buf.Len()), os.WriteFile(p+ext, buf.Bytes(), 0o644)
}

var workerCacheList = regexp.MustCompile(`(?m)^const resourcesToCache = (\[.*\]);$`)

// headURLs finds the URLs the browser fetches as the page loads: the href
// of link tags and the src of script tags (not the links a visitor clicks).
var headURLs = regexp.MustCompile(`<(?:link|script)\b[^>]*?\s(?:href|src)="([^"]*)"`)

// checkSite fails the build when a browser would fetch something the site
// does not hold: go-app falls back to remote icons, which break offline use
// and land in the service worker's cache list, where one failed fetch stops
// the worker from installing. Every URL must be local, under base, and
// name a file of the site, and what a page loads must be cached for
// offline use.
func checkSite(dir, base string) error {
	var problems []string
	check := func(where string, urls ...string) {
		for _, u := range urls {
			if p := checkURL(dir, base, u); p != "" {
				problems = append(problems, fmt.Sprintf("%s: %q %s", where, u, p))
			}
		}
	}

	worker, err := os.ReadFile(filepath.Join(dir, "app-worker.js"))
	if err != nil {
		return err
	}
	m := workerCacheList.FindSubmatch(worker)
	if m == nil {
		return errors.New("app-worker.js: no resourcesToCache list found; has go-app changed its worker?")
	}
	var cached []string
	if err := json.Unmarshal(m[1], &cached); err != nil {
		return fmt.Errorf("app-worker.js: reading resourcesToCache: %w", err)
	}
	check("app-worker.js cache list", cached...)

	mb, err := os.ReadFile(filepath.Join(dir, "manifest.webmanifest"))
	if err != nil {
		return err
	}
	var manifest manifestURLs
	if err := json.Unmarshal(mb, &manifest); err != nil {
		return fmt.Errorf("manifest.webmanifest: %w", err)
	}
	check("manifest.webmanifest", manifest.Scope, manifest.StartURL)
	for _, icon := range manifest.Icons {
		check("manifest.webmanifest icon", icon.Src)
	}

	err = walkFiles(dir, func(p, rel string) error {
		if path.Ext(rel) != ".html" || strings.HasPrefix(rel, "web/") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range headURLs.FindAllSubmatch(b, -1) {
			u := string(m[1])
			check(rel, u)
			// What a page loads must be in the worker's cache, or the
			// page fails offline (go-app leaves out Icon.SVG).
			if !slices.Contains(cached, u) {
				problems = append(problems, fmt.Sprintf("%s: %q is not in app-worker.js's cache list: add it to Handler.CacheableResources", rel, u))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("the site would fetch what it does not hold:\n\t%s\n(set local files in app.Handler: Icon.Default, Icon.Large and Icon.SVG under /web/, and put them in web/)",
			strings.Join(problems, "\n\t"))
	}
	return nil
}

// checkURL says what is wrong with a URL the site fetches, or "" if it
// names a file of the site in dir.
func checkURL(dir, base, u string) string {
	switch {
	case u == "":
		return "is empty"
	case strings.Contains(u, "://") || strings.HasPrefix(u, "//"):
		return "is remote"
	case !strings.HasPrefix(u, "/"):
		return "is relative"
	}
	rel, ok := strings.CutPrefix(u, base)
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		return fmt.Sprintf("is not under the base %s", base)
	}
	rel = strings.TrimPrefix(rel, "/")
	if i := strings.IndexAny(rel, "?#"); i >= 0 {
		rel = rel[:i]
	}
	candidates := []string{rel, rel + ".html"}
	if rel == "" || strings.HasSuffix(rel, "/") {
		candidates = []string{rel + "index.html"}
	}
	if slices.ContainsFunc(candidates, func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		return err == nil && fi.Mode().IsRegular()
	}) {
		return ""
	}
	return "names no file of the site"
}

// replaceDir moves the finished site tmp to out, replacing what was there.
// Between the two renames out is missing for an instant, never half-built.
func replaceDir(tmp, out string) error {
	old := ""
	if _, err := os.Lstat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(dst, b)
}

// print reports the site on w, with the sizes a visitor downloads.
func (s *site) print(w io.Writer) {
	base := s.Base
	if base == "" {
		base = "/"
	}
	fmt.Fprintf(w, "wrote %s: %d files, base %s, version %s\n", s.Dir, s.Files, base, s.Version)
	fmt.Fprintf(w, "web/app.wasm: %s raw, %s gzip, %s brotli\n", mib(s.Wasm.Raw), mib(s.Wasm.Gzip), mib(s.Wasm.Brotli))
}

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}

// manifestURLs are the URLs of a web manifest that must be local and carry
// the base.
type manifestURLs struct {
	Scope    string `json:"scope"`
	StartURL string `json:"start_url"`
	Icons    []struct {
		Src string `json:"src"`
	} `json:"icons"`
}
