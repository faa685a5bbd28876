package app

import (
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// batch is one "start and gather" of the page. Its fields belong to the UI
// goroutine; the goroutine that gathers it keeps its own list of the jobs,
// handed over with each slice, and shares nothing else.
type batch struct {
	ID      int
	N       int           // jobs asked for
	Jobs    []*sched.Job  // jobs queued so far, in order
	run     *play.Batch   // the run's batch, which queues them and records the action
	queued  chan struct{} // closed once every job is queued, or the batch stopped
	Started int           // jobs that started so far
	Final   int           // jobs in a final state so far

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
// the UI goroutine, and gathers the batch in the background. Until every
// slice is queued, time stands still and nothing else is submitted (see
// play.Batch): a replay, which queues the batch at once, gives the same
// run.
func (p *page) startBatch(s *session, n int, d time.Duration) (*batch, error) {
	t0 := time.Now()
	pb, err := s.run.NewBatch(n, d)
	if err != nil {
		return nil, err
	}
	first, err := pb.Queue(firstSlice)
	if err != nil {
		return nil, err // no batch: the run forgets it too
	}
	b := s.store.newBatch(n)
	b.run, b.queued = pb, make(chan struct{})
	s.store.addToBatch(b, first, pb.From())
	p.free.latest = b
	p.settle()
	go p.gather(s, b, t0, first)
	return b, nil
}

// queueSlice queues the next slice of b, on the UI goroutine, and returns
// its jobs.
func (p *page) queueSlice(s *session, b *batch) ([]*sched.Job, error) {
	from := b.run.From() + len(b.Jobs)
	jobs, err := b.run.Queue(min(sliceSize, max(firstSlice, len(b.Jobs))))
	if err != nil {
		return nil, err
	}
	s.store.addToBatch(b, jobs, from)
	return jobs, nil
}

// gather queues the rest of b, a slice a frame, then gathers it and shows
// the result. It runs on its own goroutine, with its own list of the jobs.
func (p *page) gather(s *session, b *batch, t0 time.Time, jobs []*sched.Job) {
	ctx, n := s.ctx, b.N
	type reply struct {
		jobs []*sched.Job
		open bool
	}
	open := b.run.Open()
	for open {
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
			if p.sess == s {
				more, err := p.queueSlice(s, b)
				if err != nil {
					p.free.batchErr = sentence(err)
				}
				r.jobs, r.open = more, b.run.Open()
			}
			ch <- r
		})
		select {
		case r := <-ch:
			jobs, open = append(jobs, r.jobs...), r.open
		case <-ctx.Done():
			return
		}
	}
	close(b.queued)
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

func jobIDs(jobs []*sched.Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID()
	}
	return ids
}
