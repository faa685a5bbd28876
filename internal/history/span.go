// Package history keeps what the page saw of a scheduler's run, so that it
// can show every job's state at any moment of the run: the history
// scrubber, the counts and timeline by state, the lanes of recent jobs and
// the lateness histogram. Everything is derived from recorded times and
// states; nothing is re-run.
//
// A [History] is fed one [sched.Record] a state change, with
// [History.Observe], and then answered from compact arrays: counting the
// states of 100,000 jobs at an instant reads 3 MB once, and a timeline of
// any number of bins costs one pass over the jobs, not one a bin. Times are
// kept as nanoseconds from the first job's queued time.
//
// A History is not safe for concurrent use. It belongs to the page's UI
// goroutine, as the page's other state does, and needs no locking there:
// feed it the events that goroutine drains, and query it from the same
// goroutine.
package history

import (
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Span is one job's life as the page saw it: times from the scheduler's clock.
type Span struct {
	ID       string
	Batch    int           // the page's batch number, 0 for a single job
	Delay    time.Duration // the delay asked for
	Queued   time.Time     // Record.QueuedAt
	Ready    time.Time     // Record.ReadyAt: the delay was over (zero if never)
	Starting time.Time     // when a start function began for it (zero if none ran or not yet)
	Done     time.Time     // Record.DoneAt: final (zero while not final)
	State    sched.State   // the latest state seen
	Lateness time.Duration // Record.Lateness(): zero until the delay was over
}

// StateAt returns the job's state at instant t, and false if it was not
// queued yet at t (or s has no Queued time).
//
// The job is Queued in [Queued, Starting or Done), Starting in
// [Starting, Done), and in State from Done on. A job whose State is not
// final is in State from the latest of its known times (Queued, Ready,
// Starting) on: a Starting job whose start's begin is unknown is shown
// Starting from Ready.
func (s Span) StateAt(t time.Time) (sched.State, bool) {
	if s.Queued.IsZero() || t.Before(s.Queued) {
		return sched.Queued, false
	}
	if !t.Before(s.latestFrom()) {
		return s.State, true
	}
	if !s.Starting.IsZero() && !t.Before(s.Starting) {
		return sched.Starting, true
	}
	return sched.Queued, true
}

// latestFrom returns when the job entered its latest state, as StateAt
// reckons it.
func (s Span) latestFrom() time.Time {
	if s.State.Final() && !s.Done.IsZero() {
		return s.Done
	}
	from := s.Queued
	for _, t := range [...]time.Time{s.Ready, s.Starting, s.Done} {
		if !t.IsZero() && t.After(from) {
			from = t
		}
	}
	return from
}
