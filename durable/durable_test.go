package durable_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/sched"
)

func tempDB(t *testing.T) string { return filepath.Join(t.TempDir(), "jobs.sqlite") }

func TestBadInput(t *testing.T) {
	ctx := testCtx(t)
	var nilCtx context.Context
	if _, err := durable.OpenSQLite(nilCtx, tempDB(t), durable.Config{}); !errors.Is(err, sched.ErrNilContext) {
		t.Errorf("OpenSQLite(nil ctx) = %v, want ErrNilContext", err)
	}
	if _, err := durable.OpenSQLite(ctx, "", durable.Config{}); err == nil {
		t.Error("OpenSQLite with no path: no error")
	}
	if _, err := durable.OpenSQLite(ctx, tempDB(t), durable.Config{Limit: -1}); err == nil || !strings.Contains(err.Error(), "Limit") {
		t.Errorf("OpenSQLite with Limit -1 = %v, want an error naming Limit", err)
	}
	if _, err := durable.OpenSQLite(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "jobs.sqlite"), durable.Config{}); err == nil {
		t.Error("OpenSQLite in a missing folder: no error")
	}
	s := openSQLite(t, tempDB(t), durable.Config{NoStarts: true})
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"Submit(nil ctx)", second(s.Submit(nilCtx, 0)), sched.ErrNilContext},
		{"Submit(-1ns)", second(s.Submit(ctx, -1)), sched.ErrBadDelay},
		{"SubmitBatch(0)", second(s.SubmitBatch(ctx, 0, 0)), sched.ErrEmptyBatch},
		{"SubmitBatch(-1)", second(s.SubmitBatch(ctx, -1, 0)), sched.ErrEmptyBatch},
		{"SubmitBatch(MaxBatch+1)", second(s.SubmitBatch(ctx, sched.MaxBatch+1, 0)), sched.ErrBatchTooBig},
		{"SubmitBatch(2, -1s)", second(s.SubmitBatch(ctx, 2, -time.Second)), sched.ErrBadDelay},
		{"Run(nil ctx)", second(s.Run(nilCtx, 0)), sched.ErrNilContext},
		{"Gather(nil ctx)", second(durable.Gather(nilCtx)), sched.ErrNilContext},
		{"Gather()", second(durable.Gather(ctx)), sched.ErrEmptyBatch},
		{"Gather(nil job)", second(durable.Gather(ctx, nil)), sched.ErrNilJob},
		{"Unfinished(nil ctx)", second(s.Unfinished(nilCtx)), sched.ErrNilContext},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.err, c.want)
		}
	}
	j, err := s.Submit(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Wait(nilCtx); !errors.Is(err, sched.ErrNilContext) {
		t.Errorf("Wait(nil ctx) = %v", err)
	}
	if _, err := j.Cancel(nilCtx, nil); !errors.Is(err, sched.ErrNilContext) {
		t.Errorf("Cancel(nil ctx) = %v", err)
	}
	if _, err := durable.Gather(ctx, j, nil); !errors.Is(err, sched.ErrNilJob) || !strings.Contains(err.Error(), "index 1") {
		t.Errorf("Gather(j, nil) = %v, want ErrNilJob at index 1", err)
	}
	// Nothing bad was queued: only the one job.
	if all, err := s.Jobs(ctx); err != nil || len(all) != 1 {
		t.Errorf("Jobs() = %d jobs, %v; want the one good job", len(all), err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestFailuresAreNotRetried: an error, a panic and a runtime.Goexit in the
// start each fail the job, with the error's text as its cause, and the
// start is called once.
func TestFailuresAreNotRetried(t *testing.T) {
	ctx := testCtx(t)
	var mu sync.Mutex
	calls := map[string]int{}
	var order []string
	s := openSQLite(t, tempDB(t), durable.Config{Start: func(ctx context.Context, r sched.Record) error {
		mu.Lock()
		calls[r.ID]++
		i := len(order)
		order = append(order, r.ID)
		mu.Unlock()
		if r.State != sched.Starting || r.ReadyAt.IsZero() {
			return errors.New("start got a record not Starting")
		}
		switch i {
		case 1:
			return errors.New("refused")
		case 2:
			panic("boom")
		case 3:
			runtime.Goexit()
		}
		return nil
	}, Limit: 1})
	jobs, err := s.SubmitBatch(ctx, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := durable.Gather(ctx, jobs...)
	be, ok := errors.AsType[*sched.BatchError](err)
	if !ok {
		t.Fatalf("Gather = %v, want a *sched.BatchError", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 4 {
		t.Fatalf("start called %d times, want 4 (one each): %v", len(order), calls)
	}
	want := map[string]string{order[0]: "", order[1]: "refused", order[2]: "start function panicked: boom", order[3]: sched.ErrGoexit.Error()}
	for i, r := range recs {
		if calls[r.ID] != 1 {
			t.Errorf("job %s: start called %d times", r.ID, calls[r.ID])
		}
		text := want[r.ID]
		if text == "" {
			checkStarted(t, r)
			if be.Errs[i] != nil {
				t.Errorf("Errs[%d] = %v for a started job", i, be.Errs[i])
			}
			continue
		}
		if r.State != sched.Failed || !errors.Is(r.Err, sched.ErrFailed) || errors.Is(r.Err, sched.ErrCancelled) {
			t.Errorf("job %s: %v, %v; want Failed", r.ID, r.State, r.Err)
		}
		if je, ok := errors.AsType[*sched.JobError](r.Err); !ok || je.Cause == nil || je.Cause.Error() != text {
			t.Errorf("job %s: error %v, want the cause %q", r.ID, r.Err, text)
		}
		if be.Errs[i] != r.Err || r.Valid() || r.DoneAt.IsZero() {
			t.Errorf("job %s: Errs[%d] = %v, record %+v", r.ID, i, be.Errs[i], r)
		}
	}
}

// TestCancelSparesAStartUnderWay: Cancel does not interrupt a start in
// progress, as in sched; the job ends Started.
func TestCancelSparesAStartUnderWay(t *testing.T) {
	ctx := testCtx(t)
	started, release := make(chan struct{}), make(chan struct{})
	s := openSQLite(t, tempDB(t), durable.Config{Start: func(ctx context.Context, r sched.Record) error {
		close(started)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	j, err := s.Submit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if ok, err := j.Cancel(ctx, errors.New("too late")); ok || err != nil {
		t.Fatalf("Cancel during the start = %v, %v; want false, nil", ok, err)
	}
	if r, err := j.Record(ctx); err != nil || r.State != sched.Starting || r.ReadyAt.IsZero() {
		t.Fatalf("during the start: %+v, %v; want Starting with ReadyAt", r, err)
	}
	close(release)
	r, err := j.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkStarted(t, r)
	if ok, err := j.Cancel(ctx, nil); ok || err != nil {
		t.Fatalf("Cancel after the start = %v, %v; want false, nil", ok, err)
	}
}

// TestRestartSQLite: jobs queued before a process exits start after the
// next one opens the file, at their due time, with their records intact;
// a cancelled job stays cancelled, with its cause as text.
func TestRestartSQLite(t *testing.T) {
	ctx := testCtx(t)
	path := tempDB(t)
	first, err := durable.OpenSQLite(ctx, path, durable.Config{NoStarts: true})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := first.SubmitBatch(ctx, 10, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	overdue, err := first.Submit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := first.Submit(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("shutting down")
	if ok, err := cancelled.Cancel(ctx, cause); !ok || err != nil {
		t.Fatalf("Cancel = %v, %v", ok, err)
	}
	before := map[string]sched.Record{}
	for _, j := range append(jobs, overdue, cancelled) {
		r, err := j.Record(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before[r.ID] = r
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := openSQLite(t, path, durable.Config{})
	left, err := second.Unfinished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 11 {
		t.Fatalf("after the restart, %d unfinished jobs, want 11", len(left))
	}
	for i, j := range left[:10] {
		if j.ID() != jobs[i].ID() {
			t.Fatalf("unfinished job %d is %s, want %s: not in queued order", i, j.ID(), jobs[i].ID())
		}
	}
	recs, err := durable.Gather(ctx, left...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		b := before[r.ID]
		checkStarted(t, r)
		if !r.QueuedAt.Equal(b.QueuedAt) || r.Delay != b.Delay {
			t.Errorf("job %s: queued %v +%v after the restart, %v +%v before", r.ID, r.QueuedAt, r.Delay, b.QueuedAt, b.Delay)
		}
	}
	all, err := second.Jobs(ctx)
	if err != nil || len(all) != 12 {
		t.Fatalf("Jobs() = %d, %v; want 12", len(all), err)
	}
	r, err := all[11].Record(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != cancelled.ID() || r.State != sched.Cancelled || !errors.Is(r.Err, sched.ErrCancelled) {
		t.Fatalf("the cancelled job after the restart: %+v", r)
	}
	// Across processes the cause is text: errors.Is finds it only through
	// the handle that cancelled.
	if errors.Is(r.Err, cause) || !strings.HasSuffix(r.Err.Error(), ": shutting down") {
		t.Errorf("the cause after the restart: %v; want its text only", r.Err)
	}
	if !r.DoneAt.Equal(before[r.ID].DoneAt) {
		t.Errorf("cancelled at %v, before the restart %v", r.DoneAt, before[r.ID].DoneAt)
	}
}

// TestRunCancelsWhenCtxEnds: Run's ctx ending while its job is queued
// cancels the job with ctx's cause, as sched.Scheduler.Run does.
func TestRunCancelsWhenCtxEnds(t *testing.T) {
	s := openSQLite(t, tempDB(t), durable.Config{})
	cause := errors.New("gave up")
	tctx := testCtx(t)
	ctx, cancel := context.WithCancelCause(tctx)
	var rec sched.Record
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec, err = s.Run(ctx, time.Hour)
	}()
	// Cancel once the job is in the database.
	for {
		if jobs, lerr := s.Jobs(tctx); lerr != nil {
			t.Fatal(lerr)
		} else if len(jobs) == 1 {
			break
		}
		runtime.Gosched()
	}
	cancel(cause)
	<-done
	if rec.State != sched.Cancelled || !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, cause) {
		t.Fatalf("Run = %+v, %v; want the job cancelled with ctx's cause", rec, err)
	}
}

// TestWaitLeavesJobsQueued: Wait's ctx ending stops the waiting only;
// Records reads the jobs as they are, queued.
func TestWaitLeavesJobsQueued(t *testing.T) {
	s := openSQLite(t, tempDB(t), durable.Config{})
	ctx := testCtx(t)
	jobs, err := s.SubmitBatch(ctx, 3, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	stop := errors.New("told to stop")
	cancel(stop)
	if _, err := durable.Wait(wctx, jobs...); !errors.Is(err, stop) {
		t.Fatalf("Wait with an ended ctx = %v, want its cause", err)
	}
	recs, err := durable.Records(ctx, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r.State != sched.Queued || r.ID != jobs[i].ID() || !r.QueuedAt.Equal(jobs[i].QueuedAt()) || r.Delay != jobs[i].Delay() {
			t.Errorf("record %d after Wait: %+v; want job %s still queued", i, r, jobs[i].ID())
		}
	}
	// Gather's ctx ending cancels them, with its cause.
	if _, err := durable.Gather(wctx, jobs...); !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, stop) {
		t.Fatalf("Gather with an ended ctx = %v, want the jobs cancelled with its cause", err)
	}
}

// TestOddFileNames: a file name with the characters a SQLite URI gives a
// meaning to opens that file, not another.
func TestOddFileNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"x?y.sqlite", "a#b.sqlite", "p%41.sqlite"} {
		path := filepath.Join(dir, name)
		s := openSQLite(t, path, durable.Config{NoStarts: true})
		if _, err := s.Submit(testCtx(t), time.Hour); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) > 3*3 { // each file, its -wal and -shm at most
		t.Errorf("files made: %v", es)
	}
}
