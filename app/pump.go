package app

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// pump delivers a subscription's events to the UI, at most one update a
// frame: it wakes on the first event, lets the burst build up until the
// next frame, drains it, and makes one update applying it. It waits for
// that update to be applied before the next, so the UI's dispatch queue
// never holds more than one of its updates. An update applies at most
// maxEvents jobs' worth of events; a bigger burst (a 10,000-job batch's
// Queued event stands for 10,000 jobs, and its starts are one event for each
// chunk of them) is spread over the next frames, so that the browser gets its thread back in
// between.
//
// It knows nothing of the page: apply takes the events on the UI
// goroutine, which it reaches through ui.call.
//
// Functions sent with after run in the update that applies the last event
// drained before they arrived: a gather's result shows together with the
// final states of its jobs, never ahead of them.
type pump struct {
	sub *sched.Subscription
	// apply applies events on the UI goroutine, at most maxEvents jobs'
	// worth, and returns how many it applied whole.
	apply func([]sched.Event) int
	frame func() <-chan struct{}
	// ticking says whether the UI should be updated every tick even with
	// no event, such as while a job waits and the timeline's now moves.
	ticking func() bool
	tick    time.Duration

	notes   chan func()
	lag     atomic.Int64 // events and notes held, not yet applied
	updates atomic.Int64 // updates made: tests check they are few
}

// maxEvents caps the events one update applies: about 3 ms of work in a
// browser, measured, well inside a frame. A batch's Queued event counts as
// one: it is applied in one pass.
const maxEvents = 4000

func newPump(sub *sched.Subscription, apply func([]sched.Event) int) *pump {
	return &pump{
		sub: sub, apply: apply,
		frame: nextFrame, ticking: func() bool { return false }, tick: 250 * time.Millisecond,
		notes: make(chan func()),
	}
}

// after runs fn on the UI goroutine once the events emitted before this
// call are applied.
func (pm *pump) after(ctx context.Context, fn func()) {
	select {
	case pm.notes <- fn:
	case <-ctx.Done():
	}
}

// note is a function waiting for the events drained before it to be
// applied: at is how many of the backlog's events that is.
type note struct {
	at int
	fn func()
}

// backlog is what the pump has drained and not applied yet.
type backlog struct {
	pm     *pump
	events []sched.Event // drained; events[:head] are applied
	head   int
	notes  []note
}

// drain takes the subscription's waiting events.
func (bl *backlog) drain() {
	bl.events = bl.pm.sub.Drain(bl.events)
	bl.pm.lag.Store(int64(len(bl.events)-bl.head) + int64(len(bl.notes)))
}

// take adds fn, to run once the events drained so far are applied.
func (bl *backlog) take(fn func()) {
	bl.drain()
	bl.notes = append(bl.notes, note{at: len(bl.events), fn: fn})
	bl.pm.lag.Add(1)
}

// empty reports whether nothing waits to be applied.
func (bl *backlog) empty() bool { return bl.head == len(bl.events) && len(bl.notes) == 0 }

// applied marks n more events applied, and returns the notes due now.
func (bl *backlog) applied(n int) []func() {
	bl.head += n
	var due []func()
	for len(bl.notes) > 0 && bl.notes[0].at <= bl.head {
		due = append(due, bl.notes[0].fn)
		bl.notes = bl.notes[1:]
	}
	return due
}

// reuse starts over at the front once all is applied, so that the array
// is reused rather than grown for ever. No note is left then: each waits
// for events already drained.
func (bl *backlog) reuse() {
	if bl.head == len(bl.events) {
		clear(bl.events)
		bl.events, bl.head = bl.events[:0], 0
	}
	bl.pm.lag.Store(int64(len(bl.events)-bl.head) + int64(len(bl.notes)))
}

// run pumps until ctx ends, the page dismounts or the subscription
// closes: it waits for work, then for a frame, then makes one update.
func (pm *pump) run(ctx context.Context, u *ui) {
	bl := &backlog{pm: pm}
	clock := time.NewTicker(pm.tick)
	defer clock.Stop()
	for {
		if bl.empty() && !pm.waitWork(ctx, bl, clock.C) {
			return
		}
		if !pm.waitFrame(ctx, bl) {
			return
		}
		bl.drain()
		events := bl.events[bl.head:]
		pm.updates.Add(1)
		if !u.call(ctx, func() {
			for _, fn := range bl.applied(pm.apply(events)) {
				fn()
			}
		}) {
			return
		}
		bl.reuse()
	}
}

// waitWork waits for events, a note, or while ticking a tick. It reports
// false once the pump must stop.
func (pm *pump) waitWork(ctx context.Context, bl *backlog, tick <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case _, ok := <-pm.sub.Ready():
			if !ok {
				return false
			}
		case fn := <-pm.notes:
			bl.take(fn)
		case <-tick:
			if !pm.ticking() {
				continue
			}
		}
		pm.lag.Add(1) // an update is on its way
		return true
	}
}

// waitFrame waits for the next frame, taking notes meanwhile. It reports
// false once the pump must stop.
func (pm *pump) waitFrame(ctx context.Context, bl *backlog) bool {
	next := pm.frame()
	for {
		select {
		case <-ctx.Done():
			return false
		case fn := <-pm.notes:
			bl.take(fn)
		case <-next:
			return true
		}
	}
}
