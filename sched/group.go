package sched

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// CancelOnFailure binds jobs into a group, without waiting for them: from
// now on, the first of them to end Failed cancels every other job of the
// group still queued, in its delay or waiting for a slot under
// [Scheduler.Limit]. It happens under the failed job's scheduler's lock,
// as the job fails, before its slot is handed on: no job of the group in
// that scheduler begins its start after the failure. Starts in progress
// (Starting) run to
// their end, Started or Failed: Cancelled means the job never started, and
// a start cannot be interrupted (the start functions share the scheduler's
// context). If a job of the group has already failed, the others still
// queued are cancelled before CancelOnFailure returns.
//
// A job so cancelled has an error matching [ErrCancelled] and wrapping a
// [*GroupFailure] that names the failed job and wraps its start's error;
// it does not match [ErrFailed], which stays the mark of jobs whose start
// failed. Jobs of other schedulers than the failed job's are cancelled
// right after its scheduler's lock is released, on the goroutine that ran
// the failed start, never holding two schedulers' locks at once.
//
// stop unbinds the group: a failure after it cancels nothing. It may be
// called more than once, and should be called once the group is no longer
// needed: until a job of the group is final, it keeps the whole group in
// memory. A job may be in several groups.
//
// No jobs is [ErrEmptyBatch]; a nil job is [ErrNilJob], naming its index.
// Nothing is bound then.
func CancelOnFailure(jobs ...*Job) (stop func(), err error) {
	if err := checkJobs(jobs, "CancelOnFailure"); err != nil {
		return nil, err
	}
	g := bind(jobs)
	return func() { g.stop(true) }, nil
}

// Group waits for jobs like [Gather], having bound them into a group as
// [CancelOnFailure] does: the first failure cancels the others still
// queued, like an errgroup, or asyncio.TaskGroup. It returns the records
// in the order of jobs, and nil if every job started. Else its error is a
// [*BatchError] with each job's error at its index (as Gather's), whose
// Failure is the first failure, the one that cancelled the others, and
// comes first in its message and in its Unwrap; Failure is nil when no job
// failed (say, ctx ended).
//
// Unlike a TaskGroup, which interrupts its running tasks at their next
// await, Group lets a start in progress run to its end: a job is only ever
// cancelled before its start begins.
//
// If ctx ends first, every job still queued is cancelled with ctx's cause,
// and Group still waits for the starts in progress, so that it returns
// only final records and leaves no job of the group queued. A deadline
// from [Scheduler.WithDeadline] cancels them exactly at the deadline. The
// group is unbound when Group returns. A nil ctx is [ErrNilContext], no
// jobs [ErrEmptyBatch], a nil job [ErrNilJob]; nothing is bound or waited
// for then.
func Group(ctx context.Context, jobs ...*Job) ([]Record, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	if err := checkJobs(jobs, "Group"); err != nil {
		return nil, err
	}
	g := bind(jobs)
	recs := wait(ctx, jobs)
	// Every job is final: their hooks are dropped already.
	failed := g.stop(false)
	err := batchError(recs)
	if err == nil {
		return recs, nil
	}
	if failed != nil {
		err.Failure = err.Errs[slices.Index(jobs, failed)]
	}
	return recs, err
}

// GroupFailure is the cause of a job cancelled because another job of its
// group failed ([CancelOnFailure], [Group]). Its message reads "job <ID>
// of its group failed: <Err>".
type GroupFailure struct {
	ID  string // the failed job's id
	Err error  // what the failed job's start returned (see [JobError])
}

func (e *GroupFailure) Error() string {
	return fmt.Sprintf("job %s of its group failed: %v", e.ID, e.Err)
}

// Unwrap returns Err.
func (e *GroupFailure) Unwrap() error { return e.Err }

// checkJobs refuses no jobs and nil jobs, for caller.
func checkJobs(jobs []*Job, caller string) error {
	if len(jobs) == 0 {
		return ErrEmptyBatch
	}
	for i, j := range jobs {
		if j == nil {
			return fmt.Errorf("%w: %s's job %d", ErrNilJob, caller, i)
		}
	}
	return nil
}

// hook is one watcher of a job, in the job's list (jobMore.hooks): a group
// (g), or an iteration of Completed (c). A watcher makes its hooks in one
// block, one a job, so that watching costs no allocation a job.
type hook struct {
	next *hook
	g    *group
	c    *completion
}

// linkLocked adds h to j's hooks, taking j's jobMore from *spare, a block
// made for len(spare) jobs, if j has none; i is j's place among them.
func (j *Job) linkLocked(h *hook, spare *[]jobMore, n, i int) {
	if j.more == nil {
		// In one block for all the jobs that need one. A job's keeps the
		// block in memory, as a batch's jobs keep each other.
		if *spare == nil {
			*spare = make([]jobMore, n)
		}
		j.more = &(*spare)[i]
	}
	h.next = j.more.hooks
	j.more.hooks = h
}

