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
// maxEvents events; a bigger burst (a 10,000-job batch makes 20,000) is
// spread over the next frames, so that the browser gets its thread back in
// between.
//
// It knows nothing of the page: apply takes the events on the UI
// goroutine, which it reaches through ui.call.
//
// Functions sent with after run in the update that applies the last event
// drained before they arrived: a gather's result shows together with the
// final states of its jobs, never ahead of them.
type pump struct {
	sub   *sched.Subscription
	apply func([]sched.Event)
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

func newPump(sub *sched.Subscription, apply func([]sched.Event)) *pump {
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

// run pumps until ctx ends, the page dismounts or the subscription
// closes.
func (pm *pump) run(ctx context.Context, u *ui) {
	var (
		backlog []sched.Event // drained, not applied yet
		head    int           // backlog[:head] is applied
		notes   []note
		clock   = time.NewTicker(pm.tick)
	)
	defer clock.Stop()
	drain := func() {
		backlog = pm.sub.Drain(backlog)
		pm.lag.Store(int64(len(backlog)-head) + int64(len(notes)))
	}
	take := func(fn func()) {
		drain()
		notes = append(notes, note{at: len(backlog), fn: fn})
		pm.lag.Add(1)
	}
	for {
		if head == len(backlog) && len(notes) == 0 {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-pm.sub.Ready():
				if !ok {
					return
				}
			case fn := <-pm.notes:
				take(fn)
			case <-clock.C:
				if !pm.ticking() {
					continue
				}
			}
			pm.lag.Add(1) // an update is on its way
		}
		next := pm.frame()
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case fn := <-pm.notes:
				take(fn)
			case <-next:
				break wait
			}
		}
		drain()
		end := min(len(backlog), head+maxEvents)
		events := backlog[head:end]
		var due []func()
		for len(notes) > 0 && notes[0].at <= end {
			due = append(due, notes[0].fn)
			notes = notes[1:]
		}
		pm.updates.Add(1)
		if !u.call(ctx, func() {
			pm.apply(events)
			for _, fn := range due {
				fn()
			}
		}) {
			return
		}
		// Start over at the front once all is applied, so that backlog's
		// array is reused rather than grown for ever. No note is left then:
		// each waits for events already in backlog.
		if head = end; head == len(backlog) {
			clear(backlog)
			backlog, head = backlog[:0], 0
		}
		pm.lag.Store(int64(len(backlog)-head) + int64(len(notes)))
	}
}
