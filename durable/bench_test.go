package durable_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/durable/internal/pgtest"
	"github.com/wasmsched/wasmsched/sched"
)

// benchDelay is every job's delay, as in sched's BenchmarkBatch.
const benchDelay = time.Millisecond

// benchTimeout bounds one iteration's queue and wait.
const benchTimeout = 20 * time.Minute

var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"100k", 100_000}}

// BenchmarkDurable queues a batch of 1 ms jobs and waits until all have
// started, on a SQLite file and on Postgres (skipped without one), three
// ways in the same run:
//
//   - sched: the in-memory sched.Scheduler (SubmitBatch, Gather), the
//     cost of durability being the difference;
//   - river: River used directly with the settings this package uses
//     (riverBatch says which), waiting through a subscription;
//   - durable: this package (SubmitBatch, then Gather, which polls).
//
// Each iteration has a new database, opened and migrated, with River
// started, before the timer runs; the timer covers the queueing and the
// wait. Figures:
//
//   - jobs/s and ns/job: over that time;
//   - insert-ms: the queueing alone (SubmitBatch, InsertMany);
//   - drain-jobs/s: over the time from the first job's start (its
//     AttemptedAt) to the end of the wait, which leaves out the insert
//     and the wait for River's scheduler pass (below);
//   - p50-late-ms, p99-late-ms: percentiles of each job's lateness, when
//     River fetched it to start it (AttemptedAt) less its due time
//     (ScheduledAt, the queued time + 1 ms): for durable, Record.Lateness;
//   - river-log-lines: the warnings and errors River logged (they follow
//     the figures, as the benchmark's log);
//   - x-river and x-river-drain, for durable: its time over the median of
//     river's runs (river's jobs/s over durable's; the target is
//     at most 1.1), and the same for the drain alone.
//
// Lateness and throughput are mostly River's. A job due later than its
// insert is "scheduled", and River makes it "available" in a maintenance
// pass every 5 s (not configurable); it then runs at most Limit (100) jobs
// at a time and fetches again at most every 100 ms (FetchCooldown), which
// caps it near 1000 jobs/s. So that each variant's batch meets the 5 s
// pass in the same phase, setup ends with one job run to the end (a
// settle), which leaves the batch queued just after a pass. The total
// time is still quantized by the pass: an insert that ends just after
// the next pass waits 5 s more; insert-ms shows it, drain-jobs/s is free
// of it.
func BenchmarkDurable(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("sched/"+size.name, func(b *testing.B) { benchSched(b, size.n) })
	}
	dbs := []struct {
		name string
		// river and durable run one iteration each on a new database.
		river   func(b *testing.B, n int) benchResult
		durable func(b *testing.B, n int) benchResult
	}{
		{"sqlite", riverSQLite, durableSQLite},
		{"postgres", riverPostgres, durablePostgres},
	}
	for _, db := range dbs {
		for _, size := range benchSizes {
			// go test runs a benchmark's -count runs in a row: river's
			// five, then durable's five, each durable run set against the
			// median of river's.
			var riverTook, riverDrain []time.Duration
			b.Run(db.name+"/"+size.name+"/river", func(b *testing.B) {
				r := benchLoop(b, size.n, db.river)
				riverTook = append(riverTook, r.took)
				riverDrain = append(riverDrain, r.drain)
			})
			b.Run(db.name+"/"+size.name+"/durable", func(b *testing.B) {
				r := benchLoop(b, size.n, db.durable)
				if len(riverTook) > 0 {
					b.ReportMetric(float64(r.took)/float64(median(riverTook)), "x-river")
					b.ReportMetric(float64(r.drain)/float64(median(riverDrain)), "x-river-drain")
				}
			})
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchResult is one iteration's figures.
type benchResult struct {
	took   time.Duration // queue and wait
	insert time.Duration // queue
	drain  time.Duration // from the first job's start to the end of the wait
	late   []time.Duration
	logged int // lines River logged
}

// benchLoop runs one's iterations, reports their figures, and returns
// their means. one stops the timer for its setup and teardown; b.Loop
// wants it running when called.
func benchLoop(b *testing.B, n int, one func(b *testing.B, n int) benchResult) benchResult {
	return benchLoopFigures(b, n, one, true)
}

// benchLoopFigures is benchLoop, with River's figures or without.
func benchLoopFigures(b *testing.B, n int, one func(b *testing.B, n int) benchResult, riverFigures bool) benchResult {
	var sum benchResult
	iters := 0
	for b.Loop() {
		r := one(b, n)
		b.StartTimer()
		sum.took += r.took
		sum.insert += r.insert
		sum.drain += r.drain
		sum.late = append(sum.late, r.late...)
		sum.logged += r.logged
		iters++
	}
	mean := benchResult{
		took:   sum.took / time.Duration(iters),
		insert: sum.insert / time.Duration(iters),
		drain:  sum.drain / time.Duration(iters),
	}
	b.ReportMetric(float64(n)/mean.took.Seconds(), "jobs/s")
	b.ReportMetric(float64(mean.took.Nanoseconds())/float64(n), "ns/job")
	b.ReportMetric(float64(mean.insert.Microseconds())/1000, "insert-ms")
	b.ReportMetric(float64(n)/mean.drain.Seconds(), "drain-jobs/s")
	reportLateness(b, sum.late)
	if riverFigures {
		b.ReportMetric(float64(sum.logged)/float64(iters), "river-log-lines")
	}
	return mean
}

// benchSched is the in-memory scheduler's batch, as sched's BenchmarkBatch.
func benchSched(b *testing.B, n int) {
	benchLoopFigures(b, n, func(b *testing.B, n int) benchResult {
		b.StopTimer()
		var s sched.Scheduler
		defer s.Close()
		runtime.GC()
		b.StartTimer()
		t0 := time.Now()
		jobs, err := s.SubmitBatch(n, benchDelay)
		if err != nil {
			b.Fatal(err)
		}
		inserted := time.Now()
		recs, err := sched.Gather(b.Context(), jobs...)
		end := time.Now()
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		return recordsResult(recs, t0, inserted, end)
	}, false)
}

// recordsResult is the figures of a batch queued from t0 to inserted and
// waited for until end.
func recordsResult(recs []sched.Record, t0, inserted, end time.Time) benchResult {
	r := benchResult{took: end.Sub(t0), insert: inserted.Sub(t0), late: make([]time.Duration, len(recs))}
	first := end
	for i, rec := range recs {
		r.late[i] = rec.Lateness()
		if rec.ReadyAt.Before(first) {
			first = rec.ReadyAt
		}
	}
	r.drain = end.Sub(first)
	return r
}

// riverLog collects what River logs (at the level this package uses:
// warnings and errors), which would otherwise land on standard error in
// the middle of the benchmark's result line; flush logs it with b.Log,
// printed after the figures.
type riverLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *riverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *riverLog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// flush logs what was collected and returns how many lines it was.
func (l *riverLog) flush(b *testing.B) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	text := strings.TrimSpace(l.buf.String())
	l.buf.Reset()
	if text == "" {
		return 0
	}
	b.Logf("River logged:\n%s", text)
	return strings.Count(text, "\n") + 1
}

// durableSQLite and durablePostgres are this package's batch on a new
// database.
func durableSQLite(b *testing.B, n int) benchResult {
	b.StopTimer()
	var log riverLog
	s, err := durable.OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "jobs.sqlite"), durableConfig(&log))
	if err != nil {
		b.Fatal(err)
	}
	r := durableBatch(b, s, n)
	r.logged = log.flush(b)
	return r
}

