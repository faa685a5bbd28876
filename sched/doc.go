// Package sched starts jobs after a delay, as the seed's asyncio lesson does,
// with cancellation, batches and [Gather]; every job gives a [Record].
//
// The three lessons of the seed map onto three calls:
//
//	await start_job(id, delay)        rec, err := s.Run(ctx, delay)
//	create_task(...) then .cancel()   j, err := s.Submit(delay); j.Cancel(nil)
//	await gather(*coroutines)         recs, err := sched.Gather(ctx, jobs...)
//
// A waiting job holds a place in its scheduler's timer queue, not a
// goroutine: a scheduler has one runtime timer, for the earliest job, and a
// goroutine exists only while a start function runs. A million jobs wait in
// under 200 MB, and cancelling them frees everything. Each job reaches exactly
// one final state (started, cancelled or failed); when [Job.Cancel] races the
// end of the delay, exactly one of them wins and the job says which.
//
// Times come from [time.Now], which carries a monotonic clock reading, so
// [Record.Valid] compares monotonic readings: a record is never made invalid
// (or valid) by the wall clock being stepped by NTP or by hand while the job
// waits. The seed stamps naive wall-clock times with datetime.now(), whose
// queued < started check can fail when the clock moves backwards.
//
// The package knows nothing of browsers; it runs unchanged natively and as
// WebAssembly (GOOS=js GOARCH=wasm), where all timers share the page's one
// JavaScript thread.
package sched
