package lesson

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/wasmsched/wasmsched/sched"
)

// Progress is what Run tells the page as it goes.
type Progress struct {
	Step int    // the step running, an index into Lesson.Steps
	Note string // what the step did, with the actual values; empty when the step begins
	Done bool   // the run is over: sent once, after the last step, with no Note
}

// What the Examples do, which Run does too. The tests check that the Go
// listings say the same.
const (
	delaySmall = time.Millisecond // the seed's _DELAY_SMALL
	delayLarge = time.Hour        // the seed's _DELAY_LARGE
	batchSize  = 10
	limitSlots = 2                      // lesson "limit": Scheduler.Limit
	limitStart = 200 * time.Millisecond // how long a start takes
	limitJobs  = 6
	refusedIDs = "4" // ids that sort before it are refused

	timeoutAfter = 50 * time.Millisecond // lesson "timeout": the deadline

	groupFails = 10 * time.Millisecond // lesson "group": the delay of the job that fails

	blockedTakes    = 50 * time.Millisecond // lesson "blocked": the slow start
	blockedBugDelay = time.Millisecond      // the delay of the job whose start computes
	blockedFixDelay = 2 * time.Millisecond  // the delay of the job whose start waits
	blockedOthers   = 100                   // the jobs made late
	blockedDue      = 10 * time.Millisecond // their delay
)

// groupDelays are lesson "group"'s jobs, and completedDelays lesson
// "completed"'s, in the order they are queued.
var (
	groupDelays     = []time.Duration{time.Millisecond, groupFails, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}
	completedDelays = []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}
)

// limitSeed seeds the ids of lesson "limit", as in its Example.
var limitSeed [32]byte

var errRefused = errors.New("refused")

// Configure sets up s for lesson l, as its Example sets up its scheduler.
// For "limit", it sets s.Start to the Example's start function (200 ms on
// the scheduler's clock, then a refusal for the ids that begin with 0 to
// 3) and s.Limit to 2; and, if s.Rand is nil, the Example's fixed seed, so
// that the run gives the Example's output. For "group", s.Start refuses
// the job of 10 ms; for "blocked", it computes for 50 ms in the start of
// the job of 1 ms, and waits 50 ms on the clock in that of the job of 2
// ms. Other lessons use a scheduler as it is: Configure does nothing for
// them. Call it before s is first used.
func Configure(l Lesson, s *sched.Scheduler) {
	switch l.ID {
	case "limit":
		s.Limit = limitSlots
		s.Start = startOrRefuse
		if s.Rand == nil {
			s.Rand = rand.NewChaCha8(limitSeed)
		}
	case "group":
		s.Start = failEarly
	case "blocked":
		s.Start = spinOrWait
	}
}

// needsStart are the lessons whose Configure sets a start function.
var needsStart = map[string]bool{"limit": true, "group": true, "blocked": true}

// failEarly is the start function of ExampleGroup.
func failEarly(_ context.Context, r sched.Record) error {
	if r.Delay == groupFails {
		return errRefused
	}
	return nil
}

