package sched

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Scheduler starts jobs after their delays. A zero Scheduler is valid and
// ready to use; its fields, if set, must be set before its first use and not
// changed after. A Scheduler must not be copied after first use.
type Scheduler struct {
	// Start, if set, is what starting a job does: in the real world, calling
	// an API or asking the system for resources. It runs on its own
	// goroutine when the job's delay ends. The job is Starting while it runs,
	// then Started if it returns nil, or Failed with its error; a panic is
	// recovered into a [*PanicError]. ctx is cancelled by [Scheduler.Close].
	// A start in progress cannot be cancelled by [Job.Cancel].
	// Default: nil, starting takes no time.
	Start func(ctx context.Context, r Record) error

	// Limit caps how many start functions run at once, like an
	// asyncio.Semaphore; jobs whose delay ended wait, still Queued and
	// cancellable, for a slot, in the order their delays ended. It matters
	// only with Start set. Default: 0, no limit.
	Limit int

	mu      sync.Mutex
	ready   bool               // the fields below are set up
	closed  bool               // no new jobs
	ctx     context.Context    // passed to Start
	stop    context.CancelFunc // cancels ctx
	rand    *bufio.Reader      // buffers crypto/rand for uuids
	waiting *Job               // queued jobs, linked through prev and next
	slots   []*Job             // delay over, waiting for a start slot (Limit)
	running int                // start functions running
	counts  Counts
	subs    []*Subscription
	starts  sync.WaitGroup // goroutines running start functions
}

// Counts is how many jobs a scheduler has in each state.
type Counts struct {
	Queued, Starting, Started, Cancelled, Failed int
}

// Total is the number of jobs counted.
func (c Counts) Total() int {
	return c.Queued + c.Starting + c.Started + c.Cancelled + c.Failed
}

func (c *Counts) of(s State) *int {
	switch s {
	case Queued:
		return &c.Queued
	case Starting:
		return &c.Starting
	case Started:
		return &c.Started
	case Cancelled:
		return &c.Cancelled
	default:
		return &c.Failed
	}
}

// setupLocked makes a zero Scheduler usable.
func (s *Scheduler) setupLocked() {
	if s.ready {
		return
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	// One read from the system per 256 uuids instead of one each, as
	// uuid.EnableRandPool does, but without changing global state.
	s.rand = bufio.NewReaderSize(rand.Reader, 16*256)
	s.ready = true
}

// Submit queues one job to start after delay and returns its handle at
// once, like asyncio.create_task. A negative delay gets [ErrBadDelay], and a
// closed scheduler [ErrClosed].
func (s *Scheduler) Submit(delay time.Duration) (*Job, error) {
	jobs, err := s.submit(1, delay)
	if err != nil {
		return nil, err
	}
	return &jobs[0], nil
}

// SubmitBatch queues n jobs with the same delay, all or none, and returns
// their handles in order; pass them to [Gather] to wait for all of them.
// n below 1 gets [ErrEmptyBatch].
func (s *Scheduler) SubmitBatch(n int, delay time.Duration) ([]*Job, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w (asked for %d)", ErrEmptyBatch, n)
	}
	jobs, err := s.submit(n, delay)
	if err != nil {
		return nil, err
	}
	handles := make([]*Job, n)
	for i := range jobs {
		handles[i] = &jobs[i]
	}
	return handles, nil
}

// submit queues n jobs allocated in one block.
func (s *Scheduler) submit(n int, delay time.Duration) ([]Job, error) {
	if delay < 0 {
		return nil, fmt.Errorf("%w: %v", ErrBadDelay, delay)
	}
	jobs := make([]Job, n)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked()
	if s.closed {
		return nil, ErrClosed
	}
	for i := range jobs {
		j := &jobs[i]
		id, err := uuid.NewRandomFromReader(s.rand)
		if err != nil {
			// Only a broken system random source gets here; undo the
			// jobs queued so far so that the batch is all or none.
			for k := range jobs[:i] {
				s.cancelLocked(&jobs[k], err)
			}
			return nil, fmt.Errorf("sched: making job id: %w", err)
		}
		*j = Job{s: s, id: id, delay: delay, queuedAt: time.Now()}
		s.pushWaitingLocked(j)
		s.counts.Queued++
		s.emitLocked(j)
		// Timer fires hold the lock after us, so a zero delay still sees
		// the job fully set up.
		j.timer = time.AfterFunc(delay, j.fire)
	}
	return jobs, nil
}

