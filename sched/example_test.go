package sched_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/wasmsched/wasmsched/sched"
)

// Awaiting one job, like `await start_job(id, delay)`.
func ExampleScheduler_Run() {
	var s sched.Scheduler
	defer s.Close()

	rec, err := s.Run(context.Background(), time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.State, "valid:", rec.Valid(), "waited at least the delay:", rec.Waited() >= rec.Delay)
	// Output: started valid: true waited at least the delay: true
}

// Cancelling a task, like `task.cancel()` then `await task`; and a job
// that has started, like a task that has finished, cannot be cancelled.
func ExampleJob_Cancel() {
	var s sched.Scheduler
	defer s.Close()

	job, _ := s.Submit(time.Hour)
	fmt.Println("cancelled by this call:", job.Cancel(nil))
	fmt.Println("cancelled again:", job.Cancel(nil))

	_, err := job.Wait(context.Background())
	fmt.Println(errors.Is(err, sched.ErrCancelled), job.Cancelled())

	quick, _ := s.Submit(time.Millisecond)
	quick.Wait(context.Background()) // until it has started
	fmt.Println("cancelled after it started:", quick.Cancel(nil), quick.State())
	// Output:
	// cancelled by this call: true
	// cancelled again: false
	// true true
	// cancelled after it started: false started
}

// Gathering a batch, like `await asyncio.gather(*jobs)`.
func ExampleGather() {
	var s sched.Scheduler
	defer s.Close()

	jobs, _ := s.SubmitBatch(10, time.Millisecond)
	recs, err := sched.Gather(context.Background(), jobs...)
	if err != nil {
		fmt.Println(err)
		return
	}
	valid := 0
	for i, r := range recs {
		if r.Valid() && r.ID == jobs[i].ID() {
			valid++
		}
	}
	fmt.Printf("%d records, %d valid and in order\n", len(recs), valid)
	// Output: 10 records, 10 valid and in order
}

// A start function does the real work of starting; its errors fail the job.
func ExampleScheduler_Start() {
	s := sched.Scheduler{
		Limit: 4, // at most four starts at once
		Start: func(ctx context.Context, r sched.Record) error {
			if r.Delay > time.Minute {
				return errors.New("too late to be useful")
			}
			return nil // e.g. call an API here
		},
	}
	defer s.Close()

	_, err := s.Run(context.Background(), time.Millisecond)
	fmt.Println("short:", err)
	slow, _ := s.Submit(time.Hour)
	slow.Cancel(errors.New("not waiting an hour"))
	fmt.Println("long:", errors.Is(slow.Err(), sched.ErrCancelled))
	// Output:
	// short: <nil>
	// long: true
}

// Observing every change without blocking the scheduler, drained in bulk.
func ExampleSubscription() {
	var s sched.Scheduler
	defer s.Close()
	sub := s.Subscribe()
	defer sub.Close()

	jobs, _ := s.SubmitBatch(3, time.Millisecond)
	sched.Gather(context.Background(), jobs...)

	<-sub.Ready() // one wake-up for many events
	counts := map[sched.State]int{}
	for _, e := range sub.Drain(nil) {
		counts[e.Record.State] += e.Len() // the batch is queued in one event
	}
	fmt.Println(counts[sched.Queued], "queued,", counts[sched.Started], "started")
	// Output: 3 queued, 3 started
}

// Driving time: a clockwork FakeClock stepped from one due time to the
// next. Each step is one Advance, awaited with Settled before the next, so
// that every job starts at exactly its due time.
func ExampleScheduler_NextDue() {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	s := sched.Scheduler{Clock: clock}
	defer s.Close()

	s.SubmitBatch(2, time.Second)
	s.Submit(time.Hour) // costs nothing: time only moves when told to
	s.Submit(3 * time.Second)

	for {
		next, ok := s.NextDue()
		if !ok {
			break // no job waits
		}
		clock.Advance(next.Sub(clock.Now()))
		<-s.Settled() // the jobs due now have started
		fmt.Printf("at %v: %d started\n", clock.Since(start), s.Counts().Started)
	}
	// Output:
	// at 1s: 2 started
	// at 3s: 3 started
	// at 1h0m0s: 4 started
}

