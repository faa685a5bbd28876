package sched_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/wasmsched/wasmsched/sched"
)

// These tests drive time with clockwork's FakeClock: no synctest bubble, no
// sleeps. Time moves only when a test advances it.

func TestNextDueWhenNothingWaits(t *testing.T) {
	s, clock := fake(t, nil)
	if next, ok := s.NextDue(); ok {
		t.Errorf("NextDue() on a new scheduler = %v, true; want false", next)
	}
	j := mustSubmit(t, s, time.Minute)
	if next, ok := s.NextDue(); !ok || !next.Equal(epoch.Add(time.Minute)) {
		t.Errorf("NextDue() = %v, %v; want %v, true", next, ok, epoch.Add(time.Minute))
	}
	clock.Advance(time.Minute)
	<-s.Settled()
	if next, ok := s.NextDue(); ok {
		t.Errorf("NextDue() after the only job started = %v, true; want false", next)
	}
	if j.State() != sched.Started {
		t.Errorf("job is %v after its due time settled, want started", j.State())
	}
}

// TestSteppingHitsEveryDueTimeExactly steps a FakeClock through a mix of
// singles and batches, submitted at several times, some due together, some
// cancelled: each step lands on the next due time, and every job starts at
// exactly QueuedAt + Delay.
func TestSteppingHitsEveryDueTimeExactly(t *testing.T) {
	s, clock := fake(t, nil)
	var jobs []*sched.Job
	jobs = append(jobs, mustBatch(t, s, 300, 5*time.Millisecond)...)
	jobs = append(jobs, mustSubmit(t, s, 3*time.Millisecond), mustSubmit(t, s, 0))
	jobs = append(jobs, mustBatch(t, s, 2, time.Millisecond)...)
	gone := mustSubmit(t, s, 4*time.Millisecond)
	<-s.Settled()                       // the zero-delay job has started
	clock.Advance(time.Microsecond / 2) // between due times: no job is due
	jobs = append(jobs, mustSubmit(t, s, 2*time.Millisecond), mustSubmit(t, s, 2*time.Hour))
	jobs = append(jobs, mustBatch(t, s, 3, 3*time.Millisecond-time.Microsecond/2)...) // due with the other 3 ms job
	gone.Cancel(nil)

	var want []time.Time // the due times still to come: the zero-delay job has started
	for _, j := range jobs {
		r := j.Record()
		if due := r.QueuedAt.Add(r.Delay); r.State == sched.Queued && !slices.ContainsFunc(want, due.Equal) {
			want = append(want, due)
		}
	}
	slices.SortFunc(want, time.Time.Compare)

	var got []time.Time
	for {
		next, ok := stepTo(s, clock)
		if !ok {
			break
		}
		got = append(got, next)
		if !clock.Now().Equal(next) {
			t.Fatalf("clock at %v after stepping to %v", clock.Now(), next)
		}
	}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("stepped through %v, want the due times %v", got, want)
	}
	for i, j := range jobs {
		r := j.Record()
		due := r.QueuedAt.Add(r.Delay)
		if r.State != sched.Started || !r.ReadyAt.Equal(due) || !r.StartedAt.Equal(due) || r.Lateness() != 0 {
			t.Errorf("job %d (delay %v): %v, ready %v, started %v; want started at exactly %v", i, r.Delay, r.State, r.ReadyAt, r.StartedAt, due)
		}
	}
	if gone.State() != sched.Cancelled {
		t.Errorf("the cancelled job is %v", gone.State())
	}
}

// TestOneAdvancePastTwoDueTimes pins the trap NextDue's doc warns of: with
// clockwork's FakeClock, the scheduler's timer runs once per Advance, and
// stamps every job it starts with the end of the advance.
func TestOneAdvancePastTwoDueTimes(t *testing.T) {
	s, clock := fake(t, nil)
	a := mustSubmit(t, s, time.Second)
	b := mustSubmit(t, s, 2*time.Second)
	clock.Advance(3 * time.Second)
	<-s.Settled()
	for _, j := range []*sched.Job{a, b} {
		if r := j.Record(); !r.StartedAt.Equal(epoch.Add(3 * time.Second)) {
			t.Errorf("job with delay %v started at %v, want the end of the advance", r.Delay, r.StartedAt.Sub(epoch))
		}
	}
}

func TestZeroDelayJobInVirtualTimeIsNotValid(t *testing.T) {
	s, clock := fake(t, nil)
	clock.Advance(time.Hour)
	j := mustSubmit(t, s, 0)
	<-s.Settled()
	r := j.Record()
	if r.State != sched.Started || !r.StartedAt.Equal(r.QueuedAt) || !r.QueuedAt.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("record %+v: want started at the instant it was queued, an hour after the epoch", r)
	}
	if r.Valid() {
		t.Error("Valid() = true for a job started at the instant it was queued")
	}
}

