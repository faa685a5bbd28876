package app

import (
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/internal/play"
)

// scrubSteps is the history slider's resolution.
const scrubSteps = 1000

// runPanel shows the run: the clock's controls, what just happened, the
// counts, the timeline, the slider that goes back in time, and the
// lateness. Every figure comes from the stage's view: one snapshot. Its
// controls change the stage's clock and the instant looked at.
type runPanel struct {
	goapp.Compo
	st       *stage
	isolated bool // the host isolates the page: its clock is finer (see clockNote)
}

func (r *runPanel) OnMount(ctx goapp.Context) {
	r.isolated = goapp.Window().Get("crossOriginIsolated").Truthy()
}

func (r *runPanel) Render() goapp.UI {
	st := r.st
	snap := &st.view.snap
	return goapp.Div().Role("region").ID("run").Class("panel right").Aria("labelledby", "run-h").Body(
		goapp.Raw(`<h2 id="run-h" class="visually-hidden">The run</h2>`),
		r.renderTime(),
		goapp.P().ID("say").Class("say").Role("status").Text(st.say+st.timeHint()),
		goapp.Raw(countsHTML(snap.Counts, snap.Total)),
		goapp.Div().ID("timeline-box").Class("timeline-box").Body(goapp.Raw(st.view.chart)),
		goapp.Raw(legendHTML()),
		r.renderScrub(),
		goapp.Raw(latenessHTML(snap.Late, st.virtual(), r.isolated)),
	)
}

func (r *runPanel) renderTime() goapp.UI {
	st := r.st
	s, virtual := st.sess, st.virtual()
	var clock string
	if virtual {
		clock = "Virtual time +" + formatDuration(s.now().Sub(originOf(s)))
		if !st.playing {
			clock += ", paused."
		} else {
			clock += ", running at " + trimFloat(st.speed()) + "×."
		}
	} else {
		clock = "Real time: jobs wait on the browser's timers."
	}
	playLabel := "Play"
	if st.playing {
		playLabel = "Pause"
	}
	return goapp.Div().ID("time").Class("time").Role("group").Aria("labelledby", "time-h").Body(
		row(
			para("time-h", "time-h", "Time"),
			choice("radio", "time-real", "time", "Real", !virtual, r.onMode(false)),
			choice("radio", "time-virtual", "time", "Virtual", virtual, r.onMode(true)),
			goapp.If(virtual,
				toggle("time-play", "", playLabel, st.playing, r.onPlay),
				button("time-step", "secondary", "Step", r.onStep),
				button("time-next-due", "secondary", "Next due", r.onNextDue),
				labelFor("time-speed", "Speed"),
				slider("time-speed", len(speeds)-1, st.set.Speed, trimFloat(st.speed())+" times", r.onSpeed),
				goapp.Text(trimFloat(st.speed())+"×"),
			),
			button("reset", "secondary", "Reset", r.onReset),
		),
		para("time-now", "hint", clock+" Switching starts a new run.").DataSet("virtual", virtual).
			DataSet("offset-ns", st.offsetNS()),
	)
}

func (r *runPanel) onMode(virtual bool) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		r.st.setMode(virtual)
		r.st.acted()
	}
}

func (r *runPanel) onPlay(ctx goapp.Context, e goapp.Event) {
	r.st.togglePlay()
	r.st.acted()
}

func (r *runPanel) onStep(ctx goapp.Context, e goapp.Event) {
	r.st.step()
	r.st.acted()
}

func (r *runPanel) onNextDue(ctx goapp.Context, e goapp.Event) {
	r.st.nextDue()
	r.st.acted()
}

func (r *runPanel) onSpeed(ctx goapp.Context, e goapp.Event) {
	if i, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil {
		r.st.setSpeed(i)
	}
	r.st.acted()
}

func (r *runPanel) onReset(ctx goapp.Context, e goapp.Event) {
	r.st.reset()
	r.st.tell("The run was reset: no jobs yet.")
	r.st.acted()
}

// countsHTML shows how many jobs were in each state, of total.
func countsHTML(c [5]int, total int) string {
	var w htmlw
	w.open("dl", "id", "counts", "class", "counts")
	for _, si := range states {
		w.open("div", "class", "count "+si.Class, "title", si.Help)
		w.open("dt").elem("span", si.Mark, "class", "mark", "aria-hidden", "true").text(" " + si.Label).close("dt")
		w.elem("dd", count(c[si.State]), "id", "count-"+si.Class)
		w.close("div")
	}
	w.open("div", "class", "count total").elem("dt", "all jobs").elem("dd", count(total), "id", "count-total").close("div")
	w.close("dl")
	return w.String()
}

