package sched_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/sync/errgroup"

	"github.com/wasmsched/wasmsched/sched"
)

// The benchmarks of the lessons that followed the seed's three (doc.go):
// a task group, records as they finish, and a blocked loop. Each iteration
// does a fixed amount of work, so that make bench's -benchtime=1x runs
// them once.

// cost is what one way of waiting took: time and allocations, over n jobs.
type cost struct {
	took          time.Duration
	allocs, bytes uint64
	n             int
}

// measure runs f once, after a collection, and adds its time and
// allocations, over n jobs, to c.
func (c *cost) measure(n int, f func()) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	f()
	c.took += time.Since(t0)
	runtime.ReadMemStats(&after)
	c.allocs += after.Mallocs - before.Mallocs
	c.bytes += after.TotalAlloc - before.TotalAlloc
	c.n += n
}

func (c *cost) nsPerJob() float64 { return float64(c.took.Nanoseconds()) / float64(c.n) }

// report reports c per job, its metrics' names after prefix.
func (c *cost) report(b *testing.B, prefix string) {
	b.ReportMetric(c.nsPerJob(), prefix+"ns/job")
	b.ReportMetric(float64(c.allocs)/float64(c.n), prefix+"allocs/job")
	b.ReportMetric(float64(c.bytes)/float64(c.n), prefix+"B/job")
}

// BenchmarkGroup is a group of 10,000 jobs, one of which fails while the
// others wait for their delay: waited for with Group, whose failure
// cancels the others under the scheduler's lock, against the hand-written
// way measured in the same iteration on the same jobs, an errgroup with a
// goroutine per job that waits for its job and cancels it once the
// errgroup's context ends. Time runs on a FakeClock, advanced to the
// failure as the waiting begins; each way is timed from its call until
// every job is final, and reports its time and allocations per job.
func BenchmarkGroup(b *testing.B) {
	const n = 10_000
	var group, base cost
	for b.Loop() {
		group.measure(n, groupWithFailure(b, n, func(ctx context.Context, jobs []*sched.Job) error {
			_, err := sched.Group(ctx, jobs...)
			return err
		}))
		base.measure(n, groupWithFailure(b, n, errgroupWait))
	}
	group.report(b, "")
	base.report(b, "baseline-")
	b.ReportMetric(group.nsPerJob()/base.nsPerJob(), "x-baseline")
}

// groupWithFailure returns a run of wait over n jobs on a FakeClock, the
// last of which fails after 1s while the others are due after 2s; the run
// checks that the others were cancelled. The jobs are queued before.
func groupWithFailure(b *testing.B, n int, wait func(context.Context, []*sched.Job) error) func() {
	clock := clockwork.NewFakeClock()
	s := &sched.Scheduler{
		Clock: clock,
		Start: func(_ context.Context, r sched.Record) error {
			if r.Delay == time.Second {
				return errRefused
			}
			return nil
		},
	}
	jobs, err := s.SubmitBatch(n-1, 2*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	bad, err := s.Submit(time.Second)
	if err != nil {
		b.Fatal(err)
	}
	jobs = append(jobs, bad)
	return func() {
		done := make(chan error)
		go func() { done <- wait(context.Background(), jobs) }()
		clock.Advance(time.Second)
		if err := <-done; err == nil {
			b.Fatal("no error from the group")
		}
		if c := s.Counts(); c.Failed != 1 || c.Cancelled != n-1 {
			b.Fatalf("counts %+v, want 1 failed and the others cancelled", c)
		}
		s.Close()
	}
}

// errgroupWait is the baseline: an errgroup with a goroutine per job.
func errgroupWait(ctx context.Context, jobs []*sched.Job) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, j := range jobs {
		g.Go(func() error {
			select {
			case <-j.Done():
			case <-ctx.Done():
				j.Cancel(context.Cause(ctx))
				<-j.Done()
			}
			return j.Err()
		})
	}
	return g.Wait()
}

