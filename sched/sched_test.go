package sched_test

import (
	"context"
	"errors"
	"math"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"go.uber.org/goleak"

	"github.com/wasmsched/wasmsched/sched"
)

func TestMain(m *testing.M) {
	// Under js/wasm the runtime parks a goroutine of its own for JS events.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

// bubble runs f in a synctest bubble with a fresh scheduler, so that delays
// cost nothing and time.Since is exact; the scheduler is closed after.
func bubble(t *testing.T, s *sched.Scheduler, f func(t *testing.T, s *sched.Scheduler)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		if s == nil {
			s = new(sched.Scheduler)
		}
		defer s.Close()
		f(t, s)
	})
}

func mustSubmit(t *testing.T, s *sched.Scheduler, d time.Duration) *sched.Job {
	t.Helper()
	j, err := s.Submit(d)
	if err != nil {
		t.Fatalf("Submit(%v): %v", d, err)
	}
	return j
}

func TestRecordValid(t *testing.T) {
	t0 := time.Now()
	tests := []struct {
		name    string
		queued  time.Time
		started time.Time
		want    bool
	}{
		{"started after queued", t0, t0.Add(time.Nanosecond), true},
		{"started when queued", t0, t0, false},
		{"started before queued", t0, t0.Add(-time.Millisecond), false},
		{"never started", t0, time.Time{}, false},
		{"zero record", time.Time{}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sched.Record{QueuedAt: tt.queued, StartedAt: tt.started}
			if got := r.Valid(); got != tt.want {
				t.Errorf("Valid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecordWaitAndLateness(t *testing.T) {
	t0 := time.Now()
	r := sched.Record{Delay: 10 * time.Millisecond, QueuedAt: t0, StartedAt: t0.Add(14 * time.Millisecond)}
	if got, want := r.Wait(), 14*time.Millisecond; got != want {
		t.Errorf("Wait() = %v, want %v", got, want)
	}
	if got, want := r.Lateness(), 4*time.Millisecond; got != want {
		t.Errorf("Lateness() = %v, want %v", got, want)
	}
	r.StartedAt = time.Time{}
	if r.Wait() != 0 || r.Lateness() != 0 {
		t.Errorf("a job not started: Wait() = %v, Lateness() = %v, want 0, 0", r.Wait(), r.Lateness())
	}
}

func TestStateStrings(t *testing.T) {
	tests := []struct {
		s    sched.State
		name string
		done bool
	}{
		{sched.Queued, "queued", false},
		{sched.Starting, "starting", false},
		{sched.Started, "started", true},
		{sched.Cancelled, "cancelled", true},
		{sched.Failed, "failed", true},
		{sched.State(42), "State(42)", false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.name {
			t.Errorf("State(%d).String() = %q, want %q", tt.s, got, tt.name)
		}
		if got := tt.s.Done(); got != tt.done {
			t.Errorf("%v.Done() = %v, want %v", tt.s, got, tt.done)
		}
	}
}

func TestJobStartsWhenItsDelayEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		const delay = time.Hour
		j := mustSubmit(t, s, delay)
		if got := j.State(); got != sched.Queued {
			t.Fatalf("state right after Submit = %v, want queued", got)
		}
		time.Sleep(delay - time.Nanosecond)
		synctest.Wait()
		if got := j.State(); got != sched.Queued {
			t.Fatalf("state a nanosecond before the delay ends = %v, want queued", got)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		r := j.Record()
		if r.State != sched.Started || !r.Valid() || r.Err != nil {
			t.Fatalf("record after the delay = %+v, want started, valid, no error", r)
		}
		if r.Wait() != delay || r.Lateness() != 0 {
			t.Errorf("Wait() = %v, Lateness() = %v; want %v, 0 in virtual time", r.Wait(), r.Lateness(), delay)
		}
		if !r.DoneAt.Equal(r.StartedAt) {
			t.Errorf("DoneAt = %v, want StartedAt %v", r.DoneAt, r.StartedAt)
		}
		select {
		case <-j.Done():
		default:
			t.Error("Done() is not closed after the job started")
		}
	})
}

func TestJobIDsAreUUID4Hex(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
		jobs, err := s.SubmitBatch(1000, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		seen := make(map[string]bool)
		for _, j := range jobs {
			id := j.ID()
			if !hex32.MatchString(id) {
				t.Fatalf("ID() = %q, want 32 lowercase hex digits", id)
			}
			if id[12] != '4' || !strings.ContainsRune("89ab", rune(id[16])) {
				t.Fatalf("ID() = %q is not a version 4, RFC 4122 uuid", id)
			}
			if seen[id] {
				t.Fatalf("ID %q given twice", id)
			}
			seen[id] = true
			if j.Record().ID != id {
				t.Fatalf("Record().ID = %q, want %q", j.Record().ID, id)
			}
		}
	})
}

func TestCancelledJobNeverStarts(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Hour)
		time.Sleep(time.Minute)
		if !j.Cancel(nil) {
			t.Fatal("Cancel on a queued job = false, want true")
		}
		if j.Cancel(nil) {
			t.Error("second Cancel = true, want false: it did nothing")
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		r, err := j.Wait(context.Background())
		if !errors.Is(err, sched.ErrCancelled) {
			t.Fatalf("Wait error = %v, want ErrCancelled", err)
		}
		if errors.Is(err, sched.ErrFailed) {
			t.Errorf("Wait error %v matches ErrFailed", err)
		}
		if !j.Cancelled() || r.State != sched.Cancelled {
			t.Errorf("Cancelled() = %v, state = %v; want true, cancelled", j.Cancelled(), r.State)
		}
		if !r.StartedAt.IsZero() || r.Valid() {
			t.Errorf("cancelled record %+v has a start or is valid", r)
		}
		if got := r.DoneAt.Sub(r.QueuedAt); got != time.Minute {
			t.Errorf("cancelled after %v, want 1m", got)
		}
		if c := s.Counts(); c.Cancelled != 1 || c.Started != 0 || c.Total() != 1 {
			t.Errorf("Counts() = %+v, want one cancelled job", c)
		}
	})
}

