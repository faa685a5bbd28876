package sched

import "time"

// The scheduler keeps its waiting jobs in a binary heap of batches ordered
// by when their delays end, and holds one timer for the earliest. A batch
// (one job from Submit, n from SubmitBatch) shares one queued time and one
// due time, so it is one entry of the heap; when it is due, its jobs are
// started by walking them in order.
//
// Why not a time.AfterFunc per job: each firing starts a goroutine, and a
// million timers due together start a million goroutines that all queue on
// the scheduler's lock; measured here, that made a 1M-job 1 ms batch 2 to 7
// times slower than a goroutine per job, and in the browser 10k such
// goroutines froze the page for a third of a second.
//
// Why not a heap entry per job (the version before batches): a batch
// stamped job by job is late by the time it took to queue it, and popping
// a million entries costs log n each: the last jobs of a 1M batch started
// 286-361 ms late (p99), against 11-53 ms now (BenchmarkBatch), and
// starting a due job cost about 280 ns, against 7 ns now (BenchmarkStart).

// batch is jobs submitted together: one entry of the timer queue.
type batch struct {
	s    *Scheduler
	jobs []Job
	// ids are the jobs' ids, 32 hex digits each, in order: made once, as
	// UIs ask for them on every change (see setIDs).
	ids string
	// handles are the jobs' handles SubmitBatch returned, nil for a job
	// from Submit: events that stand for several jobs hold parts of it.
	handles  *[]*Job
	delay    time.Duration
	queuedAt time.Duration // since s.epoch
	dueAt    time.Duration // since s.epoch: when the delay ends
	seq      uint64        // submission order, for batches due together
	// 32-bit, as MaxBatch is: with heapIdx they take the room of two
	// words, so that a job from Submit and its batch fit one 160-byte
	// allocation.
	next    int32 // jobs[:next] have left the queue
	waiting int32 // jobs[next:] not cancelled
	heapIdx int32 // index in s.due, or -1 when not in it
}

// newBatch allocates a batch of n jobs. A single job shares one allocation
// with its batch.
func newBatch(s *Scheduler, n int, delay time.Duration) *batch {
	var b *batch
	if n == 1 {
		one := new(struct {
			b batch
			j [1]Job
		})
		b = &one.b
		b.jobs = one.j[:]
	} else {
		b = &batch{jobs: make([]Job, n)}
	}
	b.s, b.delay, b.waiting, b.heapIdx = s, delay, int32(n), -1
	for i := range b.jobs {
		b.jobs[i].b = b
		b.jobs[i].readyAt = notYet
	}
	return b
}

// dueQueue is a binary min-heap of batches by due time, then submission,
// so that jobs due at the same instant start in the order they were
// submitted. Each batch knows its index, so that it can be removed when its
// last waiting job is cancelled. The index is 32-bit: 2^31 batches would
// take hundreds of gigabytes.
type dueQueue []*batch

func (q dueQueue) less(i, k int) bool {
	a, b := q[i], q[k]
	return a.dueAt < b.dueAt || (a.dueAt == b.dueAt && a.seq < b.seq)
}

// head returns the earliest batch, or nil.
func (q dueQueue) head() *batch {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}

func (q *dueQueue) push(b *batch) {
	b.heapIdx = int32(len(*q))
	*q = append(*q, b)
	q.up(int(b.heapIdx))
}

// remove takes b out of the queue.
func (q *dueQueue) remove(b *batch) {
	h := *q
	i, last := int(b.heapIdx), len(h)-1
	if i != last {
		h.swap(i, last)
	}
	h[last] = nil
	*q = h[:last]
	b.heapIdx = -1
	if i != last {
		q.down(i)
		q.up(i)
	}
	if last == 0 && cap(h) > 1024 {
		*q = nil // let a burst's array go
	}
}

func (q dueQueue) swap(i, k int) {
	q[i], q[k] = q[k], q[i]
	q[i].heapIdx = int32(i)
	q[k].heapIdx = int32(k)
}

func (q dueQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			return
		}
		q.swap(i, p)
		i = p
	}
}

func (q dueQueue) down(i int) {
	n := len(q)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && q.less(r, c) {
			c = r
		}
		if !q.less(c, i) {
			return
		}
		q.swap(i, c)
		i = c
	}
}

// fireChunk is how many jobs a start walk takes per reading of the clock
// and per hold of the lock, so that Cancel and Submit are not kept waiting
// behind a million-job batch. The jobs of a chunk share their ReadyAt.
const fireChunk = 256

// armLocked sets the timers for the earliest waiting batch: the clock's
// timer when it is due later, the kick timer when it is due now; and when
// none is due now, it tells those waiting on Settled. It reads the clock
// itself, after any work done under the lock.
func (s *Scheduler) armLocked() {
	b := s.due.head()
	if b == nil {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.settleLocked()
		return
	}
	if now := s.sinceLocked(); b.dueAt > now {
		d := b.dueAt - now
		if s.timer == nil {
			s.timer = s.afterFunc(d, s.fire)
		} else {
			s.timer.Reset(d)
		}
		// A driver's Advance does not take s.mu: if it moved a driven
		// clock past the due time while the timer was being set, the
		// timer ends too late, and the batch must start now instead.
		if s.Clock == nil || b.dueAt > s.sinceLocked() {
			s.settleLocked()
			return
		}
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.kickLocked(0)
}

// settleLocked tells those waiting on Settled that no job is due.
func (s *Scheduler) settleLocked() {
	if s.settled != nil {
		close(s.settled)
		s.settled = nil
	}
}

// kickLocked makes fire run after d of real time, whatever the clock: a
// driven clock is asked only to wait for due times in the future, so that
// no clock has to call a function from inside AfterFunc or Reset.
func (s *Scheduler) kickLocked(d time.Duration) {
	if s.kick == nil {
		s.kick = time.AfterFunc(d, s.fire)
	} else {
		s.kick.Reset(d)
	}
}

// fire runs when a timer ends: it starts the jobs now due, a chunk per hold
// of the lock, for at most walkSlice of real time, then hands the thread
// back and goes on after walkYield (yieldLocked), so that in a browser the
// page can draw while a big batch starts.
func (s *Scheduler) fire() {
	began := time.Now()
	for {
		s.mu.Lock()
		now := s.sinceLocked()
		s.holdEventsLocked()
		more := s.startDueLocked(now)
		s.sendHeldLocked()
		yield := more && time.Since(began) >= walkSlice
		switch {
		case !more:
			s.armLocked()
		case yield:
			s.yieldLocked()
		}
		s.mu.Unlock()
		if !more || yield {
			return
		}
	}
}

// startDueLocked starts up to fireChunk jobs whose delays ended by now, in
// order, and reports whether more are due.
func (s *Scheduler) startDueLocked(now time.Duration) bool {
	for n := 0; ; {
		b := s.due.head()
		if b == nil || b.dueAt > now {
			return false
		}
		if n == fireChunk {
			return true
		}
		for int(b.next) < len(b.jobs) && n < fireChunk {
			j := &b.jobs[b.next]
			b.next++
			n++
			if j.state != Queued {
				continue // cancelled
			}
			b.waiting--
			j.readyAt = now
			s.delayEndedLocked(j, now)
		}
		if b.waiting == 0 {
			s.due.remove(b)
		}
	}
}
