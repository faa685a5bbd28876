package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as durable uses

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/sched"
)

// store is where the jobs are: a SQLite file, or a Postgres database.
type store struct {
	sqlite string // the file, when pg is empty
	pg     string
	dbFlag bool      // -db was given: hints repeat it
	logTo  io.Writer // River's warnings and errors
}

// String names the store in messages: the file, or "the Postgres
// database" (its URL may hold a password).
func (st *store) String() string {
	if st.pg != "" {
		return "the Postgres database"
	}
	return st.sqlite
}

// command is the command line that runs cmd on this store, for hints.
func (st *store) command(cmd string) string {
	switch {
	case st.pg != "":
		return "jobs -pg URL " + cmd
	case st.dbFlag:
		return "jobs -db " + shellQuote(st.sqlite) + " " + cmd
	default:
		return "jobs " + cmd
	}
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// mustExist fails, saying what to do, when the store is a SQLite file that
// does not exist: the commands that only read or start jobs would
// otherwise create an empty one.
func (st *store) mustExist() error {
	if st.pg != "" {
		return nil
	}
	_, err := os.Stat(st.sqlite)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist: no jobs were queued there (queue some with: %s)", st.sqlite, st.command("queue 10 5s"))
	}
	return err
}

// Timeouts for the starts of the jobs this command queues, which do
// nothing. A job that has been starting for rescueAfter was left so by a
// process that died: River's rescuer, run every 30 s by the process that
// leads the queue, then starts it again. (durable's default is River's: an
// hour.)
const (
	jobTimeout  = 5 * time.Second
	rescueAfter = 10 * time.Second
)

// open opens a Scheduler on the store. With starts it starts the queue's
// jobs when they are due (River's leader, fetchers, rescuer); without, it
// only queues, waits and cancels.
func (st *store) open(ctx context.Context, starts bool) (*durable.Scheduler, error) {
	cfg := durable.Config{
		NoStarts: !starts,
		River: func(rc *river.Config) {
			rc.Logger = st.logger()
			rc.JobTimeout = jobTimeout
			rc.RescueStuckJobsAfter = rescueAfter
		},
	}
	if st.pg != "" {
		return durable.OpenPostgres(ctx, st.pg, cfg)
	}
	return durable.OpenSQLite(ctx, st.sqlite, cfg)
}

func (st *store) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(st.logTo, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// A reader reads every job of the queue, final ones included, with River
// directly: durable hands out handles only on the jobs it queues and on
// the unfinished ones (Unfinished), so this is the one way to see a job
// that ended in an earlier process. It never changes the database.
type reader struct {
	list  func(context.Context, *river.JobListParams) (*river.JobListResult, error)
	close func()
}

// reader opens a reader on the store, which must hold River's tables.
func (st *store) reader(ctx context.Context) (*reader, error) {
	cfg := &river.Config{Logger: st.logger()} // no queues: a client that only inserts and lists
	if st.pg != "" {
		pool, err := pgxpool.New(ctx, st.pg)
		if err != nil {
			return nil, err
		}
		c, err := river.NewClient(riverpgxv5.New(pool), cfg)
		if err != nil {
			pool.Close()
			return nil, err
		}
		return &reader{list: c.JobList, close: pool.Close}, nil
	}
	// mode=rw: never create the file.
	db, err := sql.Open("sqlite", "file:"+st.sqlite+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c, err := river.NewClient(riversqlite.New(db), cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &reader{list: c.JobList, close: func() { db.Close() }}, nil
}

// A row is one job as the reader read it.
type row struct {
	riverID int64
	rec     sched.Record
}

const pageSize = 1000

// all reads every job of the queue, in the order they were queued.
func (r *reader) all(ctx context.Context) ([]row, error) {
	params := river.NewJobListParams().Kinds(durable.Kind).Queues(durable.DefaultQueue).First(pageSize)
	var rows []row
	for {
		res, err := r.list(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, jr := range res.Jobs {
			rec, err := recordOf(jr)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row{jr.ID, rec})
		}
		if len(res.Jobs) < pageSize {
			return rows, nil
		}
		params = params.After(res.LastCursor)
	}
}

// get reads one job by its River id; ok is false if it is not there.
func (r *reader) get(ctx context.Context, riverID int64) (rec sched.Record, ok bool, err error) {
	res, err := r.list(ctx, river.NewJobListParams().IDs(riverID).First(1))
	if err != nil || len(res.Jobs) == 0 {
		return sched.Record{}, false, err
	}
	rec, err = recordOf(res.Jobs[0])
	return rec, err == nil, err
}

// The rest of this file is durable's reading of its rows (job.go: args,
// outcome, stateOf, recordOf), which durable does not export: keep the
// two the same. TestReaderMatchesDurable checks that they agree.

// jobArgs are the River args durable queues a job with.
type jobArgs struct {
	ID       string        `json:"id"`
	Delay    time.Duration `json:"delay"`
	QueuedAt time.Time     `json:"queued_at"`
}

// outcome is what durable writes as a job's River output when it did not
// start.
type outcome struct {
	Failed    string `json:"failed,omitempty"`
	Cancelled string `json:"cancelled,omitempty"`
}

func outcomeOf(jr *rivertype.JobRow) outcome {
	var o outcome
	if raw := jr.Output(); len(raw) > 0 {
		_ = json.Unmarshal(raw, &o) // not durable's: no outcome
	}
	return o
}

func stateOf(jr *rivertype.JobRow) sched.State {
	switch jr.State {
	case rivertype.JobStateRunning:
		return sched.Starting
	case rivertype.JobStateCompleted:
		return sched.Started
	case rivertype.JobStateCancelled:
		if outcomeOf(jr).Failed != "" {
			return sched.Failed
		}
		return sched.Cancelled
	case rivertype.JobStateDiscarded:
		return sched.Failed
	default:
		return sched.Queued
	}
}

func recordOf(jr *rivertype.JobRow) (sched.Record, error) {
	var a jobArgs
	if err := json.Unmarshal(jr.EncodedArgs, &a); err != nil {
		return sched.Record{}, fmt.Errorf("River job %d: %w", jr.ID, err)
	}
	r := sched.Record{ID: a.ID, Delay: a.Delay, QueuedAt: a.QueuedAt, State: stateOf(jr)}
	if jr.AttemptedAt != nil {
		r.ReadyAt = *jr.AttemptedAt
	}
	if jr.FinalizedAt != nil && r.State.Final() {
		r.DoneAt = *jr.FinalizedAt
	}
	switch r.State {
	case sched.Started:
		r.StartedAt = r.DoneAt
	case sched.Cancelled:
		r.Err = &sched.JobError{ID: a.ID, State: r.State, Cause: causeOf(outcomeOf(jr).Cancelled)}
		if jr.AttemptedAt == nil {
			r.ReadyAt = time.Time{}
		}
	case sched.Failed:
		text := outcomeOf(jr).Failed
		if text == "" && len(jr.Errors) > 0 {
			text = jr.Errors[len(jr.Errors)-1].Error
		}
		r.Err = &sched.JobError{ID: a.ID, State: r.State, Cause: causeOf(text)}
	}
	return r, nil
}

func causeOf(text string) error {
	if text == "" {
		return nil
	}
	return errors.New(text)
}
