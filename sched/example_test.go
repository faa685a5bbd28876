package sched_test

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	fmt.Println(rec.State, "valid:", rec.Valid(), "waited at least the delay:", rec.Wait() >= rec.Delay)
	// Output: started valid: true waited at least the delay: true
}

// Cancelling a task, like `task.cancel()` then `await task`.
func ExampleJob_Cancel() {
	var s sched.Scheduler
	defer s.Close()

	job, _ := s.Submit(time.Hour)
	fmt.Println("cancelled by this call:", job.Cancel(nil))
	fmt.Println("cancelled again:", job.Cancel(nil))

	_, err := job.Wait(context.Background())
	fmt.Println(errors.Is(err, sched.ErrCancelled), job.Cancelled())
	// Output:
	// cancelled by this call: true
	// cancelled again: false
	// true true
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
		counts[e.Record.State]++
	}
	fmt.Println(counts[sched.Queued], "queued,", counts[sched.Started], "started")
	// Output: 3 queued, 3 started
}
