package sched_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

type pair struct {
	rec sched.Record
	err error
}

func collect(ctx context.Context, jobs ...*sched.Job) []pair {
	var out []pair
	for rec, err := range sched.Completed(ctx, jobs...) {
		out = append(out, pair{rec, err})
	}
	return out
}

func ids(ps []pair) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.rec.ID)
	}
	return out
}

func jobIDs(jobs ...*sched.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.ID())
	}
	return out
}

func sameIDs(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// TestCompletedOrder: jobs already final first, in the order given; then
// in the order they end, cancellations included; ties in batch order, and
// batches due together in submission order (no start function: a job
// starts in the walk of its batch).
func TestCompletedOrder(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		done1 := mustSubmit(t, s, time.Millisecond)
		done2 := mustSubmit(t, s, time.Millisecond)
		sched.Gather(context.Background(), done1, done2)
		late := mustSubmit(t, s, 30*time.Millisecond)
		tie := mustBatch(t, s, 3, 10*time.Millisecond)
		tie2 := mustBatch(t, s, 2, 10*time.Millisecond)
		gone := mustSubmit(t, s, time.Hour)
		time.AfterFunc(25*time.Millisecond, func() { gone.Cancel(nil) })

		jobs := []*sched.Job{late, tie2[1], gone, done2, tie[2], tie2[0], tie[0], done1, tie[1]}
		got := collect(context.Background(), jobs...)
		want := jobIDs(done2, done1, tie[0], tie[1], tie[2], tie2[0], tie2[1], gone, late)
		if !sameIDs(ids(got), want) {
			t.Errorf("order\n%v, want\n%v", ids(got), want)
		}
		for _, p := range got {
			if p.err != p.rec.Err || !p.rec.State.Final() {
				t.Errorf("%s: %v, %v", p.rec.ID, p.rec.State, p.err)
			}
		}
		if p := got[7]; !errors.Is(p.err, sched.ErrCancelled) {
			t.Errorf("the cancelled job: %v", p.err)
		}
		// Again: every job is final now, so they come in the order given.
		if again := collect(context.Background(), jobs...); !sameIDs(ids(again), jobIDs(jobs...)) {
			t.Errorf("second iteration %v, want the order given", ids(again))
		}
	})
}

// TestCompletedWithGroup: with start functions, a failure and the
// cancellations it causes come in that order, each record with its error.
func TestCompletedWithGroup(t *testing.T) {
	var fail sync.Map
	bubble(t, &sched.Scheduler{Start: failing(&fail, 0)}, func(t *testing.T, s *sched.Scheduler) {
		first := mustSubmit(t, s, time.Millisecond)
		bad := mustSubmit(t, s, 2*time.Millisecond)
		rest := mustBatch(t, s, 3, time.Hour)
		fail.Store(bad.ID(), true)
		jobs := append([]*sched.Job{first, bad}, rest...)
		stop, err := sched.CancelOnFailure(jobs...)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		got := collect(context.Background(), rest[2], rest[1], rest[0], bad, first)
		if !sameIDs(ids(got), jobIDs(jobs...)) {
			t.Errorf("order %v, want %v", ids(got), jobIDs(jobs...))
		}
		for i, p := range got {
			want := []error{nil, sched.ErrFailed, errRefused, errRefused, errRefused}[i]
			if (want == nil) != (p.err == nil) || !errors.Is(p.err, want) || p.err != p.rec.Err {
				t.Errorf("record %d: %v", i, p.err)
			}
		}
	})
}

// TestCompletedBreak: breaking out of the loop early stops the iteration,
// cancels nothing, and leaves no goroutine (goleak in TestMain).
func TestCompletedBreak(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		jobs := append(mustBatch(t, s, 3, time.Millisecond), mustBatch(t, s, 100, time.Hour)...)
		n := 0
		for rec, err := range sched.Completed(context.Background(), jobs...) {
			if err != nil || rec.ID != jobs[0].ID() {
				t.Errorf("first: %s, %v", rec.ID, err)
			}
			n++
			break
		}
		if n != 1 {
			t.Errorf("%d iterations", n)
		}
		if c := s.Counts(); c.Started != 3 || c.Queued != 100 {
			t.Errorf("counts %+v, want the hour's jobs queued", c)
		}
		// The jobs end later with no iteration to tell.
		if _, err := sched.Gather(context.Background(), jobs...); err != nil {
			t.Error(err)
		}
	})
}

// TestCompletedContextEnds: the jobs final by the end of ctx, then its
// cause, and nothing cancelled.
func TestCompletedContextEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		quick, slow := mustSubmit(t, s, time.Millisecond), mustSubmit(t, s, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got := collect(ctx, slow, quick)
		if len(got) != 2 || got[0].rec.ID != quick.ID() || got[0].err != nil {
			t.Fatalf("got %v", got)
		}
		if got[1].err != context.DeadlineExceeded || got[1].rec != (sched.Record{}) {
			t.Errorf("last pair %+v, want the zero Record and the deadline", got[1])
		}
		if slow.State() != sched.Queued {
			t.Errorf("the hour's job is %v: Completed must cancel nothing", slow.State())
		}
		// A scheduler's deadline is no different.
		ctx2, cancel2 := s.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		if got := collect(ctx2, slow); len(got) != 1 || got[0].err != context.DeadlineExceeded || slow.State() != sched.Queued {
			t.Errorf("with WithTimeout: %v, job %v", got, slow.State())
		}
	})
}

// TestCompletedFakeClock: stepped through the due times, each job comes as
// its time comes.
func TestCompletedFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, clock := fake(t, nil)
		jobs := []*sched.Job{mustSubmit(t, s, 3*time.Second), mustSubmit(t, s, time.Second), mustSubmit(t, s, 2*time.Second)}
		var got []pair
		done := make(chan struct{})
		go func() {
			got = collect(context.Background(), jobs...)
			close(done)
		}()
		synctest.Wait()
		for {
			if _, ok := stepTo(s, clock); !ok {
				break
			}
		}
		<-done
		if !sameIDs(ids(got), jobIDs(jobs[1], jobs[2], jobs[0])) {
			t.Errorf("order %v", ids(got))
		}
		for i, p := range got {
			if want := epoch.Add(time.Duration(i+1) * time.Second); !p.rec.StartedAt.Equal(want) {
				t.Errorf("record %d started at %v, want %v", i, p.rec.StartedAt, want)
			}
		}
	})
}

func TestCompletedBadInput(t *testing.T) {
	var nilCtx context.Context
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Hour)
		for _, c := range []struct {
			name string
			got  []pair
			want error
			text string
		}{
			{"nil ctx", collect(nilCtx, j), sched.ErrNilContext, ""},
			{"no jobs", collect(context.Background()), sched.ErrEmptyBatch, ""},
			{"nil job", collect(context.Background(), j, nil), sched.ErrNilJob, "Completed's job 1"},
		} {
			if len(c.got) != 1 || c.got[0].rec != (sched.Record{}) || !errors.Is(c.got[0].err, c.want) || !strings.Contains(c.got[0].err.Error(), c.text) {
				t.Errorf("%s: %v", c.name, c.got)
			}
		}
		if j.State() != sched.Queued {
			t.Errorf("the job is %v", j.State())
		}
	})
}
