package sched

import "time"

// The scheduler keeps its waiting jobs in a binary heap ordered by when
// their delays end, and holds one runtime timer for the earliest.
//
// Why not a time.AfterFunc per job: each firing starts a goroutine, and a
// million timers due together start a million goroutines that all queue on
// the scheduler's lock; measured here, that made a 1M-job 1 ms batch 2 to 7
// times slower than a goroutine per job, and in the browser 10k such
// goroutines froze the page for a third of a second. With one timer, the
// due jobs are started in bulk under one lock hold, and a waiting job costs
// its struct and one heap slot (see BenchmarkWaiting).

// less orders by due time, then by submission, so that jobs due at the same
// instant start in the order they were queued.
func less(a, b *Job) bool {
	return a.dueAt < b.dueAt || (a.dueAt == b.dueAt && a.seq < b.seq)
}

func (s *Scheduler) pushDueLocked(j *Job) {
	j.heapIdx = int32(len(s.due))
	s.due = append(s.due, j)
	s.up(int(j.heapIdx))
}

// removeDueLocked takes j out of the heap.
func (s *Scheduler) removeDueLocked(j *Job) {
	i := int(j.heapIdx)
	last := len(s.due) - 1
	if i != last {
		s.swap(i, last)
	}
	s.due[last] = nil
	s.due = s.due[:last]
	j.heapIdx = -1
	if i != last {
		s.down(i)
		s.up(i)
	}
	if len(s.due) == 0 && cap(s.due) > 1024 {
		s.due = nil // let a big batch's array go
	}
}

func (s *Scheduler) swap(i, k int) {
	s.due[i], s.due[k] = s.due[k], s.due[i]
	s.due[i].heapIdx = int32(i)
	s.due[k].heapIdx = int32(k)
}

func (s *Scheduler) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(s.due[i], s.due[p]) {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *Scheduler) down(i int) {
	n := len(s.due)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && less(s.due[r], s.due[c]) {
			c = r
		}
		if !less(s.due[c], s.due[i]) {
			return
		}
		s.swap(i, c)
		i = c
	}
}

// armLocked sets the scheduler's timer for the earliest waiting job, or
// stops it when none waits.
func (s *Scheduler) armLocked() {
	if len(s.due) == 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	d := s.due[0].dueAt - time.Since(s.epoch)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.fire)
	} else {
		s.timer.Reset(d)
	}
}

// fireChunk is how many due jobs fire takes per hold of the lock, so that
// Cancel and Submit are not kept waiting behind a million-job batch.
const fireChunk = 1024

// fire runs when the scheduler's timer ends: it starts every job now due,
// and sets the timer for the next.
func (s *Scheduler) fire() {
	for {
		s.mu.Lock()
		now := time.Since(s.epoch)
		for n := 0; n < fireChunk && len(s.due) > 0 && s.due[0].dueAt <= now; n++ {
			j := s.due[0]
			s.removeDueLocked(j)
			s.delayEndedLocked(j)
		}
		more := len(s.due) > 0 && s.due[0].dueAt <= now
		if !more {
			s.armLocked()
		}
		s.mu.Unlock()
		if !more {
			return
		}
	}
}
