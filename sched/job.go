package sched

import (
	"context"
	"fmt"
	"math"
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

// Final reports whether s is a final state: Started, Cancelled or Failed.
func (s State) Final() bool { return s >= Started && s <= Failed }

// Record is a snapshot of a job: the seed's JobRecord, with the job's
// state. Every time in it comes from the scheduler's clock.
type Record struct {
	ID       string        // 32 lowercase hex digits, like uuid4().hex
	Delay    time.Duration // the delay asked for
	QueuedAt time.Time     // when the job was submitted; a batch's jobs share it
	// ReadyAt is when the scheduler found the delay over and began to start
	// the job: QueuedAt + Delay + how late the timer was. Zero while the
	// delay runs, and for a job cancelled during it.
	ReadyAt   time.Time
	StartedAt time.Time // when it started (its start function returned); zero unless State is Started
	DoneAt    time.Time // when it reached its final state; zero before
	State     State
	Err       error // a *JobError when State is Cancelled or Failed, else nil
}

// Valid reports whether the job was queued strictly before it started, the
// seed's check. A job that never started is not valid. On the real clock
// both times carry monotonic readings, so wall-clock steps cannot change
// the answer.
//
// A job with no delay can start at the very instant it was queued, and is
// then not valid: that is the truth of the check, not a fault. It happens
// on a coarse clock (in a browser time.Now steps by 100 µs, or 5 µs when
// the page is cross-origin isolated), and always in virtual time (a driven
// [Scheduler.Clock], or a testing/synctest bubble), where time stands still
// until the clock is advanced.
func (r Record) Valid() bool { return r.QueuedAt.Before(r.StartedAt) }

// Waited is how long the job waited between being queued and starting,
// start function included; zero if it has not started.
func (r Record) Waited() time.Duration {
	if r.StartedAt.IsZero() {
		return 0
	}
	return r.StartedAt.Sub(r.QueuedAt)
}

// Lateness is how much longer than its delay the job waited for its timer:
// ReadyAt - QueuedAt - Delay. It leaves out the time spent waiting for a
// start slot and running the start function (StartedAt - ReadyAt). Zero
// while the delay runs. Timers never fire early, so it is not negative.
func (r Record) Lateness() time.Duration {
	if r.ReadyAt.IsZero() {
		return 0
	}
	return r.ReadyAt.Sub(r.QueuedAt) - r.Delay
}

// Job is a handle on one submitted job, like an asyncio task: it can be
// waited for, and cancelled until it starts. Its methods are safe for
// concurrent use.
type Job struct {
	// What it was submitted with: its scheduler, delay, queued time, and
	// id (see ID).
	b *batch

	// Guarded by the scheduler's mu. A waiting job is this struct and its
	// share of its batch, nothing more: times are offsets from the
	// scheduler's epoch, the error is built on demand, and what few jobs
	// need is in more, made only then. A job is 40 bytes and two pointers,
	// which matters in a browser, where the garbage collector marks
	// 100,000 of them on the page's thread.
	state   State
	closed  bool          // cancelled by Close: its cause is ErrClosed
	readyAt time.Duration // notYet until the delay was seen to end
	doneAt  time.Duration // meaningful once state is final
	more    *jobMore
}

// jobMore is what a job needs only if it is cancelled, fails, is waited
// for, or is watched by a group ([CancelOnFailure]) or an iteration of
// [Completed].
type jobMore struct {
	cause error
	done  chan struct{} // made by Done, closed and dropped once final
	hooks *hook         // who watches the job; dropped once final (group.go)
}

func (j *Job) moreLocked() *jobMore {
	if j.more == nil {
		j.more = new(jobMore)
	}
	return j.more
}

// doneLocked returns j's done channel, made if need be; j is not final.
func (j *Job) doneLocked() chan struct{} {
	m := j.moreLocked()
	if m.done == nil {
		m.done = make(chan struct{})
	}
	return m.done
}

// notYet marks a readyAt still to come.
const notYet = time.Duration(math.MinInt64)

// closedChan is returned by Done for a job already final, so that waiting on
// a finished job allocates nothing.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// ID returns the job's id: 32 lowercase hex digits.
//
// It is not inlined: it has many callers, and a copy of its pointer
// arithmetic in each made the wasm bigger.
//
//go:noinline
func (j *Job) ID() string {
	i := jobIndex(j.b, j)
	return j.b.ids[32*i : 32*i+32]
}

// State returns the job's current state.
func (j *Job) State() State {
	j.b.s.mu.Lock()
	defer j.b.s.mu.Unlock()
	return j.state
}

// Cancelled reports whether the job was cancelled, like task.cancelled().
func (j *Job) Cancelled() bool { return j.State() == Cancelled }

// Record returns a snapshot of the job's record.
func (j *Job) Record() Record {
	j.b.s.mu.Lock()
	defer j.b.s.mu.Unlock()
	return j.recordLocked()
}

func (j *Job) recordLocked() Record {
	b := j.b
	epoch := b.s.epoch
	r := Record{
		ID:       j.ID(),
		Delay:    b.delay,
		QueuedAt: epoch.Add(b.queuedAt),
		State:    j.state,
		Err:      j.errLocked(),
	}
	if j.readyAt != notYet {
		r.ReadyAt = epoch.Add(j.readyAt)
	}
	if j.state.Final() {
		r.DoneAt = epoch.Add(j.doneAt)
		if j.state == Started {
			r.StartedAt = r.DoneAt
		}
	}
	return r
}

// Err returns nil while the job is not final and when it started; else a
// *JobError matching [ErrCancelled] or [ErrFailed], wrapping the cause.
func (j *Job) Err() error {
	j.b.s.mu.Lock()
	defer j.b.s.mu.Unlock()
	return j.errLocked()
}

func (j *Job) errLocked() error {
	if j.state != Cancelled && j.state != Failed {
		return nil
	}
	var cause error
	switch {
	case j.more != nil && j.more.cause != nil:
		cause = j.more.cause
	case j.closed:
		cause = ErrClosed
	case j.state == Cancelled:
		cause = ErrCancelled
	}
	return &JobError{ID: j.ID(), State: j.state, Cause: cause}
}

// Done returns a channel that is closed when the job reaches its final
// state, like [context.Context.Done].
func (j *Job) Done() <-chan struct{} {
	j.b.s.mu.Lock()
	defer j.b.s.mu.Unlock()
	if j.state.Final() {
		return closedChan
	}
	return j.doneLocked()
}

// Wait blocks until the job is final or ctx ends, like awaiting a task. It
// returns the job's record and error ([Job.Err]). If ctx ends while the job
// is not final, it returns the record so far and ctx's cause, and the job
// goes on; a job already final always gives its own result.
func (j *Job) Wait(ctx context.Context) (Record, error) {
	if ctx == nil {
		return j.Record(), ErrNilContext
	}
	select {
	case <-j.Done():
	case <-ctx.Done():
		if r := j.Record(); !r.State.Final() {
			return r, context.Cause(ctx)
		}
	}
	r := j.Record()
	return r, r.Err
}

// Cancel cancels the job if it is still queued, and reports whether this
// call did. The job then never starts, and its error matches [ErrCancelled]
// and wraps cause (nil means ErrCancelled alone). A job is queued until its
// start begins: during its delay, and while it waits for a slot under
// [Scheduler.Limit]. Cancelling a job that is starting or final, or
// cancelling twice, does nothing and returns false. When Cancel races the
// end of the delay, exactly one wins; the job's state tells which.
func (j *Job) Cancel(cause error) bool {
	s := j.b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.state != Queued {
		return false
	}
	if s.cancelLocked(j, cause, s.sinceLocked()) {
		s.armLocked() // for the new earliest, or to stop
	}
	return true
}
