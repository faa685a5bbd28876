package play

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// wantTimedOut checks that j was cancelled by its timeout at exactly
// queued+timeout.
func wantTimedOut(t *testing.T, what string, j *sched.Job, timeout time.Duration) {
	t.Helper()
	rec := j.Record()
	if rec.State != sched.Cancelled {
		t.Fatalf("%s is %v; want cancelled by its timeout", what, rec.State)
	}
	if got := rec.DoneAt.Sub(rec.QueuedAt); got != timeout {
		t.Errorf("%s was cancelled %v after it was queued; want exactly %v", what, got, timeout)
	}
	if !errors.Is(rec.Err, context.DeadlineExceeded) || !errors.Is(rec.Err, sched.ErrCancelled) || errors.Is(rec.Err, sched.ErrFailed) {
		t.Errorf("%s's error %v; want one matching ErrCancelled and context.DeadlineExceeded", what, rec.Err)
	}
	if !strings.Contains(rec.Err.Error(), "context deadline exceeded") {
		t.Errorf("%s's error says %q; want it to say context deadline exceeded", what, rec.Err)
	}
}

// TestTimeoutCancelsAtExactlyQueuedPlusTimeout: an hour-long job with a
// 50 ms timeout is cancelled at exactly +50 ms from its queueing, whether
// time moves by steps or in one advance past it, and Step stops there.
func TestTimeoutCancelsAtExactlyQueuedPlusTimeout(t *testing.T) {
	r := virtual(t, Settings{Seed: 1})
	r.AdvanceTo(Origin.Add(3*time.Millisecond), 0)
	j, err := r.QueueTimeout(time.Hour, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if next, ok := r.NextEvent(); !ok || next.Sub(Origin) != 53*time.Millisecond {
		t.Fatalf("the next event is at +%v, %v; want the timeout, at +53ms", next.Sub(Origin), ok)
	}
	if !r.Step() || r.Since() != 53*time.Millisecond {
		t.Fatalf("Step went to +%v; want +53ms", r.Since())
	}
	wantTimedOut(t, "the job", j, 50*time.Millisecond)
	if _, ok := r.NextEvent(); ok {
		t.Error("a next event after the only job was cancelled")
	}
	if a := r.Actions(); len(a) != 1 || a[0].Timeout != 50*time.Millisecond || a[0].At != 3*time.Millisecond {
		t.Errorf("actions %+v; want one queue at +3ms with its 50ms timeout", a)
	}

	// One advance far past two timeouts stamps each with its own instant.
	a, _ := r.QueueTimeout(time.Hour, 7*time.Millisecond)
	b, _ := r.QueueTimeout(2*time.Hour, 20*time.Millisecond)
	c, _ := r.Queue(time.Millisecond)
	r.AdvanceTo(r.Now().Add(time.Minute), 0)
	wantTimedOut(t, "a", a, 7*time.Millisecond)
	wantTimedOut(t, "b", b, 20*time.Millisecond)
	if c.State() != sched.Started {
		t.Errorf("a job with no timeout is %v; want started", c.State())
	}
}

// TestTimeoutLeavesAJobThatStartedBefore: a job that starts before its
// timeout is untouched, and its timeout is no event; one whose delay ends
// at the very instant of its timeout starts too.
func TestTimeoutLeavesAJobThatStartedBefore(t *testing.T) {
	r := virtual(t, Settings{Seed: 2})
	early, _ := r.QueueTimeout(10*time.Millisecond, 50*time.Millisecond)
	tie, _ := r.QueueTimeout(5*time.Millisecond, 5*time.Millisecond)
	r.Step()
	r.Step()
	for what, j := range map[string]*sched.Job{"the job due before its timeout": early, "the job due at its timeout": tie} {
		if rec := j.Record(); rec.State != sched.Started || rec.Err != nil {
			t.Errorf("%s is %v, %v; want started", what, rec.State, rec.Err)
		}
	}
	if next, ok := r.NextEvent(); ok {
		t.Errorf("a next event at +%v: the timeout of a job that started", next.Sub(Origin))
	}
}

// TestTimeoutWhileWaitingForASlot: under a limit of one start at a time,
// a job whose delay has ended but who waits for the slot is cancelled at
// its timeout; one whose slot frees at the very instant of its timeout
// begins its start.
func TestTimeoutWhileWaitingForASlot(t *testing.T) {
	r := virtual(t, Settings{StartTime: 100 * time.Millisecond, Limit: 1, Seed: 3})
	first, _ := r.Queue(time.Millisecond)                             // starts over 1-101ms
	waits, _ := r.QueueTimeout(time.Millisecond, 50*time.Millisecond) // ready at 1ms, no slot before 101ms
	tie, _ := r.QueueTimeout(time.Millisecond, 101*time.Millisecond)  // the slot frees at its timeout
	r.AdvanceTo(Origin.Add(time.Second), 0)
	if first.State() != sched.Started {
		t.Errorf("the first job is %v; want started", first.State())
	}
	wantTimedOut(t, "the job waiting for a slot", waits, 50*time.Millisecond)
	if rec := waits.Record(); rec.ReadyAt.Sub(Origin) != time.Millisecond {
		t.Errorf("the job cancelled in the slot queue has ReadyAt +%v; want +1ms", rec.ReadyAt.Sub(Origin))
	}
	if rec := tie.Record(); rec.State != sched.Started || rec.StartedAt.Sub(Origin) != 201*time.Millisecond {
		t.Errorf("the job whose slot freed at its timeout is %v at +%v; want started at +201ms", rec.State, rec.StartedAt.Sub(Origin))
	}
}

// TestJumpToNextDueStopsAtATimeout: Next due stops at a timeout that
// comes first, where the page says it does.
func TestJumpToNextDueStopsAtATimeout(t *testing.T) {
	r := virtual(t, Settings{Seed: 4})
	j, _ := r.QueueTimeout(time.Hour, time.Second)
	other, _ := r.Queue(2 * time.Hour)
	if !r.JumpToNextDue() || r.Since() != time.Second {
		t.Fatalf("JumpToNextDue went to +%v; want the timeout at +1s", r.Since())
	}
	wantTimedOut(t, "the job", j, time.Second)
	if !r.JumpToNextDue() || r.Since() != 2*time.Hour || other.State() != sched.Started {
		t.Errorf("the next jump went to +%v with the other job %v; want +2h, started", r.Since(), other.State())
	}
}

func TestQueueTimeoutRefusesANegativeTimeout(t *testing.T) {
	r := virtual(t, Settings{Seed: 5})
	if _, err := r.QueueTimeout(time.Millisecond, -time.Millisecond); err == nil {
		t.Error("a negative timeout was accepted")
	}
	if n := len(r.Jobs()) + len(r.Actions()); n != 0 {
		t.Errorf("a refused job left %d jobs and actions", n)
	}
}

// TestTimeoutInRealTime: in real time a timer cancels the job, with the
// same cause.
func TestTimeoutInRealTime(t *testing.T) {
	r := New(Settings{Seed: 6})
	defer r.Close()
	j, err := r.QueueTimeout(time.Hour, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := j.Wait(context.Background())
	if rec.State != sched.Cancelled || !errors.Is(err, context.DeadlineExceeded) || rec.DoneAt.Sub(rec.QueuedAt) < 5*time.Millisecond {
		t.Errorf("record %+v, %v; want cancelled by its timeout, no earlier than 5ms", rec, err)
	}
}

// firstFailure returns the position of the first job, from from on, that
// set makes fail under seed, and -1 if none of n does.
func firstFailure(set Settings, seed uint64, from, n int) int {
	for pos := from; pos < from+n; pos++ {
		if _, out := set.Decide(seed, pos); out != Succeed {
			return pos
		}
	}
	return -1
}

// wantCancelledBy checks that j was cancelled at the failure, at at, of
// the job of its group with id failed.
func wantCancelledBy(t *testing.T, what string, j *sched.Job, failed string, at time.Time) {
	t.Helper()
	rec := j.Record()
	if rec.State != sched.Cancelled || !rec.DoneAt.Equal(at) {
		t.Fatalf("%s is %v at +%v; want cancelled at +%v", what, rec.State, rec.DoneAt.Sub(Origin), at.Sub(Origin))
	}
	if !errors.Is(rec.Err, sched.ErrCancelled) || !errors.Is(rec.Err, ErrStartFailed) || errors.Is(rec.Err, sched.ErrFailed) {
		t.Errorf("%s's error %v; want one matching ErrCancelled and the failure's ErrStartFailed, not ErrFailed", what, rec.Err)
	}
	if gf, ok := errors.AsType[*sched.GroupFailure](rec.Err); !ok || gf.ID != failed {
		t.Errorf("%s's error %v; want a GroupFailure naming job %s", what, rec.Err, failed)
	}
}

// TestGroupCancelsTheOthersOnAFailure: a batch queued as a group, one
// start at a time, some of which fail: the first failure cancels every
// job still queued at that instant, with the failure as their cause; the
// jobs before it ran as usual.
func TestGroupCancelsTheOthersOnAFailure(t *testing.T) {
	set := Settings{StartTime: 10 * time.Millisecond, FailPct: 20, Limit: 1}
	seed := uint64(1)
	for ; ; seed++ { // a run whose first failure comes after a few starts
		if f := firstFailure(set, seed, 0, 20); f >= 3 && f < 10 {
			break
		}
	}
	set.Seed = seed
	f := firstFailure(set, seed, 0, 20)
	r := virtual(t, set)
	no, jobs, err := r.QueueGroup(20, time.Millisecond)
	if err != nil || no != 1 {
		t.Fatalf("QueueGroup: batch %d, %v", no, err)
	}
	r.AdvanceTo(Origin.Add(time.Second), 0)
	failedAt := Origin.Add(time.Millisecond + time.Duration(f+1)*10*time.Millisecond)
	for i, j := range jobs {
		rec := j.Record()
		switch {
		case i < f:
			if rec.State != sched.Started {
				t.Errorf("job %d, before the failure, is %v; want started", i, rec.State)
			}
		case i == f:
			if rec.State != sched.Failed || !rec.DoneAt.Equal(failedAt) || !errors.Is(rec.Err, ErrStartFailed) {
				t.Errorf("job %d is %v at +%v (%v); want failed at +%v", i, rec.State, rec.DoneAt.Sub(Origin), rec.Err, failedAt.Sub(Origin))
			}
		default:
			wantCancelledBy(t, "job "+strconv.Itoa(i), j, jobs[f].ID(), failedAt)
		}
	}
	if a := r.Actions(); len(a) != 1 || a[0].Kind != QueueBatch || !a[0].Group || a[0].N != 20 {
		t.Errorf("actions %+v; want one batch of 20 as a group", a)
	}

	// The same batch not as a group: every job runs, failures and all.
	plain := virtual(t, set)
	_, pjobs, _ := plain.QueueBatch(20, time.Millisecond)
	plain.AdvanceTo(Origin.Add(time.Second), 0)
	if c := plain.S.Counts(); c.Cancelled != 0 || c.Started+c.Failed != 20 {
		t.Errorf("a batch not grouped: %+v; want all 20 started or failed", c)
	}
	if pjobs[f].State() != sched.Failed {
		t.Errorf("job %d of the plain batch is %v; want failed", f, pjobs[f].State())
	}
}

// TestGroupLetsStartsInProgressEnd: with three starts at once, the first
// failure cancels the jobs waiting for a slot and those still waiting for
// their delay, while the starts in progress end as they would have.
func TestGroupLetsStartsInProgressEnd(t *testing.T) {
	set := Settings{StartTime: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, FailPct: 15, Limit: 3, Seed: 77}
	r := virtual(t, set)
	_, jobs, _ := r.QueueGroup(40, time.Millisecond)
	r.AdvanceTo(Origin.Add(time.Second), 0)
	var first sched.Record
	for _, j := range jobs {
		if rec := j.Record(); rec.State == sched.Failed && (first.ID == "" || rec.DoneAt.Before(first.DoneAt)) {
			first = rec
		}
	}
	if first.ID == "" {
		t.Fatal("no job failed: choose another seed")
	}
	cancelled := 0
	for i, j := range jobs {
		rec := j.Record()
		switch rec.State {
		case sched.Cancelled:
			cancelled++
			wantCancelledBy(t, "job "+strconv.Itoa(i), j, first.ID, first.DoneAt)
		case sched.Started, sched.Failed:
			// It began before the failure, and ran to its end.
			d, _ := set.Decide(set.Seed, i)
			if began := rec.DoneAt.Add(-d); began.After(first.DoneAt) {
				t.Errorf("job %d began its start at +%v, after the failure at +%v", i, began.Sub(Origin), first.DoneAt.Sub(Origin))
			}
		default:
			t.Errorf("job %d is %v at the end", i, rec.State)
		}
	}
	if cancelled == 0 || cancelled > 40-3 {
		t.Errorf("%d cancelled; want the jobs still queued at the failure", cancelled)
	}
}

// liveGrouped does to r what a visitor of free play might with the new
// choices: jobs with timeouts, some cancelled by them and some not, and
// batches as groups and not, under a limit with failures.
func liveGrouped(t *testing.T, r *Run) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.QueueTimeout(time.Hour, 40*time.Millisecond) // times out
	must(err)
	_, _, err = r.QueueBatch(30, 2*time.Millisecond)
	must(err)
	_, err = r.QueueTimeout(2*time.Millisecond, 25*time.Millisecond) // times out waiting for a slot behind the batch
	must(err)
	r.Step()
	r.AdvanceTo(r.Now().Add(7*time.Millisecond), 0)
	_, _, err = r.QueueGroup(10, time.Millisecond)
	must(err)
	_, err = r.QueueTimeout(3*time.Millisecond, 500*time.Millisecond) // starts well before
	must(err)
	r.AdvanceTo(r.Now().Add(30*time.Millisecond), 0)
	_, _, err = r.QueueGroup(25, 0)
	must(err)
	r.AdvanceTo(r.Now().Add(time.Second), 0)
}

// TestReplayGivesTheSameRunWithTimeoutsAndGroups: timeouts and groups
// replay exactly, at once and in steps: ids, times, outcomes, causes.
func TestReplayGivesTheSameRunWithTimeoutsAndGroups(t *testing.T) {
	set := Settings{StartTime: 3 * time.Millisecond, Jitter: 2 * time.Millisecond, FailPct: 10, PanicPct: 5, Limit: 3, Seed: 42}
	a := virtual(t, set)
	liveGrouped(t, a)
	acts := a.Actions()
	if len(acts) != 6 || acts[0].Timeout != 40*time.Millisecond || acts[1].Group || acts[2].Timeout != 25*time.Millisecond || !acts[3].Group || !acts[5].Group {
		t.Fatalf("actions recorded: %+v", acts)
	}
	want := describe(a)
	var timedOut, groupCancelled int
	for _, j := range a.Jobs() {
		err := j.Err()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			timedOut++
		case errors.Is(err, sched.ErrCancelled) && !errors.Is(err, sched.ErrFailed) && errors.Unwrap(err) != sched.ErrCancelled:
			groupCancelled++
		}
	}
	if timedOut != 2 || groupCancelled == 0 {
		t.Errorf("%d jobs timed out and %d were cancelled by a failure; want 2 and some", timedOut, groupCancelled)
	}

	b := virtual(t, set)
	if err := Replay(b, acts, a.Since()); err != nil {
		t.Fatal(err)
	}
	if got := describe(b); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replay differs:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	c := virtual(t, set)
	rp := NewReplayer(c, acts, a.Since())
	for {
		done, err := rp.Step(2)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	if got := describe(c); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stepped replay differs:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTimeoutsInAnyOrder: jobs queued with timeouts that end in another
// order than they were queued, or at one instant, are each cancelled at
// their own, the earlier positions first at one instant.
func TestTimeoutsInAnyOrder(t *testing.T) {
	r := virtual(t, Settings{Seed: 8})
	sub := r.S.Subscribe()
	defer sub.Close()
	timeouts := []time.Duration{30, 10, 20, 10, 5, 30}
	var jobs []*sched.Job
	for _, d := range timeouts {
		j, _ := r.QueueTimeout(time.Hour, d*time.Millisecond)
		jobs = append(jobs, j)
	}
	r.AdvanceTo(Origin.Add(time.Second), 0)
	for i, j := range jobs {
		wantTimedOut(t, "job "+strconv.Itoa(i), j, timeouts[i]*time.Millisecond)
	}
	var order []string
	for _, e := range sub.Drain(nil) {
		if e.Record.State == sched.Cancelled {
			order = append(order, e.Record.ID)
		}
	}
	want := []int{4, 1, 3, 2, 0, 5}
	for k, i := range want {
		if k >= len(order) || order[k] != jobs[i].ID() {
			t.Fatalf("cancelled in the order %v; want jobs %v", order, want)
		}
	}
}
