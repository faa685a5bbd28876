package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
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

var servingLine = regexp.MustCompile(`^serving (.+) on (http://127\.0\.0\.1:(\d+)/)\n$`)

// startRun runs the whole program on a free loopback port and returns the
// URL it announced, a channel for run's result, and its stderr.
func startRun(t *testing.T, ctx context.Context, dir string) (url string, done <-chan error, stderr *syncBuffer) {
	t.Helper()
	stdoutR, stdoutW := io.Pipe()
	t.Cleanup(func() { stdoutR.Close() }) // unblocks run if the test fails early
	stderr = &syncBuffer{}
	result := make(chan error, 1)
	go func() { result <- run(ctx, []string{"-dir", dir, "-addr", "127.0.0.1:0"}, stdoutW, stderr) }()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v (stderr: %s)", err, stderr)
	}
	m := servingLine.FindStringSubmatch(line)
	if m == nil || m[1] != dir || m[3] == "0" {
		t.Fatalf("startup line = %q, want %q", line, "serving "+dir+" on http://127.0.0.1:PORT/")
	}
	return m[2], result, stderr
}

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second): // a hang guard, not a result
		t.Fatal("run did not return after its context was cancelled")
		return nil
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	dir := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, done, stderr := startRun(t, ctx, dir)

	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url + "app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(body) != siteFiles["app.wasm"] {
		t.Errorf("GET app.wasm = %d %q, want 200 %q", resp.StatusCode, body, siteFiles["app.wasm"])
	}
	if got := resp.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type = %q, want application/wasm", got)
	}

	cancel()
	if err := waitRun(t, done); err != nil {
		t.Fatalf("run = %v, want nil after a clean shutdown", err)
	}
	if conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")); err == nil {
		conn.Close()
		t.Error("still accepting connections after shutdown")
	}
	if log := stderr.String(); !strings.Contains(log, "method=GET path=/app.wasm status=200") {
		t.Errorf("stderr = %q, want a request log line", log)
	}
}

func TestRunWithCancelledContextReturns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, done, _ := startRun(t, ctx, newSite(t))
	if err := waitRun(t, done); err != nil {
		t.Fatalf("run = %v, want nil", err)
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

	tests := []struct {
		name       string
		args       []string
		wantIs     error  // when set, errors.Is(err, wantIs)
		wantErr    string // when set, in err's message
		wantStderr string
	}{
		{"help", []string{"-h"}, flag.ErrHelp, "", "Usage: serve [-dir folder] [-addr host:port]"},
		{"help lists flags", []string{"-help"}, flag.ErrHelp, "", "-addr host:port"},
		{"unknown flag", []string{"-port", "80"}, errUsage, "", "flag provided but not defined: -port"},
		{"flag without value", []string{"-dir"}, errUsage, "", "flag needs an argument: -dir"},
		{"stray argument", []string{"-dir", site, "extra"}, errUsage, "", `unexpected argument "extra"`},
		{"missing dir", []string{"-dir", missing, "-addr", "127.0.0.1:0"}, nil, missing + " does not exist", ""},
		{"dir is a file", []string{"-dir", notDir, "-addr", "127.0.0.1:0"}, nil, "site folder " + notDir, ""},
		{"no index.html", []string{"-dir", noIndex, "-addr", "127.0.0.1:0"}, nil, "no index.html in " + noIndex, ""},
		{"index.html is a dir", []string{"-dir", indexIsDir, "-addr", "127.0.0.1:0"}, nil, "no index.html in " + indexIsDir, ""},
		{"bad address", []string{"-dir", site, "-addr", "127.0.0.1:notaport"}, nil, "127.0.0.1:notaport", ""},
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