func TestCancelCarriesItsCause(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		cause := errors.New("user pressed cancel")
		j := mustSubmit(t, s, time.Hour)
		j.Cancel(cause)
		err := j.Err()
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, cause) {
			t.Fatalf("Err() = %v, want it to match ErrCancelled and the cause", err)
		}
		var je *sched.JobError
		if !errors.As(err, &je) || je.ID != j.ID() || je.State != sched.Cancelled {
			t.Fatalf("Err() = %#v, want a *JobError for job %s", err, j.ID())
		}
		want := "sched: job " + j.ID() + " cancelled: user pressed cancel"
		if err.Error() != want {
			t.Errorf("message = %q, want %q", err.Error(), want)
		}
		plain := mustSubmit(t, s, time.Hour)
		plain.Cancel(nil)
		if got, want := plain.Err().Error(), "sched: job "+plain.ID()+" cancelled"; got != want {
			t.Errorf("message without a cause = %q, want %q", got, want)
		}
	})
}

func TestCancelAfterStartDoesNothing(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Millisecond)
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if j.Cancel(nil) {
			t.Fatal("Cancel after the start = true, want false")
		}
		if j.State() != sched.Started || j.Err() != nil {
			t.Errorf("state = %v, err = %v; want started, nil", j.State(), j.Err())
		}
	})
}

