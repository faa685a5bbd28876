// Package sched starts jobs after a delay, with cancellation, batches and
// [Gather]; every job gives a [Record]: its id, when it was queued, when it
// started.
//
// It is the Go form of "the seed", the Python asyncio teaching module this
// project grew from: a start_job coroutine that sleeps for a delay and
// returns a JobRecord(guid, queued_at, started_at), and a schedule_jobs
// scenario with three lessons, each mapped onto one call, and the lessons
// that followed:
//
//	await start_job(id, delay)        rec, err := s.Run(ctx, delay)
//	create_task(...) then .cancel()   j, err := s.Submit(delay); j.Cancel(nil)
//	await gather(*coroutines)         recs, err := sched.Gather(ctx, jobs...)
//	await wait_for(coro, timeout)     ctx, cancel := s.WithTimeout(ctx, timeout)
//	async with TaskGroup()            recs, err := sched.Group(ctx, jobs...)
//	for t in as_completed(tasks)      for rec, err := range sched.Completed(ctx, jobs...)
//
// A deadline from [Scheduler.WithTimeout] is on the scheduler's clock, and
// cancels the jobs still queued at it exactly then. [Group] cancels the
// jobs still queued at the first failure ([CancelOnFailure] does it
// without waiting); a start in progress runs to its end, where a
// TaskGroup would interrupt its task. [Completed] cancels nothing.
//
// A waiting job holds a place in its scheduler's timer queue, not a
// goroutine: a scheduler has one timer, for the earliest job, and a
// goroutine exists only while a start function runs. A batch waits as one
// entry of that queue and starts as a walk through its jobs. Each job
// reaches exactly one final state (started, cancelled or failed); when
// [Job.Cancel] races the end of the delay, exactly one of them wins and the
// job says which.
//
// # Time
//
// By default times come from [time.Now], which carries a monotonic clock
// reading, so [Record.Valid] compares monotonic readings: a record is never
// made invalid (or valid) by the wall clock being stepped by NTP or by hand
// while the job waits. The seed stamps naive wall-clock times with
// datetime.now(), whose queued < started check can fail when the clock
// moves backwards.
//
// A scheduler can be given a clock to drive instead ([Scheduler.Clock]): a
// [github.com/jonboulle/clockwork] FakeClock, or any implementation of
// [clockwork.Clock]. Then every time in a record comes from that clock,
// [Scheduler.NextDue] says when to advance it, and [Scheduler.Settled] when
// the work an advance released is done: jobs run in slow motion, step by
// step, or through an hour in no time, and with ids from a seeded
// [Scheduler.Rand] a run can be replayed exactly. A driver that waits for
// start functions to reach their own wait on the clock knows when one ends
// from [Scheduler.Running].
//
// # Observers
//
// [Scheduler.Subscribe] queues every state change, never blocking the
// scheduler. An event may stand for several jobs of one batch, which
// [Event.Jobs] holds and [Event.Len] counts: a batch from
// [Scheduler.SubmitBatch] is queued in one event, and its jobs that begin
// their starts (or start) at one instant, next to each other in the batch,
// are one event too. An observer of a 100,000-job batch that starts at
// once gets a few hundred events, not 200,000. A cancellation, a failure
// and a job from [Scheduler.Submit] are an event of their own.
//
// The package knows nothing of browsers; it runs unchanged natively and as
// WebAssembly (GOOS=js GOARCH=wasm), where all timers share the page's one
// JavaScript thread.
package sched
