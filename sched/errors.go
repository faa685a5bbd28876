package sched

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by the package. Match them with [errors.Is].
var (
	// ErrCancelled matches the error of a job that was cancelled before it
	// started; the cancellation's cause is wrapped beside it.
	ErrCancelled = errors.New("sched: job cancelled")
	// ErrFailed matches the error of a job whose start function returned an
	// error or panicked; that error is wrapped beside it.
	ErrFailed = errors.New("sched: job failed to start")
	// ErrClosed is returned when submitting to a closed [Scheduler], and is
	// the cause of the jobs that Close cancelled.
	ErrClosed = errors.New("sched: scheduler closed")
	// ErrBadDelay is returned for a negative delay.
	ErrBadDelay = errors.New("sched: negative delay")
	// ErrEmptyBatch is returned for a batch of fewer than one job.
	ErrEmptyBatch = errors.New("sched: batch needs at least one job")
	// ErrBatchTooBig is returned for a batch of more than [MaxBatch] jobs.
	ErrBatchTooBig = errors.New("sched: batch too big")
	// ErrNilContext is returned when a nil context is passed.
	ErrNilContext = errors.New("sched: nil context")
	// ErrNilJob is returned by [Gather], [Group] and [CancelOnFailure],
	// and yielded by [Completed], when one of their jobs is nil.
	ErrNilJob = errors.New("sched: nil job")
	// ErrGoexit is the cause of a job whose start function called
	// [runtime.Goexit] (as t.FailNow does) instead of returning.
	ErrGoexit = errors.New("sched: start function called runtime.Goexit")
)

// JobError tells why a job did not start. errors.Is matches it with
// [ErrCancelled] or [ErrFailed], according to State, and with its Cause.
type JobError struct {
	ID    string // the job's id
	State State  // Cancelled or Failed
	Cause error  // the cancellation's cause, or what the start function returned
}

func (e *JobError) Error() string {
	verb := "cancelled"
	if e.State == Failed {
		verb = "failed to start"
	}
	// A cancellation without a cause has ErrCancelled itself as its cause:
	// don't say it twice.
	if e.Cause == nil || e.Cause == ErrCancelled {
		return fmt.Sprintf("sched: job %s %s", e.ID, verb)
	}
	return fmt.Sprintf("sched: job %s %s: %v", e.ID, verb, e.Cause)
}

// Is reports whether target is the sentinel of e's state.
func (e *JobError) Is(target error) bool {
	return (target == ErrCancelled && e.State == Cancelled) ||
		(target == ErrFailed && e.State == Failed)
}

// Unwrap returns the cause.
func (e *JobError) Unwrap() error { return e.Cause }

// PanicError is the cause of a job whose start function panicked. The panic
// is not re-raised: the job fails and the scheduler keeps working.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error says what panicked; the stack stays in its field, so that a
// [BatchError] of many panics stays readable.
func (e *PanicError) Error() string {
	return fmt.Sprintf("start function panicked: %v", e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// BatchError is returned by [Gather] and [Group] when any job did not
// start. Errs is index-aligned with the jobs: nil where the job started.
type BatchError struct {
	// Failure, from Group, is the error of the first job to fail, whose
	// failure cancelled the others still queued; it is also in Errs, at
	// that job's index. Nil from Gather, and from Group when no job failed.
	Failure error
	Errs    []error
}

// Error says how many jobs did not start, and why for the first three;
// after a group's Failure, which comes first.
func (e *BatchError) Error() string {
	var b strings.Builder
	n := 0
	for _, err := range e.Errs {
		if err != nil {
			n++
		}
	}
	if e.Failure != nil {
		fmt.Fprintf(&b, "%v; ", e.Failure)
	} else {
		b.WriteString("sched: ")
	}
	fmt.Fprintf(&b, "%d of %d jobs did not start", n, len(e.Errs))
	shown := 0
	for i, err := range e.Errs {
		if err == nil || e.isFailure(err) {
			continue
		}
		if shown == 3 {
			fmt.Fprintf(&b, "; and %d more", n-shown-b2i(e.Failure != nil))
			break
		}
		fmt.Fprintf(&b, "; [%d] %v", i, err)
		shown++
	}
	return b.String()
}

// isFailure reports whether err is e.Failure, which Group takes from Errs.
// Errors of other types are not compared: == panics on some.
func (e *BatchError) isFailure(err error) bool {
	f, ok := e.Failure.(*JobError)
	return ok && err == error(f)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Unwrap returns the errors of the jobs that did not start, the Failure
// first, so that errors.Is(err, ErrCancelled) tells whether any job was
// cancelled, and errors.As finds the failure before what it caused.
func (e *BatchError) Unwrap() []error {
	var errs []error
	if e.Failure != nil {
		errs = append(errs, e.Failure)
	}
	for _, err := range e.Errs {
		if err != nil && !e.isFailure(err) {
			errs = append(errs, err)
		}
	}
	return errs
}
