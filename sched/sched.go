package sched

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
)

// Scheduler starts jobs after their delays. A zero Scheduler is valid and
// ready to use; its fields, if set, must be set before its first use and not
// changed after. A Scheduler must not be copied after first use. On the
// real clock, its clock is the one of its first use: in tests with
// [testing/synctest], make and use it inside the bubble.
type Scheduler struct {
	// Start, if set, is what starting a job does: in the real world, calling
	// an API or asking the system for resources. It runs on its own
	// goroutine when the job's delay ends. The job is Starting while it runs,
	// then Started if it returns nil, or Failed with its error; a panic is
	// recovered into a [*PanicError], and a [runtime.Goexit] fails the job
	// with [ErrGoexit]. ctx is cancelled by [Scheduler.Close], and carries
	// the scheduler's clock: a start that waits should wait on
	// clockwork.FromContext(ctx), so that it waits in the same time as its
	// job. A start in progress cannot be cancelled by [Job.Cancel].
	// Jobs due at the same instant begin their starts (become Starting) in
	// the order they were submitted; each start runs on its own goroutine,
	// so the calls themselves keep that order only under Limit 1.
	// Default: nil, starting takes no time.
	Start func(ctx context.Context, r Record) error

	// Limit caps how many start functions run at once, like an
	// asyncio.Semaphore; jobs whose delay ended wait, still Queued and
	// cancellable, for a slot, in the order their delays ended. It matters
	// only with Start set. A start function that submits a job and waits
	// for it (Run, Job.Wait, Gather) holds a slot that job needs: with
	// Limit 1 it waits until Close cancels the job.
	// Default: 0, no limit.
	Limit int

	// Clock is where the scheduler's time comes from: every time in a
	// Record, and the timer for the next due job. Give it a clockwork
	// FakeClock, or any clock of your own, to drive time: pause, step with
	// [Scheduler.NextDue] and [Scheduler.Settled], run slowly or fast. The
	// scheduler calls its AfterFunc only with positive durations, and its
	// timers' functions may be called on any goroutine, but not from inside
	// the clock's own methods (Now, Since, AfterFunc, and the timer's Reset
	// and Stop), which the scheduler calls while holding its lock.
	// Default: nil, the real clock, used through package time directly.
	Clock clockwork.Clock

	// Rand is where job ids come from: 16 bytes a job, read in submission
	// order under the scheduler's lock, so that a seeded reader (such as a
	// math/rand/v2 ChaCha8) gives the same ids to the same submissions. It
	// must not block. An error from it refuses the submission.
	// Default: nil, crypto/rand, read before taking the lock.
	Rand io.Reader

	mu     sync.Mutex
	ready  bool               // the fields below are set up
	closed bool               // no new jobs
	ctx    context.Context    // passed to Start
	stop   context.CancelFunc // cancels ctx
	epoch  time.Time          // the clock's time at setup; job times are offsets from it
	seq    uint64             // batches submitted
	due    dueQueue           // batches waiting for their delay (queue.go)
	timer  timer              // the clock's timer, for due's head when it is due later
	kick   *time.Timer        // a real timer that runs fire when due's head is due now
	// settled, once asked for by Settled, is closed when no job is due.
	settled chan struct{}
	slots   []*Job // delay over, waiting for a start slot (Limit)
	// slotsCancelled counts the jobs in slots cancelled while they waited.
	slotsCancelled int
	running        int // start functions running
	// ended, once asked for by Running, is closed when a start ends.
	ended   chan struct{}
	counts  Counts
	subs    []*Subscription
	holding bool           // events wait in held (subscribe.go)
	held    []Event        // events of a chunk of starts
	heldAt  time.Duration  // when the last held event happened
	starts  sync.WaitGroup // goroutines running start functions
	// spread is the failures of groups that have jobs of other schedulers,
	// to be told them once s.mu is released (group.go); empty whenever
	// s.mu is free.
	spread spread
}

