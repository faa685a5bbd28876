package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

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

// setDigests writes into app-worker.js the SHA-256 of each file it caches,
// which it checks before caching them (see patch.go). It runs once every
// file is final: after setVersion, which changes app.js.
func setDigests(dir, base string) error {
	cached, err := cacheList(dir)
	if err != nil {
		return err
	}
	digests := make(map[string]string, len(cached))
	for _, u := range cached {
		name, problem := siteFile(dir, base, u)
		if problem != "" {
			return fmt.Errorf("app-worker.js caches %q, which %s", u, problem)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		digests[u] = hex.EncodeToString(sum[:])
	}
	js, err := json.Marshal(digests) // sorted keys: the same on every run
	if err != nil {
		return err
	}
	return replaceOnce(filepath.Join(dir, "app-worker.js"), digestsPlaceholder, string(js))
}
