// Command serve serves a built go-app site folder over HTTP, for trying the
// app in a browser: `make serve` runs it on the folder the build writes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const usageText = `Usage: serve [-dir folder] [-addr host:port]

Serve a built go-app site (the folder holding index.html, app.wasm and
app-worker.js) over HTTP for local use, and print the URL it serves on.

It sends .wasm as application/wasm, prefers precompressed x.br or x.gz
siblings when the browser accepts them, maps /x to x.html, and never serves
dotfiles, directory listings or anything outside the folder. Only GET and
HEAD are allowed. Ctrl-C stops it.

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

	root, err := openSite(*dir)
	if err != nil {
		return err
	}
	defer root.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	fmt.Fprintf(stdout, "serving %s on http://%s/\n", *dir, ln.Addr())

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := &http.Server{
		Handler:           newHandler(root, logger),
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
	return nil
}

// openSite confines serving to dir. Checking for index.html up front turns
// "forgot to build" into one clear error instead of a browser full of 404s.
func openSite(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("site folder %s does not exist; build the site first", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("site folder %s: %w", dir, err)
	}
	if fi, err := root.Stat("index.html"); err != nil || !fi.Mode().IsRegular() {
		root.Close()
		return nil, fmt.Errorf("no index.html in %s; build the site first", dir)
	}
	return root, nil
}