func durablePostgres(b *testing.B, n int) benchResult {
	b.StopTimer()
	var log riverLog
	s, err := durable.OpenPostgres(b.Context(), pgtest.DB(b), durableConfig(&log))
	if err != nil {
		b.Fatal(err)
	}
	r := durableBatch(b, s, n)
	r.logged = log.flush(b)
	return r
}

// durableConfig is the default Config, River's log going to log.
func durableConfig(log *riverLog) durable.Config {
	return durable.Config{River: func(rc *river.Config) { rc.Logger = log.logger() }}
}

// durableBatch settles s (see BenchmarkDurable), then times SubmitBatch
// and Gather. It closes s.
func durableBatch(b *testing.B, s *durable.Scheduler, n int) benchResult {
	defer s.Close()
	ctx, cancel := context.WithTimeout(b.Context(), benchTimeout)
	defer cancel()
	if _, err := s.Run(ctx, benchDelay); err != nil {
		b.Fatalf("settling: %v", err)
	}
	runtime.GC()
	b.StartTimer()
	t0 := time.Now()
	jobs, err := s.SubmitBatch(ctx, n, benchDelay)
	if err != nil {
		b.Fatal(err)
	}
	inserted := time.Now()
	recs, err := durable.Gather(ctx, jobs...)
	end := time.Now()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	return recordsResult(recs, t0, inserted, end)
}

