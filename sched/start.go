package sched

import (
	"runtime/debug"
	"slices"
	"time"
)

// delayEndedLocked starts j, whose delay just ended: at once without a
// start function, else on a goroutine of its own when a slot is free.
func (s *Scheduler) delayEndedLocked(j *Job, now time.Duration) {
	switch {
	case s.Start == nil:
		s.setStateLocked(j, Started, now)
	case s.Limit > 0 && s.running >= s.Limit:
		s.slots = append(s.slots, j)
	default:
		r := s.beginLocked(j, now)
		s.starts.Add(1)
		go s.runStarts(j, r)
	}
}

func (s *Scheduler) beginLocked(j *Job, now time.Duration) Record {
	s.running++
	s.setStateLocked(j, Starting, now)
	return j.recordLocked()
}

// slotCancelledLocked notes that j, waiting in s.slots, was cancelled.
// s.slots skips cancelled jobs; they are dropped once they are half of it,
// so that cancelling frees them.
func (s *Scheduler) slotCancelledLocked(j *Job) {
	if s.slotsCancelled++; s.slotsCancelled > len(s.slots)/2 {
		s.slots = slices.DeleteFunc(s.slots, func(k *Job) bool { return k == j || k.state != Queued })
		s.slotsCancelled = 0
	}
}

// runStarts runs j's start, then, while jobs wait for a slot, theirs, so
// that a goroutine exists only while there is a start to run.
func (s *Scheduler) runStarts(j *Job, r Record) {
	defer s.starts.Done()
	goexit := true
	defer func() {
		if !goexit {
			return
		}
		// Start called runtime.Goexit (t.FailNow does): recover cannot
		// see it, but the job must still end and its slot be handed on.
		s.mu.Lock()
		next, r := s.endStartLocked(j, ErrGoexit)
		if next != nil {
			s.starts.Add(1)
			go s.runStarts(next, r)
		}
		spread := s.takeSpreadLocked()
		s.mu.Unlock()
		spread.run()
	}()
	for j != nil {
		err := s.callStart(r)
		s.mu.Lock()
		j, r = s.endStartLocked(j, err)
		spread := s.takeSpreadLocked()
		s.mu.Unlock()
		spread.run() // a failure's cancellations in other schedulers
	}
	goexit = false
}

// endStartLocked ends j's start with err, frees its slot and, if a job
// waits for a slot, begins that job's start and returns it. A failure
// cancels the jobs of j's groups still queued first (setStateLocked), so
// that none of them gets the slot.
func (s *Scheduler) endStartLocked(j *Job, err error) (*Job, Record) {
	now := s.sinceLocked()
	s.running--
	if err != nil {
		j.moreLocked().cause = err
		s.setStateLocked(j, Failed, now)
	} else {
		s.setStateLocked(j, Started, now)
	}
	if s.ended != nil {
		close(s.ended)
		s.ended = nil
	}
	for len(s.slots) > 0 {
		next := s.slots[0]
		s.slots[0] = nil
		s.slots = s.slots[1:]
		if next.state == Queued { // not cancelled while it waited
			return next, s.beginLocked(next, now)
		}
		s.slotsCancelled--
	}
	return nil, Record{}
}

func (s *Scheduler) callStart(r Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return s.Start(s.ctx, r)
}
