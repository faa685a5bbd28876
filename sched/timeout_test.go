package sched_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/internal/vclock"
	"github.com/wasmsched/wasmsched/sched"
)

// cancelledBy reports whether err is a cancellation caused by cause.
func cancelledBy(err, cause error) bool {
	return errors.Is(err, sched.ErrCancelled) && errors.Is(err, cause) && !errors.Is(err, sched.ErrFailed)
}

// TestDeadlineVirtualClockIsExact: on a clock that runs timer functions in
// its advance, the jobs still queued at the deadline are cancelled when the
// advance returns, at the deadline exactly, with no other synchronisation.
func TestDeadlineVirtualClockIsExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := vclock.New(epoch)
		s := &sched.Scheduler{Clock: clock}
		defer s.Close()
		deadline := epoch.Add(time.Second)
		ctx, cancel := s.WithDeadline(context.Background(), deadline)
		defer cancel()

		gathered := mustBatch(t, s, 3, time.Hour)
		grouped := mustBatch(t, s, 2, time.Hour)
		var runErr, gatherErr, groupErr error
		done := make(chan struct{}, 3)
		go func() { _, runErr = s.Run(ctx, time.Hour); done <- struct{}{} }()
		go func() { _, gatherErr = sched.Gather(ctx, gathered...); done <- struct{}{} }()
		go func() { _, groupErr = sched.Group(ctx, grouped...); done <- struct{}{} }()
		synctest.Wait() // each waits

		clock.AdvanceTo(deadline)
		if c := s.Counts(); c.Cancelled != 6 || c.Queued != 0 {
			t.Fatalf("counts once the advance returned: %+v, want 6 cancelled", c)
		}
		for _, j := range append(gathered, grouped...) {
			r := j.Record()
			if r.State != sched.Cancelled || !r.DoneAt.Equal(deadline) || !cancelledBy(r.Err, context.DeadlineExceeded) {
				t.Errorf("job %s: %v at %v, %v; want cancelled at the deadline by it", r.ID, r.State, r.DoneAt, r.Err)
			}
		}
		if ctx.Err() != context.DeadlineExceeded || context.Cause(ctx) != context.DeadlineExceeded {
			t.Errorf("ctx: Err %v, cause %v", ctx.Err(), context.Cause(ctx))
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("ctx.Deadline() = %v, %v", d, ok)
		}
		for range 3 {
			<-done
		}
		for name, err := range map[string]error{"Run": runErr, "Gather": gatherErr, "Group": groupErr} {
			if !cancelledBy(err, context.DeadlineExceeded) {
				t.Errorf("%s: %v, want the deadline's cancellation", name, err)
			}
		}
	})
}

// TestDeadlineFakeClockCancelsBeforeDone: clockwork's FakeClock runs timer
// functions on goroutines of their own; still, the job is cancelled before
// the context's Done closes, at the deadline.
func TestDeadlineFakeClockCancelsBeforeDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, clock := fake(t, nil)
		ctx, cancel := s.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		job := mustSubmit(t, s, time.Hour)
		derived, stop := context.WithCancel(ctx)
		defer stop()
		done := make(chan error)
		go func() {
			_, err := sched.Gather(derived, job)
			done <- err
		}()
		synctest.Wait()

		clock.Advance(time.Minute)
		<-derived.Done()
		r := job.Record()
		if r.State != sched.Cancelled || !r.DoneAt.Equal(epoch.Add(time.Minute)) {
			t.Errorf("once Done closed, the job is %v at %v; want cancelled at the deadline", r.State, r.DoneAt)
		}
		if err := <-done; !cancelledBy(err, context.DeadlineExceeded) {
			t.Errorf("Gather: %v", err)
		}
		// A child of the context reports what it would under
		// context.WithDeadline.
		if derived.Err() != context.DeadlineExceeded || context.Cause(derived) != context.DeadlineExceeded {
			t.Errorf("derived context: Err %v, cause %v", derived.Err(), context.Cause(derived))
		}
	})
}