// TestCancelRacingTheTimer runs on the real clock with the race detector's
// help: jobs with no delay race a Cancel, and every job must end in exactly
// one state, the one its Cancel's answer says.
func TestCancelRacingTheTimer(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	const n = 2000
	jobs, err := s.SubmitBatch(n, 0)
	if err != nil {
		t.Fatal(err)
	}
	won := make([]bool, n)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() { won[i] = j.Cancel(nil) })
	}
	wg.Wait()
	recs, _ := sched.Gather(context.Background(), jobs...)
	cancelled := 0
	for i, r := range recs {
		want := sched.Started
		if won[i] {
			want = sched.Cancelled
			cancelled++
		}
		if r.State != want {
			t.Fatalf("job %d: Cancel returned %v but the job is %v", i, won[i], r.State)
		}
	}
	c := s.Counts()
	if c.Cancelled != cancelled || c.Started != n-cancelled || c.Total() != n {
		t.Errorf("Counts() = %+v, want %d cancelled and %d started", c, cancelled, n-cancelled)
	}
	t.Logf("%d of %d cancels won the race", cancelled, n)
}

func TestRunWaitsForTheStart(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		before := time.Now()
		r, err := s.Run(context.Background(), 3*time.Second)
		if err != nil || !r.Valid() || r.State != sched.Started {
			t.Fatalf("Run = %+v, %v; want a valid started record", r, err)
		}
		if got := time.Since(before); got != 3*time.Second {
			t.Errorf("Run returned after %v, want 3s", got)
		}
	})
}

func TestRunCancelsWhenItsContextEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		r, err := s.Run(ctx, time.Hour)
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run error = %v, want ErrCancelled wrapping DeadlineExceeded", err)
		}
		if r.State != sched.Cancelled {
			t.Errorf("state = %v, want cancelled", r.State)
		}
		if c := s.Counts(); c.Queued != 0 || c.Cancelled != 1 {
			t.Errorf("Counts() = %+v, want the job cancelled, nothing queued", c)
		}
	})
}

func TestWaitReturnsWhenItsContextEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := j.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait error = %v, want DeadlineExceeded", err)
		}
		if j.State() != sched.Queued {
			t.Fatalf("state = %v: Wait's context must not touch the job", j.State())
		}
		r, err := j.Wait(context.Background())
		if err != nil || !r.Valid() {
			t.Errorf("second Wait = %+v, %v; want the job started", r, err)
		}
	})
}

func TestBadInputQueuesNothing(t *testing.T) {
	var nilCtx context.Context
	tests := []struct {
		name string
		call func(s *sched.Scheduler) error
		want error
	}{
		{"negative delay", func(s *sched.Scheduler) error { _, err := s.Submit(-time.Nanosecond); return err }, sched.ErrBadDelay},
		{"negative batch delay", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(3, -time.Second); return err }, sched.ErrBadDelay},
		{"empty batch", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(0, time.Second); return err }, sched.ErrEmptyBatch},
		{"negative batch", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(-2, time.Second); return err }, sched.ErrEmptyBatch},
		{"run nil context", func(s *sched.Scheduler) error { _, err := s.Run(nilCtx, time.Second); return err }, sched.ErrNilContext},
		{"run negative delay", func(s *sched.Scheduler) error { _, err := s.Run(context.Background(), -1); return err }, sched.ErrBadDelay},
		{"gather nil context", func(s *sched.Scheduler) error { _, err := sched.Gather(nilCtx); return err }, sched.ErrNilContext},
		{"gather nothing", func(s *sched.Scheduler) error { _, err := sched.Gather(context.Background()); return err }, sched.ErrEmptyBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sched.Scheduler
			defer s.Close()
			err := tt.call(&s)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "sched: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
			if n := s.Counts().Total(); n != 0 {
				t.Errorf("%d jobs queued after bad input, want 0", n)
			}
		})
	}
	t.Run("gather a nil job", func(t *testing.T) {
		if _, err := sched.Gather(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("Gather(ctx, nil) error = %v, want one naming the nil job", err)
		}
	})
	t.Run("wait with nil context", func(t *testing.T) {
		bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
			j := mustSubmit(t, s, time.Second)
			if _, err := j.Wait(nilCtx); !errors.Is(err, sched.ErrNilContext) {
				t.Errorf("Wait(nil) error = %v, want ErrNilContext", err)
			}
		})
	})
}