// timer is what the scheduler needs of a *time.Timer or a clockwork.Timer.
type timer interface {
	Reset(time.Duration) bool
	Stop() bool
}

// MaxBatch is the largest batch SubmitBatch takes: 4,194,304 jobs, about
// 450 MB natively while they wait (less as WebAssembly, whose memory is at
// most 4 GB). Bigger batches get [ErrBatchTooBig]; submit them in parts.
const MaxBatch = 1 << 22

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
	if s.Clock == nil {
		s.epoch = time.Now()
	} else {
		s.epoch = s.Clock.Now()
		s.ctx = clockwork.AddToContext(s.ctx, s.Clock)
	}
	s.ready = true
}

// sinceLocked is the clock's time now, as an offset from the epoch.
func (s *Scheduler) sinceLocked() time.Duration {
	if s.Clock == nil {
		return time.Since(s.epoch)
	}
	return s.Clock.Since(s.epoch)
}

func (s *Scheduler) afterFunc(d time.Duration, f func()) timer {
	if s.Clock == nil {
		return time.AfterFunc(d, f)
	}
	return s.Clock.AfterFunc(d, f)
}

// Submit queues one job to start after delay and returns its handle at
// once, like asyncio.create_task. A negative delay gets [ErrBadDelay], and a
// closed scheduler [ErrClosed].
func (s *Scheduler) Submit(delay time.Duration) (*Job, error) {
	b, _, err := s.submit(1, delay, false, nil)
	if err != nil {
		return nil, err
	}
	return &b.jobs[0], nil
}

// SubmitBatch queues n jobs with the same delay and returns their handles
// in order; pass them to [Gather] to wait for all of them. The batch is
// accepted at one instant, all or none: its jobs share one queued time and
// one due time, and they start in order. Subscribers get one Queued event
// for the whole batch (see [Event.Jobs]). n below 1 gets [ErrEmptyBatch],
// above [MaxBatch] [ErrBatchTooBig]. The jobs are allocated in one block,
// so any one of their handles keeps the whole batch in memory.
func (s *Scheduler) SubmitBatch(n int, delay time.Duration) ([]*Job, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w (asked for %d)", ErrEmptyBatch, n)
	}
	if n > MaxBatch {
		return nil, fmt.Errorf("%w: %d jobs, at most %d", ErrBatchTooBig, n, MaxBatch)
	}
	_, handles, err := s.submit(n, delay, true, nil)
	return handles, err
}

// submit queues a batch of n jobs, all or none, in one hold of the lock:
// everything that can be made before it is, so the lock is held for a
// few reads and writes whatever n. With handles, the batch is one
// SubmitBatch: its handles are made here, and it is announced as one.
// With w, the batch's one job is put in the watches of w's deadline
// context in the same hold, so that no advance of the clock comes between
// (Run); if that context has ended, the job is cancelled at once.
func (s *Scheduler) submit(n int, delay time.Duration, batched bool, w *watch) (b *batch, handles []*Job, err error) {
	if delay < 0 {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadDelay, delay)
	}
	b = newBatch(s, n, delay)
	if batched {
		handles = make([]*Job, n)
		for i := range b.jobs {
			handles[i] = &b.jobs[i]
		}
	}
	if w != nil {
		w.jobs = []*Job{&b.jobs[0]}
	}
	raw := make([]byte, 16*n)
	if s.Rand == nil {
		rand.Read(raw) // never fails (Go 1.24+); order does not matter
		b.setIDs(raw)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked()
	if s.closed {
		return nil, nil, ErrClosed
	}
	if s.Rand != nil {
		if _, err := io.ReadFull(s.Rand, raw); err != nil {
			return nil, nil, fmt.Errorf("sched: reading job ids from Rand: %w", err)
		}
		b.setIDs(raw)
	}
	s.seq++
	b.seq = s.seq
	s.counts.Queued += n
	now := s.sinceLocked()
	b.queuedAt, b.dueAt = now, dueAt(now, delay)
	if batched {
		b.handles = &handles
	}
	s.announceLocked(b, handles, now)
	s.due.push(b)
	if b.heapIdx == 0 {
		s.armLocked() // a new earliest
	}
	if w != nil {
		if _, cause := w.d.add(w); cause != nil && s.cancelLocked(&b.jobs[0], cause, now) {
			s.armLocked()
		}
	}
	return b, handles, nil
}

