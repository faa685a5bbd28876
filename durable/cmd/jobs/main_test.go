package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/durable/internal/pgtest"
	"github.com/wasmsched/wasmsched/sched"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// testTimeout bounds each command a test runs. A job starts up to 5 s
// after it is due, and after a process was killed up to 15 s more: a
// minute is far more than any command needs.
const testTimeout = 2 * time.Minute

// syncBuffer is a bytes.Buffer that River's goroutines may log to while
// the test reads it.
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

// lines reads r line by line onto a channel, keeping a transcript; the
// channel is closed at EOF.
type lines struct {
	ch         chan string
	transcript syncBuffer
}

func readLines(r io.Reader) *lines {
	l := &lines{ch: make(chan string, 1000)}
	go func() {
		defer close(l.ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.transcript.Write([]byte(sc.Text() + "\n"))
			l.ch <- sc.Text()
		}
	}()
	return l
}

// expect reads lines until one matches re and returns its submatches; it
// fails the test at EOF or after testTimeout.
func (l *lines) expect(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case line, ok := <-l.ch:
			if !ok {
				t.Fatalf("output ended without a line matching %s; it was:\n%s", re, &l.transcript)
			}
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no line matching %s after %v; the output so far:\n%s", re, testTimeout, &l.transcript)
		}
	}
}

// runIn runs the command in this process with args, returning its output
// and error.
func runIn(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	err = run(ctx, args, &out, &errOut)
	t.Logf("jobs %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	return out.String(), errOut.String(), err
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

var checkOK = regexp.MustCompile(`(?m)^check ([123]): ok: `)

// checkSeed checks the output of a seed that passed.
func checkSeed(t *testing.T, out string) {
	t.Helper()
	m := checkOK.FindAllStringSubmatch(out, -1)
	if len(m) != 3 || m[0][1] != "1" || m[1][1] != "2" || m[2][1] != "3" {
		t.Errorf("seed printed %d ok lines, want check 1, 2 and 3 ok:\n%s", len(m), out)
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("seed printed FAILED:\n%s", out)
	}
}

// TestSeed runs the seed command in this process on a SQLite file.
func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	db := filepath.Join(t.TempDir(), "jobs.sqlite")
	out, _, err := runIn(t, ctx, "-db", db, "seed")
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	checkSeed(t, out)

	// Nothing is left to start: the cancelled job stays cancelled.
	out, _, err = runIn(t, ctx, "-db", db, "run")
	if err != nil || !strings.HasPrefix(out, "no jobs to start in "+db) {
		t.Errorf("run after seed: %v, %q; want no jobs to start", err, out)
	}
	out, _, err = runIn(t, ctx, "-db", db, "list")
	if want := "12 jobs in " + db + ": 11 started, 1 cancelled\n"; err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("list after seed: %v; want it to end with %q", err, want)
	}
}

// TestSeedPostgres runs the seed command on Postgres (skipped without one;
// see pgtest).
func TestSeedPostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	ctx := testCtx(t)
	out, _, err := runIn(t, ctx, "-pg", url, "seed")
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	checkSeed(t, out)
	if strings.Contains(out, url) {
		t.Errorf("the output shows the database's URL:\n%s", out)
	}
	out, _, err = runIn(t, ctx, "-pg", url, "list")
	if want := "12 jobs in the Postgres database: 11 started, 1 cancelled\n"; err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("list: %v; want it to end with %q", err, want)
	}
}

