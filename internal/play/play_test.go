package play

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// virtual returns a virtual run, closed when the test ends.
func virtual(t *testing.T, set Settings) *Run {
	t.Helper()
	set.Virtual = true
	if err := set.Check(); err != nil {
		t.Fatal(err)
	}
	r := New(set)
	t.Cleanup(r.Close)
	return r
}

func TestStepGoesExactlyToTheNextDueTime(t *testing.T) {
	r := virtual(t, Settings{})
	a, _ := r.S.Submit(3 * time.Millisecond)
	b, _ := r.S.Submit(time.Millisecond)
	if got, ok := r.NextEvent(); !ok || !got.Equal(Origin.Add(time.Millisecond)) {
		t.Fatalf("NextEvent = %v, %v; want origin+1ms", got, ok)
	}
	if !r.Step() {
		t.Fatal("Step found nothing to do")
	}
	if !r.Now().Equal(Origin.Add(time.Millisecond)) {
		t.Errorf("after one step the clock is at %v; want origin+1ms", r.Now().Sub(Origin))
	}
	if b.State() != sched.Started || a.State() != sched.Queued {
		t.Errorf("after one step: b %v, a %v; want b started, a queued", b.State(), a.State())
	}
	r.Step()
	rec := a.Record()
	if rec.State != sched.Started || rec.Lateness() != 0 || !rec.StartedAt.Equal(Origin.Add(3*time.Millisecond)) {
		t.Errorf("a = %+v; want started at exactly origin+3ms, never late", rec)
	}
	if r.Step() {
		t.Error("Step with nothing waiting moved the clock")
	}
}

func TestJumpToNextDueStartsAnHourLongJobAtOnce(t *testing.T) {
	r := virtual(t, Settings{})
	j, _ := r.S.Submit(time.Hour)
	if !r.JumpToNextDue() {
		t.Fatal("JumpToNextDue found no job")
	}
	if rec := j.Record(); rec.State != sched.Started || rec.Waited() != time.Hour {
		t.Errorf("record %+v; want started after exactly 1h", rec)
	}
	if r.JumpToNextDue() {
		t.Error("JumpToNextDue with no job waiting reported true")
	}
}

func TestZeroDelayStartsAtTheInstantItWasQueued(t *testing.T) {
	r := virtual(t, Settings{})
	j, _ := r.S.Submit(0)
	r.AdvanceTo(r.Now(), 0)
	rec, err := j.Wait(context.Background())
	if err != nil || !rec.StartedAt.Equal(rec.QueuedAt) || rec.Valid() {
		t.Errorf("record %+v, %v; want started at the instant it was queued, so not valid", rec, err)
	}
}

// TestStartsTakeVirtualTimeUnderALimit: starts of 200 ms, two at a time,
// for five jobs due together, driven by AdvanceTo in one call: each start
// begins exactly when a slot frees, with no real time spent.
func TestStartsTakeVirtualTimeUnderALimit(t *testing.T) {
	r := virtual(t, Settings{StartTime: 200 * time.Millisecond, Limit: 2})
	sub := r.S.Subscribe()
	defer sub.Close()
	jobs, _ := r.S.SubmitBatch(5, time.Millisecond)
	if !r.AdvanceTo(Origin.Add(time.Second), 0) {
		t.Fatal("AdvanceTo did not reach its target")
	}
	began := map[string]time.Duration{}
	for _, e := range sub.Drain(nil) {
		if e.Record.State != sched.Starting {
			continue
		}
		if e.Jobs() == nil {
			began[e.Record.ID] = e.At.Sub(Origin)
		}
		for _, j := range e.Jobs() { // jobs that began together
			began[j.ID()] = e.At.Sub(Origin)
		}
	}
	want := []time.Duration{1, 1, 201, 201, 401} // ms
	for i, j := range jobs {
		rec := j.Record()
		if rec.State != sched.Started {
			t.Fatalf("job %d is %v at +1s; want started", i, rec.State)
		}
		if got := began[rec.ID]; got != want[i]*time.Millisecond {
			t.Errorf("job %d began its start at +%v; want +%vms", i, got, want[i])
		}
		if got := rec.StartedAt.Sub(Origin); got != (want[i]+200)*time.Millisecond {
			t.Errorf("job %d started at +%v; want +%vms", i, got, want[i]+200)
		}
	}
}

func TestAdvanceToStopsAfterMaxEvents(t *testing.T) {
	r := virtual(t, Settings{})
	for i := range 10 {
		r.S.Submit(time.Duration(i+1) * time.Millisecond)
	}
	if r.AdvanceTo(Origin.Add(time.Second), 4) {
		t.Fatal("AdvanceTo through 10 due times with a cap of 4 reported it reached its target")
	}
	if got := r.Now().Sub(Origin); got != 4*time.Millisecond {
		t.Errorf("clock at +%v after 4 events; want +4ms", got)
	}
	if c := r.S.Counts(); c.Started != 4 {
		t.Errorf("%d started; want 4", c.Started)
	}
}

func TestDecideIsPerJobAndFollowsTheShares(t *testing.T) {
	set := Settings{StartTime: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, FailPct: 30, PanicPct: 10}
	r := virtual(t, set)
	jobs, _ := r.S.SubmitBatch(2000, 0)
	var fails, panics int
	seed := r.Settings.Seed
	for i := range jobs {
		d, out := set.Decide(seed, i)
		if d2, out2 := set.Decide(seed, i); d2 != d || out2 != out {
			t.Fatal("Decide gave two answers for one job")
		}
		if d < set.StartTime || d > set.StartTime+set.Jitter {
			t.Errorf("start of %v outside [%v, %v]", d, set.StartTime, set.StartTime+set.Jitter)
		}
		switch out {
		case Fail:
			fails++
		case Panic:
			panics++
		}
	}
	// 2,000 draws: within 5 points of the shares asked.
	if fails < 500 || fails > 700 || panics < 100 || panics > 300 {
		t.Errorf("%d fails and %d panics of 2000; want about 600 and 200", fails, panics)
	}
	// And the run does what Decide says.
	r.AdvanceTo(Origin.Add(time.Second), 0)
	for i, j := range jobs[:200] {
		_, out := set.Decide(seed, i)
		err := j.Err()
		var pe *sched.PanicError
		switch out {
		case Fail:
			if !errors.Is(err, ErrStartFailed) {
				t.Errorf("job meant to fail ended with %v", err)
			}
		case Panic:
			if !errors.As(err, &pe) {
				t.Errorf("job meant to panic ended with %v", err)
			}
		default:
			if err != nil {
				t.Errorf("job meant to start ended with %v", err)
			}
		}
	}
}

func TestCheckRejectsOutOfRange(t *testing.T) {
	for _, s := range []Settings{
		{StartTime: -1}, {StartTime: MaxStartTime + 1}, {Jitter: -1},
		{FailPct: 60, PanicPct: 50}, {FailPct: -1}, {Limit: -1}, {Limit: MaxLimit + 1},
	} {
		if s.Check() == nil {
			t.Errorf("Check(%+v) = nil; want an error", s)
		}
	}
	if err := (Settings{StartTime: time.Second, FailPct: 50, PanicPct: 50, Limit: 3}).Check(); err != nil {
		t.Errorf("Check of good settings: %v", err)
	}
}

func TestRealRunIsNotDriven(t *testing.T) {
	r := New(Settings{})
	defer r.Close()
	if r.Virtual() || r.Step() || r.JumpToNextDue() {
		t.Error("a real-time run says it can be driven")
	}
	if _, ok := r.NextEvent(); ok {
		t.Error("a real-time run has a next event")
	}
}
