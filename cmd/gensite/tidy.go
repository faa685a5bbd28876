package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"unicode"
)

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
