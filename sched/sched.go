package sched

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Scheduler starts jobs after their delays. A zero Scheduler is valid and
// ready to use; its fields, if set, must be set before its first use and not
// changed after. A Scheduler must not be copied after first use. Its clock
// is the one of its first use: in tests with [testing/synctest], make and
// use it inside the bubble.
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

	mu     sync.Mutex
	ready  bool               // the fields below are set up
	closed bool               // no new jobs
	ctx    context.Context    // passed to Start
	stop   context.CancelFunc // cancels ctx
	epoch  time.Time          // due times are measured from it
	seq    uint64             // jobs submitted
	due    []*Job             // jobs waiting for their delay: a heap (queue.go)
	timer  *time.Timer        // fires when due[0]'s delay ends
	slots  []*Job             // delay over, waiting for a start slot (Limit)
	// slotsCancelled counts the jobs in slots cancelled while they waited.
	slotsCancelled int
	running        int // start functions running
	counts         Counts
	subs           []*Subscription
	starts         sync.WaitGroup // goroutines running start functions
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
	s.epoch = time.Now()
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
// n below 1 gets [ErrEmptyBatch]. The jobs are allocated in one block, so
// any one of their handles keeps the whole batch in memory.
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

// submit queues n jobs allocated in one block, all or none. Their ids are
// made before taking the lock, which then queues them in one hold: ~100 ns
// a job, so a timer's fire or a Cancel waits at most that long per job of a
// batch, and no job of a batch can start before the batch is all queued.
func (s *Scheduler) submit(n int, delay time.Duration) ([]Job, error) {
	if delay < 0 {
		return nil, fmt.Errorf("%w: %v", ErrBadDelay, delay)
	}
	jobs := make([]Job, n)
	raw := make([]byte, 16*n)
	rand.Read(raw) // never fails (Go 1.24+)
	for i := range jobs {
		id, err := uuid.NewRandomFromReader(bytes.NewReader(raw[16*i : 16*i+16]))
		if err != nil {
			return nil, fmt.Errorf("sched: making a job id: %w", err)
		}
		jobs[i] = Job{s: s, id: hex.EncodeToString(id[:]), delay: delay, heapIdx: -1}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked()
	if s.closed {
		return nil, ErrClosed
	}
	for i := range jobs {
		j := &jobs[i]
		j.queuedAt = time.Now()
		s.seq++
		j.seq = s.seq
		j.dueAt = dueAt(j.queuedAt.Sub(s.epoch), delay)
		s.pushDueLocked(j)
		s.counts.Queued++
		s.emitLocked(j)
	}
	if jobs[0].heapIdx == 0 {
		s.armLocked() // a new earliest
	}
	return jobs, nil
}

// dueAt is when a job queued at since is due, saturating rather than
// wrapping for delays near the largest Duration, which would otherwise put
// a job due in 292 years at the head of the queue.
func dueAt(since, delay time.Duration) time.Duration {
	if due := since + delay; due >= since {
		return due
	}
	return math.MaxInt64
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
	for len(s.due) > 0 {
		s.cancelLocked(s.due[len(s.due)-1], cause) // the last: no sifting
		n++
	}
	slots := s.slots
	s.slots = nil
	for _, j := range slots {
		if s.cancelLocked(j, cause) {
			n++
		}
	}
	s.slotsCancelled = 0
	s.armLocked()
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

// setStateLocked moves j to state, keeping the counts and the observers in
// step; a final state closes j's done channel.
func (s *Scheduler) setStateLocked(j *Job, state State) {
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
	if j.heapIdx >= 0 {
		head := j.heapIdx == 0
		s.removeDueLocked(j)
		if head {
			s.armLocked() // for the new earliest, or stop
		}
	} else if s.slotsCancelled++; s.slotsCancelled > len(s.slots)/2 {
		// It waits in s.slots, which skips cancelled jobs; drop them
		// once they are half of it, so that cancelling frees them.
		s.slots = slices.DeleteFunc(s.slots, func(k *Job) bool { return k == j || k.state != Queued })
		s.slotsCancelled = 0
	}
	if cause == nil {
		cause = ErrCancelled
	}
	j.cause = cause
	s.setStateLocked(j, Cancelled)
	return true
}

// delayEndedLocked starts j, whose delay just ended: at once without a
// start function, else on a goroutine of its own when a slot is free.
func (s *Scheduler) delayEndedLocked(j *Job) {
	switch {
	case s.Start == nil:
		s.setStateLocked(j, Started)
	case s.Limit > 0 && s.running >= s.Limit:
		s.slots = append(s.slots, j)
	default:
		r := s.beginLocked(j)
		s.starts.Add(1)
		go s.runStarts(j, r)
	}
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
	goexit := true
	defer func() {
		if !goexit {
			return
		}
		// Start called runtime.Goexit (t.FailNow does): recover cannot
		// see it, but the job must still end and its slot be handed on.
		s.mu.Lock()
		defer s.mu.Unlock()
		if next, r := s.endStartLocked(j, errGoexit); next != nil {
			s.starts.Add(1)
			go s.runStarts(next, r)
		}
	}()
	for j != nil {
		err := s.callStart(r)
		s.mu.Lock()
		j, r = s.endStartLocked(j, err)
		s.mu.Unlock()
	}
	goexit = false
}

// errGoexit is the cause of a job whose start function called
// runtime.Goexit.
var errGoexit = errors.New("start function called runtime.Goexit")

// endStartLocked ends j's start with err, frees its slot and, if a job
// waits for a slot, begins that job's start and returns it.
func (s *Scheduler) endStartLocked(j *Job, err error) (*Job, Record) {
	s.running--
	if err != nil {
		j.cause = err
		s.setStateLocked(j, Failed)
	} else {
		s.setStateLocked(j, Started)
	}
	for len(s.slots) > 0 {
		next := s.slots[0]
		s.slots[0] = nil
		s.slots = s.slots[1:]
		if next.state == Queued { // not cancelled while it waited
			return next, s.beginLocked(next)
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
