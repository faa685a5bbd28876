// Command serve serves a built go-app site folder over HTTP, for trying the
// app in a browser: `make serve` runs it on the folder the build writes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

const usageText = `Usage: serve [-dir folder] [-addr host:port] [-base /name] [-check]

Serve a built go-app site (the folder holding index.html, app.wasm and
app-worker.js) over HTTP for local use, and print the URL it serves on.
Ctrl-C stops it.

With -base /name it serves the folder under /name/, as GitHub Pages serves
a project site: /name/x is the file x, / and /name redirect to /name/, and
any other path is not found. The site must be built for the same base: it
refuses to start on a folder whose ` + hosting.BuildFile + ` (written by
gensite) names another, and says what to run.

It sends .wasm as application/wasm, with its decoded size in
` + hosting.WasmLengthHeader + ` for the loader's progress; prefers precompressed
x.br or x.gz siblings when the browser accepts them; maps /x to x.html;
and sends the site's security headers (those of its _headers file) with
every response. It never serves dotfiles, _headers, directory listings or
anything outside the folder. Only GET and HEAD are allowed.

A rebuild may replace the folder while it serves: each request finds the
current build, so reloading the page shows the new one without a restart.

With -check it only checks that -addr is free to listen on and that -base
is valid, prints nothing when they are, and exits; the folder need not
exist yet. make serve runs it first, so a busy port is reported before the
build rather than after.

Flags:
`

// errUsage reports bad command-line arguments; the usage text has already
// been printed when run returns it.
var errUsage = errors.New("serve: bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// run serves the site until ctx is done, then shuts down gracefully. It
// prints the URL to stdout once it is listening, so callers (make serve, the
// tests with -addr 127.0.0.1:0) learn the actual address.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", "dist", "site `folder` to serve; it must contain index.html")
	addr := flags.String("addr", "127.0.0.1:8080", "`host:port` to listen on; port 0 picks a free port")
	baseFlag := flags.String("base", "", "serve the folder under this URL path, such as `/name`; empty serves it at the root")
	check := flags.Bool("check", false, "only check that -addr is free and -base is valid, then exit")
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
	base, err := hosting.CleanBase(*baseFlag)
	if err != nil {
		fmt.Fprintf(stderr, "-base: %v\n", err)
		flags.Usage()
		return errUsage
	}
	if *check {
		ln, err := listen(*addr)
		if err != nil {
			return err
		}
		return ln.Close()
	}

	site, err := openSite(*dir, base)
	if err != nil {
		return err
	}
	defer site.Close()

	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "serving %s on http://%s%s/\n", *dir, ln.Addr(), base)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := &http.Server{
		Handler:           newHandler(site, base, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Covers writing the whole body: an 8 MB app.wasm sent uncompressed
		// over a 1 Mbit/s link takes about 64 s.
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	<-served // http.ErrServerClosed, by now
	fmt.Fprintln(stdout, "Stopped. Goodbye.")
	return nil
}

// listen listens on addr. A busy port is the one failure a user can fix
// on the spot, most often a serve still running elsewhere: say so, and
// give the flag and the make variable that pick another.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		host, port, _ := net.SplitHostPort(addr)
		next := "PORT"
		if p, err := net.LookupPort("tcp", port); err == nil {
			next = strconv.Itoa(p + 1)
			if p == 65535 {
				next = "65534"
			}
		}
		other := net.JoinHostPort(host, next)
		return nil, fmt.Errorf("address %s is already in use (is serve already running?); "+
			"use another port: -addr %s, or make serve ADDR=%s", addr, other, other)
	}
	if err != nil {
		return nil, fmt.Errorf("-addr %s: %w", addr, err)
	}
	return ln, nil
}
