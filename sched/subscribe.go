package sched

import (
	"slices"
	"sync"
)

// Event tells an observer that a job changed state.
type Event struct {
	Job    *Job
	Record Record // the job's record just after the change; Record.State is the new state
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
// Events are kept until drained: an observer that stops draining should
// Close its subscription.
type Subscription struct {
	s     *Scheduler
	ready chan struct{}
	once  sync.Once

	mu     sync.Mutex
	events []Event
}

// Subscribe returns a new subscription to every state change from now on.
func (s *Scheduler) Subscribe() *Subscription {
	sub := &Subscription{s: s, ready: make(chan struct{}, 1)}
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub
}

// Ready returns a channel that receives when events are waiting to be
// drained. Many events may stand behind one receive. It is closed by Close.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Drain appends the waiting events to dst, oldest first, and returns it.
func (sub *Subscription) Drain(dst []Event) []Event {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	dst = append(dst, sub.events...)
	if cap(sub.events) > 4096 {
		sub.events = nil // let a burst's buffer go
	} else {
		clear(sub.events)
		sub.events = sub.events[:0]
	}
	return dst
}

// Close ends the subscription: no more events are queued, those waiting are
// dropped, and Ready's channel is closed.
func (sub *Subscription) Close() {
	s := sub.s
	s.mu.Lock()
	for i, o := range s.subs {
		if o == sub {
			s.subs = slices.Delete(s.subs, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	sub.once.Do(func() {
		sub.mu.Lock()
		sub.events = nil
		sub.mu.Unlock()
		close(sub.ready)
	})
}

// emitLocked queues j's new state for every subscriber. It runs under s.mu,
// so every subscriber sees changes in the order they happened.
func (s *Scheduler) emitLocked(j *Job) {
	if len(s.subs) == 0 {
		return
	}
	ev := Event{Job: j, Record: j.recordLocked()}
	for _, sub := range s.subs {
		sub.mu.Lock()
		sub.events = append(sub.events, ev)
		sub.mu.Unlock()
		select {
		case sub.ready <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}