func TestGatherReturnsRecordsInInputOrder(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		// Later jobs start first, so that order of starting is not order of input.
		var jobs []*sched.Job
		for i := range 10 {
			jobs = append(jobs, mustSubmit(t, s, time.Duration(10-i)*time.Millisecond))
		}
		recs, err := sched.Gather(context.Background(), jobs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(jobs) {
			t.Fatalf("%d records for %d jobs", len(recs), len(jobs))
		}
		for i, r := range recs {
			if r.ID != jobs[i].ID() || !r.Valid() || r.Delay != time.Duration(10-i)*time.Millisecond {
				t.Errorf("record %d = %+v, want job %s's, valid", i, r, jobs[i].ID())
			}
		}
		if recs[0].StartedAt.Before(recs[9].StartedAt) {
			t.Error("the first job started before the last: the test does not test order")
		}
	})
}

func TestGatherReportsEachJobThatDidNotStart(t *testing.T) {
	boom := errors.New("no resources")
	var fail atomic.Value // id of the job whose start fails
	s := &sched.Scheduler{Start: func(_ context.Context, r sched.Record) error {
		if r.ID == fail.Load() {
			return boom
		}
		return nil
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		jobs, err := s.SubmitBatch(5, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		fail.Store(jobs[3].ID())
		jobs[1].Cancel(nil)
		recs, err := sched.Gather(context.Background(), jobs...)
		var be *sched.BatchError
		if !errors.As(err, &be) || len(be.Errs) != 5 {
			t.Fatalf("Gather error = %v, want a *BatchError with 5 slots", err)
		}
		for i, want := range []error{nil, sched.ErrCancelled, nil, sched.ErrFailed, nil} {
			if got := be.Errs[i]; (want == nil) != (got == nil) || (want != nil && !errors.Is(got, want)) {
				t.Errorf("Errs[%d] = %v, want %v", i, got, want)
			}
			if got := recs[i].Valid(); got != (want == nil) {
				t.Errorf("record %d valid = %v", i, got)
			}
		}
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, sched.ErrFailed) || !errors.Is(err, boom) {
			t.Errorf("errors.Is misses a job's error in %v", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "2 of 5 jobs did not start") || !strings.Contains(msg, "no resources") {
			t.Errorf("message %q does not say what went wrong", msg)
		}
	})
}

func TestGatherContextCancelsTheJobsStillWaiting(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		fast := mustSubmit(t, s, time.Millisecond)
		slow, err := s.SubmitBatch(4, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		jobs := append([]*sched.Job{fast}, slow...)
		recs, err := sched.Gather(ctx, jobs...)
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Gather error = %v, want cancellations caused by the deadline", err)
		}
		if !recs[0].Valid() {
			t.Errorf("the 1ms job: %+v, want started", recs[0])
		}
		for i, r := range recs[1:] {
			if r.State != sched.Cancelled {
				t.Errorf("slow job %d is %v, want cancelled", i, r.State)
			}
		}
		if c := s.Counts(); c.Queued != 0 {
			t.Errorf("%d jobs still queued after Gather's context ended", c.Queued)
		}
	})
}

func TestStartFunctionErrorFailsTheJob(t *testing.T) {
	boom := errors.New("quota exceeded")
	s := &sched.Scheduler{Start: func(context.Context, sched.Record) error { return boom }}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		r, err := s.Run(context.Background(), time.Second)
		if !errors.Is(err, sched.ErrFailed) || !errors.Is(err, boom) || errors.Is(err, sched.ErrCancelled) {
			t.Fatalf("Run error = %v, want ErrFailed wrapping the start's error", err)
		}
		if r.State != sched.Failed || r.Valid() || r.DoneAt.IsZero() {
			t.Errorf("record = %+v, want failed, not valid, with DoneAt", r)
		}
		if !strings.Contains(err.Error(), "failed to start: quota exceeded") {
			t.Errorf("message = %q", err)
		}
	})
}

