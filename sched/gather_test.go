package sched_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestGatherReturnsRecordsInInputOrder(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		// Later jobs start first, so that order of starting is not order of input.
		var jobs []*sched.Job
		for i := range 10 {
			jobs = append(jobs, mustSubmit(t, s, time.Duration(10-i)*time.Millisecond))
		}
		recs, err := sched.Gather(context.Background(), jobs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(jobs) {
			t.Fatalf("%d records for %d jobs", len(recs), len(jobs))
		}
		for i, r := range recs {
			if r.ID != jobs[i].ID() || !r.Valid() || r.Delay != time.Duration(10-i)*time.Millisecond {
				t.Errorf("record %d = %+v, want job %s's, valid", i, r, jobs[i].ID())
			}
		}
		if recs[0].StartedAt.Before(recs[9].StartedAt) {
			t.Error("the first job started before the last: the test does not test order")
		}
	})
}

func TestGatherReportsEachJobThatDidNotStart(t *testing.T) {
	boom := errors.New("no resources")
	var fail atomic.Value // id of the job whose start fails
	s := &sched.Scheduler{Start: func(_ context.Context, r sched.Record) error {
		if r.ID == fail.Load() {
			return boom
		}
		return nil
	}}
	bubble(t, s, func(t *testing.T, s *sched.Scheduler) {
		jobs := mustBatch(t, s, 5, time.Second)
		fail.Store(jobs[3].ID())
		jobs[1].Cancel(nil)
		recs, err := sched.Gather(context.Background(), jobs...)
		var be *sched.BatchError
		if !errors.As(err, &be) || len(be.Errs) != 5 {
			t.Fatalf("Gather error = %v, want a *BatchError with 5 slots", err)
		}
		for i, want := range []error{nil, sched.ErrCancelled, nil, sched.ErrFailed, nil} {
			if got := be.Errs[i]; (want == nil) != (got == nil) || (want != nil && !errors.Is(got, want)) {
				t.Errorf("Errs[%d] = %v, want %v", i, got, want)
			}
			if got := recs[i].Valid(); got != (want == nil) {
				t.Errorf("record %d valid = %v", i, got)
			}
		}
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, sched.ErrFailed) || !errors.Is(err, boom) {
			t.Errorf("errors.Is misses a job's error in %v", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "2 of 5 jobs did not start") || !strings.Contains(msg, "no resources") {
			t.Errorf("message %q does not say what went wrong", msg)
		}
	})
}

func TestGatherContextCancelsTheJobsStillWaiting(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		fast := mustSubmit(t, s, time.Millisecond)
		slow := mustBatch(t, s, 4, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		jobs := append([]*sched.Job{fast}, slow...)
		recs, err := sched.Gather(ctx, jobs...)
		if !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Gather error = %v, want cancellations caused by the deadline", err)
		}
		if !recs[0].Valid() {
			t.Errorf("the 1ms job: %+v, want started", recs[0])
		}
		for i, r := range recs[1:] {
			if r.State != sched.Cancelled {
				t.Errorf("slow job %d is %v, want cancelled", i, r.State)
			}
		}
		if c := s.Counts(); c.Queued != 0 {
			t.Errorf("%d jobs still queued after Gather's context ended", c.Queued)
		}
	})
}

func TestGatherNamesTheNilJob(t *testing.T) {
	bubble(t, nil, func(t *testing.T, s *sched.Scheduler) {
		j := mustSubmit(t, s, time.Second)
		_, err := sched.Gather(context.Background(), j, nil)
		if !errors.Is(err, sched.ErrNilJob) || !strings.Contains(err.Error(), "job 1") {
			t.Errorf("Gather(ctx, j, nil) = %v, want ErrNilJob naming job 1", err)
		}
		if j.State() != sched.Queued {
			t.Errorf("the other job is %v: a refused Gather must not touch it", j.State())
		}
	})
}
