package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/sched"
)

// cli runs the commands on one store.
type cli struct {
	ctx context.Context // ends on Ctrl-C
	st  *store
	out io.Writer
}

// stopTimeout bounds what a stop reads after ctx ended.
const stopTimeout = 30 * time.Second

// queueArgs parses queue's N and DELAY.
func queueArgs(args []string) (int, time.Duration, error) {
	switch {
	case len(args) < 2:
		return 0, 0, errors.New("queue needs N and DELAY, as in: jobs queue 10 5s")
	case len(args) > 2:
		return 0, 0, fmt.Errorf("queue takes N and DELAY only; unexpected %q", args[2])
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > sched.MaxBatch {
		return 0, 0, fmt.Errorf("queue: N %q: want a number of jobs from 1 to %d", args[0], sched.MaxBatch)
	}
	delay, err := time.ParseDuration(args[1])
	if err != nil {
		return 0, 0, fmt.Errorf("queue: DELAY %q: want a duration such as 5s, 1m30s, 250ms or 0", args[1])
	}
	if delay < 0 {
		return 0, 0, fmt.Errorf("queue: DELAY %s: %w", args[1], sched.ErrBadDelay)
	}
	return n, delay, nil
}

// queue queues n jobs due after delay, prints their ids, and works them.
func (c *cli) queue(n int, delay time.Duration) error {
	w, err := c.st.open(c.ctx, false)
	if err != nil {
		return c.openError(err)
	}
	defer w.Close()
	jobs, err := w.SubmitBatch(c.ctx, n, delay)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.stopped("nothing was queued")
		}
		return err
	}
	fmt.Fprintf(c.out, "queued %s in %s at %s, due after %s, at %s:\n",
		plural(n, "job"), c.st, fmtTime(jobs[0].QueuedAt()), fmtDelay(delay), fmtTime(dueAt(jobs[0])))
	for _, j := range jobs {
		fmt.Fprintf(c.out, "  %s\n", j.ID())
	}
	return c.work(w, jobs)
}

// resume works the jobs that are not final yet. It takes them with a
// Scheduler that starts nothing before it opens the one that starts them:
// River fetches the jobs that are due as soon as it starts, and those it
// has started by the time Unfinished looks would be missing from the list.
func (c *cli) resume() error {
	w, err := c.reader()
	if err != nil {
		return err
	}
	defer w.Close()
	jobs, err := w.Unfinished(c.ctx)
	if err != nil {
		return c.readError(err)
	}
	if len(jobs) == 0 {
		fmt.Fprintf(c.out, "no jobs to start in %s: none is queued (%s shows them all)\n", c.st, "`"+c.st.command("list")+"`")
		return nil
	}
	recs, err := durable.Records(c.ctx, jobs...)
	if err != nil {
		return c.readError(err)
	}
	batches := batchesOf(recs)
	fmt.Fprintf(c.out, "%s in %s queued earlier, in %s:\n", plural(len(jobs), "job"), c.st, plural(len(batches), "batch"))
	now := time.Now()
	for _, b := range batches {
		r := recs[b[0]]
		fmt.Fprintf(c.out, "  %s queued %s, delay %s, due %s (%s)\n",
			plural(len(b), "job"), fmtTime(r.QueuedAt), fmtDelay(r.Delay), fmtTime(due(r)), fromNow(due(r), now))
		if n := count(recs, b, sched.Starting); n > 0 {
			fmt.Fprintf(c.out, "    %s of them left starting by a process that stopped: River starts them again when it finds them starting for %v\n",
				plural(n, "job"), rescueAfter)
		}
	}
	return c.work(w, jobs)
}

