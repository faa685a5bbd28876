package sched_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/wasmsched/wasmsched/sched"
)

var errRefused = errors.New("refused")

// failing returns a start function that fails the jobs whose ids are set
// in fail, and takes hold of the clock for the delay in take, if any.
func failing(fail *sync.Map, take time.Duration) func(context.Context, sched.Record) error {
	return func(ctx context.Context, r sched.Record) error {
		if _, ok := fail.Load(r.ID); ok {
			return errRefused
		}
		if take > 0 {
			select {
			case <-clockwork.FromContext(ctx).After(take):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
}

// finalOnce checks that every job ended in exactly one final state, by the
// events of sub, and by the counts.
func finalOnce(t *testing.T, s *sched.Scheduler, sub *sched.Subscription, jobs []*sched.Job) {
	t.Helper()
	s.Close()
	final := map[*sched.Job]int{}
	for range sub.Ready() {
		for _, e := range sub.Drain(nil) {
			if !e.Record.State.Final() {
				continue
			}
			if e.Jobs() == nil {
				final[e.Job]++
			}
			for _, j := range e.Jobs() {
				final[j]++
			}
		}
	}
	for i, j := range jobs {
		if final[j] != 1 {
			t.Errorf("job %d reached %d final states", i, final[j])
		}
	}
	if c := s.Counts(); c.Queued != 0 || c.Starting != 0 || c.Started+c.Cancelled+c.Failed != c.Total() {
		t.Errorf("counts %+v", c)
	}
}

func stateList(jobs []*sched.Job) []sched.State {
	var out []sched.State
	for _, j := range jobs {
		out = append(out, j.State())
	}
	return out
}

func sameStates(got []sched.State, want ...sched.State) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestGroupFailureCancelsTheQueued: without Limit, the failure cancels the
// jobs in their delay, with a cause that names it, and Group's error holds
// the failure first.
func TestGroupFailureCancelsTheQueued(t *testing.T) {
	var fail sync.Map
	bubble(t, &sched.Scheduler{Start: failing(&fail, 0)}, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		first := mustSubmit(t, s, time.Millisecond)
		bad := mustSubmit(t, s, 10*time.Millisecond)
		rest := mustBatch(t, s, 4, time.Second)
		fail.Store(bad.ID(), true)
		jobs := append([]*sched.Job{first, bad}, rest...)

		began := time.Now()
		recs, err := sched.Group(context.Background(), jobs...)
		if took := time.Since(began); took != 10*time.Millisecond {
			t.Errorf("Group took %v, want the 10ms until the failure", took)
		}
		C, F, S := sched.Cancelled, sched.Failed, sched.Started
		if got := stateList(jobs); !sameStates(got, S, F, C, C, C, C) {
			t.Errorf("states %v", got)
		}
		be, ok := errors.AsType[*sched.BatchError](err)
		if !ok || len(be.Errs) != 6 || be.Errs[0] != nil {
			t.Fatalf("Group: %v, want a *BatchError of 6", err)
		}
		if be.Failure != be.Errs[1] || !errors.Is(be.Failure, sched.ErrFailed) || !errors.Is(be.Failure, errRefused) {
			t.Errorf("Failure = %v, want the failed job's error", be.Failure)
		}
		if u := be.Unwrap(); len(u) != 5 || u[0] != be.Failure {
			t.Errorf("Unwrap = %v, want the failure first, and the four cancelled", u)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "sched: job "+bad.ID()+" failed to start: refused; 5 of 6 jobs did not start; [2] ") {
			t.Errorf("message %q, want the failure first", msg)
		}
		for i, r := range recs[2:] {
			gf, ok := errors.AsType[*sched.GroupFailure](r.Err)
			if !cancelledBy(r.Err, errRefused) || !ok || gf.ID != bad.ID() {
				t.Errorf("cancelled job %d: %v", i, r.Err)
			}
			want := "sched: job " + r.ID + " cancelled: job " + bad.ID() + " of its group failed: refused"
			if r.Err.Error() != want {
				t.Errorf("message %q, want %q", r.Err, want)
			}
			if !r.DoneAt.Equal(recs[1].DoneAt) {
				t.Errorf("cancelled at %v, the failure at %v", r.DoneAt, recs[1].DoneAt)
			}
		}
		// Counting failures as ExampleScheduler_Limit does counts one.
		failed := 0
		for _, e := range be.Errs {
			if errors.Is(e, sched.ErrFailed) {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%d errors match ErrFailed, want 1", failed)
		}
		finalOnce(t, s, sub, jobs)
	})
}

// TestGroupFailureHandsNoSlot: under Limit 1, six jobs due together: the
// first fails, and the five waiting for its slot are cancelled before any
// of them gets it.
func TestGroupFailureHandsNoSlot(t *testing.T) {
	run := func(t *testing.T, s *sched.Scheduler, fail *sync.Map, advance func()) {
		sub := s.Subscribe()
		jobs := mustBatch(t, s, 6, time.Second)
		fail.Store(jobs[0].ID(), true)
		// Bound before the clock moves, so that the failure finds them.
		stop, err := sched.CancelOnFailure(jobs...)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		done := make(chan struct{})
		go func() {
			_, err = sched.Group(context.Background(), jobs...)
			close(done)
		}()
		advance()
		<-done
		C := sched.Cancelled
		if got := stateList(jobs); !sameStates(got, sched.Failed, C, C, C, C, C) {
			t.Errorf("states %v", got)
		}
		if !errors.Is(err, sched.ErrFailed) || !errors.Is(err, errRefused) {
			t.Errorf("Group: %v", err)
		}
		s.Close()
		starting := 0
		for range sub.Ready() {
			for _, e := range sub.Drain(nil) {
				if e.Record.State == sched.Starting {
					starting += e.Len()
				}
			}
		}
		if starting != 1 {
			t.Errorf("%d jobs began their starts, want only the one that failed", starting)
		}
	}
	t.Run("synctest", func(t *testing.T) {
		var fail sync.Map
		bubble(t, &sched.Scheduler{Limit: 1, Start: failing(&fail, time.Millisecond)}, func(t *testing.T, s *sched.Scheduler) {
			run(t, s, &fail, func() {})
		})
	})
	t.Run("fakeclock", func(t *testing.T) {
		var fail sync.Map
		s, clock := fake(t, &sched.Scheduler{Limit: 1, Start: failing(&fail, time.Millisecond)})
		run(t, s, &fail, func() { stepTo(s, clock) })
	})
}

// TestGroupStartInProgressRunsOn: a job failing while another is Starting
// cancels the queued, and the one Starting ends Started.
func TestGroupStartInProgressRunsOn(t *testing.T) {
	for _, limit := range []int{0, 2} {
		var fail sync.Map
		s := &sched.Scheduler{Limit: limit, Start: failing(&fail, 5*time.Millisecond)}
		bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
			sub := s.Subscribe()
			slow := mustSubmit(t, s, time.Millisecond) // Starting from 1ms to 6ms
			bad := mustSubmit(t, s, 2*time.Millisecond)
			rest := mustBatch(t, s, 3, time.Hour)
			fail.Store(bad.ID(), true)
			jobs := append([]*sched.Job{slow, bad}, rest...)
			recs, err := sched.Group(context.Background(), jobs...)
			C := sched.Cancelled
			if got := stateList(jobs); !sameStates(got, sched.Started, sched.Failed, C, C, C) {
				t.Errorf("limit %d: states %v", limit, got)
			}
			if recs[0].StartedAt.Sub(recs[1].DoneAt) != 4*time.Millisecond {
				t.Errorf("limit %d: the slow start ended %v after the failure, want 4ms", limit, recs[0].StartedAt.Sub(recs[1].DoneAt))
			}
			if be, _ := errors.AsType[*sched.BatchError](err); be == nil || be.Failure == nil || be.Errs[0] != nil {
				t.Errorf("limit %d: Group: %v", limit, err)
			}
			finalOnce(t, s, sub, jobs)
		})
	}
}

// TestGroupContextEnds: the jobs still queued when ctx ends are cancelled
// with its cause; no failure, no Failure.
func TestGroupContextEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		jobs := append([]*sched.Job{mustSubmit(t, s, time.Millisecond)}, mustBatch(t, s, 3, time.Hour)...)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := sched.Group(ctx, jobs...)
		be, _ := errors.AsType[*sched.BatchError](err)
		if be == nil || be.Failure != nil || !cancelledBy(be.Errs[1], context.DeadlineExceeded) {
			t.Fatalf("Group: %v", err)
		}
		if !strings.HasPrefix(err.Error(), "sched: 3 of 4 jobs did not start; [1] ") {
			t.Errorf("message %q", err)
		}
		finalOnce(t, s, sub, jobs)
	})
}