func TestStartPanicFailsTheJobAndTheSchedulerGoesOn(t *testing.T) {
	var calls atomic.Int32
	s := &sched.Scheduler{Start: func(context.Context, sched.Record) error {
		if calls.Add(1) == 1 {
			panic("driver exploded")
		}
		return nil
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		_, err := s.Run(context.Background(), time.Second)
		var pe *sched.PanicError
		if !errors.Is(err, sched.ErrFailed) || !errors.As(err, &pe) || pe.Value != "driver exploded" {
			t.Fatalf("Run error = %v, want ErrFailed with a *PanicError", err)
		}
		if !strings.Contains(string(pe.Stack), "TestStartPanic") {
			t.Errorf("panic stack does not show where it panicked:\n%s", pe.Stack)
		}
		if r, err := s.Run(context.Background(), time.Second); err != nil || !r.Valid() {
			t.Errorf("the next job: %+v, %v; want started", r, err)
		}
	})
}

func TestStartingJobCannotBeCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Made in the bubble, so that a start blocked on it is durably blocked.
		release := make(chan struct{})
		s := &sched.Scheduler{Start: func(context.Context, sched.Record) error { <-release; return nil }}
		defer s.Close()
		sub := s.Subscribe()
		defer sub.Close()
		j := mustSubmit(t, s, time.Second)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := j.State(); got != sched.Starting {
			t.Fatalf("state while Start runs = %v, want starting", got)
		}
		if c := s.Counts(); c.Starting != 1 {
			t.Errorf("Counts().Starting = %d, want 1", c.Starting)
		}
		if j.Cancel(nil) || s.CancelAll(nil) != 0 {
			t.Fatal("a starting job was cancelled")
		}
		close(release)
		if r, err := j.Wait(context.Background()); err != nil || !r.Valid() {
			t.Fatalf("Wait = %+v, %v; want started", r, err)
		}
		var states []sched.State
		for _, e := range sub.Drain(nil) {
			states = append(states, e.Record.State)
		}
		if want := []sched.State{sched.Queued, sched.Starting, sched.Started}; !equal(states, want) {
			t.Errorf("events = %v, want %v", states, want)
		}
	})
}

func TestLimitCapsConcurrentStarts(t *testing.T) {
	var running, most atomic.Int32
	s := &sched.Scheduler{Limit: 2, Start: func(context.Context, sched.Record) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Second) // virtual: each start takes a second
		running.Add(-1)
		return nil
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		jobs, err := s.SubmitBatch(10, 0)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		// Two start at once; the other eight wait for a slot, still cancellable.
		if c := s.Counts(); c.Starting != 2 || c.Queued != 8 {
			t.Fatalf("Counts() = %+v, want 2 starting and 8 queued", c)
		}
		// Timers due at the same instant fire in any order: find one waiting.
		var waiting *sched.Job
		for _, j := range jobs {
			if j.State() == sched.Queued {
				waiting = j
				break
			}
		}
		if !waiting.Cancel(nil) {
			t.Fatal("a job waiting for a slot could not be cancelled")
		}
		before := time.Now()
		recs, err := sched.Gather(context.Background(), jobs...)
		if !errors.Is(err, sched.ErrCancelled) {
			t.Fatalf("Gather error = %v, want the one cancellation", err)
		}
		if most.Load() != 2 {
			t.Errorf("at most %d starts at once, want 2", most.Load())
		}
		// Nine starts of a second each, two at a time: five seconds.
		if got := time.Since(before); got != 5*time.Second {
			t.Errorf("nine starts took %v, want 5s", got)
		}
		for i, r := range recs {
			if want := jobs[i] != waiting; r.Valid() != want {
				t.Errorf("job %d: %+v, valid = %v, want %v", i, r, r.Valid(), want)
			}
		}
	})
}

