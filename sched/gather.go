package sched

import (
	"context"
	"fmt"
)

// Gather waits for every job to reach its final state and returns their
// records in the order of jobs, like asyncio.gather. err is nil when every
// job started; else it is a [*BatchError] with each job's error at its
// index, so a cancelled or failed job is reported, not swallowed.
//
// If ctx ends first, every job still queued is cancelled with ctx's cause,
// and Gather still waits for starts in progress, so that it returns only
// final records. No jobs is [ErrEmptyBatch]; a nil job is an error too.
func Gather(ctx context.Context, jobs ...*Job) ([]Record, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	if len(jobs) == 0 {
		return nil, ErrEmptyBatch
	}
	for i, j := range jobs {
		if j == nil {
			return nil, fmt.Errorf("sched: Gather: job %d is nil", i)
		}
	}
	for i, j := range jobs {
		select {
		case <-j.Done():
			continue
		case <-ctx.Done():
		}
		cause := context.Cause(ctx)
		for _, k := range jobs[i:] {
			k.Cancel(cause)
		}
		for _, k := range jobs[i:] {
			<-k.Done()
		}
		break
	}
	recs := make([]Record, len(jobs))
	var errs []error
	for i, j := range jobs {
		recs[i] = j.Record()
		if err := recs[i].Err; err != nil {
			if errs == nil {
				errs = make([]error, len(jobs))
			}
			errs[i] = err
		}
	}
	if errs != nil {
		return recs, &BatchError{Errs: errs}
	}
	return recs, nil
}