// unlinkLocked takes h out of j's hooks, if it is there.
func (j *Job) unlinkLocked(h *hook) {
	if j.more == nil {
		return
	}
	for p := &j.more.hooks; *p != nil; p = &(*p).next {
		if *p == h {
			*p = h.next
			h.next = nil
			return
		}
	}
}

// unhook takes hooks[i] out of jobs[i]'s hooks, for each i where it was
// put, a chunk of a scheduler's jobs per hold of its lock.
func unhook(jobs []*Job, hooks []hook) {
	for i := 0; i < len(jobs); {
		s := jobs[i].b.s
		s.mu.Lock()
		for n := 0; i < len(jobs) && jobs[i].b.s == s && n < fireChunk; i, n = i+1, n+1 {
			if h := &hooks[i]; h.g != nil || h.c != nil {
				jobs[i].unlinkLocked(h)
			}
		}
		s.mu.Unlock()
	}
}

// hooksLocked tells j's watchers that j is final, and drops them: each
// iteration of Completed gets j, then, if j failed, each of its groups
// cancels its other jobs.
func (s *Scheduler) hooksLocked(j *Job, now time.Duration) {
	first := j.more.hooks
	j.more.hooks = nil
	for h := first; h != nil; h = h.next {
		if h.c != nil {
			h.c.push(j)
		}
	}
	if j.state == Failed {
		for h := first; h != nil; h = h.next {
			if h.g != nil {
				s.groupFailedLocked(h.g, j, now)
			}
		}
	}
	for h := first; h != nil; {
		next := h.next
		h.next = nil
		h = next
	}
}

// group is jobs bound by CancelOnFailure.
type group struct {
	jobs  []*Job
	hooks []hook // hooks[i] watches jobs[i], if it was not final when bound

	mu      sync.Mutex
	stopped bool
	failed  *Job // the first job of the group to fail
}

// bind makes jobs a group, a chunk of a scheduler's jobs per hold of its
// lock. A job found failed is the group's failure at once. The group has
// its own copy of jobs: a failure may read it after the caller is done.
func bind(jobs []*Job) *group {
	jobs = slices.Clone(jobs)
	g := &group{jobs: jobs, hooks: make([]hook, len(jobs))}
	var mores []jobMore
	for i := 0; i < len(jobs); {
		s := jobs[i].b.s
		s.mu.Lock()
		for n := 0; i < len(jobs) && jobs[i].b.s == s && n < fireChunk; i, n = i+1, n+1 {
			switch j := jobs[i]; {
			case j.state == Failed:
				s.groupFailedLocked(g, j, s.sinceLocked())
			case !j.state.Final():
				h := &g.hooks[i]
				h.g = g
				j.linkLocked(h, &mores, len(jobs), i)
			}
		}
		spread := s.takeSpreadLocked()
		s.mu.Unlock()
		spread.run()
	}
	return g
}

// stop unbinds g, once, taking its hooks out of its jobs' if unhook (they
// are gone once the jobs are final), and returns the job whose failure
// cancelled the others, if any.
func (g *group) stop(unhooks bool) (failed *Job) {
	g.mu.Lock()
	was := g.stopped
	g.stopped = true
	failed = g.failed
	g.mu.Unlock()
	if !was && unhooks {
		unhook(g.jobs, g.hooks)
	}
	return failed
}

// groupFailedLocked makes j, of g and of s, which just failed or was found
// failed, g's failure, unless g has one or is stopped: it cancels g's jobs
// of s still queued, and leaves those of other schedulers to s.spread.
func (s *Scheduler) groupFailedLocked(g *group, j *Job, now time.Duration) {
	g.mu.Lock()
	if g.stopped || g.failed != nil {
		g.mu.Unlock()
		return
	}
	g.failed = j
	g.mu.Unlock()
	cause := &GroupFailure{ID: j.ID(), Err: j.more.cause}
	arm, others := false, false
	for _, k := range g.jobs {
		switch {
		case k.b.s != s:
			others = true
		case k.state == Queued:
			arm = s.cancelLocked(k, cause, now) || arm
		}
	}
	if arm {
		s.armLocked()
	}
	if others {
		s.spread = append(s.spread, spreadTo{g.jobs, s, cause})
	}
}

// spread is group failures to tell other schedulers: their jobs still
// queued are cancelled with cause.
type spread []spreadTo

type spreadTo struct {
	jobs  []*Job
	from  *Scheduler // whose jobs are done
	cause error
}

func (s *Scheduler) takeSpreadLocked() spread {
	sp := s.spread
	s.spread = nil
	return sp
}

func (sp spread) run() {
	for _, t := range sp {
		cancelJobs(t.jobs, t.from, t.cause)
	}
}
