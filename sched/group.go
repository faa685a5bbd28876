package sched

import (
	"context"
	"iter"
	"time"
)

// WithTimeout returns a copy of parent that ends d from now by the
// scheduler's clock: see [Scheduler.WithDeadline].
//
// STUB: the API is fixed; the body is being written.
func (s *Scheduler) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	panic("sched: WithTimeout not written yet")
}

// WithDeadline returns a copy of parent that ends at t by the scheduler's
// clock, like context.WithDeadline: its Err is then
// context.DeadlineExceeded, and so is its cause.
//
// STUB: the API is fixed; the body is being written.
func (s *Scheduler) WithDeadline(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
	panic("sched: WithDeadline not written yet")
}

// CancelOnFailure makes jobs a group without waiting for them: from now
// on, the first of them to fail cancels the others still queued, with that
// failure as their cause. stop undoes it.
//
// STUB: the API is fixed; the body is being written.
func CancelOnFailure(jobs ...*Job) (stop func(), err error) {
	panic("sched: CancelOnFailure not written yet")
}

// Group waits for jobs like Gather, but the first failure cancels the
// others still queued, like errgroup or asyncio.TaskGroup.
//
// STUB: the API is fixed; the body is being written.
func Group(ctx context.Context, jobs ...*Job) ([]Record, error) {
	panic("sched: Group not written yet")
}

// Completed yields the jobs' records in the order the jobs end, like
// asyncio.as_completed.
//
// STUB: the API is fixed; the body is being written.
func Completed(ctx context.Context, jobs ...*Job) iter.Seq2[Record, error] {
	panic("sched: Completed not written yet")
}
