package app

import (
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// batch is one "start and gather" of the page. Its fields belong to the UI
// goroutine; the goroutine that gathers it keeps its own list of the jobs,
// handed over with each slice, and shares nothing else.
type batch struct {
	ID      int
	N       int          // jobs asked for
	Jobs    []*sched.Job // jobs queued so far, in order, for cancelling
	Stopped bool         // cancelled before all N were queued
	Started int          // jobs that started so far
	Final   int          // jobs in a final state so far

	// Set once Gather returned.
	Done    bool
	OK      bool
	Summary string
	Elapsed time.Duration
}

// A big batch is queued a slice at a time, one slice a frame, so that the
// page draws in between: in a fresh page one SubmitBatch of 10,000 held
// the thread 300-650 ms (the wasm code is compiled lazily, the heap grows,
// the first GC runs). The first slice is small and each slice after it as
// big as all those before, up to sliceSize. Each slice is one SubmitBatch;
// the batch is gathered as one.
const (
	firstSlice = 250
	sliceSize  = 1000
)

// startBatch queues the first slice of a batch of n jobs of delay d on
// the UI goroutine, and gathers the batch in the background.
func (p *page) startBatch(s *session, n int, d time.Duration) error {
	t0 := time.Now()
	b := s.store.newBatch(n)
	first, err := p.queueSlice(s, b, d)
	if err != nil {
		return err
	}
	p.free.latest = b
	p.settle()
	go p.gather(s, b, d, t0, first)
	return nil
}

// queueSlice queues the next slice of b, on the UI goroutine, and returns
// its jobs.
func (p *page) queueSlice(s *session, b *batch, d time.Duration) ([]*sched.Job, error) {
	jobs, err := s.run.S.SubmitBatch(min(sliceSize, max(firstSlice, len(b.Jobs)), b.N-len(b.Jobs)), d)
	if err != nil {
		return nil, err
	}
	s.store.addToBatch(b, jobs)
	return jobs, nil
}

// gather queues the rest of b, a slice a frame, then gathers it and shows
// the result. It runs on its own goroutine, with its own list of the jobs.
func (p *page) gather(s *session, b *batch, d time.Duration, t0 time.Time, jobs []*sched.Job) {
	ctx, n := s.ctx, b.N
	type reply struct {
		jobs    []*sched.Job
		stopped bool
	}
	for stopped := false; !stopped && len(jobs) < n; {
		select {
		case <-nextFrame():
		case <-ctx.Done():
			return
		}
		ch := make(chan reply, 1)
		// Through the run's view: a slice changes the counts and the
		// records, not the rest of the page.
		p.dispatchRun(func() {
			var r reply
			if !b.Stopped && p.sess == s {
				more, err := p.queueSlice(s, b, d)
				if err != nil {
					b.Stopped, p.free.batchErr = true, sentence(err)
				}
				r.jobs = more
			}
			r.stopped = b.Stopped || p.sess != s
			ch <- r
		})
		select {
		case r := <-ch:
			jobs, stopped = append(jobs, r.jobs...), r.stopped
		case <-ctx.Done():
			return
		}
	}
	recs, err := sched.Gather(ctx, jobs...)
	elapsed := time.Since(t0)
	text, ok := summarizeBatch(jobIDs(jobs), recs, err)
	if missing := n - len(jobs); missing > 0 {
		text, ok = fmt.Sprintf("%s; %s never queued: the batch was cancelled while it was being queued", text, count(missing)), false
	}
	s.after(func() {
		b.Done, b.OK, b.Summary, b.Elapsed = true, ok, text, elapsed
	})
}

// stopBatch stops queueing b and cancels its jobs that wait; it returns
// how many it cancelled.
func stopBatch(b *batch) int {
	b.Stopped = b.Stopped || len(b.Jobs) < b.N
	n := 0
	for _, j := range b.Jobs {
		if j.Cancel(nil) {
			n++
		}
	}
	return n
}

func jobIDs(jobs []*sched.Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID()
	}
	return ids
}
