package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
// wrong for every visitor anyway and is dropped. It also writes the
// attributes go-app prints from Go booleans as HTML reads them (see
// tidyAttribute), and its disabled fieldsets as their disabled controls
// (disableControlsNotFieldsets): the page is live HTML until the wasm runs.
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
		b = disableControlsNotFieldsets(b)
		return os.WriteFile(p, b, 0o644)
	})
}

// sortAttributes rewrites a start tag with its attributes sorted by name
// and tidied by tidyAttribute.
func sortAttributes(tag []byte) []byte {
	name := tag[:bytes.IndexFunc(tag, unicode.IsSpace)]
	inner := tag[len(name) : len(tag)-1]
	attrs := htmlAttr.FindAllSubmatch(inner, -1)
	slices.SortStableFunc(attrs, func(a, b [][]byte) int { return bytes.Compare(a[1], b[1]) })
	out := slices.Clone(name)
	for _, a := range attrs {
		attr, keep := tidyAttribute(bytes.TrimLeftFunc(a[0], unicode.IsSpace), string(a[1]))
		if keep {
			out = append(out, ' ')
			out = append(out, attr...)
		}
	}
	return append(out, '>')
}

// go-app prints an attribute set from a Go bool as name="false", or as the
// bare name for true. HTML reads neither as Go meant:
//
//   - a boolean attribute is true whenever it is present, so
//     checked="false" is a checked box: it is left out instead;
//   - an ARIA state written bare is the empty string, which ARIA reads as
//     not set, so a pressed toggle would not say it is pressed: it is
//     written ="true".
//
// Once the wasm runs, go-app sets both as properties and gets them right;
// this is for the page as it stands before.
var (
	// htmlBooleans are HTML's boolean attributes.
	htmlBooleans = set("allowfullscreen", "async", "autofocus", "autoplay", "checked", "controls",
		"default", "defer", "disabled", "formnovalidate", "hidden", "inert", "ismap", "itemscope",
		"loop", "multiple", "muted", "nomodule", "novalidate", "open", "playsinline", "readonly",
		"required", "reversed", "selected")
	// ariaStates are ARIA's states and properties whose values include
	// true: for them a bare attribute can only have meant true.
	ariaStates = set("aria-atomic", "aria-busy", "aria-checked", "aria-current", "aria-disabled",
		"aria-expanded", "aria-grabbed", "aria-haspopup", "aria-hidden", "aria-invalid", "aria-modal",
		"aria-multiline", "aria-multiselectable", "aria-pressed", "aria-readonly", "aria-required",
		"aria-selected")
	// goFalse are the values go-app reads as false (strconv.ParseBool).
	goFalse = set(`"false"`, `"0"`, `"f"`, `"F"`, `"FALSE"`, `"False"`)
)

// tidyAttribute returns attr (name="value" or a bare name) as HTML must
// read it, or false to leave it out.
func tidyAttribute(attr []byte, name string) ([]byte, bool) {
	value, hasValue := bytes.CutPrefix(attr[len(name):], []byte("="))
	lower := strings.ToLower(name)
	switch {
	case htmlBooleans[lower] && hasValue && goFalse[string(value)]:
		return nil, false
	case ariaStates[lower] && !hasValue:
		return []byte(name + `="true"`), true
	}
	return attr, true
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	// disabledFieldset matches a fieldset start tag, tidied, that is
	// disabled; group 1 is the attribute.
	disabledFieldset = regexp.MustCompile(`<fieldset\b[^>]*?( disabled)(?:[ >])`)
	fieldsetTag      = regexp.MustCompile(`<fieldset\b|</fieldset>`)
	// formControl matches the start of a tag a disabled fieldset disables.
	formControl  = regexp.MustCompile(`<(?:button|input|select|textarea)\b[^>]*>`)
	disabledAttr = regexp.MustCompile(`\sdisabled(?:[\s=>])`)
)

// disableControlsNotFieldsets rewrites each disabled fieldset of page as
// the same fieldset, enabled, with each form control in it disabled. The
// two disable the same controls, but accessibility checkers (axe-core)
// take everything in a disabled fieldset for unfocusable, and so flag its
// scrollable listings and tables, which Tab reaches all the same: a page
// rendered ahead of time, whose controls wait for the app (app/page.go),
// would fail them while it loads.
func disableControlsNotFieldsets(page []byte) []byte {
	for {
		m := disabledFieldset.FindSubmatchIndex(page)
		if m == nil {
			return page
		}
		end := closingFieldset(page, m[1])
		inner := formControl.ReplaceAllFunc(page[m[1]:end], func(tag []byte) []byte {
			if disabledAttr.Match(tag) {
				return tag
			}
			name := bytes.IndexAny(tag, " >")
			return slices.Concat(tag[:name], []byte(" disabled"), tag[name:])
		})
		page = slices.Concat(page[:m[2]], page[m[3]:m[1]], inner, page[end:])
	}
}

// closingFieldset returns where the fieldset whose content starts at from
// ends in page: at its </fieldset>, or at the end of page.
func closingFieldset(page []byte, from int) int {
	depth := 1
	for _, t := range fieldsetTag.FindAllIndex(page[from:], -1) {
		if page[from+t[0]+1] == '/' {
			depth--
		} else {
			depth++
		}
		if depth == 0 {
			return from + t[0]
		}
	}
	return len(page)
}
