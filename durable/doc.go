// Package durable gives jobs the shape of package sched, kept in a
// database by River (github.com/riverqueue/river): on an SQLite file, so
// that jobs survive a restart, or on Postgres, so that several processes on
// several machines share them.
//
// # When to use it
//
// sched keeps its jobs in memory: it is fast (a million jobs in about a
// second) and loses them all when the process ends. Move to durable when
// jobs must outlive the process that queued them, or must be started by
// whichever of several processes is free. The change is where the
// scheduler comes from, and a ctx and an error on every call:
//
//	var s sched.Scheduler                                          // in memory
//	s, err := durable.OpenSQLite(ctx, "jobs.sqlite", durable.Config{}) // in a file
//
//	jobs, err := s.SubmitBatch(ctx, 10, time.Millisecond)
//	recs, err := durable.Gather(ctx, jobs...)
//
// Records, states and errors are sched's own types: sched.Record,
// sched.State, *sched.JobError and *sched.BatchError, matched with
// sched.ErrCancelled and sched.ErrFailed; bad input gets sched's sentinels
// (sched.ErrBadDelay, sched.ErrEmptyBatch, sched.ErrNilContext, ...).
//
// # What River changes
//
// Every call takes a ctx and can fail on the database: Submit, SubmitBatch,
// Job.Cancel, Job.Record and Job.Wait return an error that sched's
// versions do not. A Scheduler must be closed. The rest follows sched's
// names and meanings, with these differences:
//
//   - Lateness. River moves a job with a delay from scheduled to available
//     on its leader's tick, about every 5 seconds, so a 1 ms job starts
//     up to seconds late; a job queued with no delay is available at once.
//   - Limit (Config.Limit) is River's MaxWorkers for the queue: it caps the
//     starts running at once in one process, not in the database. Two
//     processes with Limit 10 run up to 20 starts. A process fetches at
//     most Limit jobs every River FetchCooldown (100 ms): with the
//     defaults, about 1,000 starts a second.
//   - Close stops this process's starts, waiting for those under way, and
//     leaves queued jobs in the database, where sched.Scheduler.Close
//     cancels them.
//   - Cancel refuses a job that is starting, as sched's does, and cancels it
//     in one transaction with the check, so that no process can fetch it in
//     between.
//
// # States
//
// River's states map to sched's:
//
//	scheduled, available, pending → Queued
//	retryable                     → Queued (a start a crash interrupted, waiting to be tried again)
//	running                       → Starting
//	completed                     → Started
//	cancelled                     → Cancelled, or Failed when its start returned an error (below)
//	discarded                     → Failed (a crash interrupted both of its starts)
//
// # Retries: an error fails the job, a crash retries it once
//
// As in sched, a start that returns an error fails its job, with no
// retry. A start that panics or calls runtime.Goexit fails it too, with a
// *sched.PanicError or sched.ErrGoexit. The worker ends such a job through
// river.JobCancel, so that River does not retry it, after recording the
// error's text as the job's River output (metadata "output"); a cancelled
// job with a recorded failure is Failed.
//
// Every job is inserted with MaxAttempts 2: the one retry is for a start
// that a process crash interrupted. River's rescuer finds a job left
// running longer than River's RescueStuckJobsAfter (default 1 hour; set
// it and JobTimeout through Config.River), and makes it retryable; it is
// then started again, by any process. So a start is called at least once,
// and more than once when its process died during it or before River
// recorded its end: starts must tolerate that. Every job still reaches
// exactly one final state. The rescuer runs on the elected leader, about
// every 30 seconds; a dead leader's lease runs out, and another process
// takes its place, in about 15 seconds (so after a crash, the next process
// may wait that long before delayed jobs move to its queue).
//
// # Causes are text across processes
//
// Job.Cancel keeps its cause as text in the job's River output, so every
// process sees "cancelled: <cause>". The error value itself stays in the
// handle that cancelled: errors.Is finds the cause only in records read
// through that handle (Wait, Record, and Gather of that handle). A start's
// error is likewise text in every record.
//
// # Waiting polls the database
//
// River's Subscribe sees only the jobs this process ran, and drops events
// past a buffer; a job may be started by any process. So Job.Wait, Gather
// and Run poll: they list the first 1,000 of their jobs not yet final by
// River id (Client.JobList), ask again at once while a list finds some
// final, and after Config.PollInterval (default 50 ms) while none is.
// Gathering n jobs costs about n/1,000 queries while they finish, and one
// query a PollInterval while they wait; a wait ends up to a PollInterval
// after its last job.
//
// # Times
//
// QueuedAt is the queuing process's clock, rounded to what the database
// keeps (milliseconds on SQLite, microseconds on Postgres). ReadyAt is when
// a process fetched the job to start it (River's AttemptedAt; for a
// retried job, its last attempt); StartedAt and DoneAt are when the job
// was finalized (River's FinalizedAt). On several machines these come from
// several clocks.
//
// River deletes final jobs after its retention periods (a day for
// completed and cancelled jobs, a week for discarded ones, by default):
// waiting for a job that is gone is ErrGone.
//
// # SQLite
//
// OpenSQLite uses River's SQLite driver, riversqlite, with
// modernc.org/sqlite: pure Go, no C toolchain. River's authors call that
// driver early; it wants one open connection, so River's work and every
// poll share it, and it inserts and completes jobs one row at a time:
// queueing 100,000 jobs takes about twice as long as on Postgres (8–9 s
// against 4–5 s on a 2-core machine) and holds that connection meanwhile.
// The README's benchmark table has the figures, against River used
// directly and against sched.
//
// # Why a module of its own
//
// River, pgx and SQLite are large, and only this package needs them. As a
// package of the main module, they would enter its go.mod: a
// `go get github.com/wasmsched/wasmsched/sched` would resolve them, and the
// wasm tests of ./internal/... would build them. As the module
// github.com/wasmsched/wasmsched/durable, which requires the main one
// (replaced by ../ while developing), only its own users get them. A test
// of the main module checks that the wasm, sched and the main module's
// graph name none of them.
package durable
