package lesson

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// result is what one run of a lesson told and did.
type result struct {
	err   error
	shown []Progress
	paced []int
	jobs  []string // the ids of the jobs queued, in order
	final map[string]sched.State
}

// runLesson runs lesson id on s (configured for it here unless s has a
// start function) with pace, and
// records what Run showed and which jobs s saw.
func runLesson(t *testing.T, id string, s *sched.Scheduler, pace func(context.Context, int) error) result {
	t.Helper()
	ctx := context.Background()
	return runLessonCtx(t, ctx, id, s, pace)
}

func runLessonCtx(t *testing.T, ctx context.Context, id string, s *sched.Scheduler, pace func(context.Context, int) error) result {
	t.Helper()
	l, ok := ByID(id)
	if !ok {
		t.Fatalf("no lesson %q", id)
	}
	if s.Start == nil { // else the test has configured it, and wraps its start
		Configure(l, s)
	}
	sub := s.Subscribe()
	defer sub.Close()
	var r result
	r.err = Run(ctx, l, s, func(ctx context.Context, step int) error {
		r.paced = append(r.paced, step)
		if pace != nil {
			return pace(ctx, step)
		}
		return nil
	}, func(p Progress) { r.shown = append(r.shown, p) })
	r.final = map[string]sched.State{}
	for _, e := range sub.Drain(nil) {
		if jobs := e.Jobs(); jobs != nil { // jobs of a batch, in one event
			for _, j := range jobs {
				switch {
				case e.Record.State == sched.Queued:
					r.jobs = append(r.jobs, j.ID())
				case e.Record.State.Final():
					r.final[j.ID()] = e.Record.State
				}
			}
			continue
		}
		if e.Record.State == sched.Queued && !slices.Contains(r.jobs, e.Record.ID) {
			r.jobs = append(r.jobs, e.Record.ID)
		}
		if e.Record.State.Final() {
			r.final[e.Record.ID] = e.Record.State
		}
	}
	return r
}

