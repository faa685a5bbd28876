package app

import (
	"context"
	"strconv"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/lesson"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// lessonPanel shows the lesson of the stage's tab: its listings, the line
// running, and the buttons that run it. It owns how it shows them (the
// listing on a phone, whether to wait for Next line); the lesson's
// progress is its run's (session.lesson), so that a new run forgets it.
type lessonPanel struct {
	goapp.Compo
	st        *stage
	lang      string // the listing shown on a narrow screen: "python" or "go"
	manual    bool   // wait for "Next line" at every line
	shownStep int    // the step the listings last scrolled to
}

func newLessonPanel(st *stage) *lessonPanel {
	return &lessonPanel{st: st, lang: "go", shownStep: -1}
}

// progress is how far the run of the lesson shown is, nil if the stage's
// run is not that lesson's.
func (lp *lessonPanel) progress() *lessonRun {
	if lr := lp.st.sess.lesson; lr != nil && lr.id == lp.st.set.Tab {
		return lr
	}
	return nil
}

// step is the step the listings show: the one running, or at the instant
// looked at; -1 for none.
func (lp *lessonPanel) step() int {
	lr := lp.progress()
	switch {
	case lr == nil:
		return -1
	case !lp.st.scrubAt.IsZero():
		return lr.stepAt(lp.st.scrubAt)
	}
	return lr.step
}

// dwell is how long a running lesson shows each line before the next,
// unless the visitor moves on with "Next line". It paces the reading,
// not the jobs: those run on the run's clock.
const dwell = 1500 * time.Millisecond

func (lp *lessonPanel) Render() goapp.UI {
	l, ok := lesson.ByID(lp.st.set.Tab)
	if !ok {
		return goapp.P().Text("No such lesson.")
	}
	var lr lessonRun
	if p := lp.progress(); p != nil {
		lr = *p
	}
	step := lp.step()
	// On a phone the summary and why a lesson runs in real time are
	// hidden: the line under the listing says them until the lesson runs.
	pyLine, goLine, sayLine := -1, -1, l.Summary+" Press Run lesson."
	if l.RealTime != "" {
		sayLine = l.Summary + " " + l.RealTime + " Press Run lesson."
	}
	if step >= 0 && step < len(l.Steps) {
		pyLine, goLine, sayLine = l.Steps[step].Python, l.Steps[step].Go, l.Steps[step].Say
	}
	runLabel := "Run lesson"
	if lr.running {
		runLabel = "Run again"
	}
	// Next line is always enabled, so that focus never falls from it to the
	// page when the lesson ends; it says when there is nothing to go on to.
	return goapp.Div().Role("region").ID("lesson").Class("panel left").Aria("labelledby", "lesson-h").
		DataSet("running", lr.running).DataSet("done", lr.done).DataSet("error", lr.err).Body(
		goapp.Raw(heading("lesson-h", l.Title)),
		para("lesson-summary", "explain", l.Summary),
		goapp.If(l.RealTime != "", para("lesson-real-time", "explain", l.RealTime)),
		goapp.Div().Class("row lesson-controls").Body(
			button("lesson-run", "", runLabel, lp.onRunLesson),
			button("lesson-next", "secondary", "Next line", lp.onNextLine).Aria("disabled", !lr.running),
			choice("checkbox", "lesson-manual", "", "Wait for Next line", lp.manual, lp.onManual),
			goapp.Div().Class("langs").Role("group").Aria("label", "Listing shown").Body(
				toggle("lang-python", "pick", "Python", lp.lang == "python", lp.onLang("python")),
				toggle("lang-go", "pick", "Go", lp.lang == "go", lp.onLang("go")),
			),
		),
		goapp.Raw(listingsHTML(l, lp.lang, pyLine, goLine)),
		para("lesson-step", "step-say", sayLine).DataSet("step", step),
	)
}

// listingsHTML shows the Python original beside the Go, with the line of
// the current step marked in both. On a narrow screen only lang shows.
func listingsHTML(l lesson.Lesson, lang string, pyLine, goLine int) string {
	var w htmlw
	w.open("div", "class", "listings", "data-lang", lang)
	listing := func(id, class, caption string, lines []string, cur int) {
		w.open("figure", "id", id, "class", "listing "+class, "data-current", strconv.Itoa(cur))
		w.elem("figcaption", caption)
		// Focusable, as a frame that scrolls must be for the keyboard.
		w.open("pre", "tabindex", "0").open("code")
		for i, line := range lines {
			if i == cur {
				w.open("span", "class", "line current")
				w.elem("span", "current line: ", "class", "visually-hidden")
			} else {
				w.open("span", "class", "line")
			}
			if line == "" {
				line = " "
			}
			w.text(line).close("span")
		}
		w.close("code").close("pre").close("figure")
	}
	listing("listing-python", "python", "Python, asyncio (the original)", l.Python, pyLine)
	listing("listing-go", "go", "Go, package sched (this page)", l.Go, goLine)
	w.close("div")
	return w.String()
}

func (lp *lessonPanel) onLang(lang string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) { lp.lang = lang }
}

