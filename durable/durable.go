package durable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/wasmsched/wasmsched/sched"
)

// Kind is the River job kind of the jobs this package queues.
const Kind = "wasmsched_start"

// Defaults of the Config fields left zero.
const (
	DefaultLimit        = 100
	DefaultQueue        = "wasmsched"
	DefaultPollInterval = 50 * time.Millisecond
)

// Config says how a Scheduler starts its jobs. Its zero value is valid:
// starting takes no time, 100 starts at once, the queue "wasmsched".
type Config struct {
	// Start is what starting a job does, as sched.Scheduler.Start: it runs
	// on a River worker goroutine when the job is due, in whichever process
	// fetched it. The job is Starting while it runs, then Started if it
	// returns nil, or Failed with its error, not retried; a panic fails the
	// job with a *sched.PanicError. ctx is River's work context: it ends
	// when the process stops (Close, after River's SoftStopTimeout) or when
	// River's JobTimeout (default 1 minute) passes. Nil: starting takes no
	// time. Every process that starts jobs of the queue needs the same one.
	// A start may be called twice for one job: when its process dies during
	// it, or after it returned but before River recorded the end, River's
	// rescuer retries the job (see the package doc).
	Start func(ctx context.Context, r sched.Record) error

	// Limit caps the starts that run at once in this process: it is River's
	// MaxWorkers for the queue, so it is per process, not per database.
	// Default 100.
	Limit int

	// Queue is the River queue the jobs go to; processes that share a
	// queue share its jobs. Default "wasmsched".
	Queue string

	// NoStarts makes a Scheduler that queues, waits and cancels, but starts
	// nothing in this process (a River client with no queues and no
	// maintenance), for processes whose jobs other processes start.
	NoStarts bool

	// PollInterval is how often waiting (Job.Wait, Gather, Run) asks the
	// database for the jobs it waits for, when the last ask found none of
	// them final. Default 50 ms.
	PollInterval time.Duration

	// River, if set, is called with the River config this package built,
	// before the client is made: to set JobTimeout, RescueStuckJobsAfter,
	// Logger and so on. RescueStuckJobsAfter decides how soon a start that a
	// crash interrupted is tried again: by default a job stays Starting for
	// an hour after its process died. Queues and Workers are this package's; changing
	// them is unsupported. Default logger: River's warnings and errors to
	// standard error.
	River func(*river.Config)
}

// Scheduler queues jobs in a database with River, starts them when they
// are due (unless Config.NoStarts), and waits for them from any process.
// Its methods are safe for concurrent use. Close it when done.
type Scheduler struct {
	cfg     Config
	b       backend
	now     func() time.Time // the database's precision: ms on SQLite, µs on Postgres
	stopped sync.Once
	stopErr error
}

// OpenSQLite opens (or creates) the SQLite file at path, brings River's
// tables up to date, and starts River on it. The file is opened with one
// connection, as River's SQLite driver asks, in WAL mode with a 5 s busy
// timeout. River's SQLite driver is marked early by its authors; see the
// package doc for what it costs.
func OpenSQLite(ctx context.Context, path string, cfg Config) (*Scheduler, error) {
	if ctx == nil {
		return nil, sched.ErrNilContext
	}
	if path == "" {
		return nil, errors.New("durable: no SQLite file given")
	}
	db, err := sql.Open("sqlite", "file:"+uriEscape.Replace(path)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("durable: opening %s: %w", path, err)
	}
	return open(ctx, cfg, millis, func(rc *river.Config) (backend, error) {
		b, err := sqliteBackend(ctx, db, rc)
		if err != nil {
			db.Close()
		}
		return b, err
	})
}

// OpenPostgres connects to the Postgres database at url (a pgx connection
// string, such as "postgres://user@127.0.0.1:5432/jobs"), brings River's
// tables up to date, and starts River on it. Several processes, on several
// machines, may open the same database: they share the queue's jobs.
func OpenPostgres(ctx context.Context, url string, cfg Config) (*Scheduler, error) {
	if ctx == nil {
		return nil, sched.ErrNilContext
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("durable: connecting to Postgres: %w", err)
	}
	return open(ctx, cfg, micros, func(rc *river.Config) (backend, error) {
		b, err := postgresBackend(ctx, pool, rc)
		if err != nil {
			pool.Close()
		}
		return b, err
	})
}

