package export

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// benchJobs is the size of the runs benchmarked: the page's ceiling for
// comfort.
const benchJobs = 100_000

// chunk is how many jobs the page encodes a frame, and flushes.
const chunk = 2000

// benchRun makes up a run of n jobs queued over a second, in batches of up
// to 100: 85% started, 8% cancelled (half while waiting for a slot), 4%
// failed, 2% queued, 1% starting. Every cancelled or failed job has an
// error, whose text is built each time the record is read, as sched builds
// it.
func benchRun(n int) (Meta, []Job) {
	rng := rand.New(rand.NewPCG(1, 1))
	start := time.Now()
	m := Meta{
		Start: start, Wall: start.Round(0), At: start.Add(2 * time.Second),
		Seed: 42, Link: "time=real&seed=42&delay=1ms&batch=100",
		Settings: []Setting{{"time", "real"}, {"seed", "42"}, {"delay", "1 ms"}, {"batch", "100"}},
		Made:     start.Round(0).Add(3 * time.Second),
	}
	boom := errors.New("start function: connection refused")
	jobs := make([]Job, n)
	batch, left := 0, 0
	var queued time.Time
	for i := range jobs {
		if left == 0 {
			batch++
			left = 1 + rng.IntN(100)
			queued = start.Add(time.Duration(rng.IntN(1e9)))
		}
		left--
		id := strconv.FormatUint(rng.Uint64()|1<<63, 16) + strconv.FormatUint(rng.Uint64()|1<<63, 16)
		delay := time.Duration(rng.IntN(1000)) * time.Microsecond
		ready := queued.Add(delay + time.Duration(rng.IntN(2e6)))
		done := ready.Add(time.Duration(rng.IntN(1e5)))
		r := sched.Record{ID: id, Delay: delay, QueuedAt: queued, ReadyAt: ready, DoneAt: done}
		switch p := rng.IntN(100); {
		case p < 85:
			r.State, r.StartedAt = sched.Started, done
		case p < 93:
			r.State = sched.Cancelled
			r.Err = &sched.JobError{ID: id, State: sched.Cancelled}
			if p < 89 {
				r.ReadyAt = time.Time{}
			}
		case p < 97:
			r.State = sched.Failed
			r.Err = &sched.JobError{ID: id, State: sched.Failed, Cause: boom}
		case p < 99:
			r.State, r.ReadyAt, r.DoneAt = sched.Queued, time.Time{}, time.Time{}
		default:
			r.State, r.DoneAt = sched.Starting, time.Time{}
		}
		jobs[i] = Job{Pos: i, Batch: batch, Rec: r}
	}
	return m, jobs
}

// BenchmarkEncode encodes a run of 100,000 jobs in each format as the page
// does, a chunk of jobs at a time into one reused slice, and reports the
// cost a job, so that the page can size its chunks.
func BenchmarkEncode(b *testing.B) {
	m, jobs := benchRun(benchJobs)
	for _, f := range []Format{JSON, CSV, Trace} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 4<<20)
			total := 0
			for b.Loop() {
				total = 0
				e := New(f, m)
				buf = e.Begin(buf[:0])
				for i, j := range jobs {
					buf = e.Job(buf, j)
					if i%chunk == chunk-1 {
						total += len(buf)
						buf = buf[:0]
					}
				}
				buf = e.End(buf)
				total += len(buf)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchJobs, "ns/job")
			b.ReportMetric(float64(total)/benchJobs, "bytes/job")
			b.SetBytes(int64(total))
		})
	}
}
