package sched_test

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/jonboulle/clockwork"
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

// epoch is where the fake clocks of these tests start: a fixed instant, so
// that runs can be compared.
var epoch = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fake returns a scheduler on a new FakeClock at epoch, closed after the
// test.
func fake(t *testing.T, s *sched.Scheduler) (*sched.Scheduler, *clockwork.FakeClock) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(epoch)
	if s == nil {
		s = new(sched.Scheduler)
	}
	s.Clock = clock
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// stepTo advances clock to the next due time, if any, and waits until the
// jobs due then have been handed on. It reports whether it stepped.
func stepTo(s *sched.Scheduler, clock *clockwork.FakeClock) (time.Time, bool) {
	next, ok := s.NextDue()
	if !ok {
		return time.Time{}, false
	}
	clock.Advance(next.Sub(clock.Now()))
	<-s.Settled()
	return next, true
}

func mustSubmit(t *testing.T, s *sched.Scheduler, d time.Duration) *sched.Job {
	t.Helper()
	j, err := s.Submit(d)
	if err != nil {
		t.Fatalf("Submit(%v): %v", d, err)
	}
	return j
}

func mustBatch(t *testing.T, s *sched.Scheduler, n int, d time.Duration) []*sched.Job {
	t.Helper()
	jobs, err := s.SubmitBatch(n, d)
	if err != nil {
		t.Fatalf("SubmitBatch(%d, %v): %v", n, d, err)
	}
	return jobs
}

// eventIDs are the ids of the jobs e stands for, in order.
func eventIDs(e sched.Event) []string {
	jobs := e.Jobs()
	if jobs == nil {
		return []string{e.Record.ID}
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID()
	}
	return ids
}

func states(events []sched.Event) []sched.State {
	var out []sched.State
	for _, e := range events {
		out = append(out, e.Record.State)
	}
	return out
}