func (lp *lessonPanel) onManual(ctx goapp.Context, e goapp.Event) {
	lp.manual = ctx.JSSrc().Get("checked").Bool()
}

func (lp *lessonPanel) onNextLine(ctx goapp.Context, e goapp.Event) {
	lr := lp.progress()
	if lr == nil || !lr.running {
		lp.st.tell("No lesson is running: press Run lesson.")
		lp.st.acted()
		return
	}
	select {
	case lr.next <- struct{}{}:
	default:
	}
}

func (lp *lessonPanel) onRunLesson(ctx goapp.Context, e goapp.Event) {
	lp.run()
	lp.st.acted()
}

// run runs the lesson's Go code for real, in a new run of its own: a line
// at a time, each shown while it runs.
func (lp *lessonPanel) run() {
	st := lp.st
	l, ok := lesson.ByID(st.set.Tab)
	if !ok {
		return
	}
	say := "Running the lesson: " + l.Title + "."
	if l.RealTime != "" && st.virtual() {
		// The page's time is the run's: the lesson's run is in real
		// time, so the page is too, as if its Real time was chosen.
		st.set.Virtual, st.playing = false, false
		say = l.RealTime + " The page is back in real time, and runs the lesson."
	}
	s := st.lessonRun(l)
	lr := s.lesson
	st.tell(say)
	pace := pacer(lr.next, lp.manual)
	go func() {
		err := lesson.Run(s.ctx, l, s.run.S, pace, showStep(st, s))
		s.after(st, func() {
			lr.running, lr.done = false, true
			if err != nil && s.ctx.Err() == nil {
				lr.err = sentence(err)
				st.tell(lr.err)
			}
		})
	}()
}

// lessonRun starts a new run of its own for the lesson l, at now, and
// returns it, not running yet.
func (st *stage) lessonRun(l lesson.Lesson) *session {
	st.scrubAt = time.Time{}
	s := st.newSession(play.Settings{Virtual: st.virtual()}, func(sc *sched.Scheduler) {
		sc.Rand = nil // a lesson's ids are its own: the Example's, for "limit"
		lesson.Configure(l, sc)
	})
	s.lesson = &lessonRun{id: l.ID, step: -1, running: true, next: make(chan struct{}, 1)}
	return s
}

// scrollIfMoved scrolls the listings to their current line once drawn,
// if the lesson moved to another step.
func (lp *lessonPanel) scrollIfMoved(ctx goapp.Context) {
	if step := lp.step(); step != lp.shownStep {
		lp.shownStep = step
		ctx.Defer(func(goapp.Context) { showCurrentLines() })
	}
}

// pacer waits before each step but the first: for a click on Next line,
// or for dwell unless manual.
func pacer(next <-chan struct{}, manual bool) func(ctx context.Context, step int) error {
	return func(ctx context.Context, step int) error {
		if step == 0 {
			return nil
		}
		var auto <-chan time.Time
		if !manual {
			t := time.NewTimer(dwell)
			defer t.Stop()
			auto = t.C
		}
		select {
		case <-next:
		case <-auto:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		return nil
	}
}

// showStep returns what shows the progress of the lesson running in s: a
// step as it begins, marked at the run's time for the history slider, and
// a step's note once it has run, with the states it is about. A step
// begins once its line is drawn.
func showStep(st *stage, s *session) func(lesson.Progress) {
	return func(pr lesson.Progress) {
		at := s.now()
		if pr.Done {
			return
		}
		var shown chan struct{}
		if pr.Note == "" {
			shown = make(chan struct{})
		}
		s.after(st, func() {
			lr := s.lesson
			if pr.Note == "" {
				lr.marks = append(lr.marks, stepMark{at: at, step: pr.Step})
				lr.step = pr.Step
				close(shown)
				return
			}
			if st.sess == s {
				st.tell(pr.Note)
			}
		})
		if shown == nil {
			return
		}
		// The step's calls wait until the page has drawn its line, and
		// what the step before did: drawing shares the page's one thread
		// with the jobs, and would make the step's jobs late.
		select {
		case <-shown:
		case <-s.ctx.Done():
			return
		}
		select {
		case <-paintDone():
		case <-s.ctx.Done():
		}
	}
}