// TestDeadlineRealClock: without a Clock the deadline is a timer of package
// time, here in a synctest bubble.
func TestDeadlineRealClock(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		ctx, cancel := s.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		began := time.Now()
		rec, err := s.Run(ctx, time.Hour)
		if !cancelledBy(err, context.DeadlineExceeded) || rec.State != sched.Cancelled {
			t.Fatalf("Run: %v, %v", rec.State, err)
		}
		if waited := rec.DoneAt.Sub(began); waited != 50*time.Millisecond {
			t.Errorf("cancelled after %v, want 50ms", waited)
		}
	})
}

// TestDeadlineJobStartsBefore: a job that starts before the deadline is
// not touched, and cancel stops the deadline's timer.
func TestDeadlineJobStartsBefore(t *testing.T) {
	clock := vclock.New(epoch)
	s := &sched.Scheduler{Clock: clock}
	defer s.Close()
	ctx, cancel := s.WithTimeout(context.Background(), time.Second)
	done := make(chan struct{})
	var rec sched.Record
	var err error
	go func() {
		rec, err = s.Run(ctx, time.Millisecond)
		close(done)
	}()
	clock.BlockUntilContext(context.Background(), 2) // the deadline and the job
	clock.AdvanceTo(epoch.Add(time.Millisecond))
	<-done
	if err != nil || rec.State != sched.Started || !rec.StartedAt.Equal(epoch.Add(time.Millisecond)) {
		t.Fatalf("Run: %v at %v, %v; want started at 1ms", rec.State, rec.StartedAt, err)
	}
	if n := clock.Len(); n != 1 {
		t.Errorf("%d timers pending, want the deadline's alone", n)
	}
	cancel()
	if n := clock.Len(); n != 0 {
		t.Errorf("%d timers pending after cancel, want none", n)
	}
	if ctx.Err() != context.Canceled || context.Cause(ctx) != context.Canceled {
		t.Errorf("after cancel: Err %v, cause %v", ctx.Err(), context.Cause(ctx))
	}
	cancel() // twice is harmless
	if c := s.Counts(); c.Started != 1 || c.Total() != 1 {
		t.Errorf("counts %+v, want one started", c)
	}
}

// TestDeadlineCancelEndsJobsAtOnce: cancel cancels the jobs waited for with
// the context, with context.Canceled, before it returns.
func TestDeadlineCancelEndsJobsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := fake(t, nil)
		ctx, cancel := s.WithTimeout(context.Background(), time.Hour)
		job := mustSubmit(t, s, time.Minute)
		done := make(chan error)
		go func() {
			_, err := job.Wait(context.Background())
			done <- err
		}()
		go func() {
			_, err := sched.Gather(ctx, job)
			done <- err
		}()
		synctest.Wait()
		cancel()
		if !cancelledBy(job.Err(), context.Canceled) {
			t.Errorf("once cancel returned, the job's error is %v", job.Err())
		}
		for range 2 {
			if err := <-done; !cancelledBy(err, context.Canceled) {
				t.Errorf("waiter: %v", err)
			}
		}
	})
}

type betweenKey struct{}

// TestDeadlineNested: an outer deadline ends an inner context (whose
// Deadline is the outer's) and its jobs in the same timer function; an
// inner deadline leaves the outer context alone.
func TestDeadlineNested(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := vclock.New(epoch)
		s := &sched.Scheduler{Clock: clock}
		defer s.Close()
		outer, cancelOuter := s.WithTimeout(context.Background(), time.Second)
		defer cancelOuter()
		between := context.WithValue(outer, betweenKey{}, "between")
		inner, cancelInner := s.WithTimeout(between, time.Hour)
		defer cancelInner()
		short, cancelShort := s.WithTimeout(outer, time.Millisecond)
		defer cancelShort()
		if d, _ := inner.Deadline(); !d.Equal(epoch.Add(time.Second)) {
			t.Errorf("inner deadline %v, want the outer's", d)
		}
		if inner.Value(betweenKey{}) != "between" {
			t.Error("the inner context lost a value of its parent")
		}
		jobs := mustBatch(t, s, 2, time.Hour)
		go sched.Gather(inner, jobs...)
		synctest.Wait()

		clock.AdvanceTo(epoch.Add(time.Millisecond))
		if short.Err() != context.DeadlineExceeded || outer.Err() != nil || inner.Err() != nil {
			t.Errorf("at 1ms: short %v, outer %v, inner %v", short.Err(), outer.Err(), inner.Err())
		}
		clock.AdvanceTo(epoch.Add(time.Second))
		if inner.Err() != context.DeadlineExceeded || context.Cause(inner) != context.DeadlineExceeded {
			t.Errorf("inner after the outer deadline: Err %v, cause %v", inner.Err(), context.Cause(inner))
		}
		for _, j := range jobs {
			if r := j.Record(); r.State != sched.Cancelled || !r.DoneAt.Equal(epoch.Add(time.Second)) {
				t.Errorf("job %v at %v, want cancelled at the outer deadline", r.State, r.DoneAt)
			}
		}
		synctest.Wait()
	})
}