// TestUsage: bad arguments exit 2 and print the usage, after saying
// what is wrong; nothing is opened or created.
func TestUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "jobs.sqlite")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"-nope", "list"}, "flag provided but not defined: -nope"},
		{[]string{"queue"}, "queue needs N and DELAY"},
		{[]string{"queue", "10"}, "queue needs N and DELAY"},
		{[]string{"queue", "10", "5s", "x"}, `unexpected "x"`},
		{[]string{"queue", "ten", "5s"}, `N "ten": want a number of jobs from 1 to 4194304`},
		{[]string{"queue", "0", "5s"}, `N "0": want a number of jobs`},
		{[]string{"queue", "-3", "5s"}, `N "-3": want a number of jobs`},
		{[]string{"queue", "10", "5"}, `DELAY "5": want a duration such as 5s`},
		{[]string{"queue", "10", "-5s"}, "DELAY -5s: sched: negative delay"},
		{[]string{"list", "extra"}, `list takes no arguments; unexpected "extra"`},
		{[]string{"run", "-db", "x"}, `run: unexpected "-db": flags go before the command, as in: jobs -db run`},
		{[]string{"seed", "now"}, "seed takes no arguments"},
		{[]string{"cancel"}, "cancel needs the ids"},
		{[]string{"cancel", "xyz"}, `cancel: "xyz" is not a job id`},
		{[]string{"-db", "a.sqlite", "-pg", "postgres://x", "list"}, "give -db or -pg, not both"},
		{[]string{"-db", "", "list"}, "-db needs a file name"},
	} {
		args := tc.args
		if len(args) == 0 || args[0] != "-db" {
			args = append([]string{"-db", db}, args...)
		}
		var out, errOut syncBuffer
		err := run(t.Context(), args, &out, &errOut)
		if !errors.Is(err, errUsage) || exitCode(err) != 2 {
			t.Errorf("jobs %q: %v (exit %d), want a usage error, exit 2", args, err, exitCode(err))
			continue
		}
		if s := errOut.String(); !strings.Contains(s, tc.want) || !strings.Contains(s, "Usage: jobs [-db file | -pg url] command") {
			t.Errorf("jobs %q printed:\n%s\nwant %q and the usage", args, s, tc.want)
		}
		if out.String() != "" {
			t.Errorf("jobs %q printed to stdout: %q", args, out.String())
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bad usage made %s: %v", db, err)
	}

	// -h and help print the usage and exit 0.
	var out, errOut syncBuffer
	if err := run(t.Context(), []string{"-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) || exitCode(err) != 0 ||
		!strings.Contains(errOut.String(), "Commands:") {
		t.Errorf("-h: %v, printed %q", err, errOut.String())
	}
	out = syncBuffer{}
	if err := run(t.Context(), []string{"help"}, &out, &errOut); exitCode(err) != 0 || !strings.Contains(out.String(), "Commands:") {
		t.Errorf("help: %v, printed %q", err, out.String())
	}

	// Commands that only read or start jobs don't make a file.
	for _, cmd := range []string{"list", "run", "cancel"} {
		args := []string{"-db", db, cmd}
		if cmd == "cancel" {
			args = append(args, "abc")
		}
		var out, errOut syncBuffer
		err := run(t.Context(), args, &out, &errOut)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), db+" does not exist: no jobs were queued there") {
			t.Errorf("%s on no file: %v", cmd, err)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("list, run or cancel made %s: %v", db, err)
	}
}

// TestStop stops queue and run in this process as Ctrl-C does: the jobs
// not started stay queued, and it says so. On the way, cancel cancels one
// of them by the first digits of its id.
func TestStop(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "my jobs.sqlite")
	hint := "run `jobs -db '" + db + "' run` to start them"

	// stopAt runs the command until it printed a line matching re, then
	// cancels its ctx as main does on Ctrl-C, and returns its output.
	stopAt := func(re *regexp.Regexp, args ...string) (out string, m []string) {
		t.Helper()
		ctx, cancel := context.WithCancelCause(testCtx(t))
		defer cancel(nil)
		r, w := io.Pipe()
		l := readLines(r)
		errs := make(chan error, 1)
		go func() {
			err := run(ctx, append([]string{"-db", db}, args...), w, io.Discard)
			w.Close()
			errs <- err
		}()
		m = l.expect(t, re)
		cancel(signalError{os.Interrupt})
		for range l.ch { // the rest
		}
		var stopped *stoppedError
		if err := <-errs; !errors.As(err, &stopped) || exitCode(err) != 130 {
			t.Fatalf("stopped jobs %q: %v (exit %d), want a stop, exit 130:\n%s", args, err, exitCode(err), &l.transcript)
		}
		return l.transcript.String(), m
	}
	stoppedLine := func(n int) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^stopped: ` + fmt.Sprint(n) + ` jobs still queued in ` + regexp.QuoteMeta(db) + `; ` + regexp.QuoteMeta(hint) + `$`)
	}

	out, m := stopAt(regexp.MustCompile(`^  ([0-9a-f]{32})$`), "queue", "3", "1h")
	id := m[1]
	if !stoppedLine(3).MatchString(out) {
		t.Errorf("queue, stopped, does not say that 3 jobs are still queued")
	}

	out, _, err := runIn(t, testCtx(t), "-db", db, "cancel", id[:8])
	if err != nil || out != "cancelled "+id+"\n" {
		t.Errorf("cancel %s: %v, %q", id[:8], err, out)
	}
	_, _, err = runIn(t, testCtx(t), "-db", db, "cancel", id)
	if err == nil || !strings.Contains(err.Error(), id+" is cancelled, not queued") {
		t.Errorf("cancel again: %v; want: %s is cancelled, not queued", err, id)
	}

	out, _ = stopAt(regexp.MustCompile(`^working: `), "run")
	if !stoppedLine(2).MatchString(out) {
		t.Errorf("run, stopped, does not say that 2 jobs are still queued")
	}

	out, _, err = runIn(t, testCtx(t), "-db", db, "list")
	if want := "3 jobs in " + db + ": 2 queued, 1 cancelled\n"; err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("list: %v; want it to end with %q", err, want)
	}
	if !regexp.MustCompile(`(?m)^` + id + `  cancelled .* cause: cancelled with jobs cancel$`).MatchString(out) {
		t.Errorf("list does not show %s cancelled, with its cause", id)
	}
}

var (
	buildOnce sync.Once
	binDir    string // removed by TestMain
	bin       string
	buildErr  error
)

// jobsBinary builds the command into a temporary folder, once, with -race
// when the tests run with it, and returns its path.
func jobsBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "jobs-test-"); buildErr != nil {
			return
		}
		bin = filepath.Join(binDir, "jobs")
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "go", append(args, ".")...).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// process is the command running as a process of its own.
type process struct {
	cmd    *exec.Cmd
	out    *lines
	stderr syncBuffer
}

func start(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.CommandContext(testCtx(t), bin, args...)}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.out = readLines(stdout)
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	return p
}

// wait waits for the process to end (the ctx of start kills it after
// testTimeout) and returns its output and exit status.
func (p *process) wait(t *testing.T) (string, int) {
	t.Helper()
	for range p.out.ch { // the rest
	}
	err := p.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	t.Logf("%s: exit %d\n%s%s", strings.Join(p.cmd.Args, " "), p.cmd.ProcessState.ExitCode(), &p.out.transcript, &p.stderr)
	return p.out.transcript.String(), p.cmd.ProcessState.ExitCode()
}

func runProcess(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	return start(t, bin, args...).wait(t)
}

const timeRE = `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}`

// rowRE is a line of a table of records; its groups are the id, state,
// queued at, delay, started at and note.
var rowRE = regexp.MustCompile(`(?m)^([0-9a-f]{32})  (\w+) +(` + timeRE + `)  (\S+) +(-|` + timeRE + `) +\S+ +(.*)$`)

type printedRow struct{ id, state, queuedAt, delay, startedAt, note string }

func rowsOf(out string) []printedRow {
	var rows []printedRow
	for _, m := range rowRE.FindAllStringSubmatch(out, -1) {
		rows = append(rows, printedRow{m[1], m[2], m[3], m[4], m[5], m[6]})
	}
	return rows
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation(timeLayout, s, time.Local)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestRestart is the point of the command, with real processes: jobs
// queued by a process that is killed before they are due stay queued in
// the file, whole, and the next process starts them, at or after their
// due time; a cancelled job stays cancelled throughout.
func TestRestart(t *testing.T) {
	t.Parallel()
	bin := jobsBinary(t)
	db := filepath.Join(t.TempDir(), "jobs.sqlite")

	if out, code := runProcess(t, bin, "-db", db, "bogus"); code != 2 || out != "" {
		t.Errorf("jobs bogus: exit %d, stdout %q; want exit 2, the usage on stderr", code, out)
	}

	// The seed's checks, which leave a cancelled job in the file.
	out, code := runProcess(t, bin, "-db", db, "seed")
	if code != 0 {
		t.Fatalf("seed: exit %d", code)
	}
	checkSeed(t, out)
	m := regexp.MustCompile(`(?m)^check 2: ok: a task with a 1h delay, ([0-9a-f]{32}), cancelled`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("seed's check 2 does not name the cancelled job:\n%s", out)
	}
	cancelled := m[1]

	// Queue 10 jobs due in 10 s, and kill the process once it is working.
	// The delay is far more than the kill takes, and costs little: a
	// process that starts jobs after the killed one waits up to 15 s for
	// its lease on the queue to lapse anyway.
	const n, delay = 10, 10 * time.Second
	p := start(t, bin, "-db", db, "queue", fmt.Sprint(n), delay.String())
	m = p.out.expect(t, regexp.MustCompile(`^queued 10 jobs in `+regexp.QuoteMeta(db)+` at (`+timeRE+`), due after 10s, at (`+timeRE+`):$`))
	queuedAt, dueAt := m[1], parseTime(t, m[2])
	var ids []string
	for range n {
		ids = append(ids, p.out.expect(t, regexp.MustCompile(`^  ([0-9a-f]{32})$`))[1])
	}
	p.out.expect(t, regexp.MustCompile(`^working: each job starts when it is due`))
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("queue ended with %v, not killed", p.cmd.ProcessState)
	}

	// checkList checks that list shows the batch in the state want, and
	// the cancelled job cancelled.
	checkList := func(want string, summary string) {
		t.Helper()
		out, code := runProcess(t, bin, "-db", db, "list")
		if code != 0 {
			t.Fatalf("list: exit %d", code)
		}
		rows := rowsOf(out)
		byID := make(map[string]printedRow)
		for _, r := range rows {
			byID[r.id] = r
		}
		for _, id := range ids {
			r := byID[id]
			if r.state != want || r.queuedAt != queuedAt || r.delay != "10s" {
				t.Errorf("list shows job %s as %+v; want %s, queued at %s, delay 10s", id, r, want, queuedAt)
			}
		}
		if r := byID[cancelled]; r.state != "cancelled" || r.note != "cause: not needed any more (jobs seed, check 2)" {
			t.Errorf("list shows the cancelled job %s as %+v; want it cancelled, with its cause", cancelled, r)
		}
		if !strings.HasSuffix(out, "\n22 jobs in "+db+": "+summary+"\n") {
			t.Errorf("list's summary is not %q", summary)
		}
	}
	checkList("queued", "10 queued, 11 started, 1 cancelled")

	// Another process starts them: whole, at or after their due time.
	out, code = runProcess(t, bin, "-db", db, "run")
	if code != 0 {
		t.Fatalf("run: exit %d", code)
	}
	if !strings.HasPrefix(out, "10 jobs in "+db+" queued earlier, in 1 batch:\n  10 jobs queued "+queuedAt+", delay 10s, due ") {
		t.Errorf("run does not begin by saying what it found")
	}
	rows := rowsOf(out)
	if len(rows) != n {
		t.Fatalf("run printed %d records, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.id != ids[i] || r.state != "started" || r.queuedAt != queuedAt || r.delay != "10s" {
			t.Errorf("run's record %d: %+v; want job %s, started, queued at %s, delay 10s", i, r, ids[i], queuedAt)
			continue
		}
		// The times printed are to the millisecond, as SQLite keeps them.
		if started := parseTime(t, r.startedAt); started.Before(dueAt) {
			t.Errorf("job %s started at %s, before it was due at %s", r.id, r.startedAt, dueAt.Format(timeLayout))
		}
	}
	if !regexp.MustCompile(`(?m)^batch of 10 queued ` + queuedAt + `: ok: all started, valid, none before its due time, gathered in the order queued`).MatchString(out) {
		t.Errorf("run did not print the batch check's ok")
	}
	checkList("started", "21 started, 1 cancelled")
}

// TestSignals stops queue with SIGINT and run with SIGTERM, as processes:
// each says how many jobs it left queued, and exits 128 + the signal.
func TestSignals(t *testing.T) {
	t.Parallel()
	bin := jobsBinary(t)
	db := filepath.Join(t.TempDir(), "jobs.sqlite")
	for _, tc := range []struct {
		sig  syscall.Signal
		args []string
	}{
		{syscall.SIGINT, []string{"queue", "2", "1h"}},
		{syscall.SIGTERM, []string{"run"}},
	} {
		p := start(t, bin, append([]string{"-db", db}, tc.args...)...)
		p.out.expect(t, regexp.MustCompile(`^working: `))
		if err := p.cmd.Process.Signal(tc.sig); err != nil {
			t.Fatal(err)
		}
		out, code := p.wait(t)
		if code != 128+int(tc.sig) {
			t.Errorf("jobs %s, sent %v: exit %d, want %d", tc.args[0], tc.sig, code, 128+int(tc.sig))
		}
		want := "\nstopped: 2 jobs still queued in " + db + "; run `jobs -db " + db + " run` to start them\n"
		if !strings.HasSuffix(out, want) {
			t.Errorf("jobs %s, sent %v, does not end by saying %q", tc.args[0], tc.sig, want)
		}
	}
}

// TestListStates: list prints a job in each state as durable reads it,
// with the note of its state, and counts them.
func TestListStates(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "jobs.sqlite")
	ctx := testCtx(t)
	starting, release := make(chan struct{}), make(chan struct{})
	s, err := durable.OpenSQLite(ctx, db, durable.Config{
		Start: func(ctx context.Context, r sched.Record) error {
			switch r.Delay {
			case 2 * time.Millisecond:
				return errors.New("no room")
			case 3 * time.Millisecond:
				panic("boom")
			case 4 * time.Millisecond:
				close(starting)
				select {
				case <-release:
				case <-ctx.Done():
				}
			}
			return nil
		},
		River: func(rc *river.Config) { rc.Logger = slog.New(slog.DiscardHandler) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer close(release) // before Close, which waits for the start
	var jobs []*durable.Job
	for _, d := range []time.Duration{0, 2 * time.Millisecond, 3 * time.Millisecond, time.Hour, time.Hour, 4 * time.Millisecond} {
		j, err := s.Submit(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	if ok, err := jobs[4].Cancel(ctx, errors.New("changed my mind")); !ok || err != nil {
		t.Fatalf("Cancel: %v, %v", ok, err)
	}
	if _, err := durable.Wait(ctx, jobs[:3]...); !errors.As(err, new(*sched.BatchError)) {
		t.Fatalf("Wait for the first three: %v, want a *sched.BatchError", err)
	}
	select {
	case <-starting:
	case <-ctx.Done():
		t.Fatal("the last job did not start")
	}

	out, _, err := runIn(t, ctx, "-db", db, "list")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := durable.Records(ctx, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(out)
	if len(rows) != len(jobs) {
		t.Fatalf("list printed %d rows, want %d", len(rows), len(jobs))
	}
	for i, want := range []struct{ state, note string }{
		{"started", `\d+ms late`},
		{"failed", "cause: no room"},
		{"failed", "cause: start function panicked: boom"},
		{"queued", `due ` + timeRE + ` \(in (59m\d\ds|1h0m0s)\)`},
		{"cancelled", "cause: changed my mind"},
		{"starting", "starting since " + timeRE},
	} {
		r := rows[i]
		if r.id != jobs[i].ID() || r.state != want.state || !regexp.MustCompile(`^`+want.note+`$`).MatchString(r.note) {
			t.Errorf("row %d: %+v; want job %s, %s, note %q", i, r, jobs[i].ID(), want.state, want.note)
		}
		// But for the queued job's due time from now, the row is the record
		// as durable reads it.
		if line := formatRow(recs[i], time.Now()); i != 3 && !strings.Contains(out, "\n"+line) {
			t.Errorf("list does not print job %d as durable reads it:\n%s", i, line)
		}
	}
	if want := "\n6 jobs in " + db + ": 1 queued, 1 starting, 1 started, 1 cancelled, 2 failed\n"; !strings.HasSuffix(out, want) {
		t.Errorf("list does not end with %q", want)
	}
}

// TestRunByDue: run prints the records of the jobs due first first, and
// checks each batch in the order it was queued.
func TestRunByDue(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "jobs.sqlite")
	ctx := testCtx(t)
	s, err := durable.OpenSQLite(ctx, db, durable.Config{NoStarts: true})
	if err != nil {
		t.Fatal(err)
	}
	later, err := s.SubmitBatch(ctx, 2, 6*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// batchesOf tells batches apart by their queued millisecond (the
	// clock rounded as SQLite keeps it): queue the second in another.
	for !time.Now().Round(time.Millisecond).After(later[0].QueuedAt()) {
		runtime.Gosched()
	}
	sooner, err := s.SubmitBatch(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sooner[0].QueuedAt().Equal(later[0].QueuedAt()) {
		t.Fatalf("both batches queued at %v", later[0].QueuedAt())
	}
	s.Close()

	out, _, err := runIn(t, ctx, "-db", db, "run")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var got, want []string
	for _, r := range rowsOf(out) {
		got = append(got, r.id+" "+r.state)
	}
	for _, j := range append(sooner, later...) {
		want = append(want, j.ID()+" started")
	}
	if !slices.Equal(got, want) {
		t.Errorf("run printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, b := range [][]*durable.Job{later, sooner} {
		re := `(?m)^batch of ` + fmt.Sprint(len(b)) + ` queued ` + b[0].QueuedAt().Local().Format(timeLayout) + `: ok: `
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("run does not print %s", re)
		}
	}
	if i, k := strings.Index(out, "batch of 2 "), strings.Index(out, "batch of 3 "); i < 0 || k < i {
		t.Errorf("run does not check the batch queued first first")
	}
}

// TestOddFileName: a -db file name with the characters a SQLite URI gives
// a meaning to names that file, and no other.
func TestOddFileName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const name = "a?b#c%41.sqlite"
	db := filepath.Join(dir, name)
	ctx := testCtx(t)
	if _, _, err := runIn(t, ctx, "-db", db, "queue", "1", "0"); err != nil {
		t.Fatalf("queue: %v", err)
	}
	out, _, err := runIn(t, ctx, "-db", db, "list")
	if want := "\n1 job in " + db + ": 1 started\n"; err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("list: %v; want it to end with %q", err, want)
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if n := e.Name(); n != name && n != name+"-wal" && n != name+"-shm" {
			t.Errorf("the commands made %q in %s", n, dir)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Error(err)
	}
}