// checkShown checks that a full run showed every step in order: its
// beginning, then its note if it has an action, and Done at the end.
func checkShown(t *testing.T, id string, r result) {
	t.Helper()
	d, _ := def(id)
	var want []string
	for i, st := range d.steps {
		want = append(want, fmt.Sprintf("step %d", i))
		if st.do != nil {
			want = append(want, fmt.Sprintf("step %d: note", i))
		}
	}
	want = append(want, fmt.Sprintf("step %d: done", len(d.steps)-1))
	var got []string
	for _, p := range r.shown {
		s := fmt.Sprintf("step %d", p.Step)
		switch {
		case p.Done && p.Note == "":
			s += ": done"
		case p.Done:
			s += ": done with a note"
		case p.Note != "":
			s += ": note"
		}
		got = append(got, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("lesson %s showed %q, want %q", id, got, want)
	}
	if wantPaced := seq(len(d.steps)); !slices.Equal(r.paced, wantPaced) {
		t.Errorf("lesson %s paced steps %v, want %v", id, r.paced, wantPaced)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func notes(r result) string {
	var b strings.Builder
	for _, p := range r.shown {
		if p.Note != "" {
			b.WriteString(p.Note + "\n")
		}
	}
	return b.String()
}

var idLike = regexp.MustCompile(`\b[0-9a-f]{8}(?:[0-9a-f]{24})?\b`)

// checkIDs checks that the notes name the lesson's jobs by their actual
// ids, and name no other.
func checkIDs(t *testing.T, id string, r result) {
	t.Helper()
	text := notes(r)
	wantJobs := map[string]int{
		"await": 1, "cancel": 2, "gather": batchSize, "limit": limitJobs,
		"timeout": 2, "group": 2 * len(groupDelays), "completed": len(completedDelays), "blocked": 2 * (1 + blockedOthers),
	}[id]
	if len(r.jobs) != wantJobs {
		t.Fatalf("lesson %s queued %d jobs, want %d", id, len(r.jobs), wantJobs)
	}
	var mention []string
	switch id {
	case "limit":
		mention = r.jobs
	case "timeout": // the job that starts in time
		mention = r.jobs[1:]
	case "group": // the jobs that fail, one a round
		mention = []string{r.jobs[1], r.jobs[len(groupDelays)+1]}
	case "completed", "blocked": // the notes are about delays and lateness
	default:
		mention = []string{r.jobs[0], r.jobs[len(r.jobs)-1]}
	}
	for _, j := range mention {
		if !strings.Contains(text, j[:8]) {
			t.Errorf("lesson %s: the notes do not name job %s:\n%s", id, j[:8], text)
		}
	}
	for _, tok := range idLike.FindAllString(text, -1) {
		if !slices.ContainsFunc(r.jobs, func(j string) bool { return j == tok || j[:8] == tok }) {
			t.Errorf("lesson %s: the notes name %s, which is no job's id", id, tok)
		}
	}
}

// TestRunRealClock runs every lesson on a scheduler on the real clock.
func TestRunRealClock(t *testing.T) {
	for _, l := range All() {
		t.Run(l.ID, func(t *testing.T) {
			var s sched.Scheduler
			defer s.Close()
			r := runLesson(t, l.ID, &s, nil)
			if r.err != nil {
				t.Fatalf("Run: %v", r.err)
			}
			checkShown(t, l.ID, r)
			checkIDs(t, l.ID, r)
			t.Logf("%s", notes(r))
		})
	}
}

// TestRunVirtualTime runs every lesson in a synctest bubble, where every
// wait is exact, so the notes can be checked to the digit.
func TestRunVirtualTime(t *testing.T) {
	want := map[string][]string{
		"await": {
			"started 1.0 ms after it was queued, for a delay of 1.0 ms.",
			"rec.Valid() is true: job ",
			"was queued 1.0 ms before it started, at least its delay.",
		},
		"cancel": {
			"is queued, to start in 1h.",
			"job.Cancel(nil) returned true: this call cancelled job ",
			"job.Cancel(nil) returned false: job ",
			"was already cancelled.",
			`job.Wait returned the error "sched: job `,
			"errors.Is(err, sched.ErrCancelled) is true, and job.Cancelled() is true for job ",
			"quick.Cancel(nil) returned false: job ",
			"had started, 1.0 ms after it was queued, and stays started.",
		},
		"gather": {
			"10 jobs queued at one instant, from ",
			"All 10 jobs started, the last 1.0 ms after they were queued.",
			"10 of 10 records are valid and in order",
			"10 records for 10 jobs.",
		},
		"limit": {
			"This scheduler's Limit is 2: at most 2 starts run at once.",
			"All 6 jobs are done, 601.0 ms after they were queued: 6 starts of 200.0 ms, 2 at a time, take 3 rounds.",
			"4 started, 2 failed: ",
		},
		"timeout": {
			"The job was cancelled at the 50 ms deadline: context deadline exceeded.",
			"errors.Is(err, context.DeadlineExceeded) is true, and errors.Is(err, sched.ErrCancelled) is true.",
			"started 1.0 ms after it was queued, 49.0 ms before its deadline: nothing was cancelled.",
		},
		"group": {
			"failed at 10.0 ms (refused), so the group cancelled the 4 jobs still waiting; 1 had started before.",
			"Gather cancelled nothing: job ",
			"failed, 5 others started, the last after 200.0 ms, and 0 were cancelled.",
		},
		"completed": {
			"Records arrived 10, 20, 30 ms, not in the order submitted (30, 10, 20).",
			"They started in that order: the job of 10 ms after 10.0 ms, the job of 20 ms after 20.0 ms and the job of 30 ms after 30.0 ms.",
		},
	}
	for _, l := range All() {
		t.Run(l.ID, func(t *testing.T) {
			if l.RealTime != "" {
				// Its start computes, which takes no time in a bubble:
				// it would never end.
				t.Skip("lesson " + l.ID + " runs in real time only: " + l.RealTime)
			}
			synctest.Test(t, func(t *testing.T) {
				var s sched.Scheduler
				defer s.Close()
				r := runLesson(t, l.ID, &s, nil)
				if r.err != nil {
					t.Fatalf("Run: %v", r.err)
				}
				checkShown(t, l.ID, r)
				checkIDs(t, l.ID, r)
				text := notes(r)
				for _, w := range want[l.ID] {
					if !strings.Contains(text, w) {
						t.Errorf("the notes do not say %q:\n%s", w, text)
					}
				}
			})
		})
	}
}

// TestCancelAfterStartChangesNothing runs lesson "cancel" in virtual time
// and watches its jobs: the hour-long one ends cancelled, and the quick
// one, cancelled after it started, stays started, with nothing after its
// start; the last note says so, with its id.
func TestCancelAfterStartChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		sub := s.Subscribe()
		defer sub.Close()
		r := runLesson(t, "cancel", &s, nil)
		if r.err != nil {
			t.Fatalf("Run: %v", r.err)
		}
		if len(r.jobs) != 2 {
			t.Fatalf("lesson cancel queued %d jobs, want 2", len(r.jobs))
		}
		long, quick := r.jobs[0], r.jobs[1]
		if r.final[long] != sched.Cancelled || r.final[quick] != sched.Started {
			t.Errorf("the jobs ended %v and %v, want cancelled and started", r.final[long], r.final[quick])
		}
		var after []sched.State // the quick job's states from its start on
		for _, e := range sub.Drain(nil) {
			if e.Record.ID == quick && (len(after) > 0 || e.Record.State == sched.Started) {
				after = append(after, e.Record.State)
			}
		}
		if !slices.Equal(after, []sched.State{sched.Started}) {
			t.Errorf("job %s went through %v from its start, want started and nothing after", quick[:8], after)
		}
		if c := s.Counts(); c.Started != 1 || c.Cancelled != 1 || c.Total() != 2 {
			t.Errorf("Counts() = %+v, want one started and one cancelled", c)
		}
		last := r.shown[len(r.shown)-2] // before Done
		want := fmt.Sprintf("quick.Cancel(nil) returned false: job %s had started, 1.0 ms after it was queued, and stays started.", quick[:8])
		if d, _ := def("cancel"); last.Step != len(d.steps)-1 || last.Note != want {
			t.Errorf("the last note is %+v, want step %d saying %q", last, len(d.steps)-1, want)
		}
	})
}

