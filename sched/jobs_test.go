package sched_test

import (
	"context"
	"errors"
	"io"
	"math"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"
	"weak"

	"github.com/wasmsched/wasmsched/sched"
)

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
		if r.Waited() != delay || r.Lateness() != 0 {
			t.Errorf("Waited() = %v, Lateness() = %v; want %v, 0 in virtual time", r.Waited(), r.Lateness(), delay)
		}
		if !r.DoneAt.Equal(r.StartedAt) || !r.ReadyAt.Equal(r.StartedAt) {
			t.Errorf("ReadyAt %v, DoneAt %v: want both at StartedAt %v without a start function", r.ReadyAt, r.DoneAt, r.StartedAt)
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
		jobs := append(mustBatch(t, s, 1000, time.Second), mustSubmit(t, s, time.Second))
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
		if !r.StartedAt.IsZero() || !r.ReadyAt.IsZero() || r.Valid() {
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

func TestCancelledJobOfABatchNeverStarts(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		jobs := mustBatch(t, s, 5, time.Second)
		jobs[0].Cancel(nil)
		jobs[3].Cancel(nil)
		time.Sleep(time.Second)
		synctest.Wait()
		for i, j := range jobs {
			want := sched.Started
			if i == 0 || i == 3 {
				want = sched.Cancelled
			}
			if got := j.State(); got != want {
				t.Errorf("job %d is %v, want %v", i, got, want)
			}
		}
		// A batch whose jobs are all cancelled leaves the queue.
		rest := mustBatch(t, s, 3, time.Hour)
		for _, j := range rest {
			j.Cancel(nil)
		}
		if next, ok := s.NextDue(); ok {
			t.Errorf("NextDue() = %v after every waiting job was cancelled, want none", next)
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
	jobs := append(mustBatch(t, &s, n/2, 0), mustBatch(t, &s, n/2, 0)...)
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

// TestRunWithEndedContextQueuesNothing: a Run whose context has already
// ended must not queue a job, tell observers, or call Start, on the real
// clock where a zero-delay job could otherwise start before Run looks.
func TestRunWithEndedContextQueuesNothing(t *testing.T) {
	var starts atomic.Int32
	s := sched.Scheduler{Start: func(context.Context, sched.Record) error { starts.Add(1); return nil }}
	defer s.Close()
	sub := s.Subscribe()
	defer sub.Close()
	cause := errors.New("page closed")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	for range 2000 {
		r, err := s.Run(ctx, 0)
		if err != cause || r != (sched.Record{}) {
			t.Fatalf("Run with an ended context = %+v, %v; want no record and the context's cause", r, err)
		}
	}
	if n := starts.Load(); n != 0 {
		t.Errorf("Start was called %d times", n)
	}
	if c := s.Counts(); c.Total() != 0 {
		t.Errorf("Counts() = %+v, want nothing queued", c)
	}
	if evs := sub.Drain(nil); len(evs) != 0 {
		t.Errorf("%d events, want none", len(evs))
	}
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

// TestWaitOnAFinalJobGivesItsOwnResult: with both the job and the context
// done, the job's result wins, every time.
func TestWaitOnAFinalJobGivesItsOwnResult(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		started := mustSubmit(t, s, 0)
		cancelled := mustSubmit(t, s, time.Hour)
		cancelled.Cancel(nil)
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for range 200 {
			if r, err := started.Wait(ctx); err != nil || r.State != sched.Started {
				t.Fatalf("Wait on a started job with an ended context = %v, %v; want started, nil", r.State, err)
			}
			if _, err := cancelled.Wait(ctx); !errors.Is(err, sched.ErrCancelled) {
				t.Fatalf("Wait on a cancelled job with an ended context = %v, want ErrCancelled", err)
			}
		}
	})
}

func TestBadInputQueuesNothing(t *testing.T) {
	var nilCtx context.Context
	noEntropy := errors.New("no entropy")
	tests := []struct {
		name string
		call func(s *sched.Scheduler) error
		want error
	}{
		{"negative delay", func(s *sched.Scheduler) error { _, err := s.Submit(-time.Nanosecond); return err }, sched.ErrBadDelay},
		{"negative batch delay", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(3, -time.Second); return err }, sched.ErrBadDelay},
		{"empty batch", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(0, time.Second); return err }, sched.ErrEmptyBatch},
		{"negative batch", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(-2, time.Second); return err }, sched.ErrEmptyBatch},
		{"batch one too big", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(sched.MaxBatch+1, time.Second); return err }, sched.ErrBatchTooBig},
		{"batch of MaxInt", func(s *sched.Scheduler) error { _, err := s.SubmitBatch(math.MaxInt, time.Second); return err }, sched.ErrBatchTooBig},
		{"run nil context", func(s *sched.Scheduler) error { _, err := s.Run(nilCtx, time.Second); return err }, sched.ErrNilContext},
		{"run negative delay", func(s *sched.Scheduler) error { _, err := s.Run(context.Background(), -1); return err }, sched.ErrBadDelay},
		{"gather nil context", func(s *sched.Scheduler) error { _, err := sched.Gather(nilCtx); return err }, sched.ErrNilContext},
		{"gather nothing", func(s *sched.Scheduler) error { _, err := sched.Gather(context.Background()); return err }, sched.ErrEmptyBatch},
		{"gather a nil job", func(s *sched.Scheduler) error { _, err := sched.Gather(context.Background(), nil); return err }, sched.ErrNilJob},
		{"ids run out", func(s *sched.Scheduler) error {
			s.Rand = strings.NewReader("only 20 bytes here..")
			_, err := s.SubmitBatch(2, time.Second)
			return err
		}, io.ErrUnexpectedEOF},
		{"ids fail", func(s *sched.Scheduler) error {
			s.Rand = iotest.ErrReader(noEntropy)
			_, err := s.Submit(time.Second)
			return err
		}, noEntropy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sched.Scheduler
			defer s.Close()
			sub := s.Subscribe()
			defer sub.Close()
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
			if evs := sub.Drain(nil); len(evs) != 0 {
				t.Errorf("%d events after bad input, want 0", len(evs))
			}
		})
	}
	t.Run("wait with nil context", func(t *testing.T) {
		bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
			j := mustSubmit(t, s, time.Second)
			if _, err := j.Wait(nilCtx); !errors.Is(err, sched.ErrNilContext) {
				t.Errorf("Wait(nil) error = %v, want ErrNilContext", err)
			}
		})
	})
}

