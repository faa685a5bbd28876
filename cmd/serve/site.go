package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// site is the folder being served, looked up again by every request. A
// rebuild replaces the folder by rename (gensite: out to tmp.old, tmp to
// out, then remove tmp.old), and an os.Root holds the folder it opened, not
// the path: one opened at start would 404 every path after the first
// rebuild. The price is one os.Stat of the path per request, about a
// microsecond.
type site struct {
	dir string
	cur atomic.Pointer[build]
	mu  sync.Mutex // one reopen at a time, so a swap opens one new root
}

// build is one opened site folder.
type build struct {
	root *os.Root
	// id is the folder's own identity, for os.SameFile. The open root
	// keeps the folder's inode alive even once it is deleted, so no new
	// folder can be given its number and pass for it.
	id fs.FileInfo
	// built says what the folder was built for; known is false for a
	// folder without hosting.BuildFile (not built by gensite).
	built hosting.Build
	known bool
}

// otherBase returns the base b was built for when that is not base, the
// one it is served under: its pages would then ask for files elsewhere.
func (b *build) otherBase(base string) (string, bool) {
	return b.built.Base, b.known && b.built.Base != base
}

// openSite confines serving to dir, served under base. Checking for
// index.html up front turns "forgot to build" into one clear error instead
// of a browser full of 404s, and checking the base the folder was built for
// does the same for a build for another base, whose pages would ask for
// every file at another path.
func openSite(dir, base string) (*site, error) {
	b, err := openBuild(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("site folder %s does not exist; build the site first", dir)
	}
	if errors.Is(err, errNoIndex) {
		return nil, fmt.Errorf("no index.html in %s; build the site first", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("site folder %s: %w", dir, err)
	}
	if other, ok := b.otherBase(base); ok {
		b.root.Close()
		return nil, errors.New(wrongBase(dir, base, other))
	}
	s := &site{dir: dir}
	s.cur.Store(b)
	return s, nil
}

var errNoIndex = errors.New("no index.html")

func openBuild(dir string) (*build, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	// The identity of the folder opened, not of whatever dir names by now.
	id, err := root.Stat(".")
	if err == nil {
		if fi, serr := root.Stat("index.html"); serr != nil || !fi.Mode().IsRegular() {
			err = errNoIndex
		}
	}
	b := &build{root: root, id: id}
	if err == nil {
		b.built, err = hosting.ReadBuild(root.FS())
		b.known = err == nil
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
	}
	if err != nil {
		root.Close()
		return nil, err
	}
	return b, nil
}

// wrongBase says that dir, served under base, holds a build for other,
// and what to run.
func wrongBase(dir, base, other string) string {
	flag := other
	if flag == "" {
		flag = "''"
	}
	return fmt.Sprintf("%s is a build for %s, not for %s: serve it with -base %s (%s), or rebuild it for %s (%s FORCE=1)",
		dir, hosting.BaseName(other), hosting.BaseName(base), flag, hosting.MakeCommand("serve", other), hosting.BaseName(base), hosting.MakeCommand("build", base))
}

// current returns the build to serve a request from: the folder dir names
// now, or the last good one while dir is missing (between a rebuild's two
// renames, when the old folder, renamed aside, is still whole) or is not a
// site (no index.html: a folder being written in place). A swapped-out
// root is closed at once; requests still using it fail to find files and
// look again (see fileHandler.ServeHTTP), and files they already opened
// read on.
func (s *site) current() *build {
	b := s.cur.Load()
	fi, err := os.Stat(s.dir)
	if err != nil || os.SameFile(fi, b.id) {
		return b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b = s.cur.Load(); os.SameFile(fi, b.id) {
		return b // another request swapped it in while we waited
	}
	nb, err := openBuild(s.dir)
	if err != nil {
		return b
	}
	if os.SameFile(nb.id, b.id) {
		// By now dir names the build served: another request swapped it
		// in, or a failed rebuild renamed the old folder back.
		nb.root.Close()
		return b
	}
	s.cur.Store(nb)
	b.root.Close()
	return nb
}

// Close closes the build served last.
func (s *site) Close() error {
	return s.cur.Load().root.Close()
}
