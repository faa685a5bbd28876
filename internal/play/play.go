// Package play is one run of the playground: a scheduler, the clock it
// runs on (real, or virtual and driven by the page), and the start
// function whose duration and failures the visitor sets. It knows nothing
// of the browser; the page drives a virtual run through [Run.Step],
// [Run.AdvanceTo] and [Run.JumpToNextDue].
package play

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"time"

	"github.com/wasmsched/wasmsched/internal/vclock"
	"github.com/wasmsched/wasmsched/sched"
)

// Origin is where every virtual run's clock starts: a fixed instant, so
// that two virtual runs of the same actions give the same times.
var Origin = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Settings is how a run's jobs start. The zero value starts every job at
// the end of its delay, in no time, with no limit.
type Settings struct {
	Virtual   bool          // virtual time: the clock moves only when driven
	StartTime time.Duration // how long a start takes
	Jitter    time.Duration // up to this much more, decided per job
	FailPct   int           // percent of starts that return an error
	PanicPct  int           // percent of starts that panic
	Limit     int           // starts at once; 0 is no limit
}

// Limits on the settings, which the page checks before making a run.
const (
	MaxStartTime = time.Hour
	MaxLimit     = 1000
)

// Check returns an error, written as a sentence for the page, if s is out
// of range.
func (s Settings) Check() error {
	switch {
	case s.StartTime < 0 || s.StartTime > MaxStartTime:
		return fmt.Errorf("a start takes from 0 to %v", MaxStartTime)
	case s.Jitter < 0 || s.Jitter > MaxStartTime:
		return fmt.Errorf("the jitter is from 0 to %v", MaxStartTime)
	case s.FailPct < 0 || s.PanicPct < 0 || s.FailPct+s.PanicPct > 100:
		return errors.New("the shares of failing and panicking starts are percentages that add up to at most 100")
	case s.Limit < 0 || s.Limit > MaxLimit:
		return fmt.Errorf("the limit is from 0 (none) to %d", MaxLimit)
	}
	return nil
}

// ErrStartFailed is what a start fails with when the settings say it
// fails.
var ErrStartFailed = errors.New("the start failed, as the settings asked")

// Outcome is what a job's start does, decided from its id so that every
// job decides on its own, whichever goroutine runs it.
type Outcome uint8

const (
	Succeed Outcome = iota
	Fail
	Panic
)

// Decide returns how long the start of the job with this id takes and
// how it ends.
func (s Settings) Decide(id string) (time.Duration, Outcome) {
	h := fnv.New64a()
	h.Write([]byte(id))
	sum := h.Sum64()
	d := s.StartTime
	if s.Jitter > 0 {
		d += time.Duration((sum >> 20) % uint64(s.Jitter+1))
	}
	switch u := int(sum % 100); {
	case u < s.FailPct:
		return d, Fail
	case u < s.FailPct+s.PanicPct:
		return d, Panic
	}
	return d, Succeed
}

// HasStart reports whether starts do anything: take time, or fail.
func (s Settings) HasStart() bool {
	return s.StartTime > 0 || s.Jitter > 0 || s.FailPct > 0 || s.PanicPct > 0
}

// Run is one run: a scheduler on its clock. Its methods that move time
// are for one goroutine, the page's driver; the scheduler and the clock
// are safe for concurrent use.
type Run struct {
	S        *sched.Scheduler
	Clock    *vclock.Clock // nil in real time
	Settings Settings
}

// New makes a run with settings set, which must pass Check. Its
// scheduler's fields may still be set before its first use: a lesson brings
// its own start function.
func New(set Settings) *Run {
	r := &Run{S: &sched.Scheduler{Limit: set.Limit}, Settings: set}
	if set.Virtual {
		r.Clock = vclock.New(Origin)
		r.S.Clock = r.Clock
	}
	if set.HasStart() {
		r.S.Start = r.start
	}
	return r
}

// start is the start function the settings describe. It waits on the
// run's clock, so that in virtual time it takes virtual time.
func (r *Run) start(ctx context.Context, rec sched.Record) error {
	d, out := r.Settings.Decide(rec.ID)
	if d > 0 {
		var due <-chan time.Time
		if r.Clock != nil {
			due = r.Clock.After(d)
		} else {
			t := time.NewTimer(d)
			defer t.Stop()
			due = t.C
		}
		select {
		case <-due:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	switch out {
	case Fail:
		return ErrStartFailed
	case Panic:
		panic("the start panicked, as the settings asked")
	}
	return nil
}

// Now returns the run's time.
func (r *Run) Now() time.Time {
	if r.Clock != nil {
		return r.Clock.Now()
	}
	return time.Now()
}

// Virtual reports whether the run is in virtual time.
func (r *Run) Virtual() bool { return r.Clock != nil }

// Close stops the run: jobs still queued are cancelled, starts in
// progress are told to stop.
func (r *Run) Close() { r.S.Close() }

// NextEvent returns when the next thing happens in a virtual run: a job's
// delay ends or a start ends. ok is false when nothing waits, and in real
// time.
func (r *Run) NextEvent() (t time.Time, ok bool) {
	if r.Clock == nil {
		return time.Time{}, false
	}
	t, ok = r.S.NextDue()
	if c, cok := r.Clock.Next(); cok && (!ok || c.Before(t)) {
		t, ok = c, true
	}
	return t, ok
}

// Step moves a virtual run to its next event and lets it settle. It
// reports false, moving nothing, when nothing waits.
func (r *Run) Step() bool {
	t, ok := r.NextEvent()
	if !ok {
		return false
	}
	r.to(t)
	return true
}

// AdvanceTo moves a virtual run to t, one event at a time, each settled
// before the next, so that every job is stamped with its exact time. It
// stops after max events (0 means no cap) and reports whether it reached t:
// the page caps the work of one frame.
func (r *Run) AdvanceTo(t time.Time, max int) bool {
	if r.Clock == nil {
		return true
	}
	for n := 0; max == 0 || n < max; n++ {
		next, ok := r.NextEvent()
		if !ok || next.After(t) {
			r.to(t)
			return true
		}
		r.to(next)
	}
	return false
}

// JumpToNextDue moves a virtual run to when the next job's delay ends,
// through every event before it: an hour-long job starts at once. It
// reports false when no job waits for its delay.
func (r *Run) JumpToNextDue() bool {
	t, ok := r.S.NextDue()
	if !ok || r.Clock == nil {
		return false
	}
	r.AdvanceTo(t, 0)
	return true
}

// to moves the clock to t and waits until the run is still: the jobs due
// have left the timer queue, and every start in progress waits on the
// clock. The starts run on goroutines of their own; they are waited for
// by yielding, a bounded number of times, rather than by sleeping.
func (r *Run) to(t time.Time) {
	r.Clock.AdvanceTo(t)
	for range settleTries {
		<-r.S.Settled()
		if r.still() {
			return
		}
		runtime.Gosched()
	}
}

// settleTries bounds the wait for starts to reach the clock: beyond it
// (a start that waits on something else) time moves on regardless.
const settleTries = 10000

// still reports whether every start in progress waits on the clock, each
// on one timer, besides the scheduler's own timer when a job waits.
func (r *Run) still() bool {
	want := r.S.Counts().Starting
	if _, ok := r.S.NextDue(); ok {
		want++
	}
	return r.Clock.Len() >= want
}