// setIDs gives each job of b a version 4 uuid made from its 16 bytes of
// raw, as 32 hex digits: the uuid that uuid.NewRandomFromReader makes of
// those bytes (ids_test.go checks it), its version and variant bits set in
// place in raw, which it changes. The batch's ids are one string, b.ids,
// the i'th job's id at 32*i: one allocation, not one a job, and no pointer
// in a job for the garbage collector to follow.
func (b *batch) setIDs(raw []byte) {
	for i := range b.jobs {
		id := (*uuid.UUID)(raw[16*i : 16*i+16])
		id[6] = id[6]&0x0f | 0x40 // version 4
		id[8] = id[8]&0x3f | 0x80 // variant 10: RFC 4122
	}
	// One pass over the whole batch, not a call a job: under Node, the
	// ids of 100,000 jobs take 9-13 ms rather than 14-18, in the task
	// that queues them.
	text := make([]byte, 32*len(b.jobs))
	hex.Encode(text, raw)
	// The bytes are never written again: they become the string without
	// a copy, as strings.Builder does.
	b.ids = unsafe.String(unsafe.SliceData(text), len(text))
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
// state. If ctx has already ended, Run queues nothing and returns ctx's
// cause. A deadline from [Scheduler.WithDeadline] or
// [Scheduler.WithTimeout] cancels the job exactly at the deadline, in
// the clock's timer function (see there). A nil ctx is [ErrNilContext].
func (s *Scheduler) Run(ctx context.Context, delay time.Duration) (Record, error) {
	if ctx == nil {
		return Record{}, ErrNilContext
	}
	if ctx.Err() != nil {
		return Record{}, context.Cause(ctx)
	}
	var w *watch
	if d := deadlineOf(ctx); d != nil {
		w = &watch{d: d}
	}
	b, _, err := s.submit(1, delay, false, w)
	if err != nil {
		return Record{}, err
	}
	j := &b.jobs[0]
	if w != nil {
		defer w.d.remove(w)
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

// NextDue returns when the earliest job still waiting for its delay is
// due, by the scheduler's clock; ok is false when no job waits for its
// delay. A time not after the clock's now means jobs are being started:
// [Scheduler.Settled] tells when that is done.
//
// To drive a clockwork FakeClock through every due time exactly, advance
// it to each in turn and let each settle before the next (see the
// Example). Jobs are stamped with the clock's time when the scheduler
// reaches them: one Advance past two due times runs the scheduler's timer
// once and stamps the jobs of both with the later time, and an Advance
// before the last one settled makes its jobs late by that advance.
func (s *Scheduler) NextDue() (t time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.due.head()
	if b == nil {
		return time.Time{}, false
	}
	return s.epoch.Add(b.dueAt), true
}

// Settled returns a channel that is closed once no job is due by the
// clock's time now: every job whose delay has ended has left the timer
// queue, and is Started (without a start function), Starting, Failed, or
// waiting for a slot under Limit. A driver that advances the clock waits on
// it to know that the work the advance released is done, with no polling.
// A start function runs on its own goroutine, and may wait on the clock in
// turn: a clockwork FakeClock's BlockUntilContext tells when it does.
func (s *Scheduler) Settled() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.due.head(); b == nil || b.dueAt > s.sinceLocked() {
		return closedChan
	}
	if s.settled == nil {
		s.settled = make(chan struct{})
		// Jobs are due, and the clock's timer may not say so: set for a
		// due time while the clock moved, it ends late. Start them now.
		s.kickLocked(0)
	}
	return s.settled
}

// Running returns how many start functions are running now, and a channel
// that is closed when one of them next ends, its job then Started or
// Failed. A driver of the clock uses it with [Scheduler.Settled] to wait,
// without polling, until every start in progress waits on the clock: after
// an advance, it waits until the clock's pending timers number the starts
// running (plus the scheduler's own timer while a job waits), waking on
// each start's end and on each timer added. It is 0 without a Start.
func (s *Scheduler) Running() (n int, ended <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended == nil {
		s.ended = make(chan struct{})
	}
	return s.running, s.ended
}

// CancelAll cancels every job still queued with cause (see [Job.Cancel]) and
// returns how many it cancelled.
func (s *Scheduler) CancelAll(cause error) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return 0
	}
	return s.cancelAllLocked(cause)
}

