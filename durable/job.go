package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/wasmsched/wasmsched/sched"
)

// Job is a handle on one queued job. Any process can make one for a job in
// the database (Scheduler.Unfinished); the job itself lives in the
// database, not in the handle. Its methods are safe for concurrent use.
type Job struct {
	s       *Scheduler
	riverID int64
	args    args

	mu    sync.Mutex
	cause error // the cause this handle cancelled the job with
}

// ID returns the job's id: 32 lowercase hex digits.
func (j *Job) ID() string { return j.args.ID }

// QueuedAt returns when the job was queued, as its record says.
func (j *Job) QueuedAt() time.Time { return j.args.QueuedAt }

// Delay returns the delay the job was queued with.
func (j *Job) Delay() time.Duration { return j.args.Delay }

// RiverID returns the job's id in River's table (river_job.id).
func (j *Job) RiverID() int64 { return j.riverID }

// Submit queues one job that is due after delay, and returns its handle.
// A negative delay is sched.ErrBadDelay; a nil ctx sched.ErrNilContext.
func (s *Scheduler) Submit(ctx context.Context, delay time.Duration) (*Job, error) {
	jobs, err := s.submit(ctx, 1, delay)
	if err != nil {
		return nil, err
	}
	return jobs[0], nil
}

// SubmitBatch queues n jobs with the same delay in one transaction, all or
// none, and returns their handles in order. They share one queued time and
// one due time. n below 1 is sched.ErrEmptyBatch, above sched.MaxBatch
// sched.ErrBatchTooBig.
func (s *Scheduler) SubmitBatch(ctx context.Context, n int, delay time.Duration) ([]*Job, error) {
	return s.submit(ctx, n, delay)
}