// A start function that takes time waits on the scheduler's clock, which
// its context carries, so that in virtual time it takes virtual time.
func ExampleScheduler_Clock() {
	clock := clockwork.NewFakeClock()
	s := sched.Scheduler{
		Clock: clock,
		Start: func(ctx context.Context, r sched.Record) error {
			select {
			case <-clockwork.FromContext(ctx).After(500 * time.Millisecond):
				return nil // e.g. the API answered
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
	defer s.Close()
	ctx := context.Background()

	job, _ := s.Submit(time.Second)
	clock.Advance(time.Second)
	<-s.Settled()
	fmt.Println(job.State())

	clock.BlockUntilContext(ctx, 1) // the start waits on the clock
	clock.Advance(500 * time.Millisecond)
	rec, _ := job.Wait(ctx)
	fmt.Println(rec.State, "late by", rec.Lateness(), "after a start of", rec.StartedAt.Sub(rec.ReadyAt))
	// Output:
	// starting
	// started late by 0s after a start of 500ms
}

// Ids from a seeded source: the same operations on the same clock steps
// give the same records, ids included.
func ExampleScheduler_Rand() {
	run := func() string {
		s := sched.Scheduler{
			Clock: clockwork.NewFakeClockAt(time.Unix(0, 0)),
			Rand:  rand.NewChaCha8([32]byte{'s', 'e', 'e', 'd'}),
		}
		defer s.Close()
		job, _ := s.Submit(time.Second)
		return job.ID()
	}
	first, again := run(), run()
	fmt.Println(first == again)
	// Output: true
}

// Starting takes time and can fail. Limit lets at most two starts run at
// once, like `async with asyncio.Semaphore(2)`, and Gather reports each
// job's failure at its index, like `gather(..., return_exceptions=True)`.
func ExampleScheduler_Limit() {
	s := sched.Scheduler{
		Limit: 2, // at most two starts at once
		Start: func(ctx context.Context, r sched.Record) error {
			select {
			case <-clockwork.FromContext(ctx).After(200 * time.Millisecond): // starting takes time
			case <-ctx.Done():
				return ctx.Err()
			}
			if r.ID < "4" { // ids from 0… to 3…, one in four, are refused
				return errors.New("refused")
			}
			return nil
		},
		Rand: rand.NewChaCha8([32]byte{}), // a fixed seed: the same ids every run
	}
	defer s.Close()

	jobs, _ := s.SubmitBatch(6, time.Millisecond)
	_, err := sched.Gather(context.Background(), jobs...)
	failed := 0
	if batchErr, ok := errors.AsType[*sched.BatchError](err); ok {
		for _, jobErr := range batchErr.Errs { // one per job, nil if it started
			if errors.Is(jobErr, sched.ErrFailed) {
				failed++
			}
		}
	}
	fmt.Println(len(jobs)-failed, "started,", failed, "failed")
	// Output: 4 started, 2 failed
}

// A timeout, like `await asyncio.wait_for(start_job(id, 3600), timeout=0.05)`:
// the deadline is on the scheduler's clock, and the job still queued at it
// is cancelled.
func ExampleScheduler_WithTimeout() {
	var s sched.Scheduler
	defer s.Close()

	ctx, cancel := s.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Run(ctx, time.Hour) // would wait an hour
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, sched.ErrCancelled))

	ctx, cancel = s.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rec, err := s.Run(ctx, time.Millisecond) // starts well before the deadline
	fmt.Println(rec.State, err)
	// Output:
	// true true
	// started <nil>
}

// A task group, like `async with asyncio.TaskGroup()`: the first failure
// cancels the jobs still queued. Gather, as in lesson 3, lets them run on.
func ExampleGroup() {
	s := sched.Scheduler{
		Start: func(ctx context.Context, r sched.Record) error {
			if r.Delay == 10*time.Millisecond { // the second job fails early
				return errors.New("refused")
			}
			return nil
		},
	}
	defer s.Close()
	queue := func() (jobs []*sched.Job) { // six jobs: 1 ms, 10 ms, then four of 200 ms
		for _, d := range []time.Duration{1, 10, 200, 200, 200, 200} {
			job, _ := s.Submit(d * time.Millisecond)
			jobs = append(jobs, job)
		}
		return jobs
	}
	states := func(jobs []*sched.Job) (out []sched.State) {
		for _, job := range jobs {
			out = append(out, job.State())
		}
		return out
	}

	jobs := queue()
	_, err := sched.Group(context.Background(), jobs...) // the failure cancels the others
	fmt.Println(errors.Is(err, sched.ErrFailed), states(jobs))

	jobs = queue()
	_, err = sched.Gather(context.Background(), jobs...) // the others run on
	fmt.Println(errors.Is(err, sched.ErrFailed), states(jobs))
	// Output:
	// true [started failed cancelled cancelled cancelled cancelled]
	// true [started failed started started started started]
}

// Records as the jobs finish, like `asyncio.as_completed(jobs)`: first the
// job that started first, whatever the order they were queued in.
func ExampleCompleted() {
	var s sched.Scheduler
	defer s.Close()

	var jobs []*sched.Job
	for _, d := range []time.Duration{30, 10, 20} {
		job, _ := s.Submit(d * time.Millisecond)
		jobs = append(jobs, job)
	}
	for rec, err := range sched.Completed(context.Background(), jobs...) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println("started after", rec.Delay)
	}
	// Output:
	// started after 10ms
	// started after 20ms
	// started after 30ms
}

