package sched_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

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
		if !slices.Equal(got, want) {
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
		if _, err := sched.Gather(context.Background(), mustBatch(t, s, 10000, time.Millisecond)...); err != nil {
			t.Fatal(err)
		}
		evs := sub.Drain(nil)
		jobs := 0
		for i := range evs {
			jobs += evs[i].Len()
		}
		// One Queued event for the batch; the starts, all at one instant,
		// in a few events of many jobs each.
		if jobs != 20000 || len(evs) > 100 {
			t.Errorf("drained %d events for %d job changes, want 20000 changes in at most 100 events: none lost", len(evs), jobs)
		}
	})
}

// TestCloseEndsSubscriptionsAfterTheirLastEvents: the documented loop ends
// after Close, having seen every event, the cancellations Close made
// included.
func TestCloseEndsSubscriptionsAfterTheirLastEvents(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		got := make(chan []sched.State)
		go func() {
			var all []sched.State
			for range sub.Ready() {
				all = append(all, states(sub.Drain(nil))...)
			}
			got <- all
		}()
		mustBatch(t, s, 2, time.Hour)
		synctest.Wait()
		s.Close()
		// The batch is queued in one event.
		want := []sched.State{sched.Queued, sched.Cancelled, sched.Cancelled}
		if all := <-got; !slices.Equal(all, want) {
			t.Errorf("events seen by the loop = %v, want %v", all, want)
		}
		late := s.Subscribe()
		if _, open := <-late.Ready(); open {
			t.Error("a subscription made after Close has its Ready open")
		}
	})
}

// TestCloseWithEventsUndrained: a subscription that has not drained when
// Close comes keeps its events, and Ready closes once they are drained.
func TestCloseWithEventsUndrained(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		mustSubmit(t, s, time.Hour)
		s.Close()
		<-sub.Ready()
		if got, want := states(sub.Drain(nil)), []sched.State{sched.Queued, sched.Cancelled}; !slices.Equal(got, want) {
			t.Errorf("events after Close = %v, want %v", got, want)
		}
		if _, open := <-sub.Ready(); open {
			t.Error("Ready() still open after the last events were drained")
		}
		sub.Close() // harmless after
	})
}

// TestEventsSayWhen checks Event.At: the queued time, the instant a start
// began (which, under Limit, is when the slot freed, not the ReadyAt of
// the record) and the final time.
func TestEventsSayWhen(t *testing.T) {
	s := &sched.Scheduler{
		Limit: 1,
		Start: func(ctx context.Context, r sched.Record) error {
			time.Sleep(100 * time.Millisecond)
			return nil
		},
	}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		jobs, err := s.SubmitBatch(2, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sched.Gather(context.Background(), jobs...); err != nil {
			t.Fatal(err)
		}
		starting := map[string]time.Time{}
		for _, e := range sub.Drain(nil) {
			r := e.Record
			switch r.State {
			case sched.Queued:
				if !e.At.Equal(r.QueuedAt) {
					t.Errorf("queued event at %v, record queued at %v", e.At, r.QueuedAt)
				}
			case sched.Starting:
				starting[r.ID] = e.At
			default:
				if !e.At.Equal(r.DoneAt) {
					t.Errorf("%s event at %v, record done at %v", r.State, e.At, r.DoneAt)
				}
			}
		}
		first, second := jobs[0].Record(), jobs[1].Record()
		if got := starting[first.ID]; !got.Equal(first.ReadyAt) {
			t.Errorf("first start began at %v, want its ReadyAt %v", got, first.ReadyAt)
		}
		if got := starting[second.ID]; !got.Equal(first.DoneAt) || !got.After(second.ReadyAt) {
			t.Errorf("second start began at %v, want when the first ended (%v), after its ReadyAt %v", got, first.DoneAt, second.ReadyAt)
		}
	})
}

