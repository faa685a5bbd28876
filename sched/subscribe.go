package sched

import (
	"slices"
	"sync"
	"time"
	"unsafe"
)

// Event tells an observer that a job changed state, or that jobs of one
// batch did together (see [Event.Jobs]).
type Event struct {
	Job    *Job
	Record Record // the job's record just after the change; Record.State is the new state
	// At is when the change happened, by the scheduler's clock: QueuedAt
	// for Queued, DoneAt for a final state, and for Starting the instant
	// the start function was called, which Record does not hold (under
	// Limit a job may wait for a slot long after its ReadyAt).
	At time.Time
	// batch is set on an event that stands for several jobs: see Jobs. A
	// pointer, so that every other event, a job's start or end, is no
	// bigger.
	batch *[]*Job
}

// Jobs returns every job ev stands for, in order, when it stands for
// more than one; Job is then Jobs()[0]. That is:
//   - the one Queued event of a batch ([Scheduler.SubmitBatch]): every job
//     of the batch. They share Record's QueuedAt, Delay and State.
//   - an event of jobs of one batch, next to each other in it, that began
//     their starts (Starting) or started (Started, without a start
//     function) at the same instant, as a batch's jobs do when its delay
//     ends. They share every field of Record but the ID: QueuedAt, Delay,
//     ReadyAt, StartedAt, DoneAt, State, and Err (nil); and At.
//
// Each job has its own ID ([Job.ID]). Queuing and starting a batch of
// 100,000 is then a few hundred events, not 200,000 copies of a Record.
// It is a part of the slice SubmitBatch returned: read it, never change
// it. It is nil for an event of one job, such as the Queued event of a job
// from [Scheduler.Submit], and any cancellation or failure.
func (ev *Event) Jobs() []*Job {
	if ev.batch == nil {
		return nil
	}
	return *ev.batch
}

// Len returns how many jobs ev stands for: len(ev.Jobs()) for an event of
// several jobs, else 1.
func (ev *Event) Len() int {
	if ev.batch != nil {
		return len(*ev.batch)
	}
	return 1
}

// Subscription receives every state change of a scheduler's jobs, in order,
// from [Scheduler.Subscribe]. Events queue up in the subscription, so a slow
// observer never blocks the scheduler; it is meant to drain them in bulk,
// which is how a UI coalesces thousands of changes into one update:
//
//	for range sub.Ready() {
//		events = sub.Drain(events[:0])
//		// apply events
//	}
//
// The loop ends after [Scheduler.Close], once the last events are drained,
// or after [Subscription.Close]. Events are kept until drained: an
// observer that stops draining should Close its subscription.
type Subscription struct {
	s     *Scheduler
	ready chan struct{}

	mu sync.Mutex
	// The events waiting, oldest first: full chunks, then the one being
	// filled. A burst is kept in chunks of chunkEvents rather than one
	// slice grown by doubling, so that each event is copied once on its
	// way in: a 100,000-job batch's starts would otherwise copy its
	// events twice more, which in a browser cost ~100 ms of the page's
	// thread and as much again in collecting the garbage.
	full   [][]Event
	events []Event
	last   bool // the scheduler is closed: no event will follow these
	shut   bool // ready is closed
}

// Subscribe returns a new subscription to every state change from now on.
// A subscription to a closed scheduler has its Ready channel closed.
func (s *Scheduler) Subscribe() *Subscription {
	sub := &Subscription{s: s, ready: make(chan struct{}, 1)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		sub.finish()
	} else {
		s.subs = append(s.subs, sub)
	}
	return sub
}

// Ready returns a channel that receives when events are waiting to be
// drained. Many events may stand behind one receive. It is closed once the
// scheduler is closed and its last events are drained, or by Close.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Drain appends the waiting events to dst, oldest first, and returns it.
func (sub *Subscription) Drain(dst []Event) []Event {
	// Copied outside the lock, which the scheduler needs to queue more.
	sub.mu.Lock()
	full, evs := sub.full, sub.events
	sub.full, sub.events = nil, nil
	if sub.last {
		sub.shutLocked()
	}
	sub.mu.Unlock()
	n := len(evs)
	for _, c := range full {
		n += len(c)
	}
	dst = slices.Grow(dst, n)
	for _, c := range full {
		dst = append(dst, c...)
	}
	dst = append(dst, evs...)
	if cap(evs) <= 4096 { // else let a burst's buffer go
		clear(evs)
		sub.mu.Lock()
		if sub.events == nil && !sub.shut {
			sub.events = evs[:0]
		}
		sub.mu.Unlock()
	}
	return dst
}

