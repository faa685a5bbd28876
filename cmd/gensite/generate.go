package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// options say what to generate; the flags of run set them.
type options struct {
	Out   string    // site folder; replaced as a whole
	Wasm  string    // the built app.wasm
	Web   string    // static assets, copied into Out/web
	Base  string    // URL path prefix like "/name"; "" is the root
	Cache string    // folder of compressed files kept between runs; "" keeps none
	Log   io.Writer // where the slow stages say what they do; nil says nothing
	// Force replaces a site built for another base, which a server may be
	// serving under that base.
	Force bool
	// MaxWasmBr is the budget in bytes for web/app.wasm.br (budget.go);
	// 0 has none.
	MaxWasmBr int64
}

// site is what generate wrote.
type site struct {
	Dir        string
	Base       string
	Version    string
	Wasm       sizes         // web/app.wasm
	Files      int           // files written, precompressed siblings included
	Compressed []string      // files compressed by this run, as name.br or name.gz
	Reused     int           // compressed files taken from the cache instead
	Took       time.Duration // the whole run
}

type sizes struct{ Raw, Gzip, Brotli int64 }

// wasmMagic starts every WebAssembly module. Checking it catches a -wasm
// that points at the wrong file (a native binary, a stale text file).
var wasmMagic = []byte("\x00asm")

// generate writes the site described by o, using h (from app.Handler) for
// the pages, and replaces o.Out with it once every file is written and
// checked. h is used up: a Handler initialises itself once.
//
// The stages, each in a file of its own: render the pages with go-app
// (render.go), make them the same on every run (tidy.go), patch what
// go-app writes where it falls short (patch.go), stamp the version and the
// files' digests (version.go), write the host's headers (headers.go),
// check that the site holds everything it fetches (check.go),
// precompress (compress.go), and keep app.wasm.br within its budget
// (budget.go).
func generate(o options, h *goapp.Handler) (*site, error) {
	began := time.Now()
	base, err := hosting.CleanBase(o.Base)
	if err != nil {
		return nil, err
	}
	out := filepath.Clean(o.Out)
	if err := checkReplaceable(out, base, o.Force); err != nil {
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

	if err := renderPages(tmp, base, h); err != nil {
		return nil, err
	}
	if err := tidyPages(tmp); err != nil {
		return nil, err
	}
	if err := patchSite(tmp, base, len(wasm)); err != nil {
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
	if err := writeHeaders(tmp, base, len(wasm)); err != nil {
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
	if err := setDigests(tmp, base); err != nil {
		return nil, err
	}
	s := &site{Dir: out, Base: base, Version: version, Wasm: sizes{Raw: int64(len(wasm))}}
	if err := precompress(tmp, s, o.Cache, o.Log); err != nil {
		return nil, err
	}
	if err := checkWasmBudget(s.Wasm, o.MaxWasmBr); err != nil {
		return nil, err
	}
	// Last, outside the version: it says what the build is for, to
	// cmd/serve and to the next build (checkReplaceable).
	build := hosting.Build{Base: base, Version: version}
	if err := writeFile(filepath.Join(tmp, hosting.BuildFile), build.Marshal()); err != nil {
		return nil, err
	}
	s.Files++
	if err := replaceDir(tmp, out); err != nil {
		return nil, err
	}
	s.Took = time.Since(began)
	return s, nil
}

// checkReplaceable refuses to replace anything but a missing folder, an
// empty one or a site built before, so a slip like -out . or -out web
// cannot delete source files. Unless forced, it also refuses a site built
// for another base: a server may be serving it under that base (make serve
// BASE=/name), and would then serve pages that ask for files elsewhere.
func checkReplaceable(out, base string, force bool) error {
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
	if fi, err := os.Stat(filepath.Join(out, "app-worker.js")); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("refusing to replace %s: it is not empty and holds no app-worker.js, so it is not a site built before", out)
	}
	old, err := hosting.ReadBuild(os.DirFS(out))
	switch {
	case errors.Is(err, fs.ErrNotExist), force:
		// Built before builds said their base: nothing to compare.
		return nil
	case err != nil:
		return fmt.Errorf("refusing to replace %s: %w; to replace it anyway, add FORCE=1 to the make command (gensite -force)", out, err)
	case old.Base != base:
		return fmt.Errorf("refusing to replace %s: it is a build for %s, and this build is for %s; a server may be serving it under %s. "+
			"Build it for its own base with %s (gensite -base '%s'), write another folder with DIST=folder (gensite -out folder), "+
			"or replace it anyway by adding FORCE=1 to the make command (gensite -force)",
			out, hosting.BaseName(old.Base), hosting.BaseName(base), hosting.BaseName(old.Base), hosting.MakeCommand("build", old.Base), old.Base)
	}
	return nil
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
	fmt.Fprintf(w, "wrote %s in %.1f s: %d files, base %s, version %s\n", s.Dir, s.Took.Seconds(), s.Files, base, s.Version)
	fmt.Fprintf(w, "web/app.wasm: %s raw, %s gzip, %s brotli\n", mib(s.Wasm.Raw), mib(s.Wasm.Gzip), mib(s.Wasm.Brotli))
}

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}