// noopArgs are river's jobs' args: the same fields as this package's, so
// that both variants write rows of the same size.
type noopArgs struct {
	ID       string        `json:"id"`
	Delay    time.Duration `json:"delay"`
	QueuedAt time.Time     `json:"queued_at"`
}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// riverSQLite and riverPostgres are river's batch on a new database,
// opened as durable.OpenSQLite and durable.OpenPostgres open theirs.
func riverSQLite(b *testing.B, n int) benchResult {
	b.StopTimer()
	path := filepath.Join(b.TempDir(), "jobs.sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return riverBatch(b, riversqlite.New(db), n)
}

func riverPostgres(b *testing.B, n int) benchResult {
	b.StopTimer()
	pool, err := pgxpool.New(b.Context(), pgtest.DB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	return riverBatch(b, riverpgxv5.New(pool), n)
}

// riverBatch is the batch with River used directly, with the settings of
// this package: River's tables migrated, a client with the same logger,
// MaxAttempts 2 and one queue of MaxWorkers durable.DefaultLimit; the jobs
// inserted with one InsertMany, as SubmitBatch inserts them, with
// MaxAttempts 2 and ScheduledAt the insert time + 1 ms; a worker that does
// nothing, as this package's with no Config.Start.
//
// It waits as a River user in the same process would, the fastest honest
// way: a subscription to the client's completion events, made before the
// insert with room for every job's event (River drops events that do not
// fit; counting them is then exact), costs the database nothing, where
// polling (as durable.Gather must, the jobs being any process's) costs it
// queries. River sends the event once the job's completion is committed,
// as Gather sees it. Lateness is from the events' rows: AttemptedAt less
// ScheduledAt, which is durable's ReadyAt - QueuedAt - Delay.
func riverBatch[TTx any](b *testing.B, driver riverdriver.Driver[TTx], n int) benchResult {
	ctx, cancel := context.WithTimeout(b.Context(), benchTimeout)
	defer cancel()
	var log riverLog
	logger := log.logger()
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		b.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	const queue = "bench"
	client, err := river.NewClient(driver, &river.Config{
		Logger:      logger,
		MaxAttempts: 2,
		Queues:      map[string]river.QueueConfig{queue: {MaxWorkers: durable.DefaultLimit}},
		Workers:     workers,
	})
	if err != nil {
		b.Fatal(err)
	}
	events, unsubscribe := client.SubscribeConfig(&river.SubscribeConfig{
		ChanSize: n + 1,
		Kinds:    []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled},
	})
	defer unsubscribe()
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}

	insert := func(n int) {
		queued := time.Now()
		opts := &river.InsertOpts{MaxAttempts: 2, Queue: queue, ScheduledAt: queued.Add(benchDelay)}
		params := make([]river.InsertManyParams, n)
		for i := range params {
			params[i] = river.InsertManyParams{
				Args:       noopArgs{ID: uuid.NewString(), Delay: benchDelay, QueuedAt: queued},
				InsertOpts: opts,
			}
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			b.Fatal(err)
		}
	}
	// wait receives n completions and returns the jobs' lateness and the
	// first one's start.
	wait := func(n int) ([]time.Duration, time.Time) {
		late := make([]time.Duration, 0, n)
		var first time.Time
		for range n {
			select {
			case ev := <-events:
				if ev.Kind != river.EventKindJobCompleted {
					b.Fatalf("job %d: %s", ev.Job.ID, ev.Kind)
				}
				late = append(late, ev.Job.AttemptedAt.Sub(ev.Job.ScheduledAt))
				if first.IsZero() || ev.Job.AttemptedAt.Before(first) {
					first = *ev.Job.AttemptedAt
				}
			case <-ctx.Done():
				b.Fatal(context.Cause(ctx))
			}
		}
		return late, first
	}
	// Settle, as durableBatch does.
	insert(1)
	wait(1)

	runtime.GC()
	b.StartTimer()
	t0 := time.Now()
	insert(n)
	inserted := time.Now()
	late, first := wait(n)
	end := time.Now()
	b.StopTimer()
	if err := client.Stop(context.WithoutCancel(ctx)); err != nil {
		b.Fatal(err)
	}
	return benchResult{
		took:   end.Sub(t0),
		insert: inserted.Sub(t0),
		drain:  end.Sub(first),
		late:   late,
		logged: log.flush(b),
	}
}

// reportLateness reports the 50th and 99th percentiles of late, in ms, as
// sched's benchmarks do.
func reportLateness(b *testing.B, late []time.Duration) {
	slices.Sort(late)
	ms := func(q int) float64 { return float64(late[len(late)*q/100].Microseconds()) / 1000 }
	b.ReportMetric(ms(50), "p50-late-ms")
	b.ReportMetric(ms(99), "p99-late-ms")
}
