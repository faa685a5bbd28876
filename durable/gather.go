package durable

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/wasmsched/wasmsched/sched"
)

// pollChunk is how many jobs one poll asks the database for.
const pollChunk = 1000

// cancelTimeout bounds the cancels Gather makes after its ctx ended.
const cancelTimeout = 30 * time.Second

// Gather waits for every job to reach its final state and returns their
// records in the order of jobs, like asyncio.gather and sched.Gather. err
// is nil when every job started; else a *sched.BatchError with each job's
// error at its index. A failure cancels nothing.
//
// The jobs may be started by any process: Gather polls the database (see
// the package doc). If ctx ends first, Gather cancels the jobs still
// queued with ctx's cause; if none is starting then, it returns as if they
// had been cancelled otherwise, else it returns ctx's cause with the
// records as they are. A database error ends it with that error. All jobs
// must come from one Scheduler. A nil ctx is sched.ErrNilContext, no jobs
// sched.ErrEmptyBatch, a nil job sched.ErrNilJob.
func Gather(ctx context.Context, jobs ...*Job) ([]sched.Record, error) {
	if err := check(ctx, jobs); err != nil {
		return nil, err
	}
	recs, err := jobs[0].s.wait(ctx, jobs, true)
	if err != nil {
		return recs, err
	}
	return recs, batchError(recs)
}

// check is the bad input of Gather, Wait and Records.
func check(ctx context.Context, jobs []*Job) error {
	if ctx == nil {
		return sched.ErrNilContext
	}
	if len(jobs) == 0 {
		return sched.ErrEmptyBatch
	}
	for i, j := range jobs {
		if j == nil {
			return &indexError{i, sched.ErrNilJob}
		}
		if j.s != jobs[0].s {
			return &indexError{i, errOtherScheduler}
		}
	}
	return nil
}

var errOtherScheduler = errors.New("durable: job of another Scheduler")

type indexError struct {
	i   int
	err error
}

func (e *indexError) Error() string { return e.err.Error() + " at index " + strconv.Itoa(e.i) }
func (e *indexError) Unwrap() error { return e.err }

func batchError(recs []sched.Record) error {
	var errs []error
	for i, r := range recs {
		if r.Err == nil {
			continue
		}
		if errs == nil {
			errs = make([]error, len(recs))
		}
		errs[i] = r.Err
	}
	if errs == nil {
		return nil
	}
	return &sched.BatchError{Errs: errs}
}

// wait polls until every job is final. It asks for the first pollChunk
// jobs not yet final, in their order, and asks again at once while a poll
// finds some final, else after PollInterval: a gather of n jobs costs
// about n/pollChunk queries while jobs finish, one a PollInterval while
// none does.
func (s *Scheduler) wait(ctx context.Context, jobs []*Job, cancelOnEnd bool) ([]sched.Record, error) {
	recs := s.blank(jobs)
	pending := make([]int, len(jobs))
	for i := range pending {
		pending[i] = i
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for len(pending) > 0 {
		progress, err := s.poll(ctx, jobs, recs, &pending)
		if err != nil {
			if ctx.Err() != nil {
				return s.ended(ctx, jobs, recs, pending, cancelOnEnd)
			}
			return recs, err
		}
		if progress || len(pending) == 0 {
			continue
		}
		if timer == nil {
			timer = time.NewTimer(s.cfg.PollInterval)
		} else {
			timer.Reset(s.cfg.PollInterval)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return s.ended(ctx, jobs, recs, pending, cancelOnEnd)
		}
	}
	return recs, nil
}

// poll reads the first pollChunk pending jobs, fills in their records,
// drops the final ones from pending, and reports whether there were any.
func (s *Scheduler) poll(ctx context.Context, jobs []*Job, recs []sched.Record, pending *[]int) (bool, error) {
	chunk := (*pending)[:min(len(*pending), pollChunk)]
	if err := s.read(ctx, jobs, recs, chunk); err != nil {
		return false, err
	}
	var left []int
	for _, i := range chunk {
		if !recs[i].State.Final() {
			left = append(left, i)
		}
	}
	progress := len(left) < len(chunk)
	*pending = append(left, (*pending)[len(chunk):]...)
	return progress, nil
}

// read reads the records of jobs[i] for each i in chunk (at most
// pollChunk) in one query.
func (s *Scheduler) read(ctx context.Context, jobs []*Job, recs []sched.Record, chunk []int) error {
	ids := make([]int64, 0, len(chunk))
	seen := make(map[int64]bool, len(chunk))
	for _, i := range chunk {
		if id := jobs[i].riverID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	res, err := s.b.list(ctx, river.NewJobListParams().IDs(ids...).First(len(ids)))
	if err != nil {
		return err
	}
	rows := make(map[int64]int, len(res.Jobs))
	for k, row := range res.Jobs {
		rows[row.ID] = k
	}
	for _, i := range chunk {
		k, ok := rows[jobs[i].riverID]
		if !ok {
			recs[i].Err = jobs[i].gone()
			return recs[i].Err
		}
		r, err := jobs[i].recordOf(res.Jobs[k])
		if err != nil {
			return err
		}
		recs[i] = r
	}
	return nil
}

// Records reads the jobs' records from the database now, in the order of
// jobs, a query per 1,000 jobs; it waits for nothing. All jobs must come
// from one Scheduler.
func Records(ctx context.Context, jobs ...*Job) ([]sched.Record, error) {
	if err := check(ctx, jobs); err != nil {
		return nil, err
	}
	s := jobs[0].s
	recs := s.blank(jobs)
	idx := make([]int, len(jobs))
	for i := range idx {
		idx[i] = i
	}
	for len(idx) > 0 {
		n := min(len(idx), pollChunk)
		if err := s.read(ctx, jobs, recs, idx[:n]); err != nil {
			return recs, err
		}
		idx = idx[n:]
	}
	return recs, nil
}

// Wait waits, like Gather, for every job to reach its final state and
// returns their records in order, with a *sched.BatchError if any did not
// start; but if ctx ends first, it only stops waiting: the jobs go on, and
// it returns ctx's cause with the records as last read. It is what a
// process that is told to stop uses, to leave its jobs queued.
func Wait(ctx context.Context, jobs ...*Job) ([]sched.Record, error) {
	if err := check(ctx, jobs); err != nil {
		return nil, err
	}
	recs, err := jobs[0].s.wait(ctx, jobs, false)
	if err != nil {
		return recs, err
	}
	return recs, batchError(recs)
}

// ended is wait's end when ctx ended: with cancelOnEnd, it cancels the jobs
// still queued with ctx's cause and reads them again.
func (s *Scheduler) ended(ctx context.Context, jobs []*Job, recs []sched.Record, pending []int, cancelOnEnd bool) ([]sched.Record, error) {
	cause := context.Cause(ctx)
	if !cancelOnEnd {
		return recs, cause
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	for _, i := range pending {
		if _, err := jobs[i].Cancel(cctx, cause); err != nil {
			return recs, errors.Join(cause, err)
		}
	}
	for len(pending) > 0 {
		before := len(pending)
		if _, err := s.poll(cctx, jobs, recs, &pending); err != nil {
			return recs, errors.Join(cause, err)
		}
		if len(pending) == before {
			return recs, cause // some are starting
		}
	}
	return recs, nil
}

// blank is the jobs' records as far as their handles know them.
func (s *Scheduler) blank(jobs []*Job) []sched.Record {
	recs := make([]sched.Record, len(jobs))
	for i, j := range jobs {
		recs[i] = sched.Record{ID: j.args.ID, Delay: j.args.Delay, QueuedAt: j.args.QueuedAt}
	}
	return recs
}