func TestCancelAllCancelsOnlyWaitingJobs(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		done := mustSubmit(t, s, time.Millisecond)
		waiting := append(mustBatch(t, s, 4, time.Hour), mustSubmit(t, s, time.Minute))
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

func TestZeroSchedulerIsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		if got := s.Counts(); got != (sched.Counts{}) {
			t.Errorf("zero Counts() = %+v", got)
		}
		if _, ok := s.NextDue(); ok {
			t.Error("zero NextDue() says a job is due")
		}
		<-s.Settled()
		if n := s.CancelAll(nil); n != 0 {
			t.Errorf("zero CancelAll() = %d", n)
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

// TestBatchIsAcceptedAtOneInstant runs on the real clock, where stamping
// job by job would give a big batch many queued times.
func TestBatchIsAcceptedAtOneInstant(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	jobs := mustBatch(t, &s, 50000, time.Millisecond)
	recs, err := sched.Gather(context.Background(), jobs...)
	if err != nil {
		t.Fatal(err)
	}
	q := recs[0].QueuedAt
	for i, r := range recs {
		if !r.QueuedAt.Equal(q) {
			t.Fatalf("job %d queued at %v, job 0 at %v: want one instant for the batch", i, r.QueuedAt, q)
		}
		if i > 0 && r.ReadyAt.Before(recs[i-1].ReadyAt) {
			t.Fatalf("job %d ready at %v, before job %d at %v: want submission order", i, r.ReadyAt, i-1, recs[i-1].ReadyAt)
		}
		if r.ReadyAt.Sub(q) < time.Millisecond {
			t.Fatalf("job %d ready %v after it was queued, before its delay", i, r.ReadyAt.Sub(q))
		}
	}
	last := recs[len(recs)-1]
	t.Logf("50,000 jobs at 1 ms: the first late by %v, the last by %v", recs[0].Lateness(), last.Lateness())
}

// TestWaitingJobsHoldNoGoroutines checks the design rule on the real clock:
// a waiting job is a timer, and a goroutine exists only while starting.
func TestWaitingJobsHoldNoGoroutines(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	before := runtime.NumGoroutine()
	mustBatch(t, &s, 10000, time.Hour)
	for range 1000 {
		mustSubmit(t, &s, time.Hour)
	}
	if grew := runtime.NumGoroutine() - before; grew > 5 {
		t.Errorf("11000 waiting jobs added %d goroutines", grew)
	}
	if n := s.CancelAll(nil); n != 11000 {
		t.Errorf("CancelAll = %d, want 11000", n)
	}
}

// TestCancelledJobsAreFreed checks that cancelling lets the garbage collector
// take the jobs: no timer or list keeps them.
func TestCancelledJobsAreFreed(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	const n = 1000
	ptrs := make([]weak.Pointer[sched.Job], 0, 2*n)
	for range n {
		ptrs = append(ptrs, weak.Make(mustSubmit(t, &s, time.Hour)))
	}
	for _, j := range mustBatch(t, &s, n, time.Hour) {
		ptrs = append(ptrs, weak.Make(j))
	}
	// One by one for the singles, all at once for the rest.
	for _, p := range ptrs[:n] {
		p.Value().Cancel(nil)
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
		t.Errorf("%d of %d cancelled jobs still reachable", alive, len(ptrs))
	}
}
