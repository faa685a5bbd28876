package vclock_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/wasmsched/wasmsched/internal/vclock"
	"github.com/wasmsched/wasmsched/sched"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// submitMix queues jobs with various delays, ties and a batch among them,
// and returns them in submission order.
func submitMix(t *testing.T, s *sched.Scheduler) []*sched.Job {
	t.Helper()
	var jobs []*sched.Job
	for _, d := range []time.Duration{
		3 * time.Second, time.Second, time.Nanosecond, time.Second,
		2500 * time.Millisecond, time.Hour, 0, 1999 * time.Millisecond,
	} {
		j, err := s.Submit(d)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	batch, err := s.SubmitBatch(100, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return append(jobs, batch...)
}

// checkExact checks that every job started at exactly its due time.
func checkExact(t *testing.T, jobs []*sched.Job) {
	t.Helper()
	recs, err := sched.Gather(context.Background(), jobs...)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, r := range recs {
		if want := r.QueuedAt.Add(r.Delay); !r.StartedAt.Equal(want) || r.Lateness() != 0 {
			if bad++; bad > 5 {
				t.Fatal("and more")
			}
			t.Errorf("job %d (delay %v): started at %v, want %v; lateness %v",
				i, r.Delay, r.StartedAt.Sub(t0), want.Sub(t0), r.Lateness())
		}
	}
}

// TestScheduler drives a scheduler from one due time to the next, as the
// playground's "step" does.
func TestScheduler(t *testing.T) {
	c := vclock.New(t0)
	s := sched.Scheduler{Clock: c}
	defer s.Close()
	jobs := submitMix(t, &s)
	<-s.Settled() // the job of delay 0 is due at once
	steps := 0
	for {
		next, ok := s.NextDue()
		if !ok {
			break
		}
		c.AdvanceTo(next)
		<-s.Settled()
		if steps++; steps == 2 {
			// Queued later, so with a QueuedAt other than t0.
			more := submitMix(t, &s)
			<-s.Settled()
			jobs = append(jobs, more...)
		}
	}
	checkExact(t, jobs)
	if n := c.Len(); n != 0 {
		t.Errorf("%d timers left on the clock", n)
	}
}

// TestSchedulerOneAdvance advances once past every due time: since the
// scheduler's timer function runs at each due time in turn, every job is
// still stamped exactly (a clockwork FakeClock stamps them all with the
// end of the advance).
func TestSchedulerOneAdvance(t *testing.T) {
	c := vclock.New(t0)
	s := sched.Scheduler{Clock: c}
	defer s.Close()
	jobs := submitMix(t, &s)
	<-s.Settled() // the job of delay 0 starts at once, on a real timer
	c.AdvanceTo(t0.Add(2 * time.Hour))
	<-s.Settled()
	checkExact(t, jobs)
}

// TestSchedulerStartLimit runs start functions that wait on the clock
// under a Limit of 2. The driver steps to the earliest event, the
// scheduler's or a start's, and before each step waits until the work the
// last one released is done: the starts whose waits ended have returned,
// and every start in progress waits on the clock again.
func TestSchedulerStartLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := vclock.New(t0)
	var mu sync.Mutex
	began := map[string]time.Time{} // job id: when its start began
	waits := map[string]time.Time{} // job id: when its start's wait ends
	s := sched.Scheduler{
		Clock: c,
		Limit: 2,
		Start: func(ctx context.Context, r sched.Record) error {
			end := r.ReadyAt.Add(200 * time.Millisecond)
			mu.Lock()
			began[r.ID] = c.Now()
			waits[r.ID] = end
			mu.Unlock()
			select {
			case <-c.AfterAt(end):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
	defer s.Close()

	ms := time.Millisecond
	submit := func(n int, d time.Duration) []*sched.Job {
		jobs, err := s.SubmitBatch(n, d)
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	}
	jobs := slices.Concat(
		submit(1, 1000*ms), submit(1, 1050*ms), // a, b
		submit(3, 1100*ms), // c, d, e wait for slots
		submit(1, 1120*ms), // f waits for a slot
		submit(1, 5000*ms), // g
	)
	byID := map[string]*sched.Job{}
	for _, j := range jobs {
		byID[j.ID()] = j
	}

	for steps := 0; ; steps++ {
		if steps > 100 {
			t.Fatal("too many steps")
		}
		next, ok := s.NextDue()
		if cn, cok := c.Next(); cok && (!ok || cn.Before(next)) {
			next, ok = cn, true
		}
		if !ok {
			break
		}
		c.AdvanceTo(next)
		// The starts whose waits ended return, and may hand their slots on.
		mu.Lock()
		var ended []*sched.Job
		for id, end := range waits {
			if !end.After(next) {
				ended = append(ended, byID[id])
				delete(waits, id)
			}
		}
		mu.Unlock()
		for _, j := range ended {
			select {
			case <-j.Done():
			case <-ctx.Done():
				t.Fatal("a start whose wait ended did not return")
			}
		}
		<-s.Settled()
		// Quiet: each start in progress waits on the clock, and so does the
		// scheduler if a job waits for its delay.
		_, due := s.NextDue()
		n := s.Counts().Starting
		if due {
			n++
		}
		if err := c.BlockUntilContext(ctx, n); err != nil {
			t.Fatalf("waiting for %d timers: %v", n, err)
		}
		if got := c.Len(); got != n {
			t.Fatalf("at %v: %d timers, want %d", c.Now().Sub(t0), got, n)
		}
	}

	want := []struct{ ready, began, started time.Duration }{
		{1000 * ms, 1000 * ms, 1200 * ms}, // a: a slot at once
		{1050 * ms, 1050 * ms, 1250 * ms}, // b: the second slot
		{1100 * ms, 1200 * ms, 1300 * ms}, // c: a's slot, when a started
		{1100 * ms, 1250 * ms, 1300 * ms}, // d: b's slot
		{1100 * ms, 1300 * ms, 1300 * ms}, // e: c's or d's slot
		{1120 * ms, 1300 * ms, 1320 * ms}, // f: the other
		{5000 * ms, 5000 * ms, 5200 * ms}, // g: a slot at once
	}
	for i, j := range jobs {
		r := j.Record()
		got := fmt.Sprint(r.State, r.ReadyAt.Sub(t0), began[r.ID].Sub(t0), r.StartedAt.Sub(t0), r.Lateness())
		w := want[i]
		if exp := fmt.Sprint(sched.Started, w.ready, w.began, w.started, time.Duration(0)); got != exp {
			t.Errorf("job %c: state, ready, began, started, lateness = %s, want %s", 'a'+i, got, exp)
		}
	}
	for _, j := range jobs[:2] {
		if r := j.Record(); r.StartedAt.Sub(r.ReadyAt) != 200*ms {
			t.Errorf("a first job took %v to start, want 200ms", r.StartedAt.Sub(r.ReadyAt))
		}
	}
}

// BenchmarkTimers adds n channel timers with random due times within an
// hour, then advances through them in 100 steps, on this clock and on
// clockwork's FakeClock, which sorts its timers on every insert.
func BenchmarkTimers(b *testing.B) {
	type fake interface {
		clockwork.Clock
		Advance(time.Duration)
	}
	clocks := []struct {
		name string
		new  func() fake
		max  int
	}{
		{"vclock", func() fake { return vclock.New(t0) }, 100_000},
		// clockwork's baseline stops at 10,000 timers: 100,000 take about
		// half a minute per run (the sort on every insert is quadratic).
		{"clockwork", func() fake { return clockwork.NewFakeClockAt(t0) }, 10_000},
	}
	for _, k := range clocks {
		for _, n := range []int{1_000, 10_000, 100_000} {
			if n > k.max {
				continue
			}
			b.Run(fmt.Sprintf("%s/n=%d", k.name, n), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				dues := make([]time.Duration, n)
				for i := range dues {
					dues[i] = 1 + time.Duration(rng.Int64N(int64(time.Hour)))
				}
				for b.Loop() {
					c := k.new()
					chans := make([]<-chan time.Time, n)
					for i, d := range dues {
						chans[i] = c.After(d)
					}
					for range 100 {
						c.Advance(time.Hour / 100)
					}
					for _, ch := range chans {
						<-ch
					}
				}
			})
		}
	}
}
