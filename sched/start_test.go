package sched_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestStartFunctionErrorFailsTheJob(t *testing.T) {
	boom := errors.New("quota exceeded")
	s := &sched.Scheduler{Start: func(context.Context, sched.Record) error { return boom }}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		r, err := s.Run(context.Background(), time.Second)
		if !errors.Is(err, sched.ErrFailed) || !errors.Is(err, boom) || errors.Is(err, sched.ErrCancelled) {
			t.Fatalf("Run error = %v, want ErrFailed wrapping the start's error", err)
		}
		if r.State != sched.Failed || r.Valid() || r.DoneAt.IsZero() || r.ReadyAt.IsZero() {
			t.Errorf("record = %+v, want failed, not valid, with ReadyAt and DoneAt", r)
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

// TestPanicMessagesLeaveTheirStacksOut: a batch of panics reads as one
// line a job, with each stack kept in its PanicError.
func TestPanicMessagesLeaveTheirStacksOut(t *testing.T) {
	s := &sched.Scheduler{Start: func(context.Context, sched.Record) error { panic("out of paper") }}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		_, err := sched.Gather(context.Background(), mustBatch(t, s, 5, time.Second)...)
		msg := err.Error()
		if strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") || strings.Contains(msg, "\n") {
			t.Errorf("message carries a stack:\n%s", msg)
		}
		if !strings.Contains(msg, "5 of 5 jobs did not start") || !strings.Contains(msg, "start function panicked: out of paper") {
			t.Errorf("message = %q, want it to say what panicked", msg)
		}
		var pe *sched.PanicError
		if !errors.As(err, &pe) || len(pe.Stack) == 0 {
			t.Errorf("no stack kept in %#v", pe)
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
		if got, want := states(sub.Drain(nil)), []sched.State{sched.Queued, sched.Starting, sched.Started}; !slices.Equal(got, want) {
			t.Errorf("events = %v, want %v", got, want)
		}
	})
}

// TestLatenessLeavesOutTheStart: a start that takes a second makes the
// job's wait a second longer, not its timer's lateness.
func TestLatenessLeavesOutTheStart(t *testing.T) {
	s := &sched.Scheduler{Start: func(context.Context, sched.Record) error { time.Sleep(time.Second); return nil }}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		r, err := s.Run(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if r.Lateness() != 0 || r.StartedAt.Sub(r.ReadyAt) != time.Second || r.Waited() != time.Minute+time.Second {
			t.Errorf("lateness %v, start %v, waited %v; want 0, 1s, 1m1s", r.Lateness(), r.StartedAt.Sub(r.ReadyAt), r.Waited())
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
		jobs := mustBatch(t, s, 10, 0)
		synctest.Wait()
		// Two start at once, the first two; the other eight wait for a
		// slot, still cancellable.
		if c := s.Counts(); c.Starting != 2 || c.Queued != 8 {
			t.Fatalf("Counts() = %+v, want 2 starting and 8 queued", c)
		}
		if jobs[0].State() != sched.Starting || jobs[1].State() != sched.Starting {
			t.Fatalf("jobs 0 and 1 are %v and %v, want starting: submission order", jobs[0].State(), jobs[1].State())
		}
		waiting := jobs[5]
		if !waiting.Cancel(nil) {
			t.Fatal("a job waiting for a slot could not be cancelled")
		}
		if r := waiting.Record(); r.ReadyAt.IsZero() || !r.StartedAt.IsZero() {
			t.Errorf("job cancelled in the slot queue: %+v, want ReadyAt set: its delay had ended", r)
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

// TestJobsDueTogetherStartInSubmissionOrder mixes singles and batches
// submitted at different times but due at the same instant: their starts
// begin in the order they were submitted, and under Limit 1 are called in
// it.
func TestJobsDueTogetherStartInSubmissionOrder(t *testing.T) {
	for _, limit := range []int{0, 1} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			var mu sync.Mutex
			var calls []string
			s, clock := fake(t, &sched.Scheduler{Limit: limit, Start: func(_ context.Context, r sched.Record) error {
				mu.Lock()
				calls = append(calls, r.ID)
				mu.Unlock()
				return nil
			}})
			sub := s.Subscribe()
			defer sub.Close()
			var jobs []*sched.Job
			var want []string
			add := func(js ...*sched.Job) {
				for _, j := range js {
					jobs = append(jobs, j)
					want = append(want, j.ID())
				}
			}
			add(mustSubmit(t, s, 3*time.Second))
			add(mustBatch(t, s, 3, 3*time.Second)...)
			clock.Advance(time.Second)
			add(mustSubmit(t, s, 2*time.Second))
			clock.Advance(time.Second)
			add(mustBatch(t, s, 300, time.Second)...) // more than a chunk
			add(mustSubmit(t, s, time.Second))
			if _, ok := stepTo(s, clock); !ok {
				t.Fatal("nothing due")
			}
			recs, err := sched.Gather(context.Background(), jobs...)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(want) {
				t.Fatalf("%d jobs started, want %d", len(recs), len(want))
			}
			var began []string
			for _, e := range sub.Drain(nil) {
				if e.Record.State == sched.Starting {
					began = append(began, eventIDs(e)...)
				}
			}
			if !slices.Equal(began, want) {
				t.Errorf("starts began in another order than submission")
			}
			if limit == 1 && !slices.Equal(calls, want) {
				t.Errorf("under Limit 1, starts were called in another order than submission")
			}
		})
	}
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

// TestRunInsideStartUnderLimitOneWaitsForClose: the start holds the only
// slot, so the job it waits for cannot start until Close cancels it.
func TestRunInsideStartUnderLimitOneWaitsForClose(t *testing.T) {
	var inner error
	s := &sched.Scheduler{Limit: 1}
	s.Start = func(ctx context.Context, r sched.Record) error {
		if r.Delay == time.Second {
			_, inner = s.Run(ctx, time.Millisecond)
		}
		return nil
	}
	synctest.Test(t, func(t *testing.T) {
		outer := mustSubmit(t, s, time.Second)
		time.Sleep(time.Hour)
		synctest.Wait()
		if c := s.Counts(); c.Starting != 1 || c.Queued != 1 {
			t.Fatalf("after an hour: %+v, want the outer start still waiting for the inner job", c)
		}
		s.Close()
		if !errors.Is(inner, sched.ErrCancelled) || !errors.Is(inner, sched.ErrClosed) {
			t.Errorf("inner Run = %v, want cancelled by Close", inner)
		}
		if outer.State() != sched.Started {
			t.Errorf("outer job %v, want started once Close freed it", outer.State())
		}
	})
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
		recs, err := sched.Gather(context.Background(), mustBatch(t, s, 2, time.Second)...)
		var be *sched.BatchError
		if !errors.As(err, &be) || !errors.Is(be.Errs[0], sched.ErrFailed) || be.Errs[1] != nil {
			t.Fatalf("Gather error = %v, want the first job failed, the second started", err)
		}
		if !errors.Is(be.Errs[0], sched.ErrGoexit) {
			t.Errorf("error %q does not match ErrGoexit", be.Errs[0])
		}
		if !recs[1].Valid() {
			t.Errorf("the job after it: %+v, want started in the freed slot", recs[1])
		}
	})
}
