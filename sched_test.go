package wasmsched_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

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
		single, batch := scheduleJobs(t)
		if single.Wait() != delaySmall || single.Lateness() != 0 {
			t.Errorf("awaited job waited %v, want exactly %v in virtual time", single.Wait(), delaySmall)
		}
		for i, r := range batch {
			if r.Wait() != delaySmall {
				t.Errorf("batch job %d waited %v, want exactly %v", i, r.Wait(), delaySmall)
			}
		}
	})
}

// TestScheduleJobsRealClock runs the same scenario on the real clock, with
// the seed's 1 ms delay; the hour-long job is cancelled, so it costs nothing.
func TestScheduleJobsRealClock(t *testing.T) {
	single, _ := scheduleJobs(t)
	t.Logf("awaited 1ms job: waited %v, late by %v", single.Wait(), single.Lateness())
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// scheduleJobs runs the seed's three checks and returns the awaited record
// and the gathered ones.
func scheduleJobs(t *testing.T) (sched.Record, []sched.Record) {
	t.Helper()
	var s sched.Scheduler
	defer s.Close()
	ctx := context.Background()

	// Lesson 1: a job awaited directly gives a valid record.
	single, err := s.Run(ctx, delaySmall)
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
	batch, err := sched.Gather(ctx, jobs...)
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