// A blocked loop: a start that computes for 50 ms without waiting, like
// time.sleep(0.05) in a coroutine, makes every other job late in a
// browser, whose one thread runs every goroutine. The fix: wait on the
// clock.
func ExampleScheduler_Start_blocked() {
	spin := func(d time.Duration) { // computes for d, without waiting
		for end := time.Now().Add(d); time.Now().Before(end); {
		}
	}
	s := sched.Scheduler{
		Start: func(ctx context.Context, r sched.Record) error {
			switch r.Delay { // one job's start takes 50 ms
			case time.Millisecond:
				spin(50 * time.Millisecond) // the bug: in a browser, no other job starts meanwhile
			case 2 * time.Millisecond:
				<-clockwork.FromContext(ctx).After(50 * time.Millisecond) // the fix: wait on the clock
			}
			return nil
		},
	}
	defer s.Close()
	queue := func(slowDelay time.Duration) []sched.Record { // the slow job, and 100 due 10 ms after it is queued
		slow, _ := s.Submit(slowDelay)
		others, _ := s.SubmitBatch(100, 10*time.Millisecond)
		recs, _ := sched.Gather(context.Background(), others...)
		slow.Wait(context.Background())
		return recs
	}

	blocked := queue(time.Millisecond) // the page shows how late these were
	fixed := queue(2 * time.Millisecond)
	fmt.Println(len(blocked), "and", len(fixed), "started")
	// Output: 100 and 100 started
}

// Binding jobs as a group without waiting for them: from then on, the
// first failure cancels the jobs still queued, whoever waits for them.
func ExampleCancelOnFailure() {
	s := sched.Scheduler{
		Start: func(ctx context.Context, r sched.Record) error {
			if r.Delay == time.Millisecond {
				return errors.New("refused")
			}
			return nil
		},
	}
	defer s.Close()

	first, _ := s.Submit(time.Millisecond)
	rest, _ := s.SubmitBatch(3, time.Hour)
	stop, _ := sched.CancelOnFailure(append(rest, first)...)
	defer stop()
	first.Wait(context.Background())
	<-rest[0].Done() // cancelled when first failed, not in an hour
	fmt.Println(first.State(), rest[0].State(), errors.Is(rest[0].Err(), sched.ErrFailed))
	// Output: failed cancelled false
}

// A deadline on the scheduler's clock: on a FakeClock it passes when the
// clock is advanced to it, at once.
func ExampleScheduler_WithDeadline() {
	clock := clockwork.NewFakeClock()
	s := sched.Scheduler{Clock: clock}
	defer s.Close()

	ctx, cancel := s.WithDeadline(context.Background(), clock.Now().Add(time.Minute))
	defer cancel()
	clock.Advance(time.Minute) // a minute of the scheduler's time, in no time
	<-ctx.Done()
	fmt.Println(ctx.Err(), errors.Is(context.Cause(ctx), context.DeadlineExceeded))
	// Output: context deadline exceeded true
}