func TestSettledWaitsForABigBatchToStart(t *testing.T) {
	s, clock := fake(t, nil)
	const n = 100_000
	jobs := mustBatch(t, s, n, time.Second)
	select {
	case <-s.Settled():
	default:
		t.Fatal("Settled() not closed while nothing is due")
	}
	clock.Advance(time.Second)
	<-s.Settled()
	if c := s.Counts(); c.Started != n {
		t.Fatalf("Counts() = %+v once settled, want all %d started", c, n)
	}
	if r := jobs[n-1].Record(); !r.StartedAt.Equal(epoch.Add(time.Second)) {
		t.Errorf("the last job started at %v, want exactly 1s", r.StartedAt.Sub(epoch))
	}
}

// TestStartWaitsOnTheSchedulersClock: a start function that takes time on
// the clock from its context takes virtual time, and under Limit 1 the
// starts follow each other exactly.
func TestStartWaitsOnTheSchedulersClock(t *testing.T) {
	const took = 250 * time.Millisecond
	s, clock := fake(t, &sched.Scheduler{Limit: 1, Start: func(ctx context.Context, _ sched.Record) error {
		select {
		case <-clockwork.FromContext(ctx).After(took):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	ctx := context.Background()
	jobs := mustBatch(t, s, 3, time.Second)
	stepTo(s, clock)
	for i := range jobs {
		// One start waits on the clock, the others for its slot.
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if c := s.Counts(); c.Starting != 1 || c.Queued != 2-i {
			t.Fatalf("step %d: %+v, want one starting, %d waiting for the slot", i, c, 2-i)
		}
		clock.Advance(took)
		<-jobs[i].Done()
	}
	for i, j := range jobs {
		r := j.Record()
		want := epoch.Add(time.Second + time.Duration(i+1)*took)
		if !r.StartedAt.Equal(want) || !r.ReadyAt.Equal(epoch.Add(time.Second)) || r.Lateness() != 0 {
			t.Errorf("job %d: ready %v, started %v; want ready at 1s, started at %v",
				i, r.ReadyAt.Sub(epoch), r.StartedAt.Sub(epoch), want.Sub(epoch))
		}
	}
}

// TestReplayGivesIdenticalRecords runs the same operations twice on a
// FakeClock with ids from the same seed: the records are identical, field
// by field, ids, failures and panics included (a panic's stack aside). A
// third run with another seed differs in its ids only.
func TestReplayGivesIdenticalRecords(t *testing.T) {
	first, again, other := replay(t, 1), replay(t, 1), replay(t, 2)
	if len(first) != len(again) {
		t.Fatalf("%d records, then %d", len(first), len(again))
	}
	failed := 0
	for i := range first {
		if d := recordDiff(first[i], again[i]); d != "" {
			t.Errorf("record %d differs on replay: %s", i, d)
		}
		if first[i].State == sched.Failed {
			failed++
		}
		if first[i].ID == other[i].ID {
			t.Errorf("record %d has the same id with another seed", i)
		}
	}
	if failed == 0 || failed == len(first) {
		t.Errorf("%d of %d jobs failed: the replay does not cover both outcomes", failed, len(first))
	}
}

// replay is a run of mixed operations: a batch, singles, a cancel, a start
// function that fails or panics according to the job's id, under a limit.
func replay(t *testing.T, seed uint64) []sched.Record {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	s, clock := fake(t, &sched.Scheduler{
		Rand:  rand.NewChaCha8(key),
		Limit: 3,
		Start: func(_ context.Context, r sched.Record) error {
			switch r.ID[0] {
			case '0', '1', '2':
				return fmt.Errorf("refused %s", r.ID[:4])
			case '3', '4':
				panic("driver exploded on " + r.ID[:4])
			}
			return nil
		},
	})
	sub := s.Subscribe()
	defer sub.Close()
	jobs := mustBatch(t, s, 40, 2*time.Millisecond)
	jobs = append(jobs, mustSubmit(t, s, time.Millisecond))
	gone := mustSubmit(t, s, time.Hour)
	jobs = append(jobs, gone)
	for {
		if _, ok := stepTo(s, clock); !ok {
			break
		}
		// Let the starts the step began end before time moves on.
		for s.Counts().Starting > 0 {
			<-sub.Ready()
			sub.Drain(nil)
		}
		if gone.State() == sched.Queued {
			gone.Cancel(errors.New("not waiting an hour"))
			jobs = append(jobs, mustBatch(t, s, 5, 0)...)
		}
	}
	recs, _ := sched.Gather(context.Background(), jobs...)
	return recs
}

// recordDiff names the fields in which a and b differ, comparing errors by
// what they say: a PanicError's message leaves its stack out.
func recordDiff(a, b sched.Record) string {
	var diff []string
	check := func(name string, same bool) {
		if !same {
			diff = append(diff, name)
		}
	}
	check("ID", a.ID == b.ID)
	check("Delay", a.Delay == b.Delay)
	check("QueuedAt", a.QueuedAt.Equal(b.QueuedAt))
	check("ReadyAt", a.ReadyAt.Equal(b.ReadyAt))
	check("StartedAt", a.StartedAt.Equal(b.StartedAt))
	check("DoneAt", a.DoneAt.Equal(b.DoneAt))
	check("State", a.State == b.State)
	check("Err", (a.Err == nil) == (b.Err == nil) && (a.Err == nil || a.Err.Error() == b.Err.Error()))
	if len(diff) == 0 {
		return ""
	}
	return fmt.Sprintf("%v in %+v and %+v", diff, a, b)
}

// racingClock is a FakeClock that another goroutine advances at the worst
// moments: once right after the scheduler's nth reading of it, or once
// right before it sets a timer (Advance does not wait for the scheduler's
// lock).
type racingClock struct {
	*clockwork.FakeClock
	since       int    // readings so far
	afterSince  func() // run once after reading number sinceN
	sinceN      int
	beforeTimer func()
}

func (c *racingClock) Since(t time.Time) time.Duration {
	d := c.FakeClock.Since(t)
	if c.since++; c.since == c.sinceN {
		c.afterSince()
	}
	return d
}

func (c *racingClock) AfterFunc(d time.Duration, f func()) clockwork.Timer {
	if g := c.beforeTimer; g != nil {
		c.beforeTimer = nil
		g()
	}
	return c.FakeClock.AfterFunc(d, f)
}

// settledOrFail waits on Settled, failing rather than hanging when it
// never closes: the guard's length decides nothing when it does.
func settledOrFail(t *testing.T, s *sched.Scheduler) {
	t.Helper()
	select {
	case <-s.Settled():
	case <-time.After(10 * time.Second):
		next, _ := s.NextDue()
		t.Fatalf("Settled() never closed; next due %v", next.Sub(epoch))
	}
}

// TestAClockMovedWhileArmingStillStartsTheJob: the clock passes the due
// time between the scheduler reading it and setting its timer, so that
// the timer would end a second late; the job still starts, and Settled
// closes.
func TestAClockMovedWhileArmingStillStartsTheJob(t *testing.T) {
	fc := clockwork.NewFakeClockAt(epoch)
	// The second reading is the one before the timer is set, the first
	// the job's queued time.
	clock := &racingClock{FakeClock: fc, sinceN: 2, afterSince: func() { fc.Advance(2 * time.Second) }}
	s := &sched.Scheduler{Clock: clock}
	defer s.Close()
	j := mustSubmit(t, s, time.Second) // queued at 0, due at 1s; the clock is at 2s before the timer is set
	settledOrFail(t, s)
	if r := j.Record(); r.State != sched.Started || !r.StartedAt.Equal(epoch.Add(2*time.Second)) {
		t.Errorf("job %v at %v, want started at 2s, when the clock had passed its due time", r.State, r.StartedAt.Sub(epoch))
	}
}

// TestSettledStartsJobsWhoseTimerEndsLate: the clock moves half a second
// just before the timer is set, so the timer ends at 1.5s for a job due at
// 1s. Stepping to NextDue and waiting on Settled still starts the job at
// its due time.
func TestSettledStartsJobsWhoseTimerEndsLate(t *testing.T) {
	fc := clockwork.NewFakeClockAt(epoch)
	clock := &racingClock{FakeClock: fc}
	clock.beforeTimer = func() { fc.Advance(time.Second / 2) }
	s := &sched.Scheduler{Clock: clock}
	defer s.Close()
	j := mustSubmit(t, s, time.Second)
	next, _ := s.NextDue()
	fc.Advance(next.Sub(fc.Now()))
	settledOrFail(t, s)
	if r := j.Record(); r.State != sched.Started || !r.StartedAt.Equal(epoch.Add(time.Second)) {
		t.Errorf("job %v at %v, want started at 1s", r.State, r.StartedAt.Sub(epoch))
	}
}

// TestTimerCountsFromTheEndOfSubmit: time passes while a submission tells
// its subscribers (here the clock moves a second after the job's queued
// time is read); the timer is set from the clock's time after that, so the
// job is due at QueuedAt + Delay, not a second later.
func TestTimerCountsFromTheEndOfSubmit(t *testing.T) {
	fc := clockwork.NewFakeClockAt(epoch)
	clock := &racingClock{FakeClock: fc, sinceN: 1, afterSince: func() { fc.Advance(time.Second) }}
	s := &sched.Scheduler{Clock: clock}
	defer s.Close()
	j := mustSubmit(t, s, 2*time.Second)
	fc.Advance(time.Second) // to 2s, the due time; no Settled, which would start it anyway
	select {
	case <-j.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("job still %v at its due time", j.State())
	}
	if r := j.Record(); !r.StartedAt.Equal(epoch.Add(2 * time.Second)) {
		t.Errorf("started at %v, want 2s", r.StartedAt.Sub(epoch))
	}
}