// Run queues one job and waits for it, like awaiting start_job: it returns
// the job's record once it started, or the job's error. If ctx ends while
// the job is queued, the job is cancelled with ctx's cause; a start already
// in progress is waited for, so the result always tells the job's final
// state.
func (s *Scheduler) Run(ctx context.Context, delay time.Duration) (Record, error) {
	if ctx == nil {
		return Record{}, ErrNilContext
	}
	j, err := s.Submit(delay)
	if err != nil {
		return Record{}, err
	}
	select {
	case <-j.Done():
	case <-ctx.Done():
		j.Cancel(context.Cause(ctx))
		<-j.Done()
	}
	r := j.Record()
	return r, r.Err
}

// CancelAll cancels every job still queued with cause (see [Job.Cancel]) and
// returns how many it cancelled.
func (s *Scheduler) CancelAll(cause error) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelAllLocked(cause)
}

func (s *Scheduler) cancelAllLocked(cause error) int {
	n := 0
	for s.waiting != nil {
		s.cancelLocked(s.waiting, cause)
		n++
	}
	clear(s.slots)
	s.slots = s.slots[:0]
	return n
}

// Close cancels every job still queued with cause [ErrClosed], cancels the
// context given to start functions, waits for the starts in progress to end,
// and makes the scheduler refuse new jobs with ErrClosed. It always returns
// nil; closing twice is harmless. Close must not be called from Start.
func (s *Scheduler) Close() error {
	s.mu.Lock()
	s.setupLocked()
	s.closed = true
	s.cancelAllLocked(ErrClosed)
	s.stop()
	s.mu.Unlock()
	s.starts.Wait()
	return nil
}

// Counts returns how many jobs are in each state now.
func (s *Scheduler) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

func (s *Scheduler) pushWaitingLocked(j *Job) {
	j.next = s.waiting
	if s.waiting != nil {
		s.waiting.prev = j
	}
	s.waiting = j
}

func (s *Scheduler) removeWaitingLocked(j *Job) {
	if j.prev != nil {
		j.prev.next = j.next
	} else {
		s.waiting = j.next
	}
	if j.next != nil {
		j.next.prev = j.prev
	}
	j.prev, j.next = nil, nil
}

// setStateLocked moves j to state, keeping the counts, the waiting list and
// the observers in step; a final state closes j's done channel.
func (s *Scheduler) setStateLocked(j *Job, state State) {
	if j.state == Queued {
		s.removeWaitingLocked(j)
	}
	*s.counts.of(j.state)--
	*s.counts.of(state)++
	j.state = state
	if state.Done() {
		j.doneAt = time.Now()
		if state == Started {
			j.startedAt = j.doneAt
		}
		if j.done != nil {
			close(j.done)
			j.done = nil
		}
	}
	s.emitLocked(j)
}

func (s *Scheduler) cancelLocked(j *Job, cause error) bool {
	if j.state != Queued {
		return false
	}
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	if cause == nil {
		cause = ErrCancelled
	}
	j.cause = cause
	s.setStateLocked(j, Cancelled)
	return true
}

// fire runs on the timer's goroutine when j's delay ends. Under the lock it
// either loses to a Cancel that came first, or takes the job out of Queued.
func (j *Job) fire() {
	s := j.s
	s.mu.Lock()
	if j.state != Queued {
		s.mu.Unlock()
		return
	}
	j.timer = nil
	if s.Start == nil {
		s.setStateLocked(j, Started)
		s.mu.Unlock()
		return
	}
	if s.Limit > 0 && s.running >= s.Limit {
		s.slots = append(s.slots, j)
		s.mu.Unlock()
		return
	}
	r := s.beginLocked(j)
	s.starts.Add(1)
	s.mu.Unlock()
	s.runStarts(j, r)
}

func (s *Scheduler) beginLocked(j *Job) Record {
	s.running++
	s.setStateLocked(j, Starting)
	return j.recordLocked()
}

// runStarts runs j's start, then, while jobs wait for a slot, theirs, so
// that a goroutine exists only while there is a start to run.
func (s *Scheduler) runStarts(j *Job, r Record) {
	defer s.starts.Done()
	for j != nil {
		err := s.callStart(r)
		s.mu.Lock()
		s.running--
		if err != nil {
			j.cause = err
			s.setStateLocked(j, Failed)
		} else {
			s.setStateLocked(j, Started)
		}
		j = nil
		for len(s.slots) > 0 && j == nil {
			next := s.slots[0]
			s.slots[0] = nil
			s.slots = s.slots[1:]
			if next.state == Queued { // not cancelled while it waited
				j = next
				r = s.beginLocked(j)
			}
		}
		s.mu.Unlock()
	}
}

func (s *Scheduler) callStart(r Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return s.Start(s.ctx, r)
}
