//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// basePath is the sub-path the second build is generated for and served
// under, as a GitHub project page would be.
const basePath = "/wasmsched"

// Set by TestMain for the tests.
var (
	rootURL    string // the root build, like http://127.0.0.1:40000/
	baseURL    string // the basePath build, like http://127.0.0.1:40001/wasmsched/
	chromium   string // the browser's path
	skipReason string // set when there is no browser: every test skips
	built      *sites // for tests that start a server of their own
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	path, err := findChromium()
	if err != nil {
		banner := strings.Repeat("=", 72) + "\n" +
			"e2e: NO BROWSER, SO NO BROWSER TESTS: " + err.Error() + "\n" +
			"     Install it with: apt-get install -y chromium\n" +
			strings.Repeat("=", 72)
		fmt.Fprintln(os.Stderr, banner)
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "e2e: CI=true, so a missing browser is a failure")
			return 1
		}
		skipReason = "no Chromium: " + err.Error()
		return m.Run()
	}
	chromium = path

	tmp, err := os.MkdirTemp("", "wasmsched-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	s, err := buildSites(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	built = s
	root, err := startServer(s.serve, s.rootDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer root.stop()
	// Under basePath, as GitHub Pages serves a project's site.
	based, err := startServer(s.serve, s.baseDir, "-base", basePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer based.stop()
	rootURL, baseURL = root.url, based.url

	code := m.Run()
	if code != 0 {
		root.dumpLog("root site")
		based.dumpLog(basePath + " site")
	}
	return code
}

// findChromium looks for Debian's chromium (or another name for it) on
// PATH, then at its usual place.
func findChromium() (string, error) {
	names := []string{"chromium", "chromium-browser", "google-chrome"}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium", nil
	}
	return "", fmt.Errorf("none of %s on PATH, no /usr/bin/chromium", strings.Join(names, ", "))
}

type sites struct {
	rootDir string // the root build
	baseDir string // the basePath build
	wasm    string // the app.wasm both are built from
	web     string // the module's web/ folder
	serve   string // the cmd/serve binary
	gensite string // the cmd/gensite binary
	cache   string // gensite's -cache folder
}

// buildSites builds what the tests serve as `make build` does: app.wasm
// once, then gensite twice from it, for the root and for basePath. With
// WASMSCHED_DIST set, that folder is the root build and its app.wasm is
// reused for the other; a relative path is taken from the module root.
func buildSites(tmp string) (*sites, error) {
	start := time.Now()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	modRoot, err := moduleRoot(goCmd)
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "bin")
	s := &sites{
		rootDir: filepath.Join(tmp, "root"),
		baseDir: filepath.Join(tmp, "based"),
		serve:   filepath.Join(bin, "serve"),
		gensite: filepath.Join(bin, "gensite"),
		cache:   filepath.Join(tmp, "gensite-cache"),
	}
	wasm := filepath.Join(tmp, "app.wasm")
	s.wasm = wasm
	s.web = filepath.Join(modRoot, "web")
	dist := os.Getenv("WASMSCHED_DIST")
	if dist != "" {
		// Relative to the module root, where make runs.
		s.rootDir = dist
		if !filepath.IsAbs(dist) {
			s.rootDir = filepath.Join(modRoot, dist)
		}
		wasm = filepath.Join(s.rootDir, "web", "app.wasm")
		s.wasm = wasm
		if _, err := os.Stat(wasm); err != nil {
			return nil, fmt.Errorf("WASMSCHED_DIST=%s is not a built site: %w", dist, err)
		}
		fmt.Fprintf(os.Stderr, "e2e: testing the site in %s\n", s.rootDir)
	}

	// The tools and the wasm build at once: they share nothing but the cache.
	var wg sync.WaitGroup
	var toolsErr, wasmErr error
	wg.Go(func() {
		toolsErr = goRun(modRoot, nil, goCmd, "build", "-o", bin+string(filepath.Separator), "./cmd/gensite", "./cmd/serve")
	})
	if dist == "" {
		wg.Go(func() {
			wasmErr = goRun(modRoot, nil, goCmd, "run", "./cmd/buildwasm", "-go", goCmd, "-o", wasm)
		})
	}
	wg.Wait()
	if err := errors.Join(toolsErr, wasmErr); err != nil {
		return nil, err
	}

	// One after the other: the second reuses what the first compressed.
	if dist == "" {
		if err := s.build(s.rootDir, filepath.Join(modRoot, "web"), ""); err != nil {
			return nil, err
		}
	}
	if err := s.build(s.baseDir, filepath.Join(modRoot, "web"), basePath); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "e2e: sites built in %s\n", time.Since(start).Round(100*time.Millisecond))
	return s, nil
}

// build runs gensite as `make build` does, from the tests' app.wasm.
func (s *sites) build(out, web, base string) error {
	return goRun(filepath.Dir(out), nil, s.gensite, "-out", out, "-wasm", s.wasm, "-web", web, "-base", base, "-cache", s.cache)
}

func moduleRoot(goCmd string) (string, error) {
	out, err := exec.Command(goCmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the wasmsched module")
	}
	return filepath.Dir(gomod), nil
}

// goRun runs a build step in dir, passing its output through to stderr
// (gensite prints the wasm sizes).
func goRun(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	os.Stderr.Write(prefixLines("e2e: "+filepath.Base(name)+": ", out.Bytes()))
	if err != nil {
		return fmt.Errorf("%s %s: %w", filepath.Base(name), strings.Join(args, " "), err)
	}
	return nil
}

func prefixLines(prefix string, b []byte) []byte {
	var out bytes.Buffer
	for line := range strings.Lines(string(b)) {
		out.WriteString(prefix + line)
	}
	return out.Bytes()
}

// server is a running cmd/serve.
type server struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *syncBuffer // its request log
}

var servingLine = regexp.MustCompile(`^serving .* on (http://127\.0\.0\.1:[1-9][0-9]*/\S*)$`)

// startServer starts cmd/serve on dir at a port the system picks, and
// returns once it prints the URL it listens on.
func startServer(bin, dir string, args ...string) (*server, error) {
	s := &server{log: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-dir", dir, "-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Stderr = s.log
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()

	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		m := servingLine.FindStringSubmatch(line)
		if m == nil {
			s.stop()
			return nil, fmt.Errorf("serve printed %q, want \"serving DIR on http://127.0.0.1:PORT/\"\n%s", line, s.log)
		}
		s.url = m[1]
		return s, nil
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, fmt.Errorf("serve printed no URL in 30 s\n%s", s.log)
	}
}

// stop interrupts the server as Ctrl-C would, and kills it if it lingers.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) dumpLog(name string) {
	lines := strings.Split(strings.TrimSpace(s.log.String()), "\n")
	if n := len(lines); n > 40 {
		lines = lines[n-40:]
	}
	fmt.Fprintf(os.Stderr, "e2e: last requests to the %s:\n\t%s\n", name, strings.Join(lines, "\n\t"))
}

// syncBuffer is a bytes.Buffer that a process may write while tests read.
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
