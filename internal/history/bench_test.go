package history

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// benchJobs is the size of the runs benchmarked: the page's ceiling for
// comfort, well above a typical batch.
const benchJobs = 100_000

// benchRun returns a History of a made-up run of benchJobs jobs.
func benchRun(b *testing.B) *History {
	b.Helper()
	h := New()
	feed(h, run(rand.New(rand.NewPCG(1, 1)), t0, benchJobs))
	if h.Len() != benchJobs {
		b.Fatalf("Len() = %d", h.Len())
	}
	return h
}

// BenchmarkObserve observes 100,000 events: of a mixed run (about 40,000
// jobs queued, starting and done, in time order), from a new History and
// into one Reset, whose memory is kept; and of a batch of 50,000 jobs
// queued then started.
func BenchmarkObserve(b *testing.B) {
	mixed := run(rand.New(rand.NewPCG(1, 1)), t0, 45_000)[:100_000]
	batch := batchRun(t0, 50_000)
	for _, bb := range []struct {
		name  string
		evs   []event
		reset bool
	}{
		{"mixed/new", mixed, false},
		{"mixed/reset", mixed, true},
		{"batch/new", batch, false},
		{"batch/reset", batch, true},
	} {
		b.Run(bb.name, func(b *testing.B) {
			h := New()
			for b.Loop() {
				if bb.reset {
					h.Reset()
				} else {
					h = New()
				}
				feed(h, bb.evs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bb.evs)), "ns/event")
		})
	}
}

func BenchmarkCountsAt(b *testing.B) {
	h := benchRun(b)
	mid := h.First().Add(h.Last().Sub(h.First()) / 2)
	var n [5]int
	for b.Loop() {
		n = h.CountsAt(mid)
	}
	if n == [5]int{} {
		b.Fatal("nothing counted")
	}
}

func BenchmarkSeries(b *testing.B) {
	h := benchRun(b)
	for b.Loop() {
		h.Series(h.First(), h.Last(), 200)
	}
}

func BenchmarkLatenessAt(b *testing.B) {
	b.Run("spread", func(b *testing.B) {
		h := benchRun(b)
		var hist Histogram
		for b.Loop() {
			hist = LatenessAt(h, h.Last())
		}
		b.ReportMetric(float64(hist.N), "started")
	})
	// A batch on a fake clock: every job equally late.
	b.Run("equal", func(b *testing.B) {
		h := New()
		for i := range benchJobs {
			h.Observe(sched.Record{
				ID: time.Duration(i).String(), QueuedAt: t0, Delay: time.Second,
				ReadyAt: t0.Add(time.Second), StartedAt: t0.Add(time.Second),
				DoneAt: t0.Add(time.Second), State: sched.Started,
			}, 1, time.Time{})
		}
		var hist Histogram
		for b.Loop() {
			hist = LatenessAt(h, h.Last())
		}
		b.ReportMetric(float64(hist.N), "started")
	})
}

func BenchmarkRecent(b *testing.B) {
	h := benchRun(b)
	mid := h.First().Add(h.Last().Sub(h.First()) / 2)
	for b.Loop() {
		h.Recent(100, mid)
	}
}