// TestBatchIsQueuedInOneEvent: SubmitBatch is one Queued event that holds
// the handles it returned, in order, with the batch's queued time; Submit
// is one event with no Jobs.
func TestBatchIsQueuedInOneEvent(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		defer sub.Close()
		jobs := mustBatch(t, s, 5, time.Hour)
		one := mustSubmit(t, s, time.Hour)
		evs := sub.Drain(nil)
		if len(evs) != 2 {
			t.Fatalf("%d events for a batch and a job; want 2", len(evs))
		}
		b := evs[0]
		if !slices.Equal(b.Jobs(), jobs) || b.Job != jobs[0] || b.Len() != 5 {
			t.Errorf("batch event: Job %p, Jobs %v, Len %d; want the 5 handles SubmitBatch returned", b.Job, b.Jobs(), b.Len())
		}
		if rec := jobs[4].Record(); b.Record.State != sched.Queued || !b.At.Equal(rec.QueuedAt) || !b.Record.QueuedAt.Equal(rec.QueuedAt) || b.Record.Delay != time.Hour {
			t.Errorf("batch event record %+v at %v; want queued at %v with 1h", b.Record, b.At, rec.QueuedAt)
		}
		if e := evs[1]; e.Jobs() != nil || e.Job != one || e.Len() != 1 {
			t.Errorf("Submit's event: Jobs %v, Len %d; want nil, 1", e.Jobs(), e.Len())
		}
	})
}

// TestRunningTellsWhenAStartEnds: Running counts the starts in progress,
// and its channel closes once one ends, its job stamped.
func TestRunningTellsWhenAStartEnds(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		release := make(chan struct{}) // made in the bubble, as its waits must be
		s.Start = func(ctx context.Context, r sched.Record) error {
			<-release
			return nil
		}
		if n, _ := s.Running(); n != 0 {
			t.Fatalf("Running = %d before any job", n)
		}
		j := mustSubmit(t, s, time.Millisecond)
		time.Sleep(time.Millisecond)
		synctest.Wait()
		n, ended := s.Running()
		if n != 1 {
			t.Fatalf("Running = %d with one start in progress; want 1", n)
		}
		select {
		case <-ended:
			t.Fatal("ended closed while the start runs")
		default:
		}
		close(release)
		<-ended
		if st := j.State(); st != sched.Started {
			t.Errorf("after ended closed the job is %v; want started", st)
		}
		if n, _ := s.Running(); n != 0 {
			t.Errorf("Running = %d after the start ended", n)
		}
	})
}

// TestStartsOfABatchShareEvents: the jobs of a batch that start at one
// instant are told in a few events, each standing for jobs next to each
// other in the batch (Jobs, from Job on), whose records are the event's
// but for the ID; a job cancelled in between, and a job of another batch,
// are told apart, and every change is told once, in order.
func TestStartsOfABatchShareEvents(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		sub := s.Subscribe()
		defer sub.Close()
		jobs := mustBatch(t, s, 1000, time.Second)
		jobs[500].Cancel(nil)
		one := mustSubmit(t, s, time.Second)
		if _, err := sched.Gather(context.Background(), append(slices.Clone(jobs[:500]), one)...); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		var started []string
		runs := 0
		for _, e := range sub.Drain(nil) {
			if e.Record.State != sched.Started {
				continue
			}
			ids := eventIDs(e)
			started = append(started, ids...)
			if e.Jobs() == nil {
				continue
			}
			runs++
			if e.Job != e.Jobs()[0] || e.Len() != len(ids) {
				t.Errorf("a run's Job %p, Len %d; want Jobs()[0] %p, %d", e.Job, e.Len(), e.Jobs()[0], len(ids))
			}
			for _, j := range e.Jobs() {
				want := j.Record()
				got := e.Record
				got.ID = j.ID()
				if got != want || !e.At.Equal(want.DoneAt) {
					t.Fatalf("job %s: the run's record %+v at %v; its own %+v", j.ID()[:8], got, e.At, want)
				}
			}
		}
		var want []string
		for i, j := range jobs {
			if i != 500 {
				want = append(want, j.ID())
			}
		}
		want = append(want, one.ID())
		if !slices.Equal(started, want) {
			t.Errorf("%d jobs told started, in another order or number than the %d that started", len(started), len(want))
		}
		if runs < 2 || runs > 20 {
			t.Errorf("%d runs for 999 starts of a batch at one instant, cut by a cancel; want a few", runs)
		}
	})
}