// work opens a Scheduler that starts the queue's jobs, and waits for jobs
// (w's) with durable.Wait, which leaves them queued if ctx ends (Gather
// would cancel them): the jobs due at one time together, the earliest
// first, printing their records once all are final. Then it checks each
// batch. If ctx ends first, it stops: see stop.
func (c *cli) work(w *durable.Scheduler, jobs []*durable.Job) error {
	s, err := c.st.open(c.ctx, true)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.stop(nil, jobs)
		}
		return c.openError(err)
	}
	fmt.Fprintf(c.out, "working: each job starts when it is due; Ctrl-C stops, leaving the jobs not started queued in %s\n", c.st)
	fmt.Fprint(c.out, header)
	recs := make([]sched.Record, len(jobs)) // in the order of jobs
	groups := byDue(jobs)
	for k, g := range groups {
		grecs, err := durable.Wait(c.ctx, pick(jobs, g)...)
		if _, ok := errors.AsType[*sched.BatchError](err); err != nil && !ok {
			if c.ctx.Err() != nil {
				return c.stop(s, pick(jobs, slices.Concat(groups[k:]...)))
			}
			s.Close()
			return c.readError(err)
		}
		now := time.Now()
		for n, i := range g {
			recs[i] = grecs[n]
			fmt.Fprint(c.out, formatRow(grecs[n], now))
		}
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("stopping River: %w", err)
	}
	if failed := checkBatches(c.out, handles(jobs), recs); failed > 0 {
		return fmt.Errorf("the check failed for %s", plural(failed, "batch"))
	}
	return nil
}

// dueAt is when j is due.
func dueAt(j *durable.Job) time.Time { return j.QueuedAt().Add(j.Delay()) }

// byDue groups the indexes of jobs by due time, the earliest first, each
// group in the order of jobs.
func byDue(jobs []*durable.Job) [][]int {
	idx := make([]int, len(jobs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return dueAt(jobs[a]).Compare(dueAt(jobs[b])) })
	var groups [][]int
	for k, i := range idx {
		if k == 0 || !dueAt(jobs[i]).Equal(dueAt(jobs[idx[k-1]])) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
	}
	return groups
}

// pick is jobs[i] for each i in idx.
func pick(jobs []*durable.Job, idx []int) []*durable.Job {
	js := make([]*durable.Job, len(idx))
	for k, i := range idx {
		js[k] = jobs[i]
	}
	return js
}

// stop ends a queue or run whose ctx ended while it waited for the jobs
// left: it stops s's starts (the ones under way finish; the jobs not yet
// fetched stay queued), prints the records of the jobs left that ended
// meanwhile, and says how many are still queued.
func (c *cli) stop(s *durable.Scheduler, left []*durable.Job) error {
	cause := context.Cause(c.ctx)
	fmt.Fprintf(c.out, "stopping (%v): the starts under way finish, the other jobs stay queued\n", cause)
	if s != nil {
		if err := s.Close(); err != nil {
			fmt.Fprintf(c.out, "stopping River: %v\n", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), stopTimeout)
	defer cancel()
	recs, err := durable.Records(ctx, left...)
	if err != nil {
		fmt.Fprintf(c.out, "stopped, without reading what is left: %v\n", err)
		return &stoppedError{cause}
	}
	var queued, starting int
	now := time.Now()
	for _, rec := range recs {
		switch rec.State {
		case sched.Queued:
			queued++
		case sched.Starting:
			starting++
		default:
			fmt.Fprint(c.out, formatRow(rec, now))
		}
	}
	if queued+starting == 0 {
		fmt.Fprintln(c.out, "stopped: every job had ended")
		return &stoppedError{cause}
	}
	also := ""
	if starting > 0 {
		also = fmt.Sprintf(" (%d of them starting)", starting)
	}
	fmt.Fprintf(c.out, "stopped: %s still queued in %s%s; run `%s` to start them\n",
		plural(queued+starting, "job"), c.st, also, c.st.command("run"))
	return &stoppedError{cause}
}

// stopped is a stop with nothing to wait for.
func (c *cli) stopped(what string) error {
	cause := context.Cause(c.ctx)
	fmt.Fprintf(c.out, "stopped (%v): %s\n", cause, what)
	return &stoppedError{cause}
}

func (c *cli) openError(err error) error {
	if c.ctx.Err() != nil {
		return c.stopped("before the database was open")
	}
	return err
}

func (c *cli) readError(err error) error {
	if c.ctx.Err() != nil {
		return c.stopped("while reading the jobs; they are as they were")
	}
	return fmt.Errorf("reading the jobs in %s: %w", c.st, err)
}

// reader opens a Scheduler that starts nothing on a store that must
// exist, to read, wait and cancel.
func (c *cli) reader() (*durable.Scheduler, error) {
	if err := c.st.mustExist(); err != nil {
		return nil, err
	}
	s, err := c.st.open(c.ctx, false)
	if err != nil {
		return nil, c.openError(err)
	}
	return s, nil
}

// list prints every job of the queue.
func (c *cli) list() error {
	s, err := c.reader()
	if err != nil {
		return err
	}
	defer s.Close()
	recs, err := allRecords(c.ctx, s)
	if err != nil {
		return c.readError(err)
	}
	if len(recs) == 0 {
		fmt.Fprintf(c.out, "no jobs in %s\n", c.st)
		return nil
	}
	now := time.Now()
	fmt.Fprint(c.out, header)
	var counts [sched.Failed + 1]int
	for _, r := range recs {
		fmt.Fprint(c.out, formatRow(r, now))
		if r.State <= sched.Failed {
			counts[r.State]++
		}
	}
	var parts []string
	for s, n := range counts {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %v", n, sched.State(s)))
		}
	}
	fmt.Fprintf(c.out, "%s in %s: %s\n", plural(len(recs), "job"), c.st, strings.Join(parts, ", "))
	return nil
}

