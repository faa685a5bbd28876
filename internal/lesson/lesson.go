// Package lesson holds the playground's eight lessons: each shows a piece
// of Python asyncio beside its Go equivalent, and runs the Go for real,
// step by step, so that a page can highlight the current line in both
// listings while it runs. The first three are the seed's; the others are
// what a learner of asyncio meets next: limits and failures, timeouts,
// task groups, results as they finish, and a blocked loop.
//
// The Go listings are the bodies of Examples in sched/example_test.go,
// dedented one tab (a test checks them byte for byte), so the code a page
// shows is code that compiles and whose output is checked. The Python
// listings of the first three lessons are lines of the original module,
// but for the last lines of "cancel", which cancel a task that has
// finished, as the original never does, after a comment that says so.
//
// The package knows nothing of browsers: it builds natively and as
// WebAssembly, and its listings, a few KB, are embedded.
package lesson

import (
	_ "embed" // the listings, as strings
	"fmt"
	"slices"
	"strings"
)

// Lesson is one lesson: two listings and the steps that walk through them.
type Lesson struct {
	ID      string // "await", "cancel", "gather", "limit", "timeout", "group", "completed" or "blocked"
	Title   string // short, for a button
	Summary string // one plain sentence
	// RealTime, if not empty, says why the lesson runs in real time only:
	// a page runs it so even when its clock is virtual.
	RealTime string
	Python   []string // the Python listing, one line a string
	Go       []string // the Go listing: an Example's body, dedented
	Steps    []Step
}

// Step is one step of a lesson: the line highlighted in each listing
// while it runs, and what it does.
type Step struct {
	Python, Go int    // 0-based index of the highlighted line in each listing
	Say        string // what this step does, one sentence
}

// The listings, one string a file. Strings rather than an embed.FS: the
// file system's code (embed, io/fs) cost the wasm about 14 KB for eight
// files the package reads by name only.
var (
	//go:embed listings/await.py
	awaitPy string
	//go:embed listings/await.go.txt
	awaitGo string
	//go:embed listings/cancel.py
	cancelPy string
	//go:embed listings/cancel.go.txt
	cancelGo string
	//go:embed listings/gather.py
	gatherPy string
	//go:embed listings/gather.go.txt
	gatherGo string
	//go:embed listings/limit.py
	limitPy string
	//go:embed listings/limit.go.txt
	limitGo string
	//go:embed listings/timeout.py
	timeoutPy string
	//go:embed listings/timeout.go.txt
	timeoutGo string
	//go:embed listings/group.py
	groupPy string
	//go:embed listings/group.go.txt
	groupGo string
	//go:embed listings/completed.py
	completedPy string
	//go:embed listings/completed.go.txt
	completedGo string
	//go:embed listings/blocked.py
	blockedPy string
	//go:embed listings/blocked.go.txt
	blockedGo string
)

// listing returns the file listings/name, and whether there is one.
func listing(name string) (string, bool) {
	switch name {
	case "await.py":
		return awaitPy, true
	case "await.go.txt":
		return awaitGo, true
	case "cancel.py":
		return cancelPy, true
	case "cancel.go.txt":
		return cancelGo, true
	case "gather.py":
		return gatherPy, true
	case "gather.go.txt":
		return gatherGo, true
	case "limit.py":
		return limitPy, true
	case "limit.go.txt":
		return limitGo, true
	case "timeout.py":
		return timeoutPy, true
	case "timeout.go.txt":
		return timeoutGo, true
	case "group.py":
		return groupPy, true
	case "group.go.txt":
		return groupGo, true
	case "completed.py":
		return completedPy, true
	case "completed.go.txt":
		return completedGo, true
	case "blocked.py":
		return blockedPy, true
	case "blocked.go.txt":
		return blockedGo, true
	}
	return "", false
}

// stepDef is a step as written: anchors, substrings of exactly one line of
// each listing, resolved to line indexes when the package initialises,
// and what Run does for it (nil: the step only shows its lines).
type stepDef struct {
	py, golang string
	say        string
	do         action
}

type lessonDef struct {
	id, title, summary string
	realTime           string // see Lesson.RealTime
	example            string // the Example in sched/example_test.go whose body Go is
	steps              []stepDef
}

var (
	lessons []Lesson
	// problems lists what went wrong resolving the listings and anchors.
	// It never stops the page (a step then highlights line -1, that is,
	// none); the package's tests fail on it.
	problems []string
)

func init() {
	for _, d := range defs {
		lessons = append(lessons, build(d))
	}
}

