package history

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// event is one state change of a made-up run: what Observe is given, and
// when the page got it.
type event struct {
	at       time.Time
	rec      sched.Record
	batch    int
	starting time.Time
}

// run makes up the events of n jobs queued over about a second from base,
// in the order a page gets them, with stale copies of some mixed in. Jobs
// end in every state: started with and without a start function, failed,
// cancelled while waiting for the delay or for a start slot, still Starting,
// still Queued. Times land on whole microseconds often, so that many jobs
// share them, as a batch's jobs do.
func run(rng *rand.Rand, base time.Time, n int) []event {
	us := func(max int) time.Duration { return time.Duration(rng.IntN(max)) * time.Microsecond }
	var evs []event
	batch, batchLeft := 0, 0
	var batchQueued time.Time
	for range n {
		id := fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64()) // as sched makes them
		if batchLeft == 0 && rng.IntN(10) == 0 {
			batch++
			batchLeft = 1 + rng.IntN(50)
			batchQueued = base.Add(us(1_000_000))
		}
		b, q := 0, base.Add(us(1_000_000))
		if batchLeft > 0 {
			batchLeft--
			b, q = batch, batchQueued
		}
		delay := us(200_000)
		r := sched.Record{ID: id, Delay: delay, QueuedAt: q, State: sched.Queued}
		evs = append(evs, event{at: q, rec: r, batch: b})
		ready := q.Add(delay + us(3_000))
		withStart := rng.IntN(2) == 0
		switch rng.IntN(10) {
		case 0: // still waiting for its delay
			continue
		case 1: // cancelled during its delay
			r.DoneAt, r.State = q.Add(us(int(delay/time.Microsecond)+1)), sched.Cancelled
			evs = append(evs, event{at: r.DoneAt, rec: r, batch: b})
			continue
		}
		r.ReadyAt = ready
		if !withStart {
			r.StartedAt, r.DoneAt, r.State = ready, ready, sched.Started
			evs = append(evs, event{at: ready, rec: r, batch: b})
			continue
		}
		starting := ready.Add(us(2_000)) // waited for a slot
		switch rng.IntN(8) {
		case 0: // cancelled while waiting for a slot
			r.DoneAt, r.State = starting, sched.Cancelled
			evs = append(evs, event{at: starting, rec: r, batch: b})
			continue
		case 1: // still waiting for a slot
			continue
		}
		r.State = sched.Starting
		evs = append(evs, event{at: starting, rec: r, batch: b, starting: starting})
		done := starting.Add(us(50_000))
		switch rng.IntN(6) {
		case 0: // still starting
			continue
		case 1:
			r.DoneAt, r.State = done, sched.Failed
		default:
			r.StartedAt, r.DoneAt, r.State = done, done, sched.Started
		}
		// Half the time the page does not pass the start's begin again.
		st := starting
		if rng.IntN(2) == 0 {
			st = time.Time{}
		}
		evs = append(evs, event{at: done, rec: r, batch: b, starting: st})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	// Stale copies: a record the page read before it drained later events.
	for range n / 10 {
		e := evs[rng.IntN(len(evs))]
		e.at = e.at.Add(us(100_000))
		evs = append(evs, e)
	}
	slices.SortStableFunc(evs, func(a, b event) int { return cmp.Compare(a.at.UnixNano(), b.at.UnixNano()) })
	return evs
}

// batchRun returns the events of a batch of n jobs queued at base with a
// delay of a second, which all start without a start function, in a walk
// taking a microsecond a job: n Queued events, then n Started.
func batchRun(base time.Time, n int) []event {
	evs := make([]event, 0, 2*n)
	delay := time.Second
	for i := range n {
		r := sched.Record{
			ID:    fmt.Sprintf("%032x", 1_000_000+i),
			Delay: delay, QueuedAt: base, State: sched.Queued,
		}
		evs = append(evs, event{at: base, rec: r, batch: 1})
	}
	for i := range n {
		r := evs[i].rec
		r.ReadyAt = base.Add(delay + time.Duration(i)*time.Microsecond)
		r.StartedAt, r.DoneAt, r.State = r.ReadyAt, r.ReadyAt, sched.Started
		evs = append(evs, event{at: r.DoneAt, rec: r, batch: 1})
	}
	return evs
}

// feed observes evs in h.
func feed(h *History, evs []event) {
	for i := range evs {
		e := &evs[i]
		h.Observe(e.rec, e.batch, e.starting)
	}
}

// bruteCounts counts the states of h's spans at t one by one.
func bruteCounts(h *History, t time.Time) [5]int {
	var n [5]int
	for i := range h.Len() {
		if s, ok := h.Span(i).StateAt(t); ok {
			n[s]++
		}
	}
	return n
}