// TestCancelAfterStartRefusesACancel checks that the step fails, saying
// what happened, if Cancel on a started job returned true or changed its
// state: the page must not teach what did not happen.
func TestCancelAfterStartRefusesACancel(t *testing.T) {
	rec := sched.Record{ID: "1a2b3c4d5e6f708192a3b4c5d6e7f809", State: sched.Started}
	for _, c := range []struct {
		ok    bool
		state sched.State
		note  string
	}{
		{true, sched.Cancelled, "quick.Cancel(nil) returned true: job 1a2b3c4d, which had started, is now cancelled."},
		{true, sched.Started, "quick.Cancel(nil) returned true: job 1a2b3c4d, which had started, is now started."},
		{false, sched.Cancelled, "quick.Cancel(nil) returned false: job 1a2b3c4d, which had started, is now cancelled."},
	} {
		note, err := cancelledAfterStart(rec, c.ok, c.state)
		if err == nil || note != c.note {
			t.Errorf("Cancel returned %t, state %v: note %q, error %v; want %q and an error", c.ok, c.state, note, err, c.note)
		}
	}
	if note, err := cancelledAfterStart(rec, false, sched.Started); err != nil || !strings.Contains(note, "returned false") {
		t.Errorf("Cancel returned false, state started: note %q, error %v; want no error", note, err)
	}
}

