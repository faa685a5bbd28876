// Command gensite writes the wasmsched web app as a static site folder that
// any file server can host (GitHub Pages, cmd/serve):
//
//	go run ./cmd/buildwasm -o /tmp/app.wasm
//	go run ./cmd/gensite -out dist -wasm /tmp/app.wasm -base /wasmsched
//
// `make build` runs both steps.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/wasmsched/wasmsched/app"
	"github.com/wasmsched/wasmsched/internal/hosting"
)

const usageText = `Usage: gensite -wasm file [-out folder] [-base /path] [-force] [-web folder] [-cache folder] [-max-wasm-br bytes]

Write the wasmsched site into a folder: index.html, 404.html, app.js,
app-worker.js, wasm_exec.js, app.css, manifest.webmanifest, _headers and
web/ (the files of -web, plus app.wasm), with brotli (.br) and gzip (.gz)
siblings of app.wasm and of the larger text files.

The service worker caches the site under a version that is a hash of the
site's files (app.wasm, the pages, the assets), so a new build reaches
returning visitors and an unchanged one is not downloaded again. It checks
each file against this build's digest before caching it, so a visit during
a rebuild never caches a mix of two builds.

The folder is replaced as a whole, once every file is written and checked:
a failed run leaves the old site as it was, and a server such as cmd/serve
goes on serving the old site until the new one is complete.

The site says which base it was built for in ` + hosting.BuildFile + `,
which cmd/serve reads (and never serves). gensite refuses to replace a site
built for another base, which a server may be serving under that base,
unless it is given -force.

Compressing app.wasm with brotli takes seconds, so the compressed files are
kept in the -cache folder, keyed by their content: a build whose files did
not change compresses nothing. -cache "" keeps nothing.

The build fails when web/app.wasm.br, what a browser downloads, is over
-max-wasm-br bytes (1.28 MiB unless told; 0 disables the check), and says
by how much.

_headers holds the headers a Netlify or Cloudflare Pages site is served
with: the same security headers as cmd/serve sends (internal/hosting).

Flags:
`

// errUsage reports bad command-line arguments; the usage text has already
// been printed when run returns it.
var errUsage = errors.New("gensite: bad usage")

// registerRoutes registers the app's pages with go-app once: go-app reads
// its route table unlocked while it generates, so it must not change then.
var registerRoutes = sync.OnceFunc(app.Routes)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "gensite:", err)
		os.Exit(1)
	}
}

// run parses the flags, generates the site from the app's routes and
// handler, and prints what it wrote.
func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("gensite", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var o options
	flags.StringVar(&o.Out, "out", "dist", "site `folder` to write; replaced as a whole")
	flags.StringVar(&o.Wasm, "wasm", "", "the built app.wasm `file` (required)")
	flags.StringVar(&o.Base, "base", "", "URL `path` the site is served under, like /wasmsched; empty means the root")
	flags.BoolVar(&o.Force, "force", false, "replace -out even if it holds a site built for another base")
	flags.StringVar(&o.Web, "web", "web", "`folder` of static assets copied into the site's web/")
	flags.StringVar(&o.Cache, "cache", defaultCache(), "`folder` that keeps compressed files between builds; \"\" keeps none")
	flags.Int64Var(&o.MaxWasmBr, "max-wasm-br", defaultMaxWasmBr, "fail when web/app.wasm.br is over this many `bytes`; 0 disables the check")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usageText)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", flags.Arg(0))
		flags.Usage()
		return errUsage
	}
	if o.Wasm == "" {
		fmt.Fprintln(stderr, "-wasm is required")
		flags.Usage()
		return errUsage
	}
	if o.MaxWasmBr < 0 {
		fmt.Fprintf(stderr, "-max-wasm-br %d: want a number of bytes, or 0 for no budget\n", o.MaxWasmBr)
		flags.Usage()
		return errUsage
	}
	if _, err := hosting.CleanBase(o.Base); err != nil {
		fmt.Fprintln(stderr, err)
		flags.Usage()
		return errUsage
	}

	o.Log = stdout
	registerRoutes()
	s, err := generate(o, app.Handler())
	if err != nil {
		return err
	}
	s.print(stdout)
	printBudget(stdout, s.Wasm, o.MaxWasmBr)
	return nil
}

// defaultCache is the user's cache folder for gensite, outside any site
// folder; "" (no cache) where the system has none.
func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "wasmsched", "gensite")
}
