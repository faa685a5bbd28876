package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// compressExts are the types worth precompressing; images are compressed
// already. Files under compressMin bytes gain nothing worth a second file.
var compressExts = map[string]bool{
	".wasm": true, ".js": true, ".css": true, ".html": true,
	".webmanifest": true, ".json": true, ".svg": true, ".txt": true,
}

const compressMin = 1024

// An encoding is a precompressed sibling: x.br or x.gz. Its key names the
// settings in the cache, so that changing them never reuses old output.
type encoding struct {
	ext, key string
	compress func(w io.Writer) io.WriteCloser
	decode   func(r io.Reader) (io.Reader, error)
}

var encodings = []encoding{
	{
		// Quality 11 costs ~13 s on a 7 MB wasm and saves ~2.5% over 10;
		// a larger window than the default 4 MB saved nothing.
		ext: ".br", key: "brotli-q11",
		compress: func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, brotli.BestCompression) },
		decode:   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	},
	{
		// No name or time in the header: the same input gives the same bytes.
		ext: ".gz", key: "gzip-9",
		compress: func(w io.Writer) io.WriteCloser {
			zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
			return zw
		},
		decode: func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	},
}

// cacheKeep is how many compressed files the cache keeps, the most
// recently used: a few builds' worth, about 2 MB each for app.wasm.
const cacheKeep = 40

// precompress writes .br (brotli, best quality) and .gz (gzip, best) next to
// app.wasm and the larger text files, keeping a sibling only when smaller.
//
// Brotli on app.wasm takes seconds, so what is compressed is kept in the
// folder cacheDir (outside the site, which each build replaces), keyed by a
// hash of the content: an unchanged file is never compressed again. The
// misses are compressed in parallel; log hears what is done while it is
// done, since it is the slow part of a build.
func precompress(dir string, s *site, cacheDir string, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	type job struct {
		name  string // relative to dir
		enc   encoding
		src   []byte
		sum   [sha256.Size]byte
		out   []byte // the compressed bytes
		found bool   // out came from the cache
		err   error
	}
	var jobs []*job
	err := walkFiles(dir, func(p, rel string) error {
		if !compressExts[path.Ext(rel)] {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil || len(src) < compressMin {
			return err
		}
		sum := sha256.Sum256(src)
		for _, enc := range encodings {
			jobs = append(jobs, &job{name: rel, enc: enc, src: src, sum: sum})
		}
		return nil
	})
	if err != nil {
		return err
	}

	c := compressCache{dir: cacheDir}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.out, j.found = c.get(j.sum, j.enc) })
	}
	wg.Wait()
	var misses []*job
	for _, j := range jobs {
		if !j.found {
			misses = append(misses, j)
		}
	}

	if len(misses) > 0 {
		began := time.Now()
		sizes := map[string]int{}
		for _, j := range misses {
			sizes[j.name] = len(j.src)
		}
		fmt.Fprintf(log, "compressing %s: %s\n", describe(sizes), cacheNote(cacheDir))
		for _, j := range misses {
			wg.Go(func() { j.out, j.err = compress(j.src, j.enc) })
		}
		wg.Wait()
		for _, j := range misses {
			if j.err != nil {
				return fmt.Errorf("compressing %s: %w", j.name, j.err)
			}
			if err := c.put(j.sum, j.enc, j.out); err != nil {
				fmt.Fprintf(log, "could not keep %s%s for next time: %v\n", j.name, j.enc.ext, err)
			}
			s.Compressed = append(s.Compressed, j.name+j.enc.ext)
		}
		fmt.Fprintf(log, "compressed in %.1f s\n", time.Since(began).Seconds())
	}
	s.Reused = len(jobs) - len(misses)
	if s.Reused > 0 {
		fmt.Fprintf(log, "reused %d compressed files from %s: their content is unchanged\n", s.Reused, cacheDir)
	}
	if err := c.prune(cacheKeep); err != nil {
		fmt.Fprintf(log, "could not tidy the cache %s: %v\n", cacheDir, err)
	}

	for _, j := range jobs {
		if len(j.out) >= len(j.src) {
			continue // no smaller: not worth a second file
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(j.name))+j.enc.ext, j.out, 0o644); err != nil {
			return err
		}
		if j.name == "web/app.wasm" {
			switch j.enc.ext {
			case ".br":
				s.Wasm.Brotli = int64(len(j.out))
			case ".gz":
				s.Wasm.Gzip = int64(len(j.out))
			}
		}
	}
	return walkFiles(dir, func(string, string) error { s.Files++; return nil })
}

// describe lists the files compressed, the largest first with its size,
// for the build's log.
func describe(sizes map[string]int) string {
	names := slices.Sorted(maps.Keys(sizes))
	slices.SortStableFunc(names, func(a, b string) int { return sizes[b] - sizes[a] })
	var parts []string
	for i, name := range names {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d smaller files", len(names)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", name, humanSize(sizes[name])))
	}
	return strings.Join(parts, ", ")
}

func cacheNote(cacheDir string) string {
	if cacheDir == "" {
		return "brotli at best quality takes seconds; with no -cache, the next build does it again"
	}
	return "brotli at best quality takes seconds; kept in " + cacheDir + " so that the next build reuses it while the file is unchanged"
}

func compress(src []byte, enc encoding) ([]byte, error) {
	var buf bytes.Buffer
	w := enc.compress(&buf)
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compressCache keeps compressed files in dir, named by the SHA-256 of
// what they decompress to and the encoding's key. "" keeps nothing.
type compressCache struct{ dir string }

func (c compressCache) path(sum [sha256.Size]byte, enc encoding) string {
	return filepath.Join(c.dir, hex.EncodeToString(sum[:])+"."+enc.key)
}

// get returns the cached compressed form of the content whose hash is sum.
// An entry is used only if it decompresses to exactly that content, so a
// damaged or truncated file is compressed again, never served.
func (c compressCache) get(sum [sha256.Size]byte, enc encoding) ([]byte, bool) {
	if c.dir == "" {
		return nil, false
	}
	p := c.path(sum, enc)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	r, err := enc.decode(bytes.NewReader(b))
	if err != nil {
		return nil, false
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil || !bytes.Equal(h.Sum(nil), sum[:]) {
		return nil, false
	}
	now := time.Now()
	os.Chtimes(p, now, now) // recently used: pruned last
	return b, true
}

// put keeps b, atomically: a build killed halfway leaves no partial entry.
func (c compressCache) put(sum [sha256.Size]byte, enc encoding, b []byte) error {
	if c.dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.path(sum, enc))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// prune removes all but the keep most recently used entries, and temporary
// files left by a build that was killed.
func (c compressCache) prune(keep int) error {
	if c.dir == "" {
		return nil
	}
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	type entry struct {
		name string
		used time.Time
	}
	var kept []entry
	var errs []error
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if strings.HasPrefix(e.Name(), ".tmp-") {
			if time.Since(fi.ModTime()) > time.Hour {
				errs = append(errs, os.Remove(filepath.Join(c.dir, e.Name())))
			}
			continue
		}
		kept = append(kept, entry{e.Name(), fi.ModTime()})
	}
	slices.SortFunc(kept, func(a, b entry) int { return b.used.Compare(a.used) })
	for _, e := range kept[min(keep, len(kept)):] {
		errs = append(errs, os.Remove(filepath.Join(c.dir, e.name)))
	}
	return errors.Join(errs...)
}

// humanSize is n bytes as KiB or MiB.
func humanSize(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}
