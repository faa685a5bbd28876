package sched

import (
	"context"
	"iter"
	"sync"
	"time"
)

// Completed returns an iterator over the jobs' final records, in the order
// the jobs reach their final state, like asyncio.as_completed:
//
//	for rec, err := range sched.Completed(ctx, jobs...) {
//		// err is rec.Err: nil if the job started
//	}
//
// Jobs already final when the iteration begins come first, in the order
// of jobs; then each job as it ends. The order is that of the state
// changes, taken under the scheduler's lock: the jobs of a batch that
// start at one instant come in batch order. A job given twice comes twice.
// No goroutine waits for a job: the iteration is told by the scheduler.
//
// Completed cancels nothing, ever, whatever happens: neither when ctx
// ends, nor when the loop stops early (pass ctx to [Gather], or cancel the
// jobs, for that). When ctx ends before every job is final, the iteration
// yields the jobs final by then, then one last pair, the zero Record and
// context.Cause(ctx), and stops; breaking out of the loop stops it too,
// cleanly, leaving nothing behind.
//
// A nil ctx, no jobs, or a nil job yield exactly one pair, the zero Record
// and [ErrNilContext], [ErrEmptyBatch] or [ErrNilJob] (naming the job's
// index), and stop. Each range over the iterator iterates anew, from the
// jobs' states then.
func Completed(ctx context.Context, jobs ...*Job) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if ctx == nil {
			yield(Record{}, ErrNilContext)
			return
		}
		if err := checkJobs(jobs, "Completed"); err != nil {
			yield(Record{}, err)
			return
		}
		c := &completion{wake: make(chan struct{}, 1)}
		hooks, final := c.watch(jobs)
		left := len(jobs) - len(final)
		defer func() {
			if left > 0 {
				unhook(jobs, hooks)
			}
		}()
		if !yieldRecords(final, yield) {
			return
		}
		var ended []*Job
		for left > 0 {
			c.mu.Lock()
			ended, c.ended = c.ended, ended[:0]
			c.mu.Unlock()
			if len(ended) == 0 {
				if ctx.Err() != nil {
					yield(Record{}, context.Cause(ctx))
					return
				}
				select {
				case <-c.wake:
				case <-ctx.Done():
				}
				continue
			}
			left -= len(ended)
			if !yieldRecords(ended, yield) {
				return
			}
			clear(ended)
		}
	}
}

// completion is one iteration of Completed: the jobs that ended, in order,
// and a wake-up when one does.
type completion struct {
	wake chan struct{} // 1-buffered

	mu    sync.Mutex
	ended []*Job
}

// watch puts a hook of c in each job not final, a scheduler's jobs next to
// each other in one hold of its lock, so that the jobs found final come
// before those that end later, and returns the hooks and the jobs found
// final, in order.
func (c *completion) watch(jobs []*Job) (hooks []hook, final []*Job) {
	hooks = make([]hook, len(jobs))
	var mores []jobMore
	for i := 0; i < len(jobs); {
		s := jobs[i].b.s
		s.mu.Lock()
		for ; i < len(jobs) && jobs[i].b.s == s; i++ {
			j := jobs[i]
			if j.state.Final() {
				final = append(final, j)
				continue
			}
			h := &hooks[i]
			h.c = c
			j.linkLocked(h, &mores, len(jobs), i)
		}
		s.mu.Unlock()
	}
	return hooks, final
}

// push adds j, which just ended, under its scheduler's lock.
func (c *completion) push(j *Job) {
	c.mu.Lock()
	c.ended = append(c.ended, j)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is pending
	}
}

// yieldRecords yields the records of jobs, all final, taken a chunk per
// hold of their scheduler's lock, and reports whether yield wants more.
func yieldRecords(jobs []*Job, yield func(Record, error) bool) bool {
	var recs [64]Record
	began := time.Now()
	for len(jobs) > 0 {
		n, _ := takeFinal(jobs[:min(len(jobs), len(recs))], recs[:])
		jobs = jobs[n:]
		for _, r := range recs[:n] {
			if !yield(r, r.Err) {
				return false
			}
		}
		clear(recs[:n])
		// In a browser, hand the thread back now and then, as Gather
		// does.
		if time.Since(began) >= walkSlice {
			handBack()
			began = time.Now()
		}
	}
	return true
}