// TestCancelOnFailureAlreadyFailed: binding a group with a failed job
// cancels the others at once.
func TestCancelOnFailureAlreadyFailed(t *testing.T) {
	var fail sync.Map
	bubble(t, &sched.Scheduler{Start: failing(&fail, 0)}, func(t *testing.T, s *sched.Scheduler) {
		bad := mustSubmit(t, s, time.Millisecond)
		fail.Store(bad.ID(), true)
		bad.Wait(context.Background())
		later := mustBatch(t, s, 2, time.Hour)
		stop, err := sched.CancelOnFailure(append(later, bad)...)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		for _, j := range later {
			if !cancelledBy(j.Err(), errRefused) {
				t.Errorf("once bound: %v", j.Err())
			}
		}
	})
}

// TestCancelOnFailureStop: a failure after stop cancels nothing; stop may
// be called twice; a job may be in two groups.
func TestCancelOnFailureStop(t *testing.T) {
	var fail sync.Map
	bubble(t, &sched.Scheduler{Start: failing(&fail, 0)}, func(t *testing.T, s *sched.Scheduler) {
		bad := mustSubmit(t, s, time.Millisecond)
		fail.Store(bad.ID(), true)
		kept, dropped := mustSubmit(t, s, time.Hour), mustSubmit(t, s, time.Hour)
		stop, err := sched.CancelOnFailure(bad, kept)
		if err != nil {
			t.Fatal(err)
		}
		stop2, err := sched.CancelOnFailure(dropped, bad)
		if err != nil {
			t.Fatal(err)
		}
		stop()
		stop()
		bad.Wait(context.Background())
		if kept.State() != sched.Queued || !cancelledBy(dropped.Err(), errRefused) {
			t.Errorf("kept %v, dropped %v", kept.State(), dropped.Err())
		}
		stop2()
	})
}

