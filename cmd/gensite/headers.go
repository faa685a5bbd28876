package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// writeHeaders writes _headers, the file in which Netlify and Cloudflare
// Pages read the headers to send: the same security headers cmd/serve
// sends, and app.wasm's decoded size for the loader's progress. Other
// hosts publish it as a plain file, which does no harm.
func writeHeaders(dir, base string, wasmSize int) error {
	var b strings.Builder
	b.WriteString("# Written by cmd/gensite from internal/hosting; cmd/serve sends the same.\n")
	b.WriteString("/*\n")
	for _, h := range hosting.Headers {
		fmt.Fprintf(&b, "  %s: %s\n", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "%s/web/app.wasm\n  %s: %d\n", base, hosting.WasmLengthHeader, wasmSize)
	return os.WriteFile(filepath.Join(dir, "_headers"), []byte(b.String()), 0o644)
}
