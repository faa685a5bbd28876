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

// lessonView is the state of the lesson shown.
type lessonView struct {
	lessonStep    int // the step running, -1 before the first
	lessonRunning bool
	lessonDone    bool
	lessonErr     string
	manual        bool          // wait for "Next line" at every line
	nextLine      chan struct{} // to the running lesson: go on
}

func (v *lessonView) clear() {
	v.lessonStep, v.lessonRunning, v.lessonDone, v.lessonErr = -1, false, false, ""
}

// dwell is how long a running lesson shows each line before the next,
// unless the visitor moves on with "Next line". It paces the reading,
// not the jobs: those run on the run's clock.
const dwell = 1500 * time.Millisecond

func (p *page) renderLesson() goapp.UI {
	l, ok := lesson.ByID(p.tab)
	if !ok {
		return goapp.P().Text("No such lesson.")
	}
	step := p.lessonStep
	if !p.scrubAt.IsZero() {
		step = p.sess.stepAt(p.scrubAt)
	}
	pyLine, goLine, sayLine := -1, -1, l.Summary+" Press Run lesson."
	if step >= 0 && step < len(l.Steps) {
		pyLine, goLine, sayLine = l.Steps[step].Python, l.Steps[step].Go, l.Steps[step].Say
	}
	runLabel := "Run lesson"
	if p.lessonRunning {
		runLabel = "Run again"
	}
	// Next line is always enabled, so that focus never falls from it to the
	// page when the lesson ends; it says when there is nothing to go on to.
	return goapp.Div().Role("region").ID("lesson").Class("panel left").Aria("labelledby", "lesson-h").
		DataSet("running", p.lessonRunning).DataSet("done", p.lessonDone).DataSet("error", p.lessonErr).Body(
		goapp.Raw(heading("lesson-h", l.Title)),
		para("lesson-summary", "explain", l.Summary),
		goapp.Div().Class("row lesson-controls").Body(
			button("lesson-run", "", runLabel, p.onRunLesson),
			button("lesson-next", "secondary", "Next line", p.onNextLine).Aria("disabled", !p.lessonRunning),
			choice("checkbox", "lesson-manual", "", "Wait for Next line", p.manual, p.onManual),
			goapp.Div().Class("langs").Role("group").Aria("label", "Listing shown").Body(
				toggle("lang-python", "pick", "Python", p.lang == "python", p.onLang("python")),
				toggle("lang-go", "pick", "Go", p.lang == "go", p.onLang("go")),
			),
		),
		goapp.Raw(listingsHTML(l, p.lang, pyLine, goLine)),
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

func (p *page) onLang(lang string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) { p.lang = lang }
}

func (p *page) onManual(ctx goapp.Context, e goapp.Event) {
	p.manual = ctx.JSSrc().Get("checked").Bool()
}

func (p *page) onNextLine(ctx goapp.Context, e goapp.Event) {
	if p.nextLine == nil || !p.lessonRunning {
		p.say = "No lesson is running: press Run lesson."
		return
	}
	select {
	case p.nextLine <- struct{}{}:
	default:
	}
}

// onRunLesson runs the lesson's Go code for real, in a new run of its
// own: a line at a time, each shown while it runs.
func (p *page) onRunLesson(ctx goapp.Context, e goapp.Event) {
	l, ok := lesson.ByID(p.tab)
	if !ok {
		return
	}
	p.scrubAt = time.Time{}
	s := p.newSession(play.Settings{Virtual: p.virtual}, func(sc *sched.Scheduler) {
		sc.Rand = nil // a lesson's ids are its own: the Example's, for "limit"
		lesson.Configure(l, sc)
	})
	p.lessonView.clear()
	p.lessonRunning = true
	p.say = "Running the lesson: " + l.Title + "."
	next := make(chan struct{}, 1)
	p.nextLine = next
	pace := pacer(next, p.manual)
	go func() {
		err := lesson.Run(s.ctx, l, s.run.S, pace, p.showStep(s))
		s.after(func() {
			p.lessonRunning, p.lessonDone = false, true
			if err != nil && s.ctx.Err() == nil {
				p.lessonErr = sentence(err)
				p.say = p.lessonErr
			}
		})
	}()
	p.followAddress()
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

// showStep returns what shows a lesson's progress in s: a step as it
// begins, marked at the run's time for the history slider, and a step's
// note once it has run, with the states it is about.
func (p *page) showStep(s *session) func(lesson.Progress) {
	return func(pr lesson.Progress) {
		at := s.now()
		if pr.Done {
			return
		}
		s.after(func() {
			if pr.Note == "" {
				s.marks = append(s.marks, stepMark{at: at, step: pr.Step})
				p.lessonStep = pr.Step
				return
			}
			p.say = pr.Note
		})
	}
}

// stepAt returns the lesson step that was running at t, -1 before the
// first.
func (s *session) stepAt(t time.Time) int {
	step := -1
	for _, m := range s.marks {
		if m.at.After(t) {
			break
		}
		step = m.step
	}
	return step
}
