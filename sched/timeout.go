package sched

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// WithTimeout returns a copy of parent that ends d from now by the
// scheduler's clock, like [context.WithTimeout]: it is
// WithDeadline(parent, now.Add(d)), now read from [Scheduler.Clock] (or
// [time.Now] without one). A d of zero or less gives a context already
// ended with [context.DeadlineExceeded]. See [Scheduler.WithDeadline].
func (s *Scheduler) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return s.WithDeadline(parent, s.now().Add(d))
}

// WithDeadline returns a copy of parent that ends at t by the scheduler's
// clock, like [context.WithDeadline] on the real clock: its Err is then
// [context.DeadlineExceeded], and so is its cause ([context.Cause]). Its
// Deadline is t, or parent's if that is earlier; it also ends when parent
// ends, with parent's error and cause. cancel ends it with
// [context.Canceled], and stops its timer: call it once the context is no
// longer needed, as with the context package.
//
// The deadline is a timer of [Scheduler.Clock], or of the real clock
// (package time, which a testing/synctest bubble fakes) without one; a t
// not after the clock's now gives a context already ended. A nil parent
// panics, as it does in the context package.
//
// The deadline is exact. [Scheduler.Run], [Gather] and [Group] given this
// context, or one derived from it, cancel their jobs still queued in the
// clock's timer function itself, at the deadline, before the context's
// Done channel closes: in virtual time the jobs end Cancelled with DoneAt
// the deadline exactly, their error matching both [ErrCancelled] and
// context.DeadlineExceeded, and with a clock that calls timer functions
// synchronously (as a playground's virtual clock does) they have done so
// when the advance to the deadline returns. A deadline of an outer context
// from WithDeadline ends the inner ones in the same way. cancel ends those
// jobs, with context.Canceled, before it returns.
//
// The context returned is a context of package context (a cancelCtx),
// child of one that ends at the deadline: contexts derived from it with
// the context package report what they would under context.WithDeadline,
// Err DeadlineExceeded and cause DeadlineExceeded once it expired, Err
// Canceled once cancel was called. Ends that come from the context package
// (parent cancelled, or ended by a deadline of package time) reach the
// returned context through [context.AfterFunc], on a goroutine, a moment
// after parent ends, as they reach contexts of other packages.
func (s *Scheduler) WithDeadline(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	d := &deadlineCtx{parent: parent, at: t, done: make(chan struct{})}
	if pt, ok := parent.Deadline(); ok && pt.Before(t) {
		d.at = pt
	}
	// d is this context's parent: the context package registers it with
	// d through d.AfterFunc, and cancels it with d's Err and cause.
	ctx, cancelCtx := context.WithCancelCause(d)
	d.ctx = ctx
	cancel := func() {
		d.end(context.Canceled, context.Canceled)
		cancelCtx(context.Canceled) // already done by d.end; for the record
	}
	if err := parent.Err(); err != nil {
		d.end(err, context.Cause(parent))
		return ctx, cancel
	}
	wait := t.Sub(s.now())
	if wait <= 0 {
		d.end(context.DeadlineExceeded, context.DeadlineExceeded)
		return ctx, cancel
	}
	d.mu.Lock()
	d.timer = s.afterFunc(wait, d.expire)
	d.mu.Unlock()

	// Parent's ends: those of a context from WithDeadline come through its
	// list, synchronously; others through context.AfterFunc.
	up := deadlineOf(parent)
	if up != nil {
		w := &watch{kid: d}
		if err, cause := up.add(w); err != nil {
			d.end(err, cause)
			return ctx, cancel
		}
		d.mu.Lock()
		d.up = w
		d.mu.Unlock()
	}
	if (up == nil || parent != up.ctx) && parent.Done() != nil {
		stop := context.AfterFunc(parent, func() {
			d.end(parent.Err(), context.Cause(parent))
		})
		d.mu.Lock()
		ended := d.err != nil
		if !ended {
			d.stopParent = stop
		}
		d.mu.Unlock()
		if ended {
			stop()
		}
	}
	return ctx, cancel
}

// now is the scheduler's clock's time.
func (s *Scheduler) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// privateKey is the key under which a deadlineCtx finds itself in Value.
type privateKey struct{}

// deadlineCtx ends at a deadline on a scheduler's clock, or with its
// parent, or when cancelled; WithDeadline returns a cancelCtx child of it.
// Its watches are what it ends with it, in order: jobs to cancel, and the
// deadlineCtxs made from it.
type deadlineCtx struct {
	parent context.Context
	at     time.Time // the deadline: t, or parent's if earlier
	done   chan struct{}
	ctx    context.Context // the context WithDeadline returned

	// causeCtx, once d ended, is a cancelled context holding d's cause,
	// which Value returns for the context package's cancelCtx key, so that
	// context.Cause(d), when the context package cancels d's children,
	// is d's cause. Stored before err.
	causeCtx atomic.Pointer[context.Context]

	mu         sync.Mutex
	err, cause error // set once d ended
	timer      timer
	watches    []*watch // in the order added; nil where removed
	holes      int      // nils in watches
	afters     []*afterFunc
	up         *watch      // d's place in the watches of the deadlineCtx above
	stopParent func() bool // stops context.AfterFunc(parent)
}

