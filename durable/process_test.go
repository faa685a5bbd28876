package durable_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/durable/internal/pgtest"
	"github.com/wasmsched/wasmsched/sched"
)

// The tests in this file run the starts in two real worker processes: the
// test binary itself, run again with only TestWorkerProcess, which serves
// a durable.Scheduler on the database its environment names. Every start
// a worker makes is recorded in the table starts of the same database
// (createStarts), so that the test process can count them per job.

// The environment of a worker process.
const (
	envWorkerDB   = "WASMSCHED_DURABLE_WORKER_DB"   // the database's URL; unset: not a worker
	envWorkerSpec = "WASMSCHED_DURABLE_WORKER_SPEC" // a workerSpec, as JSON
)

// workerSpec is how a worker process starts its jobs.
type workerSpec struct {
	ID    string // its River client ID (river_job.attempted_by, river_leader.leader_id)
	Limit int    // durable.Config.Limit

	// A start works for WorkMin to WorkMax (by the job's River id), on the
	// real clock; zero: no time.
	WorkMin, WorkMax time.Duration

	// River's JobTimeout and RescueStuckJobsAfter; zero: River's defaults.
	JobTimeout, RescueAfter time.Duration
}

// work is how long the start of River job id works.
func (sp workerSpec) work(id int64) time.Duration {
	span := sp.WorkMax - sp.WorkMin
	if span <= 0 {
		return sp.WorkMin
	}
	return sp.WorkMin + time.Duration(uint64(id)*2654435761%uint64(span/time.Millisecond+1))*time.Millisecond
}

// rescuedMsg is the attempt error River's rescuer gives a stuck job.
const rescuedMsg = "Stuck job rescued by JobRescuer"

// createStarts creates the table the workers record their starts in: one
// row a call of the start function, with the River attempt it was for;
// done_at is set when the start's work is over.
func createStarts(t *testing.T, ctx context.Context, db *pgxpool.Pool) {
	t.Helper()
	_, err := db.Exec(ctx, `CREATE TABLE starts (
		job_id   text        NOT NULL,
		river_id bigint      NOT NULL,
		pid      integer     NOT NULL,
		attempt  integer     NOT NULL,
		began_at timestamptz NOT NULL DEFAULT clock_timestamp(),
		done_at  timestamptz
	)`)
	if err != nil {
		t.Fatal(err)
	}
}