// scrubValue is where the history slider stands for the stage's instant
// looked at: its right end for now.
func (st *stage) scrubValue() int {
	first, now := st.sess.hist.First(), st.sess.now()
	if st.scrubAt.IsZero() || !now.After(first) {
		return scrubSteps
	}
	return int(float64(st.scrubAt.Sub(first)) / float64(now.Sub(first)) * scrubSteps)
}

func (r *runPanel) renderScrub() goapp.UI {
	st := r.st
	s := st.sess
	at := "now"
	if !st.scrubAt.IsZero() {
		at = "+" + formatDuration(st.scrubAt.Sub(originOf(s))) + " (the past)"
	}
	// Back to now is always there, so that focus never falls from it to
	// the page when it has nothing to do.
	return goapp.Div().Class("scrub row").Body(
		labelFor("scrub", "History"),
		slider("scrub", scrubSteps, st.scrubValue(), at, r.onScrub).Disabled(s.hist.Len() == 0).Aria("describedby", "scrub-at"),
		para("scrub-at", "hint", at).DataSet("past", !st.scrubAt.IsZero()),
		button("scrub-now", "secondary", "Back to now", r.onScrubNow).Aria("disabled", st.scrubAt.IsZero()),
	)
}

// placeSlider puts the history slider where the stage says, once drawn:
// go sets a range's value before its bounds are known, and a browser
// clamps it to the default bound of 100, leaving a slider that says "now"
// at its left end.
func (st *stage) placeSlider() {
	setField("scrub", strconv.Itoa(st.scrubValue()))
}

func (r *runPanel) onScrub(ctx goapp.Context, e goapp.Event) {
	if v, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil {
		r.st.scrubTo(v)
	}
	r.st.acted()
}

func (r *runPanel) onScrubNow(ctx goapp.Context, e goapp.Event) {
	r.st.scrubTo(scrubSteps)
	r.st.acted()
	ctx.Defer(func(goapp.Context) { r.st.placeSlider() })
}

// latenessHTML shows the lateness figures with what explains them: in
// virtual time, or with the clock's grain the host allows (see clockNote).
func latenessHTML(late history.Histogram, virtual, isolated bool) string {
	p50, p99 := percentiles(late)
	n := late.N
	var w htmlw
	w.open("div", "id", "lateness", "class", "lateness")
	w.open("dl", "class", "counts")
	w.open("div", "class", "count").elem("dt", "median lateness").elem("dd", p50, "id", "late-p50").close("div")
	w.open("div", "class", "count").elem("dt", "99th percentile").elem("dd", p99, "id", "late-p99").close("div")
	w.open("div", "class", "count").elem("dt", "over started jobs").elem("dd", count(n), "id", "late-n").close("div")
	w.close("dl")
	if virtual {
		w.elem("p", "In virtual time nothing is late: the clock stops at each due time and the job starts exactly then. "+
			"So a 0 ms job starts at the very instant it was queued, and its record is not valid by the strict check queued < started.", "id", "late-virtual", "class", "explain")
	} else {
		w.open("details", "class", "explain")
		w.elem("summary", "Why are jobs late?")
		w.elem("p", latenessHelp)
		w.elem("p", clockNote(isolated), "id", "clock-note", "data-isolated", strconv.FormatBool(isolated))
		w.close("details")
	}
	w.close("div")
	return w.String()
}

const latenessHelp = "A job never starts before its delay, but the browser adds a little: " +
	"HTML timers are clamped to about 4 ms once five are nested, as a stream of " +
	"Go timers in this page soon is; a hidden tab runs timers at most once a second, " +
	"and once a minute after five minutes. " +
	"The page's own drawing shares the same one thread, so a big batch waits longer still. " +
	"So a 1 ms delay usually waits 1 to 5 ms in a visible tab, and much longer in a hidden one."

// clockNote says how fine time.Now is in the page, which decides the
// smallest lateness it can show: browsers coarsen their clock unless the
// host isolates the page from other sites with two headers (cmd/serve and
// _headers hosts send them; GitHub Pages cannot).
func clockNote(isolated bool) string {
	if isolated {
		return "This page's host isolates it from other sites (cross-origin isolation), " +
			"so the browser lets time.Now here step by 5 µs: lateness shows to within 5 µs."
	}
	return "This page's host does not isolate it from other sites (cross-origin isolation), " +
		"so the browser makes time.Now here step by about 100 µs: lateness under 0.1 ms cannot be seen."
}

// offsetNS is how far a virtual run's clock has gone, for tests to read.
func (st *stage) offsetNS() int64 {
	if !st.virtual() {
		return 0
	}
	return int64(st.sess.now().Sub(play.Origin))
}
