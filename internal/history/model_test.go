package history

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// TestApplyFollowsTheScheduler: fed a scheduler's events, batches queued
// in one event included, a History's snapshot at now agrees with the
// scheduler's counts, the batches' progress and the jobs' handles and
// positions.
func TestApplyFollowsTheScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		sub := s.Subscribe()
		defer sub.Close()
		h := New()
		var all []*sched.Job
		one, _ := s.Submit(time.Hour)
		all = append(all, one)
		b1, _ := s.SubmitBatch(1000, time.Millisecond)
		all = append(all, b1...)
		b2, _ := s.SubmitBatch(50, 2*time.Hour)
		all = append(all, b2...)
		h.Apply(sub.Drain(nil), 0)
		if snap := h.Snapshot(time.Now(), 10); snap.Total != 1051 || snap.Counts[sched.Queued] != 1051 || !h.Waiting() {
			t.Fatalf("after queuing: total %d, counts %v, waiting %v; want 1051 queued", snap.Total, snap.Counts, h.Waiting())
		}
		if _, err := sched.Gather(context.Background(), b1...); err != nil {
			t.Fatal(err)
		}
		b2[7].Cancel(nil)
		one.Cancel(nil)
		synctest.Wait()
		h.Apply(sub.Drain(nil), 0)

		snap := h.Snapshot(time.Now(), 5)
		c := s.Counts()
		want := [5]int{sched.Queued: c.Queued, sched.Started: c.Started, sched.Cancelled: c.Cancelled}
		if snap.Counts != want || snap.Total != 1051 {
			t.Errorf("snapshot counts %v, total %d; scheduler says %v", snap.Counts, snap.Total, want)
		}
		if snap.Late.N != 1000 {
			t.Errorf("lateness over %d jobs; want the 1000 started", snap.Late.N)
		}
		bs := h.Batches()
		if len(bs) != 2 || bs[0].No != 1 || bs[0].From != 1 || bs[0].N != 1000 || bs[1].From != 1001 || bs[1].N != 50 {
			t.Fatalf("batches %+v; want 1000 jobs from 1, then 50 from 1001", bs)
		}
		if !snap.HasBatch || snap.Batch.No != 2 || snap.Batch.Final() != 1 || snap.Batch.Counts[sched.Queued] != 49 {
			t.Errorf("latest batch's progress %+v; want batch 2 with 1 cancelled, 49 waiting", snap.Batch)
		}
		if p := h.progressAt(bs[0], time.Now()); p.Started() != 1000 || p.Final() != 1000 {
			t.Errorf("batch 1's progress %+v; want all 1000 started", p)
		}
		for i, j := range all {
			if h.Job(i) != j || h.Span(i).ID != j.ID() {
				t.Fatalf("job %d: handle %p id %s; want %p %s", i, h.Job(i), h.Span(i).ID, j, j.ID())
			}
		}
		if i, ok := h.Index(b2[7].ID()); !ok || i != 1008 {
			t.Errorf("Index of batch 2's 8th job = %d, %v; want 1008", i, ok)
		}
		if sp := h.Span(1008); sp.State != sched.Cancelled || sp.Batch != 2 {
			t.Errorf("the cancelled job's span %+v; want cancelled, batch 2", sp)
		}
		if got := snap.Recent; len(got) != 5 || got[4] != 1050 {
			t.Errorf("Recent %v; want the 5 newest, ending with 1050", got)
		}
		// The past: before the first batch's jobs started, all waited.
		past := h.Snapshot(h.First(), 0)
		if past.Counts[sched.Queued] != 1051 || past.Batch.No != 2 || past.Batch.Final() != 0 {
			t.Errorf("at the start: counts %v, batch %+v; want all waiting", past.Counts, past.Batch)
		}
	})
}