// allRecords reads the records of all the queue's jobs, final or not, in
// the order they were queued. If River deletes one of them (an old final
// job) between the listing and the reading, it lists them again.
func allRecords(ctx context.Context, s *durable.Scheduler) ([]sched.Record, error) {
	for try := 1; ; try++ {
		jobs, err := s.Jobs(ctx)
		if err != nil || len(jobs) == 0 {
			return nil, err
		}
		recs, err := durable.Records(ctx, jobs...)
		switch {
		case errors.Is(err, durable.ErrGone) && try < 3:
			continue
		case err != nil:
			return nil, err
		}
		return recs, nil
	}
}

var idPrefix = regexp.MustCompile(`^[0-9a-f]{1,32}$`)

func cancelArgs(ids []string) error {
	if len(ids) == 0 {
		return errors.New("cancel needs the ids of the jobs to cancel (jobs list shows them)")
	}
	for _, id := range ids {
		if !idPrefix.MatchString(id) {
			return fmt.Errorf("cancel: %q is not a job id: want up to 32 hex digits", id)
		}
	}
	return nil
}

// errCancelled is the cause of the jobs the cancel command cancels.
var errCancelled = errors.New("cancelled with jobs cancel")

// cancel cancels the queued jobs whose ids start with the given digits.
func (c *cli) cancel(ids []string) error {
	w, err := c.reader()
	if err != nil {
		return err
	}
	defer w.Close()
	jobs, err := w.Unfinished(c.ctx)
	if err != nil {
		return c.readError(err)
	}
	var problems []string
	for _, id := range ids {
		var matches []*durable.Job
		for _, j := range jobs {
			if strings.HasPrefix(j.ID(), id) {
				matches = append(matches, j)
			}
		}
		switch len(matches) {
		case 0:
			problems = append(problems, c.notQueued(w, id))
		case 1:
			ok, err := matches[0].Cancel(c.ctx, errCancelled)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: %v", matches[0].ID(), err))
			case ok:
				fmt.Fprintf(c.out, "cancelled %s\n", matches[0].ID())
			default:
				problems = append(problems, fmt.Sprintf("%s has started meanwhile: too late to cancel it", matches[0].ID()))
			}
		default:
			problems = append(problems, fmt.Sprintf("%s is the start of %d queued jobs' ids: give more digits", id, len(matches)))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s not cancelled:\n  %s", plural(len(problems), "job"), strings.Join(problems, "\n  "))
	}
	return nil
}

// notQueued says why no queued job's id starts with id.
func (c *cli) notQueued(s *durable.Scheduler, id string) string {
	if recs, err := allRecords(c.ctx, s); err == nil {
		for _, r := range recs {
			if strings.HasPrefix(r.ID, id) {
				return fmt.Sprintf("%s is %v, not queued", r.ID, r.State)
			}
		}
	}
	return fmt.Sprintf("no job in %s has an id starting with %s", c.st, id)
}

// The seed's delays.
const (
	delaySmall = time.Millisecond
	delayLarge = time.Hour
)