// uriEscape escapes what a SQLite URI's file name cannot hold as it is.
var uriEscape = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

func millis() time.Time { return time.Now().UTC().Round(time.Millisecond) }
func micros() time.Time { return time.Now().UTC().Round(time.Microsecond) }

func open(ctx context.Context, cfg Config, now func() time.Time, mk func(*river.Config) (backend, error)) (*Scheduler, error) {
	if cfg.Limit < 0 {
		return nil, fmt.Errorf("durable: Limit %d is negative", cfg.Limit)
	}
	if cfg.PollInterval < 0 {
		return nil, fmt.Errorf("durable: PollInterval %v is negative", cfg.PollInterval)
	}
	if cfg.Limit == 0 {
		cfg.Limit = DefaultLimit
	}
	if cfg.Queue == "" {
		cfg.Queue = DefaultQueue
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	rc := &river.Config{
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// Only a start that a crash interrupted is tried again: ordinary
		// errors end the job through river.JobCancel (see worker.Work).
		MaxAttempts: maxAttempts,
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{start: cfg.Start})
	rc.Workers = workers
	if !cfg.NoStarts {
		rc.Queues = map[string]river.QueueConfig{cfg.Queue: {MaxWorkers: cfg.Limit}}
	}
	if cfg.River != nil {
		cfg.River(rc)
	}
	b, err := mk(rc)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{cfg: cfg, b: b, now: now}
	if !cfg.NoStarts {
		if err := b.start(ctx); err != nil {
			b.close()
			return nil, fmt.Errorf("durable: starting River: %w", err)
		}
	}
	return s, nil
}

// Close stops this process's starts and closes the database. It waits for
// the starts under way (River's Stop: up to its SoftStopTimeout, if set).
// Jobs still queued stay in the database: they start when a process opens
// it again, unlike sched.Scheduler.Close, which cancels them.
func (s *Scheduler) Close() error {
	s.stopped.Do(func() {
		if !s.cfg.NoStarts {
			s.stopErr = s.b.stop(context.Background())
		}
		s.b.close()
	})
	return s.stopErr
}

// maxAttempts is what every job is inserted with: its first start, and
// one more if a crash interrupted it (River's rescuer then retries it).
const maxAttempts = 2

// args are a job's River args: what it was queued with, so that its record
// is whole in any process.
type args struct {
	ID       string        `json:"id"`
	Delay    time.Duration `json:"delay"`
	QueuedAt time.Time     `json:"queued_at"`
}

func (args) Kind() string { return Kind }

// outcome is the job's River output (metadata "output"): the text of why
// it did not start. Only this package writes it.
type outcome struct {
	Failed    string `json:"failed,omitempty"`
	Cancelled string `json:"cancelled,omitempty"`
}

type worker struct {
	river.WorkerDefaults[args]
	start func(ctx context.Context, r sched.Record) error
}

// Work runs the start. An error, a panic or runtime.Goexit ends the job
// through river.JobCancel, with the error's text in its output, so that it
// is Failed and not retried.
func (w *worker) Work(ctx context.Context, job *river.Job[args]) error {
	if w.start == nil {
		return nil
	}
	rec := recordOf(job.JobRow, job.Args)
	err := w.run(ctx, rec)
	if err == nil {
		return nil
	}
	if oerr := river.RecordOutput(ctx, outcome{Failed: err.Error()}); oerr != nil {
		return oerr // an attempt error: retried once, like a crash
	}
	return river.JobCancel(err)
}

// run calls the start on its own goroutine, as sched does, so that a
// runtime.Goexit in it ends that goroutine and not River's.
func (w *worker) run(ctx context.Context, rec sched.Record) error {
	done := make(chan error, 1)
	go func() {
		returned := false
		defer func() {
			if returned {
				return
			}
			if v := recover(); v != nil {
				done <- &sched.PanicError{Value: v, Stack: debug.Stack()}
				return
			}
			done <- sched.ErrGoexit
		}()
		err := w.start(ctx, rec)
		returned = true
		done <- err
	}()
	return <-done
}

// newID is a job's id: 32 lowercase hex digits, like uuid4().hex.
func newID() string {
	u := uuid.New()
	var b [32]byte
	const hex = "0123456789abcdef"
	for i, c := range u {
		b[2*i], b[2*i+1] = hex[c>>4], hex[c&15]
	}
	return string(b[:])
}