// BenchmarkCompleted takes the records of 100,000 jobs as they start, from
// Completed, against the hand-written way measured in the same iteration
// on the same jobs: a goroutine per job that waits for its job and sends
// its record on one channel. The jobs are one batch due after 1s of a
// FakeClock, advanced as the waiting begins; each way is timed from its
// call until it has every record, and reports its time and allocations
// per job.
func BenchmarkCompleted(b *testing.B) {
	const n = 100_000
	var completed, base cost
	for b.Loop() {
		completed.measure(n, recordsAsStarted(b, n, func(ctx context.Context, jobs []*sched.Job, got func(sched.Record)) {
			for rec := range sched.Completed(ctx, jobs...) {
				got(rec)
			}
		}))
		base.measure(n, recordsAsStarted(b, n, channelWait))
	}
	completed.report(b, "")
	base.report(b, "baseline-")
	b.ReportMetric(completed.nsPerJob()/base.nsPerJob(), "x-baseline")
}

// recordsAsStarted returns a run of each over n jobs due after 1s of a
// FakeClock, advanced as it begins; the run checks that each gave every
// record once. The jobs are queued before.
func recordsAsStarted(b *testing.B, n int, each func(context.Context, []*sched.Job, func(sched.Record))) func() {
	clock := clockwork.NewFakeClock()
	s := &sched.Scheduler{Clock: clock}
	jobs, err := s.SubmitBatch(n, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		var advanced sync.WaitGroup
		advanced.Go(func() { clock.Advance(time.Second) })
		got := 0
		each(context.Background(), jobs, func(r sched.Record) {
			if r.State == sched.Started {
				got++
			}
		})
		advanced.Wait()
		if got != n {
			b.Fatalf("%d records of started jobs, want %d", got, n)
		}
		s.Close()
	}
}

// channelWait is the baseline: a goroutine per job, feeding one channel.
func channelWait(ctx context.Context, jobs []*sched.Job, got func(sched.Record)) {
	recs := make(chan sched.Record)
	for _, j := range jobs {
		go func() {
			r, _ := j.Wait(ctx)
			recs <- r
		}()
	}
	for range jobs {
		got(<-recs)
	}
}

// BenchmarkBlocked is the blocked loop of ExampleScheduler_Start_blocked,
// natively: one start computes for 50 ms without waiting, and 100 other
// jobs are due 10 ms after they were queued, during it. It reports how
// late the others were: late-* by their Lateness (when the scheduler's
// timer found them due), started-late-* by when they started (their start
// function, which does nothing, returned), max and p50, with one thread
// for goroutines (GOMAXPROCS 1, as in a browser, but that Go preempts a
// busy goroutine about every 10 ms) and with every core.
func BenchmarkBlocked(b *testing.B) {
	spin := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); {
		}
	}
	for _, procs := range []int{1, 0} {
		name := "procs=default"
		if procs > 0 {
			name = fmt.Sprintf("procs=%d", procs)
		}
		b.Run(name, func(b *testing.B) {
			if procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			}
			var late, startedLate []time.Duration
			for b.Loop() {
				s := sched.Scheduler{
					Start: func(ctx context.Context, r sched.Record) error {
						if r.Delay == time.Millisecond {
							spin(50 * time.Millisecond)
						}
						return nil
					},
				}
				slow, err := s.Submit(time.Millisecond)
				if err != nil {
					b.Fatal(err)
				}
				others, err := s.SubmitBatch(100, 10*time.Millisecond)
				if err != nil {
					b.Fatal(err)
				}
				recs, err := sched.Gather(context.Background(), append(others, slow)...)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs[:len(others)] {
					late = append(late, r.Lateness())
					startedLate = append(startedLate, r.StartedAt.Sub(r.QueuedAt)-r.Delay)
				}
				s.Close()
			}
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
			reportLate(b, "", late)
			reportLate(b, "started-", startedLate)
		})
	}
}

func reportLate(b *testing.B, prefix string, late []time.Duration) {
	slices.Sort(late)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(late[len(late)-1]), prefix+"late-max-ms")
	b.ReportMetric(ms(late[len(late)/2]), prefix+"late-p50-ms")
}
