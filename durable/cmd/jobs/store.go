package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/wasmsched/wasmsched/durable"
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