func TestCancelAllCancelsOnlyWaitingJobs(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		done := mustSubmit(t, s, time.Millisecond)
		waiting, err := s.SubmitBatch(5, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		cause := errors.New("reset")
		if n := s.CancelAll(cause); n != 5 {
			t.Fatalf("CancelAll = %d, want 5", n)
		}
		if n := s.CancelAll(cause); n != 0 {
			t.Errorf("second CancelAll = %d, want 0", n)
		}
		for _, j := range waiting {
			if err := j.Err(); !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, cause) {
				t.Errorf("job error = %v, want cancelled by reset", err)
			}
		}
		if done.State() != sched.Started {
			t.Errorf("a started job became %v", done.State())
		}
		want := sched.Counts{Started: 1, Cancelled: 5}
		if c := s.Counts(); c != want {
			t.Errorf("Counts() = %+v, want %+v", c, want)
		}
	})
}

func TestClosedSchedulerRefusesJobs(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Hour)
		if err := s.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}
		if err := j.Err(); !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, sched.ErrClosed) {
			t.Errorf("waiting job's error = %v, want cancelled by ErrClosed", err)
		}
		if _, err := s.Submit(time.Second); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("Submit after Close = %v, want ErrClosed", err)
		}
		if _, err := s.SubmitBatch(3, time.Second); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("SubmitBatch after Close = %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

func TestCloseCancelsStartContextAndWaitsForStarts(t *testing.T) {
	var sawCancel atomic.Bool
	s := &sched.Scheduler{Start: func(ctx context.Context, _ sched.Record) error {
		<-ctx.Done()
		sawCancel.Store(true)
		return ctx.Err()
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, 0)
		synctest.Wait()
		s.Close()
		if !sawCancel.Load() {
			t.Fatal("Close returned before the start in progress ended")
		}
		if err := j.Err(); !errors.Is(err, sched.ErrFailed) || !errors.Is(err, context.Canceled) {
			t.Errorf("job error = %v, want failed with context.Canceled", err)
		}
	})
}

func TestZeroSchedulerIsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		if got := s.Counts(); got != (sched.Counts{}) {
			t.Errorf("zero Counts() = %+v", got)
		}
		r, err := s.Run(context.Background(), time.Millisecond)
		if err != nil || !r.Valid() {
			t.Fatalf("Run on a zero Scheduler = %+v, %v", r, err)
		}
		s.Close()
	})
	var never sched.Scheduler
	if err := never.Close(); err != nil {
		t.Errorf("Close of an unused Scheduler = %v", err)
	}
}

func TestSubscriptionSeesEveryChangeInOrder(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		a := mustSubmit(t, s, time.Second)
		b := mustSubmit(t, s, time.Hour)
		b.Cancel(nil)
		time.Sleep(time.Second)
		synctest.Wait()
		select {
		case <-sub.Ready():
		default:
			t.Fatal("Ready() did not signal pending events")
		}
		select {
		case <-sub.Ready():
			t.Fatal("Ready() signalled twice for one batch of events: not coalesced")
		default:
		}
		var got []string
		for _, e := range sub.Drain(nil) {
			if e.Job.ID() != e.Record.ID {
				t.Errorf("event's job %s and record %s differ", e.Job.ID(), e.Record.ID)
			}
			got = append(got, e.Record.ID[:4]+" "+e.Record.State.String())
		}
		want := []string{
			a.ID()[:4] + " queued", b.ID()[:4] + " queued", b.ID()[:4] + " cancelled", a.ID()[:4] + " started",
		}
		if !equal(got, want) {
			t.Errorf("events = %v, want %v", got, want)
		}
		if rest := sub.Drain(nil); len(rest) != 0 {
			t.Errorf("second Drain = %d events, want 0", len(rest))
		}
		sub.Close()
		sub.Close()
		if _, open := <-sub.Ready(); open {
			t.Error("Ready() still open after Close")
		}
		mustSubmit(t, s, time.Second)
		if rest := sub.Drain(nil); len(rest) != 0 {
			t.Errorf("closed subscription got %d events", len(rest))
		}
	})
}

func TestSlowSubscriberDoesNotBlockTheScheduler(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe() // never drained until the end
		defer sub.Close()
		jobs, err := s.SubmitBatch(10000, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sched.Gather(context.Background(), jobs...); err != nil {
			t.Fatal(err)
		}
		if n := len(sub.Drain(nil)); n != 20000 {
			t.Errorf("drained %d events, want 20000: none lost", n)
		}
	})
}

