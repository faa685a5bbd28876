package sched

import (
	"context"
	"time"
)

// Gather waits for every job to reach its final state and returns their
// records in the order of jobs, like asyncio.gather. err is nil when every
// job started; else it is a [*BatchError] with each job's error at its
// index, so a cancelled or failed job is reported, not swallowed. A
// failure cancels nothing: [Group] does.
//
// If ctx ends first, every job still queued is cancelled with ctx's cause,
// and Gather still waits for starts in progress, so that it returns only
// final records; a deadline from [Scheduler.WithDeadline] cancels them
// exactly at the deadline. A nil ctx is [ErrNilContext], no jobs
// [ErrEmptyBatch], a nil job [ErrNilJob].
func Gather(ctx context.Context, jobs ...*Job) ([]Record, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	if err := checkJobs(jobs, "Gather"); err != nil {
		return nil, err
	}
	recs := wait(ctx, jobs)
	if err := batchError(recs); err != nil {
		return recs, err
	}
	return recs, nil
}

// wait waits for every job to be final and returns their records, in
// order. If ctx ends first, it cancels the jobs still queued with ctx's
// cause, and waits for the starts in progress.
func wait(ctx context.Context, jobs []*Job) []Record {
	unwatch := watchJobs(ctx, jobs)
	defer unwatch()
	recs := make([]Record, len(jobs))
	began := time.Now()
	for i := 0; i < len(jobs); {
		n, wait := takeFinal(jobs[i:], recs[i:])
		i += n
		if wait == nil {
			// Copying many records of jobs already final: in a
			// browser, hand the thread back now and then, as a walk
			// does (yield_js.go).
			if time.Since(began) >= walkSlice {
				handBack()
				began = time.Now()
			}
			continue
		}
		select {
		case <-wait:
		case <-ctx.Done():
			cancelJobs(jobs[i:], nil, context.Cause(ctx))
			for _, k := range jobs[i:] {
				<-k.Done()
			}
		}
		began = time.Now()
	}
	return recs
}

// batchError is the BatchError of recs, nil when every job started.
func batchError(recs []Record) *BatchError {
	var errs []error
	for i, r := range recs {
		if r.Err != nil {
			if errs == nil {
				errs = make([]error, len(recs))
			}
			errs[i] = r.Err
		}
	}
	if errs == nil {
		return nil
	}
	return &BatchError{Errs: errs}
}

// takeFinal copies the records of the final jobs at the start of jobs into
// recs, in one hold of their scheduler's lock, and returns how many it
// took. It stops at a job of another scheduler, after a chunk, or at a job
// not yet final, whose done channel it then returns, to be waited on.
func takeFinal(jobs []*Job, recs []Record) (n int, wait <-chan struct{}) {
	s := jobs[0].b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; n < len(jobs) && n < fireChunk && jobs[n].b.s == s; n++ {
		j := jobs[n]
		if !j.state.Final() {
			return n, j.doneLocked()
		}
		recs[n] = j.recordLocked()
	}
	return n, nil
}