// TestCancelAfterStartNeedsAStart runs lesson "cancel" on a scheduler
// whose starts fail: the quick job never starts, and the run stops at the
// last step with the job's error rather than claim it started.
func TestCancelAfterStartNeedsAStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := sched.Scheduler{Start: func(context.Context, sched.Record) error { return errRefused }}
		defer s.Close()
		r := runLesson(t, "cancel", &s, nil)
		d, _ := def("cancel")
		if !errors.Is(r.err, sched.ErrFailed) || !strings.Contains(r.err.Error(), fmt.Sprintf("step %d", len(d.steps)-1)) {
			t.Fatalf("Run returned %v, want the quick job's failure at the last step", r.err)
		}
		if text := notes(r); !strings.Contains(text, "did not start.") || strings.Contains(text, "stays started") {
			t.Errorf("the notes do not say the job did not start:\n%s", text)
		}
	})
}

// TestContextEndsBeforeQuickStarts ends the run's context while lesson
// "cancel" waits for its quick job: Run returns the cause, and the job,
// still queued, is cancelled rather than left to start.
func TestContextEndsBeforeQuickStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		cause := errors.New("the page was closed")
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		d, _ := def("cancel")
		r := runLessonCtx(t, ctx, "cancel", &s, func(_ context.Context, step int) error {
			if step == len(d.steps)-1 { // half way through the quick job's delay
				time.AfterFunc(delaySmall/2, func() { cancel(cause) })
			}
			return nil
		})
		if !errors.Is(r.err, cause) {
			t.Fatalf("Run returned %v, want the context's cause", r.err)
		}
		if c := s.Counts(); c.Queued != 0 || c.Started != 0 || c.Cancelled != 2 {
			t.Errorf("Counts() = %+v: want both jobs cancelled, none queued or started", c)
		}
	})
}

// TestLimitOverlapAndFailures runs lesson "limit" in virtual time and
// watches its starts: at most two at once, and the jobs that fail are
// those the rule refuses, as many as the Example's output says.
func TestLimitOverlapAndFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		l, _ := ByID("limit")
		Configure(l, &s)
		var mu sync.Mutex
		running, most, calls := 0, 0, 0
		start := s.Start
		s.Start = func(ctx context.Context, r sched.Record) error {
			mu.Lock()
			running, calls = running+1, calls+1
			most = max(most, running)
			mu.Unlock()
			defer func() {
				mu.Lock()
				running--
				mu.Unlock()
			}()
			return start(ctx, r)
		}
		began := time.Now()
		r := runLesson(t, "limit", &s, nil)
		if r.err != nil {
			t.Fatalf("Run: %v", r.err)
		}
		if took := time.Since(began); took != limitJobs/limitSlots*limitStart+delaySmall {
			t.Errorf("the run took %v of virtual time, want %v", took, limitJobs/limitSlots*limitStart+delaySmall)
		}
		if calls != limitJobs || most != limitSlots {
			t.Errorf("%d starts, at most %d at once: want %d, at most %d", calls, most, limitJobs, limitSlots)
		}
		started, failed := 0, 0
		for _, id := range r.jobs {
			want := sched.Started
			if id < "4" {
				want = sched.Failed
			}
			if r.final[id] != want {
				t.Errorf("job %s ended %v, want %v", id, r.final[id], want)
			}
			switch r.final[id] {
			case sched.Started:
				started++
			case sched.Failed:
				failed++
			}
		}
		output := fmt.Sprintf("// Output: %d started, %d failed", started, failed)
		if l.Go[len(l.Go)-1] != output {
			t.Errorf("the run gave %q, the Example says %q", output, l.Go[len(l.Go)-1])
		}
		if !strings.Contains(notes(r), fmt.Sprintf("%d started, %d failed", started, failed)) {
			t.Errorf("the notes do not count %d started, %d failed:\n%s", started, failed, notes(r))
		}
	})
}

// TestConfigureKeepsRand checks that Configure leaves a scheduler's own
// Rand alone, and touches no other lesson's scheduler.
func TestConfigureKeepsRand(t *testing.T) {
	for _, l := range All() {
		var s sched.Scheduler
		own := strings.NewReader("")
		s.Rand = own
		Configure(l, &s)
		if s.Rand != own {
			t.Errorf("Configure(%s) replaced the scheduler's Rand", l.ID)
		}
		if s.Start != nil != needsStart[l.ID] || (s.Limit != 0) != (l.ID == "limit") {
			t.Errorf("Configure(%s): Start set %t, Limit %d", l.ID, s.Start != nil, s.Limit)
		}
	}
}