// spinOrWait is the start function of ExampleScheduler_Start_blocked: the
// bug, computing without a wait, for the job of blockedBugDelay, and the fix,
// waiting on the scheduler's clock, for the job of blockedFixDelay.
func spinOrWait(ctx context.Context, r sched.Record) error {
	switch r.Delay {
	case blockedBugDelay:
		spin(blockedTakes)
	case blockedFixDelay:
		select {
		case <-clockwork.FromContext(ctx).After(blockedTakes):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// spin computes for d, without waiting: on the real clock, whatever the
// scheduler's.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// startOrRefuse is the start function of ExampleScheduler_Limit. It waits
// on the clock the scheduler puts in ctx, so that it takes virtual time on
// a driven clock or in a testing/synctest bubble, and decides each job's
// failure by its id alone.
func startOrRefuse(ctx context.Context, r sched.Record) error {
	select {
	case <-clockwork.FromContext(ctx).After(limitStart):
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.ID < refusedIDs {
		return errRefused
	}
	return nil
}

// refused reports whether startOrRefuse refuses the job with id.
func refused(id string) bool { return id < refusedIDs }

// Run runs lesson l's Go code for real on s, step by step; l is known by
// its ID. Before step i it calls pace(ctx, i), where the page waits (a
// pause, or a click for the next line): an error from pace stops the run
// and is returned as is. Then it calls show(Progress{Step: i}), runs the
// step's calls, and, for a step that has a result, calls show again with
// a Note saying what happened. After the last step it calls
// show(Progress{Step: last, Done: true}) and returns nil.
//
// Run makes the calls the Go listing makes, in the same order, leaving out
// what only prints, with ctx in place of context.Background(), so that
// ending ctx stops the run (Run then returns ctx's cause). The scheduler is
// the caller's to make and close: for "limit", set it up with Configure
// first. When Run returns early it cancels its jobs still queued, so that
// none is left waiting for, say, an hour.
//
// A nil pace does not wait; a nil show is not called.
func Run(ctx context.Context, l Lesson, s *sched.Scheduler, pace func(ctx context.Context, step int) error, show func(Progress)) (err error) {
	d, ok := def(l.ID)
	switch {
	case !ok:
		return fmt.Errorf("lesson: no lesson %q", l.ID)
	case ctx == nil:
		return fmt.Errorf("lesson %s: %w", l.ID, sched.ErrNilContext)
	case s == nil:
		return fmt.Errorf("lesson %s: nil scheduler", l.ID)
	case l.ID == "limit" && (s.Start == nil || s.Limit != limitSlots):
		return errors.New("lesson limit: the scheduler has no start function or its Limit is not 2: set it up with Configure")
	case needsStart[l.ID] && s.Start == nil:
		return fmt.Errorf("lesson %s: the scheduler has no start function: set it up with Configure", l.ID)
	}
	if pace == nil {
		pace = func(context.Context, int) error { return nil }
	}
	if show == nil {
		show = func(Progress) {}
	}
	r := &run{s: s}
	defer func() {
		if err != nil {
			r.cancelQueued(err)
		}
	}()
	for i, st := range d.steps {
		if err := pace(ctx, i); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		show(Progress{Step: i})
		if st.do == nil {
			continue
		}
		note, err := st.do(ctx, r)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if note != "" {
			show(Progress{Step: i, Note: note})
		}
		if err != nil {
			return fmt.Errorf("lesson %s, step %d: %w", l.ID, i, err)
		}
	}
	show(Progress{Step: len(d.steps) - 1, Done: true})
	return nil
}

// run is what a lesson's steps share while it runs: the variables of its
// Go listing.
type run struct {
	s     *sched.Scheduler
	rec   sched.Record
	err   error
	job   *sched.Job
	quick *sched.Job // lesson "cancel": the job that starts before Cancel
	jobs  []*sched.Job
	recs  []sched.Record
}

// action runs one step's calls and says what happened; an error ends the
// run.
type action func(ctx context.Context, r *run) (note string, err error)

func (r *run) cancelQueued(cause error) {
	for _, j := range []*sched.Job{r.job, r.quick} {
		if j != nil {
			j.Cancel(cause)
		}
	}
	for _, j := range r.jobs {
		j.Cancel(cause)
	}
}

// Lesson "await": ExampleScheduler_Run.

func awaitRun(ctx context.Context, r *run) (string, error) {
	r.rec, r.err = r.s.Run(ctx, delaySmall)
	if r.err != nil {
		return "Run returned an error: " + r.err.Error() + ".", r.err
	}
	return fmt.Sprintf("Job %s started %s after it was queued, for a delay of %s.",
		short(r.rec.ID), dur(r.rec.Waited()), dur(r.rec.Delay)), nil
}

func awaitCheck(_ context.Context, r *run) (string, error) {
	if !r.rec.Valid() {
		return fmt.Sprintf("rec.Valid() is false: job %s started at the very instant it was queued, as the clock saw it.", short(r.rec.ID)), nil
	}
	atLeast := "at least its delay"
	if r.rec.Waited() < r.rec.Delay {
		atLeast = "less than its delay"
	}
	return fmt.Sprintf("rec.Valid() is true: job %s was queued %s before it started, %s.",
		short(r.rec.ID), dur(r.rec.Waited()), atLeast), nil
}

// Lesson "cancel": ExampleJob_Cancel.

func cancelSubmit(_ context.Context, r *run) (string, error) {
	job, err := r.s.Submit(delayLarge)
	if err != nil {
		return "Submit returned an error: " + err.Error() + ".", err
	}
	r.job = job
	return fmt.Sprintf("Job %s is %s, to start in %s.", short(job.ID()), job.State(), dur(delayLarge)), nil
}

func cancelFirst(_ context.Context, r *run) (string, error) {
	if r.job.Cancel(nil) {
		return fmt.Sprintf("job.Cancel(nil) returned true: this call cancelled job %s, which is now %s.", short(r.job.ID()), r.job.State()), nil
	}
	return fmt.Sprintf("job.Cancel(nil) returned false: job %s was %s, no longer queued.", short(r.job.ID()), r.job.State()), nil
}

func cancelAgain(_ context.Context, r *run) (string, error) {
	ok := r.job.Cancel(nil)
	return fmt.Sprintf("job.Cancel(nil) returned %t: job %s was already %s.", ok, short(r.job.ID()), r.job.State()), nil
}

func cancelWait(ctx context.Context, r *run) (string, error) {
	_, r.err = r.job.Wait(ctx)
	if r.err == nil {
		return fmt.Sprintf("job.Wait returned no error: job %s started.", short(r.job.ID())), nil
	}
	return fmt.Sprintf("job.Wait returned the error %q.", r.err.Error()), nil
}

func cancelCheck(_ context.Context, r *run) (string, error) {
	return fmt.Sprintf("errors.Is(err, sched.ErrCancelled) is %t, and job.Cancelled() is %t for job %s.",
		errors.Is(r.err, sched.ErrCancelled), r.job.Cancelled(), short(r.job.ID())), nil
}

// cancelStarted queues a job with a short delay, waits until it has
// started, and cancels it, which must change nothing: Cancel returns false
// and the job stays started, as cancel() on a finished task returns False.
func cancelStarted(ctx context.Context, r *run) (string, error) {
	quick, err := r.s.Submit(delaySmall)
	if err != nil {
		return "Submit returned an error: " + err.Error() + ".", err
	}
	r.quick = quick
	rec, err := quick.Wait(ctx)
	if err != nil {
		return fmt.Sprintf("quick.Wait returned the error %q: job %s did not start.", err.Error(), short(quick.ID())), err
	}
	return cancelledAfterStart(rec, quick.Cancel(nil), quick.State())
}

// cancelledAfterStart says what Cancel did to a job that had started, with
// rec its record once started, ok what Cancel returned, and state the job's
// state after; an error when Cancel did anything.
func cancelledAfterStart(rec sched.Record, ok bool, state sched.State) (string, error) {
	if ok || state != sched.Started {
		err := fmt.Errorf("cancelling job %s after it started returned %t and left it %s, want false and started", short(rec.ID), ok, state)
		return fmt.Sprintf("quick.Cancel(nil) returned %t: job %s, which had started, is now %s.", ok, short(rec.ID), state), err
	}
	return fmt.Sprintf("quick.Cancel(nil) returned false: job %s had started, %s after it was queued, and stays %s.",
		short(rec.ID), dur(rec.Waited()), state), nil
}

// Lesson "gather": ExampleGather.

func gatherSubmit(_ context.Context, r *run) (string, error) {
	jobs, err := r.s.SubmitBatch(batchSize, delaySmall)
	if err != nil {
		return "SubmitBatch returned an error: " + err.Error() + ".", err
	}
	r.jobs = jobs
	return fmt.Sprintf("%d jobs queued at one instant, from %s to %s, each with a delay of %s.",
		len(jobs), short(jobs[0].ID()), short(jobs[len(jobs)-1].ID()), dur(delaySmall)), nil
}

func gatherWait(ctx context.Context, r *run) (string, error) {
	r.recs, r.err = sched.Gather(ctx, r.jobs...)
	if r.err != nil {
		return "Gather returned an error: " + r.err.Error() + ".", r.err
	}
	var longest time.Duration
	for _, rec := range r.recs {
		longest = max(longest, rec.Waited())
	}
	return fmt.Sprintf("All %d jobs started, the last %s after they were queued.", len(r.recs), dur(longest)), nil
}

func gatherCheck(_ context.Context, r *run) (string, error) {
	valid := 0
	for i, rec := range r.recs {
		if rec.Valid() && rec.ID == r.jobs[i].ID() {
			valid++
		}
	}
	return fmt.Sprintf("%d of %d records are valid and in order: record 0 is job %s's, record %d job %s's.",
		valid, len(r.recs), short(r.recs[0].ID), len(r.recs)-1, short(r.recs[len(r.recs)-1].ID)), nil
}

func gatherCount(_ context.Context, r *run) (string, error) {
	return fmt.Sprintf("%d records for %d jobs.", len(r.recs), len(r.jobs)), nil
}

// Lesson "limit": ExampleScheduler_Limit.

func limitLimit(_ context.Context, r *run) (string, error) {
	return fmt.Sprintf("This scheduler's Limit is %d: at most %d starts run at once.", r.s.Limit, r.s.Limit), nil
}

func limitSubmit(_ context.Context, r *run) (string, error) {
	jobs, err := r.s.SubmitBatch(limitJobs, delaySmall)
	if err != nil {
		return "SubmitBatch returned an error: " + err.Error() + ".", err
	}
	r.jobs = jobs
	var ids, bad []string
	for _, j := range jobs {
		ids = append(ids, short(j.ID()))
		if refused(j.ID()) {
			bad = append(bad, short(j.ID()))
		}
	}
	will := "none begins with 0 to 3, so none will be refused"
	if len(bad) > 0 {
		will = fmt.Sprintf("%s %s with 0 to 3 and will be refused", list(bad), plural(len(bad), "begins", "begin"))
	}
	return fmt.Sprintf("%d jobs queued: %s; %s.", len(jobs), strings.Join(ids, ", "), will), nil
}

func limitGather(ctx context.Context, r *run) (string, error) {
	r.recs, r.err = sched.Gather(ctx, r.jobs...)
	if _, ok := errors.AsType[*sched.BatchError](r.err); r.err != nil && !ok {
		return "Gather returned an error: " + r.err.Error() + ".", r.err
	}
	var lastDone time.Time
	for _, rec := range r.recs {
		if rec.DoneAt.After(lastDone) {
			lastDone = rec.DoneAt
		}
	}
	rounds := (len(r.jobs) + r.s.Limit - 1) / r.s.Limit
	return fmt.Sprintf("All %d jobs are done, %s after they were queued: %d starts of %s, %d at a time, take %d rounds.",
		len(r.recs), dur(lastDone.Sub(r.recs[0].QueuedAt)), len(r.jobs), dur(limitStart), r.s.Limit, rounds), nil
}

func limitCount(_ context.Context, r *run) (string, error) {
	var failed []string
	if batchErr, ok := errors.AsType[*sched.BatchError](r.err); ok {
		for i, jobErr := range batchErr.Errs { // one per job, nil if it started
			if errors.Is(jobErr, sched.ErrFailed) {
				failed = append(failed, short(r.jobs[i].ID()))
			}
		}
	}
	which := ""
	if len(failed) > 0 {
		which = ": " + list(failed) + " " + plural(len(failed), "was", "were") + " refused"
	}
	return fmt.Sprintf("%d started, %d failed%s.", len(r.jobs)-len(failed), len(failed), which), nil
}

// short is the first 8 digits of a job's id, as the page shows it.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// dur says d for a newcomer: "1.0 ms", "601.0 ms", "1h".
func dur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	s := d.Round(time.Millisecond).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// list joins words as a sentence does: "a", "a and b", "a, b and c".
func list(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Lesson "timeout": ExampleScheduler_WithTimeout. Each Run makes its
// deadline in the same step, so that the page's pause between steps does
// not use it up.

// timeoutRun sets a deadline of timeoutAfter on the scheduler's clock and
// runs a job of delay under it.
func timeoutRun(ctx context.Context, r *run, delay time.Duration) (deadline time.Time) {
	dctx, cancel := r.s.WithTimeout(ctx, timeoutAfter)
	defer cancel()
	deadline, _ = dctx.Deadline()
	r.rec, r.err = r.s.Run(dctx, delay)
	return deadline
}

func timeoutLate(ctx context.Context, r *run) (string, error) {
	deadline := timeoutRun(ctx, r, delayLarge)
	switch {
	case ctx.Err() != nil:
		return "", context.Cause(ctx)
	case r.err == nil:
		return fmt.Sprintf("Job %s started, which a job of an hour cannot have done before a deadline of %s.", short(r.rec.ID), dur(timeoutAfter)), errors.New("the job of an hour started before its deadline")
	case r.rec.State != sched.Cancelled:
		return "Run returned an error: " + r.err.Error() + ".", r.err
	}
	at := fmt.Sprintf("the %s ms deadline", ms(timeoutAfter))
	if !r.rec.DoneAt.Equal(deadline) {
		at += fmt.Sprintf(", %s after it", dur(r.rec.DoneAt.Sub(deadline)))
	}
	var cause error
	if je, ok := errors.AsType[*sched.JobError](r.err); ok {
		cause = je.Cause
	}
	return fmt.Sprintf("The job was cancelled at %s: %v.", at, cause), nil
}

func timeoutCheck(_ context.Context, r *run) (string, error) {
	return fmt.Sprintf("errors.Is(err, context.DeadlineExceeded) is %t, and errors.Is(err, sched.ErrCancelled) is %t.",
		errors.Is(r.err, context.DeadlineExceeded), errors.Is(r.err, sched.ErrCancelled)), nil
}

func timeoutInTime(ctx context.Context, r *run) (string, error) {
	deadline := timeoutRun(ctx, r, delaySmall)
	if r.err != nil {
		return "Run returned an error: " + r.err.Error() + ".", r.err
	}
	return fmt.Sprintf("Job %s started %s after it was queued, %s before its deadline: nothing was cancelled.",
		short(r.rec.ID), dur(r.rec.Waited()), dur(deadline.Sub(r.rec.StartedAt))), nil
}

// Lesson "group": ExampleGroup.

// groupQueue queues lesson "group"'s six jobs.
func groupQueue(r *run) error {
	r.jobs = r.jobs[:0]
	for _, d := range groupDelays {
		job, err := r.s.Submit(d)
		if err != nil {
			return err
		}
		r.jobs = append(r.jobs, job)
	}
	return nil
}

// tally is what became of a group's jobs: the first to fail, with its
// cause, and how many started and were cancelled.
type tally struct {
	failed             sched.Record
	cause              error
	started, cancelled int
}

func groupTally(recs []sched.Record) (t tally) {
	for _, rec := range recs {
		switch rec.State {
		case sched.Started:
			t.started++
		case sched.Cancelled:
			t.cancelled++
		case sched.Failed:
			if t.failed.ID == "" || rec.DoneAt.Before(t.failed.DoneAt) {
				t.failed = rec
				if je, ok := errors.AsType[*sched.JobError](rec.Err); ok {
					t.cause = je.Cause
				}
			}
		}
	}
	return t
}

// groupRun queues lesson "group"'s six jobs and waits for them with wait,
// Group or Gather; a note and an error if either went wrong.
func groupRun(ctx context.Context, r *run, wait func(context.Context, ...*sched.Job) ([]sched.Record, error)) (string, error) {
	if err := groupQueue(r); err != nil {
		return "Submit returned an error: " + err.Error() + ".", err
	}
	r.recs, r.err = wait(ctx, r.jobs...)
	if ctx.Err() != nil {
		return "", context.Cause(ctx)
	}
	return "", nil
}

func groupWait(ctx context.Context, r *run) (string, error) {
	if note, err := groupRun(ctx, r, sched.Group); err != nil {
		return note, err
	}
	t := groupTally(r.recs)
	if t.failed.ID == "" {
		return "Group returned " + fmt.Sprint(r.err) + ", and no job failed.", errors.New("no job of the group failed")
	}
	return fmt.Sprintf("Job %s failed at %s (%v), so the group cancelled the %s still waiting; %d had started before.",
		short(t.failed.ID), dur(t.failed.DoneAt.Sub(t.failed.QueuedAt)), t.cause, count(t.cancelled, "job"), t.started), nil
}

func groupGather(ctx context.Context, r *run) (string, error) {
	if note, err := groupRun(ctx, r, sched.Gather); err != nil {
		return note, err
	}
	t := groupTally(r.recs)
	var last time.Duration
	for _, rec := range r.recs {
		last = max(last, rec.Waited())
	}
	return fmt.Sprintf("Gather cancelled nothing: job %s failed, %d others started, the last after %s, and %d %s cancelled.",
		short(t.failed.ID), t.started, dur(last), t.cancelled, plural(t.cancelled, "was", "were")), nil
}

// Lesson "completed": ExampleCompleted.

func completedLoop(ctx context.Context, r *run) (string, error) {
	r.jobs = r.jobs[:0]
	for _, d := range completedDelays {
		job, err := r.s.Submit(d)
		if err != nil {
			return "Submit returned an error: " + err.Error() + ".", err
		}
		r.jobs = append(r.jobs, job)
	}
	r.recs = r.recs[:0]
	for rec, err := range sched.Completed(ctx, r.jobs...) {
		if err != nil {
			return "Completed gave the error " + err.Error() + ".", err
		}
		r.recs = append(r.recs, rec)
	}
	var arrived, queued []string
	for _, rec := range r.recs {
		arrived = append(arrived, ms(rec.Delay))
	}
	for _, d := range completedDelays {
		queued = append(queued, ms(d))
	}
	return fmt.Sprintf("Records arrived %s ms, not in the order submitted (%s).", strings.Join(arrived, ", "), strings.Join(queued, ", ")), nil
}

func completedTimes(_ context.Context, r *run) (string, error) {
	var each []string
	for _, rec := range r.recs {
		each = append(each, fmt.Sprintf("the job of %s ms after %s", ms(rec.Delay), dur(rec.Waited())))
	}
	return "They started in that order: " + list(each) + ".", nil
}

// ms is d in whole milliseconds, as the lesson writes its delays.
func ms(d time.Duration) string { return fmt.Sprint(d.Milliseconds()) }

// Lesson "blocked": ExampleScheduler_Start_blocked.

// blockedQueue is the Example's queue: the slow job, whose delay is slow,
// and blockedOthers jobs due blockedDue after; it returns how late they
// started, at the median and at most.
func blockedQueue(ctx context.Context, r *run, slow time.Duration) (p50, most time.Duration, err error) {
	job, err := r.s.Submit(slow)
	if err != nil {
		return 0, 0, err
	}
	r.job = job
	others, err := r.s.SubmitBatch(blockedOthers, blockedDue)
	if err != nil {
		return 0, 0, err
	}
	r.jobs = others
	if r.recs, err = sched.Gather(ctx, others...); err != nil {
		return 0, 0, err
	}
	if _, err := job.Wait(ctx); err != nil {
		return 0, 0, err
	}
	// How late each started, from its due time: what a visitor waits.
	// It counts the wait for its start to run, unlike Record.Lateness,
	// which ends when the scheduler saw the delay over: if the slow job's
	// timer fires late, with the others', they are seen due on time, and
	// it is their starts that wait for the computing to end.
	late := make([]time.Duration, len(r.recs))
	for i, rec := range r.recs {
		late[i] = rec.Waited() - rec.Delay
	}
	slices.Sort(late)
	return late[len(late)/2], late[len(late)-1], nil
}

func blockedBug(ctx context.Context, r *run) (string, error) {
	p50, most, err := blockedQueue(ctx, r, blockedBugDelay)
	if err != nil {
		return "The jobs did not all start: " + err.Error() + ".", err
	}
	return fmt.Sprintf("The %d others started %s late at the median, %s at most: nothing else ran.",
		blockedOthers, roundMS(p50), roundMS(most)), nil
}

func blockedFix(ctx context.Context, r *run) (string, error) {
	p50, most, err := blockedQueue(ctx, r, blockedFixDelay)
	if err != nil {
		return "The jobs did not all start: " + err.Error() + ".", err
	}
	return fmt.Sprintf("With the fix, they started %s late at the median, %s at most.", roundMS(p50), roundMS(most)), nil
}

// blockedNative says what the same jobs do natively, measured by sched's
// BenchmarkBlocked (README, "A blocked loop"): a figure, not a run, for
// this page cannot run Go natively.
func blockedNative(context.Context, *run) (string, error) {
	return "Natively, in a benchmark: at most 22–41 ms late on one core, 1.5 ms on two.", nil
}

// roundMS says d in whole milliseconds: "48 ms".
func roundMS(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

// count says n things: "1 job", "4 jobs".
func count(n int, thing string) string {
	return fmt.Sprintf("%d %s", n, plural(n, thing, thing+"s"))
}