// TestGroupAcrossSchedulers: the failure in one scheduler cancels the jobs
// of the group in another.
func TestGroupAcrossSchedulers(t *testing.T) {
	var fail sync.Map
	bubble(t, &sched.Scheduler{Start: failing(&fail, 0)}, func(t *testing.T, s *sched.Scheduler) {
		var other sched.Scheduler
		defer other.Close()
		bad := mustSubmit(t, s, time.Millisecond)
		fail.Store(bad.ID(), true)
		jobs := []*sched.Job{mustSubmit(t, &other, time.Hour), bad, mustSubmit(t, s, time.Hour), mustSubmit(t, &other, time.Hour)}
		sched.Group(context.Background(), jobs...)
		C := sched.Cancelled
		if got := stateList(jobs); !sameStates(got, C, sched.Failed, C, C) {
			t.Errorf("states %v", got)
		}
		if !cancelledBy(jobs[0].Err(), errRefused) {
			t.Errorf("other scheduler's job: %v", jobs[0].Err())
		}
	})
}

func TestGroupBadInput(t *testing.T) {
	var nilCtx context.Context
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Second)
		if _, err := sched.Group(nilCtx, j); err != sched.ErrNilContext {
			t.Errorf("nil ctx: %v", err)
		}
		if _, err := sched.Group(context.Background()); err != sched.ErrEmptyBatch {
			t.Errorf("no jobs: %v", err)
		}
		if _, err := sched.Group(context.Background(), j, nil); !errors.Is(err, sched.ErrNilJob) || !strings.Contains(err.Error(), "Group's job 1") {
			t.Errorf("nil job: %v", err)
		}
		if stop, err := sched.CancelOnFailure(); err != sched.ErrEmptyBatch || stop != nil {
			t.Errorf("CancelOnFailure(): %v", err)
		}
		if _, err := sched.CancelOnFailure(nil, j); !errors.Is(err, sched.ErrNilJob) || !strings.Contains(err.Error(), "CancelOnFailure's job 0") {
			t.Errorf("CancelOnFailure(nil, j): %v", err)
		}
		if j.State() != sched.Queued {
			t.Errorf("the job is %v after refused calls", j.State())
		}
	})
}

// TestGroupFakeClock: stepped through its due times, the failure at 2s
// cancels the job due at 3s, at 2s.
func TestGroupFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fail sync.Map
		s, clock := fake(t, &sched.Scheduler{Start: failing(&fail, 0)})
		jobs := []*sched.Job{mustSubmit(t, s, time.Second), mustSubmit(t, s, 2*time.Second), mustSubmit(t, s, 3*time.Second)}
		fail.Store(jobs[1].ID(), true)
		done := make(chan error)
		go func() {
			_, err := sched.Group(context.Background(), jobs...)
			done <- err
		}()
		for {
			if _, ok := stepTo(s, clock); !ok {
				break
			}
			synctest.Wait() // the starts ended
		}
		if err := <-done; !errors.Is(err, errRefused) {
			t.Errorf("Group: %v", err)
		}
		r := jobs[2].Record()
		if r.State != sched.Cancelled || !r.DoneAt.Equal(epoch.Add(2*time.Second)) {
			t.Errorf("last job %v at %v, want cancelled at 2s", r.State, r.DoneAt)
		}
	})
}