// TestWaitingJobsHoldNoGoroutines checks the design rule on the real clock:
// a waiting job is a timer, and a goroutine exists only while starting.
func TestWaitingJobsHoldNoGoroutines(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	before := runtime.NumGoroutine()
	if _, err := s.SubmitBatch(10000, time.Hour); err != nil {
		t.Fatal(err)
	}
	if grew := runtime.NumGoroutine() - before; grew > 5 {
		t.Errorf("10000 waiting jobs added %d goroutines", grew)
	}
	if n := s.CancelAll(nil); n != 10000 {
		t.Errorf("CancelAll = %d, want 10000", n)
	}
}

// TestCancelledJobsAreFreed checks that cancelling lets the garbage collector
// take the jobs: no timer or list keeps them.
func TestCancelledJobsAreFreed(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	const n = 1000
	ptrs := make([]weak.Pointer[sched.Job], n)
	for i := range ptrs {
		j, err := s.Submit(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ptrs[i] = weak.Make(j)
	}
	s.CancelAll(nil)
	runtime.GC()
	runtime.GC()
	alive := 0
	for _, p := range ptrs {
		if p.Value() != nil {
			alive++
		}
	}
	if alive != 0 {
		t.Errorf("%d of %d cancelled jobs still reachable", alive, n)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHugeDelayDoesNotHoldUpOthers(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		soon := mustSubmit(t, s, time.Second)
		never := mustSubmit(t, s, math.MaxInt64) // would wrap to the past if added naively
		later := mustSubmit(t, s, 0)
		time.Sleep(time.Hour)
		synctest.Wait()
		if soon.State() != sched.Started || later.State() != sched.Started {
			t.Fatalf("jobs behind a MaxInt64 delay: %v and %v, want started", soon.State(), later.State())
		}
		if never.State() != sched.Queued {
			t.Fatalf("the MaxInt64 job is %v, want queued", never.State())
		}
	})
}

// TestBatchIsAllOrNone races Close against a big batch: either the batch
// was queued whole (and Close cancelled what had not started), or it was
// refused and nothing of it exists.
func TestBatchIsAllOrNone(t *testing.T) {
	for range 20 {
		var s sched.Scheduler
		var wg sync.WaitGroup
		wg.Go(func() { s.Close() })
		jobs, err := s.SubmitBatch(20000, 0)
		wg.Wait()
		c := s.Counts()
		switch {
		case err == nil:
			if len(jobs) != 20000 || c.Total() != 20000 || c.Queued != 0 {
				t.Fatalf("batch queued: %d handles, counts %+v; want all 20000, none left queued", len(jobs), c)
			}
		case errors.Is(err, sched.ErrClosed):
			if jobs != nil || c.Total() != 0 {
				t.Fatalf("batch refused, yet %d handles and counts %+v", len(jobs), c)
			}
		default:
			t.Fatalf("SubmitBatch: %v", err)
		}
	}
}

func TestStartThatExitsItsGoroutineFailsTheJob(t *testing.T) {
	var calls atomic.Int32
	s := &sched.Scheduler{Limit: 1, Start: func(context.Context, sched.Record) error {
		if calls.Add(1) == 1 {
			runtime.Goexit() // as t.FailNow would
		}
		return nil
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		jobs, err := s.SubmitBatch(2, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := sched.Gather(context.Background(), jobs...)
		var be *sched.BatchError
		if !errors.As(err, &be) || !errors.Is(be.Errs[0], sched.ErrFailed) || be.Errs[1] != nil {
			t.Fatalf("Gather error = %v, want the first job failed, the second started", err)
		}
		if !strings.Contains(be.Errs[0].Error(), "Goexit") {
			t.Errorf("error %q does not say what happened", be.Errs[0])
		}
		if !recs[1].Valid() {
			t.Errorf("the job after it: %+v, want started in the freed slot", recs[1])
		}
	})
}
