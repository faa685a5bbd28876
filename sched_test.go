package wasmsched_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jonboulle/clockwork"
	"go.uber.org/goleak"

	"github.com/wasmsched/wasmsched/sched"
)

// The seed's module-level constants.
const (
	delaySmall = time.Millisecond
	delayLarge = time.Hour
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

// TestScheduleJobs is the seed's schedule_jobs, step for step, in virtual
// time: the hour-long job costs nothing and every wait is exact.
func TestScheduleJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		single, batch := scheduleJobs(t, &s, func(wait func()) { wait() })
		checkExact(t, single, batch)
	})
}

// TestScheduleJobsRealClock runs the same scenario on the real clock, with
// the seed's 1 ms delay; the hour-long job is cancelled, so it costs nothing.
func TestScheduleJobsRealClock(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	single, _ := scheduleJobs(t, &s, func(wait func()) { wait() })
	t.Logf("awaited 1ms job: waited %v, late by %v", single.Waited(), single.Lateness())
}

// TestScheduleJobsFakeClock runs it once more on a clockwork FakeClock,
// with no synctest bubble and no sleep: while the scenario waits, the test
// steps the clock from one due time to the next.
func TestScheduleJobsFakeClock(t *testing.T) {
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	s := sched.Scheduler{Clock: clock}
	defer s.Close()
	single, batch := scheduleJobs(t, &s, stepWhile(&s, clock))
	checkExact(t, single, batch)
	if !single.QueuedAt.Equal(start) {
		t.Errorf("the first job was queued at %v, want the clock's start %v", single.QueuedAt, start)
	}
	// Two hours on, the cancelled task has still not started.
	clock.Advance(2 * delayLarge)
	<-s.Settled()
	if c := s.Counts(); c.Cancelled != 1 || c.Started != 11 || c.Total() != 12 {
		t.Errorf("Counts() = %+v, want 11 started and the task cancelled", c)
	}
}

// stepWhile returns a way to wait that advances clock while wait runs:
// whenever a job is queued, to its due time, one due time at a time, so
// that virtual time passes only while the scenario waits, as in a bubble.
func stepWhile(s *sched.Scheduler, clock *clockwork.FakeClock) func(wait func()) {
	return func(wait func()) {
		sub := s.Subscribe()
		defer sub.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			wait()
		}()
		for {
			<-s.Settled()
			if next, ok := s.NextDue(); ok {
				clock.Advance(next.Sub(clock.Now()))
				continue
			}
			select {
			case <-done:
				return
			case <-sub.Ready(): // a job was queued, or one finished
				sub.Drain(nil)
			}
		}
	}
}

// checkExact checks that in virtual time every wait is exactly the delay.
func checkExact(t *testing.T, single sched.Record, batch []sched.Record) {
	t.Helper()
	if single.Waited() != delaySmall || single.Lateness() != 0 {
		t.Errorf("awaited job waited %v, want exactly %v in virtual time", single.Waited(), delaySmall)
	}
	for i, r := range batch {
		if r.Waited() != delaySmall {
			t.Errorf("batch job %d waited %v, want exactly %v", i, r.Waited(), delaySmall)
		}
	}
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// scheduleJobs runs the seed's three checks on s and returns the awaited
// record and the gathered ones. Each call that blocks until jobs start is
// made inside await, which returns once it has returned.
func scheduleJobs(t *testing.T, s *sched.Scheduler, await func(wait func())) (sched.Record, []sched.Record) {
	t.Helper()
	ctx := context.Background()

	// Lesson 1: a job awaited directly gives a valid record.
	var single sched.Record
	var err error
	await(func() { single, err = s.Run(ctx, delaySmall) })
	if err != nil {
		t.Fatalf("awaiting one job: %v", err)
	}
	if !single.Valid() || !hex32.MatchString(single.ID) {
		t.Fatalf("awaited record %+v: want valid, with a uuid4().hex id", single)
	}

	// Lesson 2: a task with a long delay can be cancelled; waiting on it
	// reports the cancellation, and the handle says it was cancelled.
	task, err := s.Submit(delayLarge)
	if err != nil {
		t.Fatal(err)
	}
	task.Cancel(nil)
	_, err = task.Wait(ctx)
	if !errors.Is(err, sched.ErrCancelled) {
		t.Fatalf("waiting on the cancelled task: err = %v, want ErrCancelled", err)
	}
	if !task.Cancelled() {
		t.Fatal("task.Cancelled() = false after cancelling it")
	}

	// Lesson 3: gathering a batch gives as many records as jobs, in order,
	// all valid.
	jobs, err := s.SubmitBatch(10, delaySmall)
	if err != nil {
		t.Fatal(err)
	}
	var batch []sched.Record
	await(func() { batch, err = sched.Gather(ctx, jobs...) })
	if err != nil {
		t.Fatalf("gathering the batch: %v", err)
	}
	if len(batch) != len(jobs) {
		t.Fatalf("gathered %d records for %d jobs", len(batch), len(jobs))
	}
	for i, r := range batch {
		if !r.Valid() || r.ID != jobs[i].ID() {
			t.Errorf("record %d = %+v: want valid, for job %s", i, r, jobs[i].ID())
		}
	}
	return single, batch
}