// Close ends the subscription: no more events are queued, those waiting are
// dropped, and Ready's channel is closed.
func (sub *Subscription) Close() {
	s := sub.s
	s.mu.Lock()
	if i := slices.Index(s.subs, sub); i >= 0 {
		s.subs = slices.Delete(s.subs, i, i+1)
	}
	s.mu.Unlock()
	sub.mu.Lock()
	sub.full, sub.events = nil, nil
	sub.shutLocked()
	sub.mu.Unlock()
}

// finish tells sub that no event will follow those it holds: Ready closes
// once they are drained. The scheduler no longer lists sub, so nothing
// sends on ready any more.
func (sub *Subscription) finish() {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	sub.last = true
	if len(sub.events) == 0 && len(sub.full) == 0 {
		sub.shutLocked()
	}
}

func (sub *Subscription) shutLocked() {
	if !sub.shut {
		sub.shut = true
		close(sub.ready)
	}
}

// emitLocked queues j's new state for every subscriber. It runs under s.mu,
// so every subscriber sees changes in the order they happened. Between
// holdEventsLocked and sendHeldLocked, events wait in s.held, to be handed
// over together: one lock of each subscription and one wake-up for a chunk
// of starts, not one a job; and the starts of a batch's jobs, next to each
// other and at one instant, become one event (see Event.Jobs).
func (s *Scheduler) emitLocked(j *Job, now time.Duration) {
	if len(s.subs) == 0 {
		return
	}
	if s.holding && s.joinHeldLocked(j, now) {
		return
	}
	ev := Event{Job: j, Record: j.recordLocked(), At: s.epoch.Add(now)}
	if s.holding {
		s.held = append(s.held, ev)
		s.heldAt = now
		return
	}
	s.sendLocked(ev)
}

// joinHeldLocked adds j to the last held event, and reports whether it
// did: it does when j is the job after that event's last in their batch's
// handles, and changed to the same state, Starting or Started, at the
// same instant, so that its record differs from theirs only by its ID.
// A held event's times are of now: a hold is one walk of due jobs.
func (s *Scheduler) joinHeldLocked(j *Job, now time.Duration) bool {
	if len(s.held) == 0 || (j.state != Started && j.state != Starting) {
		return false
	}
	last := &s.held[len(s.held)-1]
	b := j.b
	if b.handles == nil || last.Job.b != b || last.Record.State != j.state || s.heldAt != now {
		return false
	}
	run := last.batch
	if run == nil {
		all := *b.handles
		i := jobIndex(b, last.Job)
		part := all[i : i+1 : len(all)]
		run = &part
	}
	if n := len(*run); n < cap(*run) && (*run)[:n+1][n] == j {
		*run = (*run)[:n+1]
		last.batch = run
		return true
	}
	return false
}

// jobIndex is j's place in b.jobs.
func jobIndex(b *batch, j *Job) int {
	return int((uintptr(unsafe.Pointer(j)) - uintptr(unsafe.Pointer(unsafe.SliceData(b.jobs)))) / unsafe.Sizeof(Job{}))
}

func (s *Scheduler) holdEventsLocked() { s.holding = true }

// sendHeldLocked sends the held events. They are at most a chunk's, so
// their array is kept for the next chunk.
func (s *Scheduler) sendHeldLocked() {
	s.holding = false
	s.sendLocked(s.held...)
	clear(s.held)
	s.held = s.held[:0]
}

// announceLocked tells every subscriber that b was queued at now: one
// event for a batch from SubmitBatch (handles set), else one for its job.
func (s *Scheduler) announceLocked(b *batch, handles []*Job, now time.Duration) {
	if len(s.subs) == 0 {
		return
	}
	j := &b.jobs[0]
	ev := Event{Job: j, Record: j.recordLocked(), At: s.epoch.Add(now)}
	if handles != nil {
		ev.batch = b.handles
	}
	s.sendLocked(ev)
}

func (s *Scheduler) sendLocked(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	for _, sub := range s.subs {
		sub.mu.Lock()
		sub.pushLocked(evs)
		sub.mu.Unlock()
		sub.wake()
	}
}

func (sub *Subscription) wake() {
	select {
	case sub.ready <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// chunkEvents is the size of a subscription's chunks of events.
const chunkEvents = 4096

// pushLocked queues evs, in a new chunk when the one being filled is full.
func (sub *Subscription) pushLocked(evs []Event) {
	if len(sub.events) > 0 && len(sub.events)+len(evs) > cap(sub.events) {
		sub.full = append(sub.full, sub.events)
		sub.events = make([]Event, 0, max(chunkEvents, len(evs)))
	}
	sub.events = append(sub.events, evs...)
}