func (s *Scheduler) cancelAllLocked(cause error) int {
	now := s.sinceLocked()
	n := 0
	for len(s.due) > 0 {
		b := s.due[len(s.due)-1] // the last: no sifting
		for i := int(b.next); i < len(b.jobs); i++ {
			if j := &b.jobs[i]; j.state == Queued {
				s.cancelLocked(j, cause, now)
				n++
			}
		}
	}
	slots := s.slots
	s.slots = nil
	for _, j := range slots {
		if j.state == Queued {
			s.cancelLocked(j, cause, now)
			n++
		}
	}
	s.slotsCancelled = 0
	s.armLocked()
	return n
}

// Close cancels every job still queued with cause [ErrClosed], cancels the
// context given to start functions, waits for the starts in progress to end,
// and makes the scheduler refuse new jobs with ErrClosed. Subscriptions
// then deliver their last events, and their Ready channels close. It always
// returns nil; closing twice is harmless. Close must not be called from
// Start.
func (s *Scheduler) Close() error {
	s.mu.Lock()
	s.setupLocked()
	s.closed = true
	s.cancelAllLocked(ErrClosed)
	s.stop()
	s.mu.Unlock()
	s.starts.Wait()

	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for _, sub := range subs {
		sub.finish()
	}
	return nil
}

// Counts returns how many jobs are in each state now.
func (s *Scheduler) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// setStateLocked moves j to state at now, keeping the counts and the
// observers in step; a final state closes j's done channel.
func (s *Scheduler) setStateLocked(j *Job, state State, now time.Duration) {
	*s.counts.of(j.state)--
	*s.counts.of(state)++
	j.state = state
	if state.Final() {
		j.doneAt = now
		if j.more != nil && j.more.done != nil {
			close(j.more.done)
			j.more.done = nil
		}
	}
	s.emitLocked(j, now)
	if state.Final() && j.more != nil && j.more.hooks != nil {
		s.hooksLocked(j, now) // after the event: a failure, then what it cancels
	}
}

// cancelLocked cancels j, which is Queued, and reports whether that took
// the earliest batch out of the timer queue, so that the timer must be set
// again.
func (s *Scheduler) cancelLocked(j *Job, cause error, now time.Duration) (headGone bool) {
	b := j.b
	if j.readyAt == notYet {
		// Still in its batch's share of the timer queue, which skips
		// cancelled jobs; a batch with none left leaves the queue.
		if b.waiting--; b.waiting == 0 {
			headGone = b.heapIdx == 0
			s.due.remove(b)
		}
	} else {
		s.slotCancelledLocked(j)
	}
	// The usual causes take no memory of their own (see errLocked).
	if cause != nil && cause != ErrCancelled && cause != ErrClosed {
		j.moreLocked().cause = cause
	} else if cause == ErrClosed {
		j.closed = true
	}
	s.setStateLocked(j, Cancelled, now)
	return headGone
}