// TestDeadlineParentEnds: a parent of package context that ends first ends
// the context, with its error and cause; and one ended already gives a
// context ended already.
func TestDeadlineParentEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := fake(t, nil)
		boom := errors.New("boom")
		parent, cancelParent := context.WithCancelCause(context.Background())
		ctx, cancel := s.WithTimeout(parent, time.Hour)
		defer cancel()
		cancelParent(boom)
		<-ctx.Done()
		if ctx.Err() != context.Canceled || context.Cause(ctx) != boom {
			t.Errorf("after the parent: Err %v, cause %v", ctx.Err(), context.Cause(ctx))
		}
		again, cancel2 := s.WithTimeout(parent, time.Hour)
		defer cancel2()
		if again.Err() != context.Canceled || context.Cause(again) != boom {
			t.Errorf("from an ended parent: Err %v, cause %v", again.Err(), context.Cause(again))
		}
		if _, err := s.Run(again, time.Millisecond); err != boom {
			t.Errorf("Run with it: %v, want the cause and no job", err)
		}
	})
}

// TestDeadlinePassed: a deadline not after the clock's now gives a context
// ended already, whose Run queues nothing.
func TestDeadlinePassed(t *testing.T) {
	var nilCtx context.Context
	s, _ := fake(t, nil)
	for _, ctx := range []context.Context{
		func() context.Context { c, cancel := s.WithTimeout(context.Background(), 0); defer cancel(); return c }(),
		func() context.Context {
			c, cancel := s.WithDeadline(context.Background(), epoch.Add(-time.Second))
			defer cancel()
			return c
		}(),
	} {
		if ctx.Err() != context.DeadlineExceeded || context.Cause(ctx) != context.DeadlineExceeded {
			t.Errorf("Err %v, cause %v", ctx.Err(), context.Cause(ctx))
		}
		if _, err := s.Run(ctx, time.Millisecond); err != context.DeadlineExceeded {
			t.Errorf("Run: %v", err)
		}
	}
	if c := s.Counts(); c.Total() != 0 {
		t.Errorf("counts %+v, want no job", c)
	}
	defer func() {
		if recover() == nil {
			t.Error("a nil parent did not panic")
		}
	}()
	s.WithTimeout(nilCtx, time.Second)
}

// TestDeadlineWithoutCancel: a context made with context.WithoutCancel
// below a deadline does not end with it, nor do its jobs.
func TestDeadlineWithoutCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := vclock.New(epoch)
		s := &sched.Scheduler{Clock: clock}
		defer s.Close()
		ctx, cancel := s.WithTimeout(context.Background(), time.Second)
		defer cancel()
		free := context.WithoutCancel(ctx)
		job := mustSubmit(t, s, time.Hour)
		go sched.Gather(free, job)
		synctest.Wait()
		clock.AdvanceTo(epoch.Add(time.Second))
		if ctx.Err() == nil || job.State() != sched.Queued {
			t.Errorf("ctx %v, job %v; want ctx ended and the job queued", ctx.Err(), job.State())
		}
		clock.AdvanceTo(epoch.Add(time.Hour))
		<-s.Settled()
		synctest.Wait()
	})
}
