package sched

import (
	"context"
	"syscall/js"
	"testing"
	"time"
)

// TestWalkHandsTheThreadBack: in a browser (here Node) a big batch starts
// in slices, with the thread handed back to JavaScript in between, even
// while a Gather takes the records of the jobs each slice started: a
// JavaScript timeout set before the batch is due runs before the batch is
// gathered.
func TestWalkHandsTheThreadBack(t *testing.T) {
	var s Scheduler
	defer s.Close()
	jobs, err := s.SubmitBatch(300_000, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{}, 1)
	cb := js.FuncOf(func(js.Value, []js.Value) any {
		ran <- struct{}{}
		return nil
	})
	defer cb.Release()
	js.Global().Call("setTimeout", cb, 2) // due while the walk runs
	began := time.Now()
	if _, err := Gather(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	select {
	case <-ran:
	default:
		t.Errorf("a JavaScript timeout due 2 ms after the batch was queued had not run when the batch was gathered, %v later: the walk held the thread", took.Round(time.Millisecond))
	}
}

// TestGatherHandsTheThreadBack: gathering the records of 300,000 jobs
// already started hands the thread back to JavaScript now and then: a
// timeout set before the Gather runs before it returns.
func TestGatherHandsTheThreadBack(t *testing.T) {
	var s Scheduler
	defer s.Close()
	jobs, err := s.SubmitBatch(300_000, 0)
	if err != nil {
		t.Fatal(err)
	}
	<-jobs[len(jobs)-1].Done() // all started: the Gather only copies
	ran := make(chan struct{}, 1)
	cb := js.FuncOf(func(js.Value, []js.Value) any {
		ran <- struct{}{}
		return nil
	})
	defer cb.Release()
	js.Global().Call("setTimeout", cb, 0)
	began := time.Now()
	if _, err := Gather(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	default:
		t.Errorf("a JavaScript timeout set before the Gather had not run when it returned, %v later: the Gather held the thread", time.Since(began).Round(time.Millisecond))
	}
}
