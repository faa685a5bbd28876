package main

import (
	"fmt"
	"strings"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// versionPlaceholder stands in for Handler.Version while the site is
// generated: the version hashes the generated files, so it is only known
// after them. The placeholder appears only in app.js and app-worker.js.
const versionPlaceholder = "gensite-version-placeholder"

// renderPages has go-app write the pages, app.js, app-worker.js,
// wasm_exec.js, app.css and the manifest into dir, for a site served under
// base. Everything after this stage works on the files it wrote.
func renderPages(dir, base string, h *goapp.Handler) error {
	h.Version = versionPlaceholder
	// app.js reads the loader's progress from this header, which cmd/serve
	// and the _headers file send (see patch.go for hosts that send neither).
	h.WasmContentLengthHeader = hosting.WasmLengthHeader
	if base != "" {
		h.Resources = goapp.GitHubPages(strings.TrimPrefix(base, "/"))
	} else {
		h.Resources = goapp.LocalDir("")
	}
	if err := goapp.GenerateStaticWebsite(dir, h); err != nil {
		return fmt.Errorf("generating pages: %w", err)
	}
	return nil
}
