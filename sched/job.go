package sched

import (
	"context"
	"fmt"
	"time"
)

// State is where a job is in its life. A job is Queued, may be Starting
// while a start function runs, and ends in exactly one of Started,
// Cancelled or Failed.
type State uint8

const (
	Queued    State = iota // waiting for its delay to end, or for a start slot
	Starting               // the scheduler's start function is running
	Started                // started: the record is complete
	Cancelled              // cancelled while queued; it never starts
	Failed                 // the start function returned an error or panicked
)

var stateNames = [...]string{"queued", "starting", "started", "cancelled", "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// Done reports whether s is final: Started, Cancelled or Failed.
func (s State) Done() bool { return s >= Started && s <= Failed }

// Record is a snapshot of a job: the seed's JobRecord, with the job's state.
type Record struct {
	ID        string        // 32 lowercase hex digits, like uuid4().hex
	Delay     time.Duration // the delay asked for
	QueuedAt  time.Time     // when the job was submitted
	StartedAt time.Time     // when it started (its start function returned); zero unless State is Started
	DoneAt    time.Time     // when it reached its final state; zero before
	State     State
	Err       error // a *JobError when State is Cancelled or Failed, else nil
}

// Valid reports whether the job was queued strictly before it started, the
// seed's check. A job that never started is not valid. Both times carry
// monotonic readings, so wall-clock steps cannot change the answer. A job
// with no delay may start at the very instant it was queued on a coarse
// clock (in a browser time.Now steps by about 100 µs; in a synctest bubble
// it stands still), and is then not valid.
func (r Record) Valid() bool { return r.QueuedAt.Before(r.StartedAt) }

// Wait is how long the job waited between being queued and starting; zero
// if it has not started.
func (r Record) Wait() time.Duration {
	if r.StartedAt.IsZero() {
		return 0
	}
	return r.StartedAt.Sub(r.QueuedAt)
}

// Lateness is how much longer than its delay the job waited; zero if it has
// not started. Timers never fire early, so it is not negative.
func (r Record) Lateness() time.Duration {
	if r.StartedAt.IsZero() {
		return 0
	}
	return r.Wait() - r.Delay
}

// Job is a handle on one submitted job, like an asyncio task: it can be
// waited for, and cancelled until it starts. Its methods are safe for
// concurrent use.
type Job struct {
	s        *Scheduler
	id       string // hex, made once: UIs ask for it on every change
	delay    time.Duration
	queuedAt time.Time

	// Guarded by s.mu. A waiting job is this struct and its place in the
	// scheduler's timer queue, nothing more: the error is built on demand
	// and done is made only if asked for.
	state     State
	heapIdx   int32 // index in s.due while waiting for its delay, else -1
	seq       uint64
	dueAt     time.Duration // since s.epoch: when the delay ends
	startedAt time.Time
	doneAt    time.Time
	cause     error
	done      chan struct{}
}

// closedChan is returned by Done for a job already final, so that waiting on
// a finished job allocates nothing.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// ID returns the job's id: 32 lowercase hex digits.
func (j *Job) ID() string { return j.id }

// State returns the job's current state.
func (j *Job) State() State {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	return j.state
}

// Cancelled reports whether the job was cancelled, like task.cancelled().
func (j *Job) Cancelled() bool { return j.State() == Cancelled }

// Record returns a snapshot of the job's record.
func (j *Job) Record() Record {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	return j.recordLocked()
}

func (j *Job) recordLocked() Record {
	return Record{
		ID:        j.id,
		Delay:     j.delay,
		QueuedAt:  j.queuedAt,
		StartedAt: j.startedAt,
		DoneAt:    j.doneAt,
		State:     j.state,
		Err:       j.errLocked(),
	}
}

// Err returns nil while the job is not final and when it started; else a
// *JobError matching [ErrCancelled] or [ErrFailed], wrapping the cause.
func (j *Job) Err() error {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	return j.errLocked()
}

func (j *Job) errLocked() error {
	if j.state != Cancelled && j.state != Failed {
		return nil
	}
	return &JobError{ID: j.id, State: j.state, Cause: j.cause}
}

// Done returns a channel that is closed when the job reaches its final
// state, like [context.Context.Done].
func (j *Job) Done() <-chan struct{} {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	if j.state.Done() {
		return closedChan
	}
	if j.done == nil {
		j.done = make(chan struct{})
	}
	return j.done
}

// Wait blocks until the job is final or ctx ends, like awaiting a task. It
// returns the job's record and error ([Job.Err]); if ctx ends first, the
// record so far and ctx's cause, and the job goes on.
func (j *Job) Wait(ctx context.Context) (Record, error) {
	if ctx == nil {
		return j.Record(), ErrNilContext
	}
	select {
	case <-j.Done():
		r := j.Record()
		return r, r.Err
	case <-ctx.Done():
		return j.Record(), context.Cause(ctx)
	}
}

// Cancel cancels the job if it is still queued, and reports whether this
// call did. The job then never starts, and its error matches [ErrCancelled]
// and wraps cause (nil means ErrCancelled alone). A job is queued until its
// start begins: during its delay, and while it waits for a slot under
// [Scheduler.Limit]. Cancelling a job that is starting or final, or
// cancelling twice, does nothing and returns false. When Cancel races the
// end of the delay, exactly one wins; the job's state tells which.
func (j *Job) Cancel(cause error) bool {
	s := j.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelLocked(j, cause)
}
