// Package hosting holds what the site generator and the file server must
// agree on: the HTTP headers the site is served with, the header that
// carries app.wasm's decoded size, what a base path may be, and the file in
// which a build says which base it was built for.
//
// cmd/serve sends [Headers] with every response; cmd/gensite writes the
// same into the site's _headers file, which static hosts such as Netlify
// and Cloudflare Pages read. One list, so the two cannot drift apart.
package hosting

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// Header is one HTTP header and why the site sends it.
type Header struct {
	Name, Value string
	Why         string
}

// CSP is the page's Content-Security-Policy: everything comes from the
// site itself, nothing remote, no inline script.
//
//   - script-src needs 'wasm-unsafe-eval' to compile app.wasm; that is not
//     eval of text, and no other script runs but the site's own files.
//   - style-src allows no inline style: the page sets none (checked in
//     Chromium by the e2e tests, which fail on any violation).
//   - worker-src and manifest-src let the offline worker and the manifest
//     load; connect-src lets app.js fetch app.wasm.
//   - form-action 'none': nothing on the page submits a form to a server;
//     every form is handled by the app itself.
//   - frame-ancestors 'none': no other site may frame the page.
const CSP = "default-src 'none'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; " +
	"img-src 'self'; " +
	"connect-src 'self'; " +
	"manifest-src 'self'; " +
	"worker-src 'self'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

// Headers are the security headers of every response of the site.
var Headers = []Header{
	{"Content-Security-Policy", CSP, "only the site's own files may load; wasm may compile"},
	{"X-Content-Type-Options", "nosniff", "every type is set on purpose, so browsers must not guess"},
	{"Referrer-Policy", "no-referrer", "the page links nowhere that needs to know where the visitor came from"},
	{"Cross-Origin-Opener-Policy", "same-origin", "with the next header, isolates the page: its clock then steps 5 µs, not 100 µs"},
	{"Cross-Origin-Embedder-Policy", "require-corp", "with the previous header, isolates the page"},
	{"Cross-Origin-Resource-Policy", "same-origin", "other sites may not embed the site's files"},
}

// WasmLengthHeader carries app.wasm's decoded size. A precompressed
// response's Content-Length is the compressed size, while the page's
// loader counts decoded bytes, so it reads its progress from this header.
const WasmLengthHeader = "X-Wasm-Content-Length"

var baseSegment = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// CleanBase validates a base path (the URL path a site is served under)
// and returns it without a trailing slash: "" and "/" mean the root,
// otherwise a clean absolute path of plain segments ("/name", "/a/b"),
// since it is pasted into URLs unescaped.
func CleanBase(base string) (string, error) {
	if base == "" || base == "/" {
		return "", nil
	}
	bad := func(why string) error {
		return fmt.Errorf("bad base path %q: %s; want a path like /name or /a/b, or empty for the root", base, why)
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

// BuildFile names the file in a built site's folder that says what the
// build is for. gensite writes it; cmd/serve reads it and, like every
// dotfile, never serves it. A static host may publish it: it holds nothing
// but what the pages already show.
const BuildFile = ".wasmsched-build.json"

// Build is what a site folder was built for.
type Build struct {
	// Base is the URL path the site was built to be served under, as
	// CleanBase returns it: "" for the root.
	Base string `json:"base"`
	// Version is the site's version, a hash of its files.
	Version string `json:"version"`
}

// ReadBuild reads the BuildFile of the site in fsys. A folder without one
// (not built by gensite, or by one before the file existed) gives an error
// matching fs.ErrNotExist.
func ReadBuild(fsys fs.FS) (Build, error) {
	data, err := fs.ReadFile(fsys, BuildFile)
	if err != nil {
		return Build{}, err
	}
	var b Build
	if err := json.Unmarshal(data, &b); err != nil {
		return Build{}, fmt.Errorf("%s: %w", BuildFile, err)
	}
	clean, err := CleanBase(b.Base)
	if err != nil {
		return Build{}, fmt.Errorf("%s: %w", BuildFile, err)
	}
	if clean != b.Base {
		return Build{}, fmt.Errorf("%s: base %q is not written as %q", BuildFile, b.Base, clean)
	}
	return b, nil
}

// Marshal returns the BuildFile's contents for b.
func (b Build) Marshal() []byte {
	data, _ := json.MarshalIndent(b, "", "  ") // two strings: cannot fail
	return append(data, '\n')
}

// MakeCommand is the make command that runs target (build, serve) for
// base, for messages that say what to run.
func MakeCommand(target, base string) string {
	if base == "" {
		return "make " + target
	}
	return "make " + target + " BASE=" + base
}

// BaseName names a base for people: "/" for the root, the path otherwise.
func BaseName(base string) string {
	if base == "" {
		return "/ (the root)"
	}
	return base
}