// watch is an entry of a deadlineCtx's watches: jobs that end, if still
// queued, when it ends; or a deadlineCtx made from it.
type watch struct {
	d    *deadlineCtx // the deadlineCtx it is in
	idx  int
	jobs []*Job
	kid  *deadlineCtx
}

type afterFunc struct{ f func() }

// deadlineOf returns the deadlineCtx whose deadline ctx has, or nil: the
// nearest one above ctx, if ctx ends with it. A context made with
// context.WithoutCancel below it does not, and has no deadline, or
// another.
func deadlineOf(ctx context.Context) *deadlineCtx {
	d, _ := ctx.Value(privateKey{}).(*deadlineCtx)
	if d == nil || ctx == d.ctx {
		return d
	}
	if t, ok := ctx.Deadline(); !ok || !t.Equal(d.at) {
		return nil
	}
	return d
}

func (d *deadlineCtx) Deadline() (time.Time, bool) { return d.at, true }
func (d *deadlineCtx) Done() <-chan struct{}       { return d.done }

func (d *deadlineCtx) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *deadlineCtx) Value(key any) any {
	if key == (privateKey{}) {
		return d
	}
	if cc := d.causeCtx.Load(); cc != nil {
		if v := (*cc).Value(key); v != nil {
			return v
		}
	}
	return d.parent.Value(key)
}

// AfterFunc is what the context package uses to cancel the child context
// WithDeadline returns when d ends, synchronously (see the afterFuncer
// interface in package context).
func (d *deadlineCtx) AfterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		go f() // as context.AfterFunc does; f may take the caller's locks
		return func() bool { return false }
	}
	d.afters = append(d.afters, a)
	return func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, b := range d.afters {
			if b == a {
				d.afters = append(d.afters[:i], d.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

func (d *deadlineCtx) expire() {
	d.end(context.DeadlineExceeded, context.DeadlineExceeded)
}

// end ends d with err and cause, once: it stops d's timer and its watch of
// its parent, cancels the jobs still queued that it watches, with cause,
// ends the deadlineCtxs made from it, and only then closes its Done and
// cancels the context WithDeadline returned.
func (d *deadlineCtx) end(err, cause error) {
	d.mu.Lock()
	if d.err != nil {
		d.mu.Unlock()
		return
	}
	cc, setCause := context.WithCancelCause(context.Background())
	setCause(cause)
	d.causeCtx.Store(&cc)
	d.err, d.cause = err, cause
	watches, afters := d.watches, d.afters
	d.watches, d.afters = nil, nil
	tm, up, stopParent := d.timer, d.up, d.stopParent
	d.timer, d.up, d.stopParent = nil, nil, nil
	d.mu.Unlock()

	if tm != nil {
		tm.Stop()
	}
	if stopParent != nil {
		stopParent()
	}
	if up != nil {
		up.d.remove(up) // nothing, when up.d is ending d
	}
	for _, w := range watches {
		if w != nil && w.kid == nil {
			cancelJobs(w.jobs, nil, cause)
		}
	}
	for _, w := range watches {
		if w != nil && w.kid != nil {
			w.kid.end(err, cause)
		}
	}
	close(d.done)
	for _, a := range afters {
		a.f()
	}
}

// add puts w in d's watches; if d has ended, it does not, and returns d's
// error and cause.
func (d *deadlineCtx) add(w *watch) (err, cause error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err, d.cause
	}
	w.d, w.idx = d, len(d.watches)
	d.watches = append(d.watches, w)
	return nil, nil
}

// remove takes w out of d's watches, if it is still there. The others keep
// their order: w's place is left nil, and the nils are squeezed out once
// they are half.
func (d *deadlineCtx) remove(w *watch) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if w.idx >= len(d.watches) || d.watches[w.idx] != w {
		return // d ended
	}
	d.watches[w.idx] = nil
	if d.holes++; d.holes > len(d.watches)/2 {
		n := 0
		for _, v := range d.watches {
			if v != nil {
				v.idx = n
				d.watches[n] = v
				n++
			}
		}
		clear(d.watches[n:])
		d.watches = d.watches[:n]
		d.holes = 0
	}
}

// watchJobs has the deadline context of ctx, if any, cancel jobs when it
// ends, and returns the function that undoes it. If that context has
// already ended, it cancels them now.
func watchJobs(ctx context.Context, jobs []*Job) (unwatch func()) {
	d := deadlineOf(ctx)
	if d == nil {
		return func() {}
	}
	w := &watch{jobs: jobs}
	if _, cause := d.add(w); cause != nil {
		cancelJobs(jobs, nil, cause)
		return func() {}
	}
	return func() { d.remove(w) }
}

// cancelJobs cancels those of jobs still queued with cause, but those of
// the scheduler except, holding each scheduler's lock for a chunk of its
// jobs next to each other in jobs.
func cancelJobs(jobs []*Job, except *Scheduler, cause error) {
	for i := 0; i < len(jobs); {
		s := jobs[i].b.s
		if s == except {
			i++
			continue
		}
		s.mu.Lock()
		now := s.sinceLocked()
		arm := false
		for n := 0; i < len(jobs) && jobs[i].b.s == s && n < fireChunk; i, n = i+1, n+1 {
			if j := jobs[i]; j.state == Queued {
				arm = s.cancelLocked(j, cause, now) || arm
			}
		}
		if arm {
			s.armLocked()
		}
		s.mu.Unlock()
	}
}