// errNotNeeded is the cause of the job the seed's second check cancels.
var errNotNeeded = errors.New("not needed any more (jobs seed, check 2)")

// seed runs the seed's three checks in one process, with one Scheduler.
func (c *cli) seed() error {
	s, err := c.st.open(c.ctx, true)
	if err != nil {
		return c.openError(err)
	}
	defer s.Close()
	fmt.Fprintf(c.out, "seed: the asyncio seed's three checks, on %s\n", c.st)
	failed := 0
	report := func(n int, ok, fail string) error {
		if c.ctx.Err() != nil {
			return c.stopped(fmt.Sprintf("during check %d; the jobs it waited for are cancelled", n))
		}
		if fail != "" {
			failed++
			fmt.Fprintf(c.out, "check %d: FAILED: %s\n", n, fail)
		} else {
			fmt.Fprintf(c.out, "check %d: ok: %s\n", n, ok)
		}
		return nil
	}

	// 1. One awaited job is valid.
	rec, err := s.Run(c.ctx, delaySmall)
	fail := startedProblem(rec)
	if err != nil {
		fail = fmt.Sprintf("Run: %v", err)
	}
	if err := report(1, fmt.Sprintf("an awaited %s job, %s: queued %s, started %v later, valid",
		fmtDelay(delaySmall), rec.ID, fmtTime(rec.QueuedAt), fmtDur(rec.Waited())), fail); err != nil {
		return err
	}

	// 2. One started task is cancelled, and stays so in the database.
	id, fail := c.cancelOne(s)
	if err := report(2, fmt.Sprintf("a task with a %s delay, %s, cancelled: it is cancelled, and so in %s (see `%s`)",
		fmtDelay(delayLarge), id, c.st, c.st.command("list")), fail); err != nil {
		return err
	}

	// 3. A batch of 10, gathered, is valid and in order.
	fail = ""
	var recs []sched.Record
	jobs, err := s.SubmitBatch(c.ctx, 10, delaySmall)
	if err == nil {
		recs, err = durable.Gather(c.ctx, jobs...)
	}
	if err != nil {
		fail = err.Error()
	} else if problems := batchProblems(handles(jobs), recs); len(problems) > 0 {
		fail = strings.Join(problems, "; ")
	}
	ok := ""
	if fail == "" {
		ok = fmt.Sprintf("a batch of 10 %s jobs, gathered: queued %s, all valid, in order, started %s later",
			fmtDelay(delaySmall), fmtTime(recs[0].QueuedAt), fmtRange(recs))
	}
	if err := report(3, ok, fail); err != nil {
		return err
	}

	if failed > 0 {
		return fmt.Errorf("seed: %d of the 3 checks failed", failed)
	}
	return nil
}

// cancelOne is the seed's second check: it queues a job due in an hour,
// cancels it, checks its record through its handle and then as the
// database holds it, through a handle from Jobs. It returns the job's id,
// and what is wrong, if anything.
func (c *cli) cancelOne(s *durable.Scheduler) (id, fail string) {
	job, err := s.Submit(c.ctx, delayLarge)
	if err != nil {
		return "", err.Error()
	}
	id = job.ID()
	if ok, err := job.Cancel(c.ctx, errNotNeeded); !ok || err != nil {
		return id, fmt.Sprintf("Cancel = %v, %v; want true, nil", ok, err)
	}
	rec, err := job.Wait(c.ctx)
	switch {
	case rec.State != sched.Cancelled:
		return id, fmt.Sprintf("the job is %v, not cancelled (%v)", rec.State, err)
	case !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, errNotNeeded):
		return id, fmt.Sprintf("its error is %v; want sched.ErrCancelled with the cause", err)
	case rec.Valid() || !rec.StartedAt.IsZero():
		return id, "the cancelled job has a start time"
	}
	// A handle from Jobs knows only what the database holds, as another
	// process would read it.
	jobs, err := s.Jobs(c.ctx)
	if err != nil {
		return id, fmt.Sprintf("reading it back: %v", err)
	}
	k := slices.IndexFunc(jobs, func(j *durable.Job) bool { return j.RiverID() == job.RiverID() })
	if k < 0 {
		return id, fmt.Sprintf("it is not in %s", c.st)
	}
	recs, err := durable.Records(c.ctx, jobs[k])
	switch {
	case err != nil:
		return id, fmt.Sprintf("reading it back: %v", err)
	case recs[0].State != sched.Cancelled || recs[0].ID != id:
		return id, fmt.Sprintf("read back, it is job %s, %v", recs[0].ID, recs[0].State)
	}
	return id, ""
}

