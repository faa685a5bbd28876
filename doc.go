// Package wasmsched is the root of the wasmsched project: a job scheduler
// that runs natively and in the browser. The library is package
// [github.com/wasmsched/wasmsched/sched].
//
// The project grew from "the seed": a Python asyncio teaching module whose
// schedule_jobs scenario awaits one job, cancels a task with a long delay,
// and gathers a batch of ten, checking every record. This folder holds that
// scenario as a Go test (sched_test.go), step for step.
package wasmsched
