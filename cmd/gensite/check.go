package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

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

	cached, err := cacheList(dir)
	if err != nil {
		return err
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
	_, problem := siteFile(dir, base, u)
	return problem
}

// siteFile returns the file of the site in dir that a host serves for the
// URL u, as a slash-separated name, or what is wrong with u.
func siteFile(dir, base, u string) (name, problem string) {
	switch {
	case u == "":
		return "", "is empty"
	case strings.Contains(u, "://") || strings.HasPrefix(u, "//"):
		return "", "is remote"
	case !strings.HasPrefix(u, "/"):
		return "", "is relative"
	}
	rel, ok := strings.CutPrefix(u, base)
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		return "", fmt.Sprintf("is not under the base %s", base)
	}
	rel = strings.TrimPrefix(rel, "/")
	if i := strings.IndexAny(rel, "?#"); i >= 0 {
		rel = rel[:i]
	}
	candidates := []string{rel, rel + ".html"}
	if rel == "" || strings.HasSuffix(rel, "/") {
		candidates = []string{rel + "index.html"}
	}
	for _, name := range candidates {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err == nil && fi.Mode().IsRegular() {
			return name, ""
		}
	}
	return "", "names no file of the site"
}

// cacheList returns the URLs the service worker in dir caches.
func cacheList(dir string) ([]string, error) {
	worker, err := os.ReadFile(filepath.Join(dir, "app-worker.js"))
	if err != nil {
		return nil, err
	}
	m := workerCacheList.FindSubmatch(worker)
	if m == nil {
		return nil, errors.New("app-worker.js: no resourcesToCache list found; has go-app changed its worker?")
	}
	var cached []string
	if err := json.Unmarshal(m[1], &cached); err != nil {
		return nil, fmt.Errorf("app-worker.js: reading resourcesToCache: %w", err)
	}
	return cached, nil
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