// A handle is what the batch check needs of a job's handle
// (*durable.Job): which job it is, and when it was queued, by its River id.
type handle interface {
	ID() string
	RiverID() int64
}

func handles(jobs []*durable.Job) []handle {
	hs := make([]handle, len(jobs))
	for i, j := range jobs {
		hs[i] = j
	}
	return hs
}

// batchProblems is what is wrong with a gathered batch: each job must have
// started, be valid and not have started before it was due, and recs must
// be in the order of jobs, the order they were queued in, sharing one
// queued time. None: ok.
func batchProblems(jobs []handle, recs []sched.Record) []string {
	var problems []string
	if len(recs) != len(jobs) {
		return []string{fmt.Sprintf("%d records for %d jobs", len(recs), len(jobs))}
	}
	for i, r := range recs {
		if p := startedProblem(r); p != "" {
			problems = append(problems, fmt.Sprintf("job %d, %s: %s", i, r.ID, p))
		}
		if r.ID != jobs[i].ID() {
			problems = append(problems, fmt.Sprintf("record %d is job %s, not %s: not in order", i, r.ID, jobs[i].ID()))
		}
		if i > 0 && jobs[i].RiverID() <= jobs[i-1].RiverID() {
			problems = append(problems, fmt.Sprintf("job %d, %s, was queued before job %d: not in order", i, r.ID, i-1))
		}
		if !r.QueuedAt.Equal(recs[0].QueuedAt) {
			problems = append(problems, fmt.Sprintf("job %d, %s, queued at %s, the batch at %s", i, r.ID, fmtTime(r.QueuedAt), fmtTime(recs[0].QueuedAt)))
		}
	}
	return problems
}

// checkBatches checks each batch of recs (see batchesOf) with
// batchProblems, prints the outcome, and returns how many failed.
func checkBatches(w io.Writer, jobs []handle, recs []sched.Record) int {
	failed := 0
	for _, b := range batchesOf(recs) {
		bj := make([]handle, len(b))
		br := make([]sched.Record, len(b))
		for k, i := range b {
			bj[k], br[k] = jobs[i], recs[i]
		}
		what := fmt.Sprintf("batch of %d queued %s", len(b), fmtTime(br[0].QueuedAt))
		if problems := batchProblems(bj, br); len(problems) > 0 {
			failed++
			const most = 5
			if len(problems) > most {
				problems = append(problems[:most], fmt.Sprintf("and %d more", len(problems)-most))
			}
			fmt.Fprintf(w, "%s: FAILED: %s\n", what, strings.Join(problems, "; "))
			continue
		}
		fmt.Fprintf(w, "%s: ok: all started, valid, none before its due time, gathered in the order queued; started %s after queued\n",
			what, fmtRange(br))
	}
	return failed
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// startedProblem is what is wrong with the record of a job that should
// have started; "" if nothing is.
func startedProblem(r sched.Record) string {
	switch {
	case !hexID.MatchString(r.ID):
		return fmt.Sprintf("id %q is not 32 hex digits", r.ID)
	case r.State != sched.Started:
		if r.Err != nil {
			return fmt.Sprintf("it is %v, not started: %v", r.State, r.Err)
		}
		return fmt.Sprintf("it is %v, not started", r.State)
	case !r.Valid():
		return fmt.Sprintf("not valid: queued at %s, not before it started at %s", fmtTime(r.QueuedAt), fmtTime(r.StartedAt))
	case r.ReadyAt.Before(due(r)):
		return fmt.Sprintf("started before it was due: fetched at %s, due at %s", fmtTime(r.ReadyAt), fmtTime(due(r)))
	case r.StartedAt.Before(r.ReadyAt):
		return fmt.Sprintf("started at %s, before it was fetched at %s", fmtTime(r.StartedAt), fmtTime(r.ReadyAt))
	}
	return ""
}
