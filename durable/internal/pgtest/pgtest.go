// Package pgtest runs a throwaway Postgres for the durable package's tests
// and benchmarks: the distribution's server (15 or newer), started in a
// temporary data directory, listening on 127.0.0.1 only, as a non-root user
// when the tests run as root (Postgres refuses to run as root).
//
// Without a Postgres, tests that need one are skipped with a message that
// says what to install, except under CI=true, where they fail.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// MinVersion is the oldest Postgres major version the tests accept.
const MinVersion = 15

// Install says how to get a Postgres for the tests.
const Install = "install PostgreSQL 15 or newer (Debian: sudo apt-get install -y postgresql, or run scripts/setup as root)"

// Server is a running Postgres.
type Server struct {
	dir    string // its data directory's parent, removed by Stop
	Port   int
	cmd    *exec.Cmd
	exited chan error
	n      atomic.Int64
}

var (
	once    sync.Once
	shared  *Server
	openErr error
)

// Main runs a test binary's tests, then stops the shared server if one was
// started. Call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// DB returns the URL of a new, empty database on the shared server,
// starting the server on first use. Without a Postgres it skips tb, or
// fails it under CI=true.
func DB(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { shared, openErr = Start() })
	if openErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("no Postgres for this test under CI=true: %v", openErr)
		}
		tb.Skipf("SKIPPED: no Postgres (%v); to run this test, %s", openErr, Install)
	}
	url, err := shared.NewDB(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

// Start finds the distribution's Postgres and starts it.
func Start() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "wasmsched-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if err := s.start(bin); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// findBin returns the bin directory of the newest Postgres of MinVersion
// or newer: Debian's /usr/lib/postgresql/N/bin, or initdb on PATH.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if version(d) >= MinVersion {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d, nil
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		out, err := exec.Command(p, "--version").Output()
		if err == nil {
			f := strings.Fields(string(out))
			if len(f) > 0 {
				if v, _ := strconv.Atoi(strings.SplitN(f[len(f)-1], ".", 2)[0]); v >= MinVersion {
					return filepath.Dir(p), nil
				}
			}
		}
		return "", fmt.Errorf("%s is older than Postgres %d", p, MinVersion)
	}
	return "", errors.New("no initdb in /usr/lib/postgresql/*/bin or on PATH")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// asUser returns the credential to run Postgres with: none when not root;
// as root, the postgres user, or nobody.
func asUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and there is no postgres or nobody user to run Postgres as")
}

func (s *Server) start(bin string) error {
	cred, err := asUser()
	if err != nil {
		return err
	}
	if cred != nil {
		if err := os.Chmod(s.dir, 0o755); err != nil {
			return err
		}
		if err := os.Chown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	data := filepath.Join(s.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "wasmsched", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	// A free loopback port: another process may take it before Postgres
	// does, so try a few.
	for try := 0; ; try++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.Port = port
		err = s.run(bin, data, cred)
		if err == nil || try == 4 {
			return err
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) run(bin, data string, cred *syscall.Credential) error {
	logf, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	if cred != nil {
		logf.Chown(int(cred.Uid), int(cred.Gid))
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+s.dir,
		"-c", "max_connections=300",
		// Throwaway data: no need to survive a power cut.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			s.cmd, s.exited = cmd, exited
			return nil
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			return fmt.Errorf("postgres exited (%v): %s", werr, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("postgres did not accept connections on 127.0.0.1:%d in 60 s", s.Port)
		}
	}
}

func (s *Server) url(db string) string {
	return fmt.Sprintf("postgres://wasmsched@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// NewDB creates a new empty database and returns its URL.
func (s *Server) NewDB(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("jobs_%d", s.n.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.url(name), nil
}

// Stop stops the server (a fast shutdown) and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}