func openPool(t *testing.T, dbURL string) *pgxpool.Pool {
	t.Helper()
	db, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// jobKey is the context key under which a worker's River middleware puts
// the River job a start is for.
type jobKey struct{}

// TestWorkerProcess is a worker process's body, not a test: without
// envWorkerDB (an ordinary test run) it returns at once. With it, it
// starts the jobs of the database's queue until its standard input ends
// (the parent closes it, or dies), or it is killed. It prints "ready" on
// standard output once River runs.
func TestWorkerProcess(t *testing.T) {
	dbURL := os.Getenv(envWorkerDB)
	if dbURL == "" {
		return
	}
	var spec workerSpec
	if err := json.Unmarshal([]byte(os.Getenv(envWorkerSpec)), &spec); err != nil {
		t.Fatalf("%s: %v", envWorkerSpec, err)
	}
	ctx := t.Context()
	pid := os.Getpid()

	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pcfg.MaxConns = int32(min(max(spec.Limit, 4), 20))
	db, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	start := func(ctx context.Context, r sched.Record) error {
		job, _ := ctx.Value(jobKey{}).(*rivertype.JobRow)
		if job == nil {
			return errors.New("no River job in the start's context")
		}
		d := spec.work(job.ID)
		if d == 0 {
			_, err := db.Exec(ctx, `INSERT INTO starts (job_id, river_id, pid, attempt, done_at)
				VALUES ($1, $2, $3, $4, clock_timestamp())`, r.ID, job.ID, pid, job.Attempt)
			return err
		}
		if _, err := db.Exec(ctx, `INSERT INTO starts (job_id, river_id, pid, attempt)
			VALUES ($1, $2, $3, $4)`, r.ID, job.ID, pid, job.Attempt); err != nil {
			return err
		}
		timer := time.NewTimer(d) // the start's work
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		_, err := db.Exec(ctx, `UPDATE starts SET done_at = clock_timestamp()
			WHERE river_id = $1 AND attempt = $2 AND pid = $3`, job.ID, job.Attempt, pid)
		return err
	}
	s, err := durable.OpenPostgres(ctx, dbURL, durable.Config{
		Start: start,
		Limit: spec.Limit,
		River: func(rc *river.Config) {
			rc.ID = spec.ID
			if spec.JobTimeout > 0 {
				rc.JobTimeout = spec.JobTimeout
			}
			if spec.RescueAfter > 0 {
				rc.RescueStuckJobsAfter = spec.RescueAfter
			}
			rc.Middleware = append(rc.Middleware, river.WorkerMiddlewareFunc(
				func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
					return doInner(context.WithValue(ctx, jobKey{}, job))
				}))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ready pid=%d id=%s\n", pid, spec.ID)
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // any end of stdin is the end
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// workerProc is a running worker process.
type workerProc struct {
	id     string
	pid    int
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	errLog string // its standard error's file

	mu     sync.Mutex
	out    bytes.Buffer // its standard output, but for the ready line
	killed bool

	exited  chan struct{} // closed once it exited and was waited for
	waitErr error
}

// startWorker starts a worker process on the database and waits until it
// is ready. Its connections carry its ID as their application_name. The
// test's cleanup stops it (closes its stdin, kills it after 30 s); it dies
// with the test process too (Pdeathsig, and its stdin ends).
func startWorker(t *testing.T, dbURL string, spec workerSpec) *workerProc {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", spec.ID)
	u.RawQuery = q.Encode()
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), envWorkerDB+"="+u.String(), envWorkerSpec+"="+string(js))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	w := &workerProc{id: spec.ID, cmd: cmd, exited: make(chan struct{})}
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w.errLog = filepath.Join(t.TempDir(), spec.ID+".stderr")
	errf, err := os.Create(w.errLog)
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	cmd.Stderr = errf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.pid = cmd.Process.Pid
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "ready ") {
				select {
				case ready <- line:
				default:
				}
				continue
			}
			w.mu.Lock()
			w.out.WriteString(line + "\n")
			w.mu.Unlock()
		}
		io.Copy(io.Discard, stdout) //nolint:errcheck // a line too long for the scanner: drain
		w.waitErr = cmd.Wait()      // after every read, as exec asks
		close(w.exited)
	}()
	t.Cleanup(func() { w.stop(t) })
	select {
	case line := <-ready:
		t.Logf("worker %s: %s", w.id, line)
	case <-w.exited:
		t.Fatalf("worker %s exited before it was ready: %v\n%s", w.id, w.waitErr, w.output())
	case <-time.After(time.Minute):
		t.Fatalf("worker %s not ready after a minute\n%s", w.id, w.output())
	}
	return w
}

// output is the worker's standard output and error, for a failure message.
func (w *workerProc) output() string {
	w.mu.Lock()
	out := w.out.String()
	w.mu.Unlock()
	errs, _ := os.ReadFile(w.errLog)
	return fmt.Sprintf("stdout:\n%s\nstderr:\n%s", out, errs)
}

// kill SIGKILLs the worker and waits until it is gone.
func (w *workerProc) kill(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	w.killed = true
	w.mu.Unlock()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("killing worker %s: %v", w.id, err)
	}
	select {
	case <-w.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("worker %s still there 30 s after SIGKILL", w.id)
	}
}

// stop ends the worker: it closes its stdin, so that it closes its
// Scheduler and exits, or kills it after 30 s. A worker that exits with an
// error (a failure or a race report) fails the test.
func (w *workerProc) stop(t *testing.T) {
	w.stdin.Close()
	select {
	case <-w.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("worker %s did not exit 30 s after its stdin closed: killing it", w.id)
		w.cmd.Process.Kill()
		<-w.exited
	}
	w.mu.Lock()
	killed := w.killed
	w.mu.Unlock()
	if w.waitErr != nil && !killed {
		t.Errorf("worker %s: %v\n%s", w.id, w.waitErr, w.output())
	}
	if errs, _ := os.ReadFile(w.errLog); len(errs) > 0 {
		if len(errs) > 4000 {
			errs = append([]byte("…"), errs[len(errs)-4000:]...)
		}
		t.Logf("worker %s's standard error:\n%s", w.id, errs)
	}
}