// inTime runs f in a testing/synctest bubble, where every wait is exact
// and takes no time, or, for a lesson that runs in real time only, whose
// start computes (in a bubble, time.Now would never move), as it is.
func inTime(t *testing.T, l Lesson, f func(t *testing.T)) {
	t.Helper()
	if l.RealTime != "" {
		f(t)
		return
	}
	synctest.Test(t, f)
}

// TestPaceStops stops every lesson before each of its steps: Run returns
// pace's error, shows nothing more, and leaves no job of its queued.
func TestPaceStops(t *testing.T) {
	stop := errors.New("stopped by the page")
	for _, l := range All() {
		for k := range l.Steps {
			t.Run(fmt.Sprintf("%s/before%d", l.ID, k), func(t *testing.T) {
				inTime(t, l, func(t *testing.T) {
					var s sched.Scheduler
					defer s.Close()
					r := runLesson(t, l.ID, &s, func(_ context.Context, step int) error {
						if step == k {
							return stop
						}
						return nil
					})
					if r.err != stop {
						t.Fatalf("Run returned %v, want pace's error itself", r.err)
					}
					for _, p := range r.shown {
						if p.Step >= k || p.Done {
							t.Errorf("showed %+v after pace stopped the run before step %d", p, k)
						}
					}
					if c := s.Counts(); c.Queued != 0 {
						t.Errorf("the run left %d jobs queued: %+v", c.Queued, c)
					}
					for _, id := range r.jobs {
						if _, ok := r.final[id]; !ok {
							t.Errorf("job %s did not reach a final state", id)
						}
					}
				})
			})
		}
	}
}

// TestContextEnds ends the run's context while lesson "limit" gathers:
// Run returns its cause, and the jobs not yet starting are cancelled.
func TestContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		defer s.Close()
		cause := errors.New("the page was closed")
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		r := runLessonCtx(t, ctx, "limit", &s, func(_ context.Context, step int) error {
			if step == 4 { // Gather: end the context in the second round
				time.AfterFunc(300*time.Millisecond, func() { cancel(cause) })
			}
			return nil
		})
		if !errors.Is(r.err, cause) {
			t.Fatalf("Run returned %v, want the context's cause", r.err)
		}
		if c := s.Counts(); c.Queued != 0 || c.Starting != 0 || c.Cancelled != 2 || c.Started+c.Failed != 4 {
			t.Errorf("Counts() = %+v: want the four starts begun finished and the last two cancelled", c)
		}
		for _, p := range r.shown {
			if p.Done {
				t.Error("showed Done after the context ended")
			}
		}
	})
}

// TestRunRefuses checks what Run refuses before it shows anything.
func TestRunRefuses(t *testing.T) {
	var s sched.Scheduler
	defer s.Close()
	limit, _ := ByID("limit")
	await, _ := ByID("await")
	called := false
	pace := func(context.Context, int) error { called = true; return nil }
	show := func(Progress) { called = true }
	for _, c := range []struct {
		name string
		ctx  context.Context
		l    Lesson
		s    *sched.Scheduler
	}{
		{"unknown lesson", context.Background(), Lesson{ID: "nope"}, &s},
		{"limit without Configure", context.Background(), limit, &s},
		{"nil scheduler", context.Background(), await, nil},
		{"nil context", nil, await, &s},
	} {
		if err := Run(c.ctx, c.l, c.s, pace, show); err == nil {
			t.Errorf("%s: Run returned nil", c.name)
		}
	}
	if called {
		t.Error("Run paced or showed before refusing")
	}
	if c := s.Counts(); c.Total() != 0 {
		t.Errorf("Run queued jobs before refusing: %+v", c)
	}
}
