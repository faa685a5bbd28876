package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// The seed's two delays: _DELAY_SMALL and _DELAY_LARGE.
const (
	seedSmall = time.Millisecond
	seedLarge = time.Hour
)

// checkState is where one of the scenario's checks is; the page shows it in
// the check's data-state attribute.
type checkState string

const (
	checkIdle    checkState = "idle"
	checkRunning checkState = "running"
	checkPass    checkState = "pass"
	checkFail    checkState = "fail"
)

// The scenario's checks, in the seed's order.
const (
	checkAwait = iota
	checkCancel
	checkGather
	numChecks
)

// runSeed runs the three steps of the seed's schedule_jobs on s, one after
// the other, and reports each check as it runs and as it passes or fails.
// A failed step does not stop the next: each teaches its own lesson. It
// blocks until the last check is reported, so call it from a goroutine.
func runSeed(ctx context.Context, s *sched.Scheduler, report func(check int, st checkState, text string)) {
	// single_record = await start_job(uuid4().hex, _DELAY_SMALL)
	report(checkAwait, checkRunning, "awaiting s.Run(ctx, 1ms)…")
	rec, err := s.Run(ctx, seedSmall)
	switch {
	case err != nil:
		report(checkAwait, checkFail, fmt.Sprintf("s.Run returned an error: %v", err))
	case !rec.Valid():
		report(checkAwait, checkFail, fmt.Sprintf("record %s is not valid: queued at %s, started at %s",
			shortID(rec.ID), stamp(rec.QueuedAt), stamp(rec.StartedAt)))
	default:
		report(checkAwait, checkPass, fmt.Sprintf("record %s valid: queued %s < started %s (waited %s)",
			shortID(rec.ID), stamp(rec.QueuedAt), stamp(rec.StartedAt), formatDuration(rec.Waited())))
	}

	// single_task = create_task(...); single_task.cancel(); await single_task
	report(checkCancel, checkRunning, "s.Submit(1h), then Cancel, then Wait…")
	if j, err := s.Submit(seedLarge); err != nil {
		report(checkCancel, checkFail, fmt.Sprintf("s.Submit returned an error: %v", err))
	} else {
		j.Cancel(nil)
		_, err := j.Wait(ctx)
		switch {
		case !errors.Is(err, sched.ErrCancelled):
			report(checkCancel, checkFail, fmt.Sprintf("Wait returned %v, not ErrCancelled", err))
		case !j.Cancelled():
			report(checkCancel, checkFail, fmt.Sprintf("Wait returned ErrCancelled but Cancelled() is false (state %s)", j.State()))
		default:
			report(checkCancel, checkPass, fmt.Sprintf("1 h job %s cancelled: Wait returned ErrCancelled and Cancelled() is true", shortID(j.ID())))
		}
	}

	// batch_records = await asyncio.gather(*batch_jobs)
	report(checkGather, checkRunning, "s.SubmitBatch(10, 1ms), then sched.Gather…")
	jobs, err := s.SubmitBatch(10, seedSmall)
	if err != nil {
		report(checkGather, checkFail, fmt.Sprintf("s.SubmitBatch returned an error: %v", err))
		return
	}
	recs, err := sched.Gather(ctx, jobs...)
	text, ok := summarizeBatch(jobIDs(jobs), recs, err)
	if ok {
		report(checkGather, checkPass, "gather returned "+text)
	} else {
		report(checkGather, checkFail, "gather returned "+text)
	}
}

func jobIDs(jobs []*sched.Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID()
	}
	return ids
}

// stamp writes an instant's wall-clock time to the millisecond, all that
// browsers give (Date.now). Waits and lateness come from the monotonic
// clock, which is finer.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("15:04:05.000")
}