// pollUntil asks cond every 10 ms until it holds, for at most timeout.
func pollUntil(t *testing.T, ctx context.Context, timeout time.Duration, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond(ctx)
		if ok {
			return
		}
		if err != nil && ctx.Err() == nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("%s: not after %v (%v)", what, timeout, context.Cause(ctx))
		}
	}
}

// startRow is a row of the table starts.
type startRow struct {
	JobID   string
	RiverID int64
	PID     int
	Attempt int
	Done    bool
}

func readStarts(t *testing.T, ctx context.Context, db *pgxpool.Pool) []startRow {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT job_id, river_id, pid, attempt, done_at IS NOT NULL FROM starts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []startRow
	for rows.Next() {
		var s startRow
		if err := rows.Scan(&s.JobID, &s.RiverID, &s.PID, &s.Attempt, &s.Done); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// riverRow is what the tests read of a row of river_job.
type riverRow struct {
	ID           int64
	JobID        string // args->>'id'
	State        string
	Attempt      int
	AttemptedBy  []string
	Errors       int    // how many attempt errors
	FirstError   string // the first one's text
	ErrorAttempt int    // the first one's attempt
	FinalizedAt  *time.Time
}

func readRiverJobs(t *testing.T, ctx context.Context, db *pgxpool.Pool) map[int64]riverRow {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT id, args->>'id', state::text, attempt, coalesce(attempted_by, '{}'),
			coalesce(array_length(errors, 1), 0), coalesce(errors[1]->>'error', ''),
			coalesce((errors[1]->>'attempt')::int, 0), finalized_at
		FROM river_job WHERE kind = $1`, durable.Kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make(map[int64]riverRow)
	for rows.Next() {
		var r riverRow
		if err := rows.Scan(&r.ID, &r.JobID, &r.State, &r.Attempt, &r.AttemptedBy, &r.Errors, &r.FirstError, &r.ErrorAttempt, &r.FinalizedAt); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[r.ID]; dup {
			t.Errorf("River job %d twice in river_job", r.ID)
		}
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkGathered checks that Gather's records are the jobs', in order, and
// every one Started and valid; it stops at the first bad one.
func checkGathered(t *testing.T, jobs []*durable.Job, recs []sched.Record, err error) {
	t.Helper()
	if err != nil {
		var be *sched.BatchError
		if errors.As(err, &be) {
			n := 0
			for i, e := range be.Errs {
				if e != nil {
					if n < 5 {
						t.Errorf("job %d (%s): %v", i, jobs[i].ID(), e)
					}
					n++
				}
			}
			t.Fatalf("Gather: %d of %d jobs did not start", n, len(jobs))
		}
		t.Fatalf("Gather: %v", err)
	}
	if len(recs) != len(jobs) {
		t.Fatalf("Gather returned %d records for %d jobs", len(recs), len(jobs))
	}
	for i, r := range recs {
		checkStarted(t, r)
		if r.ID != jobs[i].ID() {
			t.Errorf("record %d is job %s, want %s", i, r.ID, jobs[i].ID())
		}
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestTwoProcessesShareJobs queues 10,000 jobs from the test process, has
// two worker processes start them, and checks that each was started
// exactly once, in one process or the other, and that both did some.
func TestTwoProcessesShareJobs(t *testing.T) {
	const n, batch = 10_000, 1000
	dbURL := pgtest.DB(t)
	ctx := testCtx(t)
	s := openPostgres(t, dbURL, durable.Config{NoStarts: true}) // River's tables, before the workers
	db := openPool(t, dbURL)
	createStarts(t, ctx, db)
	workers := []*workerProc{
		startWorker(t, dbURL, workerSpec{ID: "worker-a", Limit: 100}),
		startWorker(t, dbURL, workerSpec{ID: "worker-b", Limit: 100}),
	}

	begin := time.Now()
	var jobs []*durable.Job
	for len(jobs) < n {
		js, err := s.SubmitBatch(ctx, batch, 0)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, js...)
	}
	queued := time.Since(begin)
	recs, err := durable.Gather(ctx, jobs...)
	elapsed := time.Since(begin)
	checkGathered(t, jobs, recs, err)
	t.Logf("%d jobs: queued in %v, all started after %v (%.0f starts/s)", n, queued.Round(time.Millisecond),
		elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())

	// The start was called exactly once a job, for attempt 1, in a worker.
	byPID := map[int]*workerProc{}
	for _, w := range workers {
		byPID[w.pid] = w
	}
	riverID := make(map[string]int64, n)
	for _, j := range jobs {
		riverID[j.ID()] = j.RiverID()
	}
	starts := readStarts(t, ctx, db)
	if len(starts) != n {
		t.Errorf("%d calls of the start for %d jobs", len(starts), n)
	}
	calls := make(map[string]int, n)
	split := map[int]int{}
	startedBy := make(map[int64]string, n) // River id → worker ID
	for _, st := range starts {
		calls[st.JobID]++
		split[st.PID]++
		w := byPID[st.PID]
		switch {
		case w == nil:
			t.Errorf("job %s started by pid %d, not a worker", st.JobID, st.PID)
		case riverID[st.JobID] != st.RiverID:
			t.Errorf("start of job %s for River job %d, want %d", st.JobID, st.RiverID, riverID[st.JobID])
		case st.Attempt != 1 || !st.Done:
			t.Errorf("start of job %s: attempt %d, done %v; want attempt 1, done", st.JobID, st.Attempt, st.Done)
		default:
			startedBy[st.RiverID] = w.id
		}
	}
	bad := 0
	for _, j := range jobs {
		if c := calls[j.ID()]; c != 1 {
			if bad < 5 {
				t.Errorf("job %s: start called %d times, want 1", j.ID(), c)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d jobs not started exactly once", bad)
	}
	for _, w := range workers {
		t.Logf("worker %s (pid %d) started %d jobs (%.1f%%)", w.id, w.pid, split[w.pid], 100*float64(split[w.pid])/n)
		if split[w.pid] == 0 {
			t.Errorf("worker %s started no job", w.id)
		}
	}

	// River agrees: one row a job, completed, at its first attempt, by the
	// process that recorded the start.
	rj := readRiverJobs(t, ctx, db)
	if len(rj) != n {
		t.Errorf("river_job has %d of our jobs, want %d", len(rj), n)
	}
	bad = 0
	for _, j := range jobs {
		r, ok := rj[j.RiverID()]
		if !ok || r.JobID != j.ID() || r.State != string(rivertype.JobStateCompleted) || r.FinalizedAt == nil ||
			r.Attempt != 1 || r.Errors != 0 || !slices.Equal(r.AttemptedBy, []string{startedBy[j.RiverID()]}) {
			if bad < 5 {
				t.Errorf("job %s: River row %+v (found %v); want completed at attempt 1, by %s, no errors",
					j.ID(), r, ok, startedBy[j.RiverID()])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d River rows not completed once by the process that started them", bad)
	}
}

// TestKilledProcessJobsStillFinish has two worker processes start jobs that
// take 200 ms to 1 s each, and SIGKILLs one (River's leader) while starts
// run in it and jobs still wait. The jobs it was running at the kill are
// rescued by River in the other process (after its election as the new
// leader) and started again; every job ends Started.
func TestKilledProcessJobsStillFinish(t *testing.T) {
	const (
		nNow   = 300 // due at once
		nLater = 100 // due after laterDelay: still waiting at the kill
		// River's scheduler makes jobs due within its 5 s tick available
		// early; these stay scheduled until after the kill, when only the
		// new leader can schedule them.
		laterDelay = 10 * time.Second
	)
	dbURL := pgtest.DB(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	s := openPostgres(t, dbURL, durable.Config{NoStarts: true})
	db := openPool(t, dbURL)
	createStarts(t, ctx, db)
	spec := func(id string) workerSpec {
		return workerSpec{ID: id, Limit: 20, WorkMin: 200 * time.Millisecond, WorkMax: time.Second,
			JobTimeout: 5 * time.Second, RescueAfter: 6 * time.Second}
	}
	workers := []*workerProc{startWorker(t, dbURL, spec("worker-a")), startWorker(t, dbURL, spec("worker-b"))}

	// The victim is River's leader: after the kill, the other process must
	// be elected before it rescues and schedules anything.
	var leader string
	pollUntil(t, ctx, time.Minute, "a worker elected River's leader", func(ctx context.Context) (bool, error) {
		err := db.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&leader)
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil // none yet
		}
		return err == nil && (leader == workers[0].id || leader == workers[1].id), err
	})
	victim, survivor := workers[0], workers[1]
	if leader == survivor.id {
		victim, survivor = survivor, victim
	}

	queuedAt := time.Now()
	later, err := s.SubmitBatch(ctx, nLater, laterDelay)
	if err != nil {
		t.Fatal(err)
	}
	now, err := s.SubmitBatch(ctx, nNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	jobs := append(later, now...)

	// Kill the victim once it has completed some jobs and starts run in it.
	pollUntil(t, ctx, time.Minute, "jobs completed by and starts running in "+victim.id, func(ctx context.Context) (bool, error) {
		var completed, running int
		err := db.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed' AND attempted_by[1] = $2),
				(SELECT count(*) FROM starts WHERE pid = $3 AND done_at IS NULL)`,
			durable.Kind, victim.id, victim.pid).Scan(&completed, &running)
		return err == nil && completed >= 20 && running >= 10, err
	})
	if err := db.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&leader); err != nil || leader != victim.id {
		t.Fatalf("leader before the kill: %q, %v; want %s", leader, err, victim.id)
	}
	killAt := time.Now()
	victim.kill(t)
	// Its connections are gone only once Postgres has ended their backends:
	// until then, a statement it sent before it died may still run.
	pollUntil(t, ctx, time.Minute, "the end of "+victim.id+"'s backends", func(ctx context.Context) (bool, error) {
		var left int
		err := db.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, victim.id).Scan(&left)
		return err == nil && left == 0, err
	})

	// The state at the kill: River's jobs running in the victim, and the
	// victim's starts.
	atKill := map[int64]bool{}
	rows, err := db.Query(ctx, `SELECT id FROM river_job
		WHERE kind = $1 AND state = 'running' AND attempted_by[array_upper(attempted_by, 1)] = $2`, durable.Kind, victim.id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		atKill[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var scheduled, available, victimDone int
	if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'scheduled'),
			count(*) FILTER (WHERE state = 'available'),
			count(*) FILTER (WHERE state = 'completed' AND attempted_by[1] = $2)
		FROM river_job WHERE kind = $1`, durable.Kind, victim.id).Scan(&scheduled, &available, &victimDone); err != nil {
		t.Fatal(err)
	}
	victimStarts := map[int64]startRow{} // River id → the victim's start
	for _, st := range readStarts(t, ctx, db) {
		if st.PID == victim.pid {
			victimStarts[st.RiverID] = st
		}
	}
	var interrupted, finishedUnrecorded, notBegun int
	for id := range atKill {
		switch st, ok := victimStarts[id]; {
		case !ok:
			notBegun++ // fetched, its start not called (or its row not committed)
		case st.Done:
			finishedUnrecorded++ // its start done, River's completion not written
		default:
			interrupted++ // its start under way
		}
	}
	t.Logf("killed %s (River's leader, pid %d) %v after the jobs were queued; it had completed %d jobs", victim.id, victim.pid,
		killAt.Sub(queuedAt).Round(time.Millisecond), victimDone)
	t.Logf("at the kill: %d jobs running in %s (%d starts under way, %d starts done but not completed in River, %d fetched but not started); waiting: %d jobs scheduled (for their delay), %d available",
		len(atKill), victim.id, interrupted, finishedUnrecorded, notBegun, scheduled, available)
	if interrupted == 0 {
		t.Fatalf("no start under way in %s at the kill", victim.id)
	}
	if scheduled == 0 {
		t.Fatalf("no job waiting for its delay at the kill")
	}

	// Everything finishes: rescuer (every 30 s, once the survivor leads),
	// retry backoff (about 1 s), the scheduler's tick (5 s).
	gctx, gcancel := context.WithTimeout(ctx, 3*time.Minute)
	defer gcancel()
	recs, err := durable.Gather(gctx, jobs...)
	recovered := time.Since(killAt)
	checkGathered(t, jobs, recs, err)

	var electedAt time.Time
	var newLeader string
	if err := db.QueryRow(ctx, `SELECT leader_id, elected_at FROM river_leader`).Scan(&newLeader, &electedAt); err != nil {
		t.Fatal(err)
	}
	if newLeader != survivor.id {
		t.Errorf("leader after the kill: %q, want %s", newLeader, survivor.id)
	}

	// Per job: one River row, completed; the jobs running in the victim at
	// the kill, and only those, rescued and started again in the survivor.
	rj := readRiverJobs(t, ctx, db)
	if len(rj) != len(jobs) {
		t.Errorf("river_job has %d of our jobs, want %d", len(rj), len(jobs))
	}
	starts := map[int64][]startRow{}
	for _, st := range readStarts(t, ctx, db) {
		starts[st.RiverID] = append(starts[st.RiverID], st)
	}
	pidOf := map[string]int{victim.id: victim.pid, survivor.id: survivor.pid}
	var rescued, retriedStarts, doubleStarts, doubleAfterDone int
	var lastRescued time.Time
	bad := 0
	fail := func(format string, args ...any) {
		if bad < 10 {
			t.Errorf(format, args...)
		}
		bad++
	}
	for i, j := range jobs {
		r, ok := rj[j.RiverID()]
		ss := starts[j.RiverID()]
		switch {
		case !ok || r.JobID != j.ID():
			fail("job %s: no River row %d", j.ID(), j.RiverID())
		case r.State != string(rivertype.JobStateCompleted) || r.FinalizedAt == nil:
			fail("job %s: River state %s, want completed", j.ID(), r.State)
		case atKill[j.RiverID()]:
			rescued++
			if rec := recs[i]; !rec.ReadyAt.After(killAt) {
				fail("job %s, rescued: ready at %v, before the kill at %v; want its second attempt's time", j.ID(), rec.ReadyAt, killAt)
			}
			if r.FinalizedAt.After(lastRescued) {
				lastRescued = *r.FinalizedAt
			}
			if r.Attempt != 2 || r.Errors != 1 || !strings.Contains(r.FirstError, rescuedMsg) || r.ErrorAttempt != 1 ||
				!slices.Equal(r.AttemptedBy, []string{victim.id, survivor.id}) {
				fail("job %s, running in %s at the kill: River row %+v; want attempt 2 by %s, after the rescuer's error",
					j.ID(), victim.id, r, survivor.id)
			}
			var first, second []startRow
			for _, st := range ss {
				if st.Attempt == 1 && st.PID == victim.pid {
					first = append(first, st)
				} else if st.Attempt == 2 && st.PID == survivor.pid && st.Done {
					second = append(second, st)
				} else {
					fail("job %s, running in %s at the kill: start %+v", j.ID(), victim.id, st)
				}
			}
			if len(first) > 1 || len(second) != 1 {
				fail("job %s, running in %s at the kill: %d starts at attempt 1, %d at attempt 2; want at most 1, 1",
					j.ID(), victim.id, len(first), len(second))
			}
			retriedStarts += len(second)
			if len(first) == 1 && len(second) == 1 {
				doubleStarts++
				if first[0].Done {
					doubleAfterDone++
				}
			}
		default:
			if r.Attempt != 1 || r.Errors != 0 || len(r.AttemptedBy) != 1 {
				fail("job %s: River row %+v; want attempt 1, no errors", j.ID(), r)
			} else if len(ss) != 1 || ss[0].Attempt != 1 || !ss[0].Done || ss[0].PID != pidOf[r.AttemptedBy[0]] {
				fail("job %s, worked by %s: starts %+v; want one, done, at attempt 1, by pid %d", j.ID(), r.AttemptedBy[0], ss, pidOf[r.AttemptedBy[0]])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d faults in the jobs' River rows and starts", bad)
	}
	if rescued == 0 {
		t.Errorf("no job rescued")
	}
	t.Logf("rescued and retried in %s: %d jobs (%d starts at attempt 2); started twice: %d (%d of them after a start done in %s whose completion River never wrote: at-least-once)",
		survivor.id, rescued, retriedStarts, doubleStarts, doubleAfterDone, victim.id)
	t.Logf("after the kill: %s elected leader after %v, last rescued job completed after %v, all %d jobs final after %v",
		survivor.id, electedAt.Sub(killAt).Round(time.Millisecond), lastRescued.Sub(killAt).Round(time.Millisecond),
		len(jobs), recovered.Round(time.Millisecond))
}
