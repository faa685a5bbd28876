package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/hosting"
)

// syncBuffer is a bytes.Buffer the server's goroutines may log to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var servingLine = regexp.MustCompile(`^serving (.+) on (http://127\.0\.0\.1:(\d+)/\S*)\n$`)

// running is the whole program, run on a free loopback port.
type running struct {
	url    string // the URL it announced
	done   chan error
	rest   chan string // what it printed to stdout after the first two lines
	stderr *syncBuffer
}

// startRun runs the program on dir with -addr 127.0.0.1:0 and more args, and
// returns once it has printed its two startup lines.
func startRun(t *testing.T, ctx context.Context, dir string, args ...string) *running {
	t.Helper()
	stdoutR, stdoutW := io.Pipe()
	t.Cleanup(func() { stdoutR.Close() }) // unblocks run if the test fails early
	r := &running{done: make(chan error, 1), rest: make(chan string, 1), stderr: &syncBuffer{}}
	args = append([]string{"-dir", dir, "-addr", "127.0.0.1:0"}, args...)
	go func() {
		err := run(ctx, args, stdoutW, r.stderr)
		stdoutW.Close()
		r.done <- err
	}()

	stdout := bufio.NewReader(stdoutR)
	line, err := stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v (stderr: %s)", err, r.stderr)
	}
	m := servingLine.FindStringSubmatch(line)
	if m == nil || m[1] != dir || m[3] == "0" {
		t.Fatalf("startup line = %q, want %q", line, "serving "+dir+" on http://127.0.0.1:PORT/")
	}
	r.url = m[2]
	if line, err := stdout.ReadString('\n'); err != nil || line != "Press Ctrl-C to stop.\n" {
		t.Fatalf("second line = %q, %v; want %q", line, err, "Press Ctrl-C to stop.\n")
	}
	go func() {
		rest, _ := io.ReadAll(stdout)
		r.rest <- string(rest)
	}()
	return r
}

// wait returns run's result and what it printed to stdout after starting.
func (r *running) wait(t *testing.T) (stdout string, err error) {
	t.Helper()
	select {
	case err := <-r.done:
		return <-r.rest, err // stdout is closed once run returns
	case <-time.After(10 * time.Second): // a hang guard, not a result
		t.Fatal("run did not return after its context was cancelled")
		return "", nil
	}
}

// get fetches url over a fresh connection, without decompressing or
// following redirects.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestRunServesUntilCancelled(t *testing.T) {
	dir := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := startRun(t, ctx, dir)

	resp, body := get(t, r.url+"app.wasm")
	if resp.StatusCode != http.StatusOK || body != siteFiles["app.wasm"] {
		t.Errorf("GET app.wasm = %d %q, want 200 %q", resp.StatusCode, body, siteFiles["app.wasm"])
	}
	if got := resp.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type = %q, want application/wasm", got)
	}

	cancel()
	stdout, err := r.wait(t)
	if err != nil {
		t.Fatalf("run = %v, want nil after a clean shutdown", err)
	}
	if stdout != "Stopped. Goodbye.\n" {
		t.Errorf("stdout after the startup lines = %q, want %q", stdout, "Stopped. Goodbye.\n")
	}
	if conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(r.url, "http://"), "/")); err == nil {
		conn.Close()
		t.Error("still accepting connections after shutdown")
	}
	if log := r.stderr.String(); !strings.Contains(log, "method=GET path=/app.wasm status=200") {
		t.Errorf("stderr = %q, want a request log line", log)
	}
}

func TestRunWithCancelledContextReturns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := startRun(t, ctx, newSite(t)).wait(t); err != nil {
		t.Fatalf("run = %v, want nil", err)
	}
}

func TestRunServesUnderBase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := newSite(t)
	writeBuildFile(t, dir, "/wasmsched") // built for the base it is served under
	r := startRun(t, ctx, dir, "-base", "/wasmsched/")
	if !strings.HasSuffix(r.url, "/wasmsched/") {
		t.Fatalf("announced URL %q, want it to end in the base, /wasmsched/", r.url)
	}
	if resp, body := get(t, r.url); resp.StatusCode != http.StatusOK || body != siteFiles["index.html"] {
		t.Errorf("GET %s = %d %q, want 200 %q", r.url, resp.StatusCode, body, siteFiles["index.html"])
	}
	root := strings.TrimSuffix(r.url, "wasmsched/")
	if resp, _ := get(t, root); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/wasmsched/" {
		t.Errorf("GET %s = %d to %q, want 302 to /wasmsched/", root, resp.StatusCode, resp.Header.Get("Location"))
	}
	cancel()
	if _, err := r.wait(t); err != nil {
		t.Fatalf("run = %v, want nil", err)
	}
}

// busyPort holds a loopback port for the test and returns its number.
func busyPort(t *testing.T) int {
	t.Helper()
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		if port := ln.Addr().(*net.TCPAddr).Port; port < 65535 { // so port+1 is the suggestion
			return port
		}
	}
	t.Fatal("no loopback port below 65535")
	return 0
}