// TestApplyInParts: applied a few hundred jobs' worth at a time, a big
// batch is added over several calls, and the History ends as one applied
// at once.
func TestApplyInParts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		sub := s.Subscribe()
		defer sub.Close()
		s.Submit(time.Hour)
		s.SubmitBatch(1000, time.Millisecond)
		s.Submit(time.Millisecond)
		s.SubmitBatch(10, time.Hour)
		time.Sleep(time.Millisecond)
		synctest.Wait()
		evs := sub.Drain(nil)

		whole, parts := New(), New()
		if n := whole.Apply(evs, 0); n != len(evs) {
			t.Fatalf("Apply with no cap applied %d of %d events", n, len(evs))
		}
		calls := 0
		for rest := evs; len(rest) > 0; calls++ {
			n := parts.Apply(rest, 300)
			if n == 0 && parts.part == nil {
				t.Fatal("Apply made no progress")
			}
			rest = rest[n:]
		}
		if calls < 4 {
			t.Errorf("%d calls for 1,000 jobs' worth at 300 a call", calls)
		}
		now := time.Now()
		if a, b := whole.Snapshot(now, 20), parts.Snapshot(now, 20); a.Counts != b.Counts || a.Total != b.Total || !slices.Equal(a.Recent, b.Recent) {
			t.Errorf("in parts: %+v\nat once: %+v", b, a)
		}
		if a, b := whole.Batches(), parts.Batches(); !slices.Equal(a, b) {
			t.Errorf("batches in parts %+v; at once %+v", b, a)
		}
		for i := range whole.Len() {
			if whole.Span(i) != parts.Span(i) || whole.Job(i) != parts.Job(i) {
				t.Fatalf("job %d: in parts %+v; at once %+v", i, parts.Span(i), whole.Span(i))
			}
		}
	})
}

// TestApplyRunsAsJobByJob: the events that stand for the starts of many
// jobs (sched.Event.Jobs) leave a History just as the same changes, one
// event a job, would: with and without a start function, and with a job
// cancelled in the middle of a batch.
func TestApplyRunsAsJobByJob(t *testing.T) {
	for _, start := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			s := &sched.Scheduler{}
			if start {
				s.Start = func(ctx context.Context, r sched.Record) error {
					time.Sleep(time.Millisecond)
					return nil
				}
			}
			defer s.Close()
			sub := s.Subscribe()
			defer sub.Close()
			jobs, _ := s.SubmitBatch(700, time.Millisecond)
			jobs[300].Cancel(nil)
			s.Submit(time.Millisecond)
			s.SubmitBatch(10, 2*time.Millisecond)
			time.Sleep(10 * time.Millisecond)
			synctest.Wait()
			evs := sub.Drain(nil)

			var one []sched.Event // the same changes, one event a job
			runs := 0
			for _, ev := range evs {
				if ev.Jobs() == nil || ev.Record.State == sched.Queued {
					one = append(one, ev)
					continue
				}
				runs++
				for _, j := range ev.Jobs() {
					e := sched.Event{Job: j, Record: ev.Record, At: ev.At}
					e.Record.ID = j.ID()
					one = append(one, e)
				}
			}
			if runs == 0 {
				t.Fatalf("start %v: no event stood for the starts of several jobs", start)
			}
			a, b := New(), New()
			a.Apply(evs, 0)
			b.Apply(one, 0)
			if a.Len() != 711 || a.Len() != b.Len() {
				t.Fatalf("start %v: %d and %d jobs; want 711", start, a.Len(), b.Len())
			}
			for i := range a.Len() {
				if a.Span(i) != b.Span(i) || a.Job(i) != b.Job(i) {
					t.Fatalf("start %v, job %d: from runs %+v; job by job %+v", start, i, a.Span(i), b.Span(i))
				}
			}
			now := time.Now()
			if x, y := a.Snapshot(now, 50), b.Snapshot(now, 50); x.Counts != y.Counts || x.Late.N != y.Late.N || x.Late.P99 != y.Late.P99 || !slices.Equal(x.Late.Bins, y.Late.Bins) || !slices.Equal(x.Recent, y.Recent) {
				t.Errorf("start %v: snapshots differ: %+v and %+v", start, x, y)
			}
			if c := a.Snapshot(now, 0).Counts; c[sched.Started] != 710 || c[sched.Cancelled] != 1 {
				t.Errorf("start %v: counts %v; want 710 started, 1 cancelled", start, c)
			}
		})
	}
}