func (s *Scheduler) submit(ctx context.Context, n int, delay time.Duration) ([]*Job, error) {
	switch {
	case ctx == nil:
		return nil, sched.ErrNilContext
	case delay < 0:
		return nil, sched.ErrBadDelay
	case n < 1:
		return nil, sched.ErrEmptyBatch
	case n > sched.MaxBatch:
		return nil, sched.ErrBatchTooBig
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	queued := s.now()
	opts := &river.InsertOpts{MaxAttempts: maxAttempts, Queue: s.cfg.Queue}
	if delay > 0 {
		opts.ScheduledAt = queued.Add(delay)
	}
	params := make([]river.InsertManyParams, n)
	jobs := make([]Job, n)
	for i := range params {
		jobs[i].s = s
		jobs[i].args = args{ID: newID(), Delay: delay, QueuedAt: queued}
		params[i] = river.InsertManyParams{Args: jobs[i].args, InsertOpts: opts}
	}
	res, err := s.b.insertMany(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("durable: queueing %d jobs: %w", n, err)
	}
	if len(res) != n {
		return nil, fmt.Errorf("durable: queued %d jobs, River returned %d", n, len(res))
	}
	handles := make([]*Job, n)
	for i, r := range res {
		jobs[i].riverID = r.Job.ID
		handles[i] = &jobs[i]
	}
	return handles, nil
}

// Run queues one job and waits for it, like awaiting the seed's start_job:
// it returns the job's record once it started, or the job's error. If ctx
// ends while the job is queued, the job is cancelled with ctx's cause, and
// Run returns its final record; if it ends while the job is starting, Run
// returns ctx's cause and the record as it is.
func (s *Scheduler) Run(ctx context.Context, delay time.Duration) (sched.Record, error) {
	j, err := s.Submit(ctx, delay)
	if err != nil {
		return sched.Record{}, err
	}
	recs, err := Gather(ctx, j)
	if be, ok := errors.AsType[*sched.BatchError](err); ok {
		err = be.Errs[0]
	}
	return recs[0], err
}

// Wait waits until the job is final and returns its record, with the job's
// error if it did not start (a *sched.JobError). If ctx ends first, it
// returns ctx's cause and the record as it was last read; the job goes on.
// It asks the database every Config.PollInterval (see the package doc).
func (j *Job) Wait(ctx context.Context) (sched.Record, error) {
	if ctx == nil {
		return sched.Record{}, sched.ErrNilContext
	}
	recs, err := j.s.wait(ctx, []*Job{j}, false)
	if err != nil {
		return recs[0], err
	}
	return recs[0], recs[0].Err
}

// Record reads the job's record from the database now.
func (j *Job) Record(ctx context.Context) (sched.Record, error) {
	if ctx == nil {
		return sched.Record{}, sched.ErrNilContext
	}
	res, err := j.s.b.list(ctx, river.NewJobListParams().IDs(j.riverID).First(1))
	if err != nil {
		return sched.Record{}, err
	}
	if len(res.Jobs) == 0 {
		return sched.Record{}, j.gone()
	}
	return j.recordOf(res.Jobs[0])
}

// Cancel cancels the job if it is still queued (waiting for its due time,
// or due and not yet fetched by a process), with cause (nil: none), and
// reports whether it did. A start under way is not interrupted, as in
// sched. A job that River rescued after a crash and will retry is Queued
// again and can be cancelled: its start was called in the dead process, and
// may have done its work. The cause is kept as text in the database, for every process;
// errors.Is finds the cause itself only in records read through this
// handle.
func (j *Job) Cancel(ctx context.Context, cause error) (bool, error) {
	if ctx == nil {
		return false, sched.ErrNilContext
	}
	text := ""
	if cause != nil {
		text = cause.Error()
	}
	_, ok, err := j.s.b.cancelQueued(ctx, j.riverID, outcome{Cancelled: text})
	if err != nil {
		if errors.Is(err, rivertype.ErrNotFound) {
			return false, j.gone()
		}
		return false, fmt.Errorf("durable: cancelling job %s: %w", j.args.ID, err)
	}
	if ok && cause != nil {
		j.mu.Lock()
		j.cause = cause
		j.mu.Unlock()
	}
	return ok, nil
}

// ErrGone is the error of a job that is no longer in the database: River
// deletes final jobs after its retention periods (by default a day for
// started and cancelled jobs, a week for failed ones).
var ErrGone = errors.New("durable: job no longer in the database")

func (j *Job) gone() error {
	return fmt.Errorf("%w: %s (River id %d)", ErrGone, j.args.ID, j.riverID)
}

// stateOf maps River's states to sched's:
//
//	scheduled, available, pending, retryable → Queued
//	running                                  → Starting
//	completed                                → Started
//	cancelled                                → Cancelled, or Failed when its start returned an error
//	discarded                                → Failed (its start was interrupted by a crash twice)
func stateOf(row *rivertype.JobRow) sched.State {
	switch row.State {
	case rivertype.JobStateRunning:
		return sched.Starting
	case rivertype.JobStateCompleted:
		return sched.Started
	case rivertype.JobStateCancelled:
		if o := outcomeOf(row); o.Failed != "" {
			return sched.Failed
		}
		return sched.Cancelled
	case rivertype.JobStateDiscarded:
		return sched.Failed
	default:
		return sched.Queued
	}
}

func outcomeOf(row *rivertype.JobRow) outcome {
	var o outcome
	if raw := row.Output(); len(raw) > 0 {
		_ = json.Unmarshal(raw, &o) // not ours: no outcome
	}
	return o
}

// recordOf is the row as a record, with the cause this handle cancelled
// the job with, if any.
func (j *Job) recordOf(row *rivertype.JobRow) (sched.Record, error) {
	if row.Kind != Kind {
		return sched.Record{}, fmt.Errorf("durable: River job %d is a %q, not one of ours", row.ID, row.Kind)
	}
	r := recordOf(row, j.args)
	if r.State == sched.Cancelled {
		j.mu.Lock()
		if j.cause != nil {
			r.Err.(*sched.JobError).Cause = j.cause
		}
		j.mu.Unlock()
	}
	return r, nil
}

// recordOf is a row as a record: ReadyAt is when a process fetched the job
// to start it (River's AttemptedAt; for a retried job, its last attempt),
// StartedAt and DoneAt when it was finalized.
func recordOf(row *rivertype.JobRow, a args) sched.Record {
	r := sched.Record{
		ID:       a.ID,
		Delay:    a.Delay,
		QueuedAt: a.QueuedAt,
		State:    stateOf(row),
	}
	if row.AttemptedAt != nil {
		r.ReadyAt = *row.AttemptedAt
	}
	if row.FinalizedAt != nil && r.State.Final() {
		r.DoneAt = *row.FinalizedAt
	}
	switch r.State {
	case sched.Started:
		r.StartedAt = r.DoneAt
	case sched.Cancelled:
		r.Err = &sched.JobError{ID: a.ID, State: r.State, Cause: causeOf(outcomeOf(row).Cancelled)}
		if row.AttemptedAt == nil {
			r.ReadyAt = time.Time{}
		}
	case sched.Failed:
		text := outcomeOf(row).Failed
		if text == "" && len(row.Errors) > 0 { // discarded: River's last attempt error
			text = row.Errors[len(row.Errors)-1].Error
		}
		r.Err = &sched.JobError{ID: a.ID, State: r.State, Cause: causeOf(text)}
	}
	return r
}

// causeOf is a cause as text; empty is none.
func causeOf(text string) error {
	if text == "" {
		return nil
	}
	return errors.New(text)
}

// Unfinished returns handles on the queue's jobs that are not final yet,
// in the order they were queued (River's ids; on Postgres, batches queued
// at the same moment by two processes may interleave): after a restart,
// the jobs an earlier process queued, to wait for them again. A Scheduler
// that starts jobs may start and finish overdue ones before Unfinished
// reads them: to see every one, list them with a NoStarts Scheduler
// before opening the one that starts them.
func (s *Scheduler) Unfinished(ctx context.Context) ([]*Job, error) {
	return s.jobs(ctx, rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled)
}

// Jobs returns handles on all the queue's jobs still in the database,
// final or not, in the order they were queued.
func (s *Scheduler) Jobs(ctx context.Context) ([]*Job, error) {
	return s.jobs(ctx)
}

// jobs lists the queue's jobs in the given states (none: all), a page of
// 10,000 at a time.
func (s *Scheduler) jobs(ctx context.Context, states ...rivertype.JobState) ([]*Job, error) {
	if ctx == nil {
		return nil, sched.ErrNilContext
	}
	const page = 10_000
	params := river.NewJobListParams().
		Kinds(Kind).
		Queues(s.cfg.Queue).
		OrderBy(river.JobListOrderByID, river.SortOrderAsc).
		First(page)
	if len(states) > 0 {
		params = params.States(states...)
	} else {
		params = params.States(rivertype.JobStates()...)
	}
	var jobs []*Job
	for {
		res, err := s.b.list(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, row := range res.Jobs {
			var a args
			if err := json.Unmarshal(row.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("durable: River job %d: %w", row.ID, err)
			}
			jobs = append(jobs, &Job{s: s, riverID: row.ID, args: a})
		}
		if len(res.Jobs) < page {
			return jobs, nil
		}
		params = params.After(res.LastCursor)
	}
}
