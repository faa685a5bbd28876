// Command jobs queues the asyncio seed's jobs in a database with River
// (package durable), starts them when they are due, and prints their
// records. The jobs live in a SQLite file (or in Postgres), so they outlive
// the process that queued them: queue a batch, stop the process before the
// jobs are due, and start them from another one.
//
//	cd durable
//	go run ./cmd/jobs queue 10 5s   # Ctrl-C before the 5 s pass
//	go run ./cmd/jobs list
//	go run ./cmd/jobs run
//
// `go run ./cmd/jobs -h` says more. Under go run, Ctrl-C in the terminal
// reaches the command, but a signal sent to the go process alone does not:
// go exits and leaves the command running. To kill it from elsewhere, name
// its own process (pgrep -f 'jobs .*queue'), or go build it first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usageText = `Usage: jobs [-db file | -pg url] command [arguments]

Queue jobs in a database with River, start them when they are due, and
print their records: the jobs of the asyncio seed (an id of 32 hex digits,
the time it was queued, the time it started), kept in a SQLite file (-db,
jobs.sqlite in the current folder unless told) or in Postgres (-pg), so
that they outlive the process that queued them.

Commands:

  queue N DELAY  Queue a batch of N jobs due after DELAY (a duration such
                 as 5s, 1m30s, 250ms or 0) and print their ids; then start
                 them when they are due, print their records once all have
                 started, and check the batch. Stop it before they are due
                 (Ctrl-C, or kill it), and they stay queued in the database
                 for "jobs run".
  run            Start the jobs that earlier processes queued and did not
                 start (alias: resume): each at its due time, or at once if
                 it is overdue. Print their records as they start, those
                 due at one time together once all have started, the
                 earliest first; then check each batch (the jobs queued
                 together): every job valid (queued before it started), not
                 started before its due time, and gathered in the order it
                 was queued.
  list           Print every job in the database, queued or final.
  cancel ID...   Cancel queued jobs, named by their ids or the first digits
                 of them: they never start, and stay cancelled.
  seed           The seed's three checks, in one process: one awaited 1 ms
                 job is valid; a task with a 1 h delay, cancelled, is
                 cancelled, and stays so in the database; a batch of 10 1 ms
                 jobs, gathered, is valid and in order. It prints
                 "check N: ok" or "check N: FAILED: why" for each.

Times are printed in the local time zone, to the millisecond. River moves a
delayed job to its queue on a 5 s tick, so a job starts up to about 5 s
after it is due; and a process that starts jobs after another was killed
may first wait about 20 s, for the dead one's lease on the queue to lapse.
River deletes started and cancelled jobs a day after they end, failed ones
a week after.

Ctrl-C (or SIGTERM) stops queue, run and seed cleanly: starts under way
finish, the jobs not due yet stay queued in the database (seed cancels its
own), and it says how many are left. A second Ctrl-C quits at once.

Exit status: 0 when every job waited for started and every check passed;
1 on an error or a failed check; 2 on bad usage; 128 + the signal's number
(130 for Ctrl-C) when a signal stopped it first.

Flags:
`

// defaultDB is the SQLite file used without -db or -pg.
const defaultDB = "jobs.sqlite"

// errUsage reports bad command-line arguments; the usage text has already
// been printed when run returns it.
var errUsage = errors.New("jobs: bad usage")

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM) // a second one quits at once
		cancel(signalError{sig})
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	code := exitCode(err)
	if code == 1 {
		fmt.Fprintln(os.Stderr, "jobs:", err)
	}
	os.Exit(code)
}

// exitCode is the process's exit status for run's error; only for 1 is the
// error still to be printed.
func exitCode(err error) int {
	var stopped *stoppedError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &stopped):
		var sig signalError
		if errors.As(stopped.cause, &sig) {
			if s, ok := sig.sig.(syscall.Signal); ok {
				return 128 + int(s)
			}
		}
		return 130
	default:
		return 1
	}
}

// signalError is the cause of main's context when a signal ended it.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "got " + e.sig.String() }

// stoppedError is run's error when its context ended before its jobs were
// done; it has said what it left.
type stoppedError struct{ cause error }

func (e *stoppedError) Error() string { return "stopped: " + e.cause.Error() }
func (e *stoppedError) Unwrap() error { return e.cause }

// run runs one command. It returns errUsage (after printing the usage) for
// bad arguments, a *stoppedError when ctx ended first, and flag.ErrHelp
// for -h or the help command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("jobs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dbFile := flags.String("db", defaultDB, "the SQLite `file` that holds the jobs; queue and seed create it")
	pgURL := flags.String("pg", "", "a Postgres database to hold the jobs instead, as a `url` such as postgres://user@127.0.0.1:5432/jobs")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usageText)
		flags.PrintDefaults()
	}
	usage := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "jobs: "+format+"\n\n", a...)
		flags.Usage()
		return errUsage
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st := &store{sqlite: *dbFile, pg: *pgURL, logTo: stderr}
	flags.Visit(func(f *flag.Flag) { st.dbFlag = st.dbFlag || f.Name == "db" })
	if st.pg != "" && st.dbFlag {
		return usage("give -db or -pg, not both")
	}
	if st.pg == "" && st.sqlite == "" {
		return usage("-db needs a file name")
	}
	if flags.NArg() == 0 {
		return usage("no command given")
	}
	c := &cli{ctx: ctx, st: st, out: stdout}
	cmd, rest := flags.Arg(0), flags.Args()[1:]
	// The commands' own arguments: any error is a usage error.
	noArgs := func() error {
		if len(rest) > 0 {
			if f := rest[0]; len(f) > 1 && f[0] == '-' {
				return usage("%s: unexpected %q: flags go before the command, as in: jobs %s %s", cmd, f, f, cmd)
			}
			return usage("%s takes no arguments; unexpected %q", cmd, rest[0])
		}
		return nil
	}
	switch cmd {
	case "queue":
		n, delay, err := queueArgs(rest)
		if err != nil {
			return usage("%v", err)
		}
		return c.queue(n, delay)
	case "run", "resume":
		if err := noArgs(); err != nil {
			return err
		}
		return c.resume()
	case "list":
		if err := noArgs(); err != nil {
			return err
		}
		return c.list()
	case "cancel":
		if err := cancelArgs(rest); err != nil {
			return usage("%v", err)
		}
		return c.cancel(rest)
	case "seed":
		if err := noArgs(); err != nil {
			return err
		}
		return c.seed()
	case "help":
		flags.SetOutput(stdout)
		flags.Usage()
		return flag.ErrHelp
	default:
		return usage("unknown command %q", cmd)
	}
}