func build(d lessonDef) Lesson {
	l := Lesson{
		ID:       d.id,
		Title:    d.title,
		Summary:  d.summary,
		RealTime: d.realTime,
		Python:   readLines(d.id + ".py"),
		Go:       readLines(d.id + ".go.txt"),
	}
	for i, sd := range d.steps {
		l.Steps = append(l.Steps, Step{
			Python: resolve(l.Python, sd.py, d.id, i, "Python"),
			Go:     resolve(l.Go, sd.golang, d.id, i, "Go"),
			Say:    sd.say,
		})
	}
	return l
}

func readLines(name string) []string {
	s, ok := listing(name)
	if !ok {
		problems = append(problems, "no listing listings/"+name)
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// resolve returns the index of the one line of listing that contains
// anchor, or -1, noting the problem, when there is not exactly one.
func resolve(listing []string, anchor, id string, step int, lang string) int {
	at, n := -1, 0
	for i, line := range listing {
		if strings.Contains(line, anchor) {
			at, n = i, n+1
		}
	}
	if n != 1 {
		problems = append(problems, fmt.Sprintf("lesson %s, step %d: the %s anchor %q is on %d lines, want 1", id, step, lang, anchor, n))
		return -1
	}
	return at
}

// All returns the lessons, in the order they are taught. The slices are
// the caller's own.
func All() []Lesson {
	out := make([]Lesson, len(lessons))
	for i, l := range lessons {
		out[i] = clone(l)
	}
	return out
}

// ByID returns the lesson with id, and whether there is one.
func ByID(id string) (Lesson, bool) {
	for _, l := range lessons {
		if l.ID == id {
			return clone(l), true
		}
	}
	return Lesson{}, false
}

func clone(l Lesson) Lesson {
	l.Python = slices.Clone(l.Python)
	l.Go = slices.Clone(l.Go)
	l.Steps = slices.Clone(l.Steps)
	return l
}

func def(id string) (lessonDef, bool) {
	for _, d := range defs {
		if d.id == id {
			return d, true
		}
	}
	return lessonDef{}, false
}

// defs are the lessons as written. Each step's Go anchor is a line of the
// Example that the step's action mirrors, call for call. A few steps also
// make the calls of the lines just before theirs, whose steps only show
// them: the last step of "cancel" queues a job and waits until it has
// started, so that the lesson stays a few steps; and in "timeout",
// "group" and "completed", the jobs are queued (and the deadline set) in
// the step that waits for them, because the page pauses between steps, and
// a deadline or a failure would otherwise come during the pause.
var defs = []lessonDef{
	{
		id:      "await",
		title:   "Await one job",
		summary: "Queue one job that starts after a short delay, wait until it has started, and check that it was queued before it started.",
		example: "ExampleScheduler_Run",
		steps: []stepDef{
			{
				py:     "async def start_job(job_id, delay):",
				golang: "var s sched.Scheduler",
				say:    "Python writes start_job, which sleeps for the delay and returns a record; in Go a Scheduler does that for every job, and is ready to use as declared.",
			},
			{
				py:     "single_record = await single_job",
				golang: "rec, err := s.Run(context.Background(), time.Millisecond)",
				say:    "Queue one job with a 1 ms delay and wait until it has started.",
				do:     awaitRun,
			},
			{
				py:     "assert _is_valid_record(single_record)",
				golang: `"valid:", rec.Valid()`,
				say:    "Check the record: the job was queued strictly before it started.",
				do:     awaitCheck,
			},
		},
	},
	{
		id:      "cancel",
		title:   "Cancel a task",
		summary: "Queue a job that would wait an hour, cancel it before it starts, and see that waiting for it reports the cancellation, while a job that has already started cannot be cancelled.",
		example: "ExampleJob_Cancel",
		steps: []stepDef{
			{
				py:     "single_task = asyncio.create_task(start_job(uuid4().hex, _DELAY_LARGE))",
				golang: "job, _ := s.Submit(time.Hour)",
				say:    "Queue a job that waits an hour before it starts, and get a handle on it at once, as create_task gives a task.",
				do:     cancelSubmit,
			},
			{
				py:     "single_task.cancel()",
				golang: `"cancelled by this call:", job.Cancel(nil)`,
				say:    "Cancel the job while it waits: it will never start.",
				do:     cancelFirst,
			},
			{
				py:     "single_task.cancel()",
				golang: `"cancelled again:", job.Cancel(nil)`,
				say:    "Cancel it again: it is already cancelled, so this call does nothing and returns false.",
				do:     cancelAgain,
			},
			{
				py:     "await single_task",
				golang: "_, err := job.Wait(context.Background())",
				say:    "Wait for the job: it ends at once with an error, as awaiting the task raises CancelledError.",
				do:     cancelWait,
			},
			{
				py:     "assert single_task.cancelled()",
				golang: "errors.Is(err, sched.ErrCancelled), job.Cancelled()",
				say:    "Check that the error is ErrCancelled and that the job says it was cancelled.",
				do:     cancelCheck,
			},
			{
				py:     "assert quick_task.cancel() is False",
				golang: `"cancelled after it started:", quick.Cancel(nil)`,
				say:    "Queue a job with a 1 ms delay, wait until it has started, and cancel it: Cancel returns false and changes nothing, as asyncio's cancel() returns False on a task that has finished.",
				do:     cancelStarted,
			},
		},
	},
	{
		id:      "gather",
		title:   "Gather a batch",
		summary: "Queue ten jobs at once, wait until all of them have started, and get their records back in the order of the jobs.",
		example: "ExampleGather",
		steps: []stepDef{
			{
				py:     "batch_jobs = [start_job(uuid4().hex, _DELAY_SMALL) for _ in range(10)]",
				golang: "jobs, _ := s.SubmitBatch(10, time.Millisecond)",
				say:    "Queue ten jobs at once, each with a 1 ms delay.",
				do:     gatherSubmit,
			},
			{
				py:     "batch_records = await asyncio.gather(*batch_jobs)",
				golang: "recs, err := sched.Gather(context.Background(), jobs...)",
				say:    "Wait until all ten have started; their records come back in the order of the jobs.",
				do:     gatherWait,
			},
			{
				py:     "assert all(_is_valid_record(record) for record in batch_records)",
				golang: "if r.Valid() && r.ID == jobs[i].ID() {",
				say:    "Check each record: valid, and the record of the job at the same place.",
				do:     gatherCheck,
			},
			{
				py:     "assert len(batch_records) == len(batch_jobs)",
				golang: `"%d records, %d valid and in order\n", len(recs)`,
				say:    "Check that there are as many records as jobs.",
				do:     gatherCount,
			},
		},
	},
	{
		id:      "limit",
		title:   "Start, fail, limit",
		summary: "Starting a job takes time and can fail: six jobs start at most two at a time, and waiting for all of them tells which ones failed.",
		example: "ExampleScheduler_Limit",
		steps: []stepDef{
			{
				py:     "sem = asyncio.Semaphore(2)",
				golang: "Limit: 2,",
				say:    "Let at most two jobs be starting at any time, as a semaphore of 2 does.",
				do:     limitLimit,
			},
			{
				py:     "await asyncio.sleep(0.2)",
				golang: "After(200 * time.Millisecond)",
				say:    "Starting a job takes 200 ms, waited on the scheduler's clock.",
			},
			{
				py:     `if job_id < "4":`,
				golang: `if r.ID < "4" {`,
				say:    "A job whose id begins with 0 to 3 is refused: its start returns an error, and the job fails.",
			},
			{
				py:     "jobs = [start_job(uuid4().hex, sem) for _ in range(6)]",
				golang: "jobs, _ := s.SubmitBatch(6, time.Millisecond)",
				say:    "Queue six jobs at once, each with a 1 ms delay.",
				do:     limitSubmit,
			},
			{
				py:     "results = await asyncio.gather(*jobs, return_exceptions=True)",
				golang: "_, err := sched.Gather(context.Background(), jobs...)",
				say:    "Wait for all six: they start two at a time, so it takes three rounds of 200 ms.",
				do:     limitGather,
			},
			{
				py:     "failed = sum(isinstance(result, Exception) for result in results)",
				golang: "if errors.Is(jobErr, sched.ErrFailed) {",
				say:    "Count the failures: Gather's error holds one error per job, at the job's index.",
				do:     limitCount,
			},
		},
	},
	{
		id:      "timeout",
		title:   "Time out a job",
		summary: "Give a job a deadline: a job still waiting when it comes is cancelled, and waiting for it reports the timeout, while a job that starts in time is left alone.",
		example: "ExampleScheduler_WithTimeout",
		steps: []stepDef{
			{
				py:     "await asyncio.wait_for(start_job(uuid4().hex, 3600), timeout=0.05)",
				golang: "ctx, cancel := s.WithTimeout(context.Background(), 50*time.Millisecond)",
				say:    "Make a context that ends 50 ms from now by the scheduler's clock, as wait_for's timeout does.",
			},
			{
				py:     "await asyncio.wait_for(start_job(uuid4().hex, 3600), timeout=0.05)",
				golang: "_, err := s.Run(ctx, time.Hour)",
				say:    "Queue a job that would wait an hour, and wait for it: at the deadline it is still waiting, so it is cancelled.",
				do:     timeoutLate,
			},
			{
				py:     "except TimeoutError:",
				golang: "fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, sched.ErrCancelled))",
				say:    "Check the error: it says both that the deadline passed and that the job was cancelled, as wait_for raises TimeoutError.",
				do:     timeoutCheck,
			},
			{
				py:     "job_id = await asyncio.wait_for(start_job(uuid4().hex, 0.001), timeout=0.05)",
				golang: "ctx, cancel = s.WithTimeout(context.Background(), 50*time.Millisecond)",
				say:    "Make a new 50 ms deadline.",
			},
			{
				py:     "job_id = await asyncio.wait_for(start_job(uuid4().hex, 0.001), timeout=0.05)",
				golang: "rec, err := s.Run(ctx, time.Millisecond)",
				say:    "Queue a job of 1 ms under it: it starts well before the deadline, and nothing is cancelled.",
				do:     timeoutInTime,
			},
		},
	},
	{
		id:      "group",
		title:   "Task group",
		summary: "Wait for six jobs as a group: when one fails, the group cancels the others still waiting, while a plain gather lets them run on.",
		example: "ExampleGroup",
		steps: []stepDef{
			{
				py:     "if delay == 0.01:",
				golang: "if r.Delay == 10*time.Millisecond {",
				say:    "The job with a 10 ms delay fails as it starts: its start is refused.",
			},
			{
				py:     "tasks = [tg.create_task(start_job(uuid4().hex, d)) for d in DELAYS]",
				golang: "jobs := queue()",
				say:    "Six jobs: one of 1 ms, the one of 10 ms that fails, and four of 200 ms.",
			},
			{
				py:     "async with asyncio.TaskGroup() as tg:",
				golang: "_, err := sched.Group(context.Background(), jobs...)",
				say:    "Wait for them as a group: when the 10 ms job fails, the jobs still waiting are cancelled; a start already under way would run to its end, where asyncio interrupts a task at its next await.",
				do:     groupWait,
			},
			{
				py:     "tasks = [asyncio.create_task(start_job(uuid4().hex, d)) for d in DELAYS]",
				golang: "jobs = queue()",
				say:    "The same six jobs again.",
			},
			{
				py:     "await asyncio.gather(*tasks, return_exceptions=True)",
				golang: "_, err = sched.Gather(context.Background(), jobs...)",
				say:    "Gather them as in lesson 3: the failure cancels nothing, and the four others start at 200 ms.",
				do:     groupGather,
			},
		},
	},
	{
		id:      "completed",
		title:   "As they finish",
		summary: "Queue three jobs of 30, 10 and 20 ms, and take their records as they finish: first the job that started first, whatever the order they were queued in.",
		example: "ExampleCompleted",
		steps: []stepDef{
			{
				py:     "jobs = [start_job(uuid4().hex, delay) for delay in (0.03, 0.01, 0.02)]",
				golang: "job, _ := s.Submit(d * time.Millisecond)",
				say:    "Three jobs, of 30, 10 and 20 ms, in that order.",
			},
			{
				py:     "for next_done in asyncio.as_completed(jobs):",
				golang: "for rec, err := range sched.Completed(context.Background(), jobs...) {",
				say:    "Queue them, and loop over them in the order they finish, not the order they were queued.",
				do:     completedLoop,
			},
			{
				py:     "record = await next_done",
				golang: `fmt.Println("started after", rec.Delay)`,
				say:    "Each record comes as soon as its job has started: the shortest delay first.",
				do:     completedTimes,
			},
		},
	},
	{
		id:       "blocked",
		title:    "A blocked loop",
		summary:  "One start that computes for 50 ms without waiting makes every other job late, because this page has one thread for all of Go; a start that waits on the clock instead keeps them on time.",
		realTime: "This lesson runs in real time only: virtual time does not move while code computes, so it could not show the jobs made late.",
		example:  "ExampleScheduler_Start_blocked",
		steps: []stepDef{
			{
				py:     "time.sleep(0.05)",
				golang: "spin(50 * time.Millisecond)",
				say:    "The bug: the start of the job of 1 ms computes for 50 ms and never waits, as time.sleep does in a coroutine.",
			},
			{
				py:     "await asyncio.sleep(0.05)",
				golang: "<-clockwork.FromContext(ctx).After(50 * time.Millisecond)",
				say:    "The fix: the start of the job of 2 ms waits 50 ms on the clock, which lets everything else run meanwhile.",
			},
			{
				py:     "blocked = await queue(0.001)",
				golang: "blocked := queue(time.Millisecond)",
				say:    "Run the bug: the slow job, and 100 others.",
				do:     blockedBug,
			},
			{
				py:     "fixed = await queue(0.002)",
				golang: "fixed := queue(2 * time.Millisecond)",
				say:    "Run the fix the same way.",
				do:     blockedFix,
			},
			{
				py:     `print(len(blocked), "and", len(fixed), "started")`,
				golang: `fmt.Println(len(blocked), "and", len(fixed), "started")`,
				say:    "Natively, Go pauses a busy goroutine every 10 ms or so.",
				do:     blockedNative,
			},
		},
	},
}