func TestRunReportsBusyAddress(t *testing.T) {
	port := busyPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	next := fmt.Sprintf("127.0.0.1:%d", port+1)
	for _, check := range []bool{false, true} {
		t.Run(fmt.Sprintf("check=%v", check), func(t *testing.T) {
			args := []string{"-dir", newSite(t), "-addr", addr}
			if check {
				args = append(args, "-check")
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, &stdout, &stderr)
			if err == nil {
				t.Fatal("run = nil on a busy port, want an error")
			}
			if errors.Is(err, errUsage) {
				t.Errorf("run = %v, a usage error (exit 2); want a plain failure (exit 1)", err)
			}
			for _, want := range []string{addr, "in use", "-addr " + next, "make serve ADDR=" + next} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if stdout.Len() != 0 || stderr.Len() != 0 {
				t.Errorf("stdout %q, stderr %q; want nothing printed (main prints the error)", stdout.String(), stderr.String())
			}
		})
	}
}

func TestCheckOnly(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "dist") // not built yet
	var stdout, stderr bytes.Buffer
	args := []string{"-check", "-dir", missing, "-addr", "127.0.0.1:0", "-base", "/wasmsched"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run %q = %v, want nil", args, err)
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want nothing printed on success", stdout.String(), stderr.String())
	}

	args = []string{"-check", "-addr", "127.0.0.1:0", "-base", "wasmsched"}
	stderr.Reset()
	if err := run(context.Background(), args, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("run %q = %v, want a usage error", args, err)
	}
	if !strings.Contains(stderr.String(), "bad base path") || !strings.Contains(stderr.String(), "Usage: serve") {
		t.Errorf("stderr = %q, want the bad base and the usage", stderr.String())
	}
}

func TestRunRefusesToStart(t *testing.T) {
	site := newSite(t)
	noIndex := t.TempDir()
	if err := os.WriteFile(filepath.Join(noIndex, "app.wasm"), []byte("wasm"), 0o644); err != nil {
		t.Fatal(err)
	}
	indexIsDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(indexIsDir, "index.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "dist")
	notDir := filepath.Join(site, "index.html")
	rootBuild, basedBuild := newSite(t), newSite(t)
	writeBuildFile(t, rootBuild, "")
	writeBuildFile(t, basedBuild, "/wasmsched")

	tests := []struct {
		name       string
		args       []string
		wantIs     error  // when set, errors.Is(err, wantIs)
		wantErr    string // when set, in err's message
		wantStderr string
	}{
		{"help", []string{"-h"}, flag.ErrHelp, "", "Usage: serve [-dir folder] [-addr host:port] [-base /name] [-check]"},
		{"help lists flags", []string{"-help"}, flag.ErrHelp, "", "-base /name"},
		{"help names the size header", []string{"-help"}, flag.ErrHelp, "", hosting.WasmLengthHeader},
		{"base without slash", []string{"-dir", site, "-base", "wasmsched"}, errUsage, "", "Usage: serve"},
		{"base with dot dot", []string{"-dir", site, "-base", "/a/../b"}, errUsage, "", `bad base path "/a/../b"`},
		{"base with a space", []string{"-dir", site, "-base", "/a b"}, errUsage, "", `bad base path "/a b"`},
		{"unknown flag", []string{"-port", "80"}, errUsage, "", "flag provided but not defined: -port"},
		{"flag without value", []string{"-dir"}, errUsage, "", "flag needs an argument: -dir"},
		{"stray argument", []string{"-dir", site, "extra"}, errUsage, "", `unexpected argument "extra"`},
		{"missing dir", []string{"-dir", missing, "-addr", "127.0.0.1:0"}, nil, missing + " does not exist", ""},
		{"dir is a file", []string{"-dir", notDir, "-addr", "127.0.0.1:0"}, nil, "site folder " + notDir, ""},
		{"no index.html", []string{"-dir", noIndex, "-addr", "127.0.0.1:0"}, nil, "no index.html in " + noIndex, ""},
		{"index.html is a dir", []string{"-dir", indexIsDir, "-addr", "127.0.0.1:0"}, nil, "no index.html in " + indexIsDir, ""},
		{"bad address", []string{"-dir", site, "-addr", "127.0.0.1:notaport"}, nil, "127.0.0.1:notaport", ""},
		{"a root build under a base", []string{"-dir", rootBuild, "-addr", "127.0.0.1:0", "-base", "/x"}, nil,
			rootBuild + " is a build for / (the root), not for /x: serve it with -base '' (make serve), or rebuild it for /x (make build BASE=/x FORCE=1)", ""},
		{"a based build at the root", []string{"-dir", basedBuild, "-addr", "127.0.0.1:0"}, nil,
			basedBuild + " is a build for /wasmsched, not for / (the root): serve it with -base /wasmsched (make serve BASE=/wasmsched), or rebuild it for / (the root) (make build FORCE=1)", ""},
		{"a based build under another base", []string{"-dir", basedBuild, "-addr", "127.0.0.1:0", "-base", "/wasmsched/x"}, nil,
			"is a build for /wasmsched, not for /wasmsched/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil {
				t.Fatal("run = nil, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("run = %v, want %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run = %q, want it to mention %q", err, tt.wantErr)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing when not serving", stdout.String())
			}
		})
	}
}
