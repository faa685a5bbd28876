package app

import (
	"fmt"
	"strconv"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/internal/play"
)

// scrubSteps is the history slider's resolution.
const scrubSteps = 1000

// renderRun shows the run: the clock's controls, what just happened, the
// counts, the timeline, and the slider that goes back in time. Every
// figure comes from the page's view: one snapshot.
func (p *page) renderRun() goapp.UI {
	snap := &p.view.snap
	return goapp.Div().Role("region").ID("run").Class("panel right").Aria("labelledby", "run-h").Body(
		goapp.Raw(`<h2 id="run-h" class="visually-hidden">The run</h2>`),
		p.renderTime(),
		goapp.P().ID("say").Class("say").Role("status").Text(p.say+p.timeHint()),
		goapp.Raw(countsHTML(snap.Counts, snap.Total)),
		goapp.Div().ID("timeline-box").Class("timeline-box").Body(goapp.Raw(p.view.chart)),
		goapp.Raw(legendHTML()),
		p.renderScrub(),
		goapp.Raw(p.latenessHTML(snap.Late)),
	)
}

func (p *page) renderTime() goapp.UI {
	s := p.sess
	var clock string
	if p.virtual {
		clock = "Virtual time +" + formatDuration(s.now().Sub(originOf(s)))
		if !p.playing {
			clock += ", paused."
		} else {
			clock += ", running at " + trimFloat(p.speed()) + "×."
		}
	} else {
		clock = "Real time: jobs wait on the browser's timers."
	}
	playLabel := "Play"
	if p.playing {
		playLabel = "Pause"
	}
	return goapp.Div().ID("time").Class("time").Role("group").Aria("labelledby", "time-h").Body(
		row(
			para("time-h", "time-h", "Time"),
			choice("radio", "time-real", "time", "Real", !p.virtual, p.onMode(false)),
			choice("radio", "time-virtual", "time", "Virtual", p.virtual, p.onMode(true)),
			goapp.If(p.virtual,
				toggle("time-play", "", playLabel, p.playing, p.onPlay),
				button("time-step", "secondary", "Step", p.onStep),
				button("time-next-due", "secondary", "Next due", p.onNextDue),
				labelFor("time-speed", "Speed"),
				slider("time-speed", len(speeds)-1, p.speedIdx, trimFloat(p.speed())+" times", p.onSpeed),
				goapp.Text(trimFloat(p.speed())+"×"),
			),
			button("reset", "secondary", "Reset", p.onReset),
		),
		para("time-now", "hint", clock+" Switching starts a new run.").DataSet("virtual", p.virtual).
			DataSet("offset-ns", p.offsetNS()),
	)
}

// originOf is where a run's clock started: the fixed instant of virtual
// time, or the first job in real time.
func originOf(s *session) time.Time {
	if s.run.Clock != nil {
		return play.Origin
	}
	return s.hist.First()
}

func (p *page) onMode(virtual bool) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		if p.virtual == virtual || !p.live() {
			return
		}
		p.virtual, p.playing = virtual, false
		p.reset()
		if virtual {
			p.say = "Virtual time: a new run on a clock that moves only when you say. It is paused: press Play, Step or Next due. Nothing is late in virtual time."
		} else {
			p.say = "Real time: a new run on the browser's clock, which shows how late its timers really are."
		}
		p.followAddress()
	}
}

func (p *page) onPlay(ctx goapp.Context, e goapp.Event) {
	if !p.live() {
		return
	}
	p.playing = !p.playing
	if p.playing {
		p.sess.send(timeCmd{kind: cmdPlay, speed: p.speed()})
		p.say = fmt.Sprintf("Playing at %s×.", trimFloat(p.speed()))
	} else {
		p.sess.send(timeCmd{kind: cmdPause})
		p.say = "Paused."
	}
	p.followAddress()
}

func (p *page) onStep(ctx goapp.Context, e goapp.Event) {
	if !p.live() {
		return
	}
	if t, ok := p.sess.run.NextEvent(); ok {
		p.sess.send(timeCmd{kind: cmdStep})
		p.say = "Stepped to the next event, at +" + formatDuration(t.Sub(originOf(p.sess))) + "."
	} else {
		p.say = "Nothing waits: there is no next event."
	}
}

func (p *page) onNextDue(ctx goapp.Context, e goapp.Event) {
	if !p.live() {
		return
	}
	switch t, ok := p.sess.run.S.NextDue(); {
	case ok:
		p.sess.send(timeCmd{kind: cmdNextDue})
		p.say = "Jumped to the next due job, at +" + formatDuration(t.Sub(originOf(p.sess))) + ": it starts at once, however long its delay."
	case p.sess.run.S.Counts().Queued > 0:
		p.say = "The jobs waiting have reached their delay and wait for a start slot: press Step to go on."
	default:
		p.say = "No job waits for its delay."
	}
}

func (p *page) onSpeed(ctx goapp.Context, e goapp.Event) {
	i, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	if err != nil || i < 0 || i >= len(speeds) {
		return
	}
	p.speedIdx = i
	if p.playing {
		p.sess.send(timeCmd{kind: cmdPlay, speed: p.speed()})
	}
	p.say = fmt.Sprintf("Speed %s×.", trimFloat(p.speed()))
	p.followAddress()
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

// scrubValue is where the history slider stands: its right end for now.
func (p *page) scrubValue() int {
	first, now := p.sess.hist.First(), p.sess.now()
	if p.scrubAt.IsZero() || !now.After(first) {
		return scrubSteps
	}
	return int(float64(p.scrubAt.Sub(first)) / float64(now.Sub(first)) * scrubSteps)
}

func (p *page) renderScrub() goapp.UI {
	s := p.sess
	at := "now"
	if !p.scrubAt.IsZero() {
		at = "+" + formatDuration(p.scrubAt.Sub(originOf(s))) + " (the past)"
	}
	// Back to now is always there, so that focus never falls from it to
	// the page when it has nothing to do.
	return goapp.Div().Class("scrub row").Body(
		labelFor("scrub", "History"),
		slider("scrub", scrubSteps, p.scrubValue(), at, p.onScrub).Disabled(s.hist.Len() == 0).Aria("describedby", "scrub-at"),
		para("scrub-at", "hint", at).DataSet("past", !p.scrubAt.IsZero()),
		button("scrub-now", "secondary", "Back to now", p.onScrubNow).Aria("disabled", p.scrubAt.IsZero()),
	)
}

// placeSlider puts the history slider where the page says, once drawn: go
// sets a range's value before its bounds are known, and a browser clamps it
// to the default bound of 100, leaving a slider that says "now" at its
// left end.
func (p *page) placeSlider() {
	setField("scrub", strconv.Itoa(p.scrubValue()))
}

func (p *page) onScrub(ctx goapp.Context, e goapp.Event) {
	v, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	s := p.sess
	if err != nil || s.hist.Len() == 0 {
		return
	}
	if v >= scrubSteps {
		p.scrubAt = time.Time{}
		p.say = "Back to now."
	} else {
		first, now := s.hist.First(), s.now()
		p.scrubAt = first.Add(time.Duration(float64(now.Sub(first)) * float64(v) / scrubSteps))
		p.say = "Looking back at +" + formatDuration(p.scrubAt.Sub(originOf(s))) + ": every job as it was then. New actions are off until you return to now."
	}
	p.refresh(true)
}

func (p *page) onScrubNow(ctx goapp.Context, e goapp.Event) {
	p.scrubAt = time.Time{}
	p.say = "Back to now."
	p.refresh(true)
	ctx.Defer(func(goapp.Context) { p.placeSlider() })
}

// latenessHTML shows the lateness figures with what explains them.
func (p *page) latenessHTML(late history.Histogram) string {
	p50, p99 := percentiles(late)
	n := late.N
	var w htmlw
	w.open("div", "id", "lateness", "class", "lateness")
	w.open("dl", "class", "counts")
	w.open("div", "class", "count").elem("dt", "median lateness").elem("dd", p50, "id", "late-p50").close("div")
	w.open("div", "class", "count").elem("dt", "99th percentile").elem("dd", p99, "id", "late-p99").close("div")
	w.open("div", "class", "count").elem("dt", "over started jobs").elem("dd", count(n), "id", "late-n").close("div")
	w.close("dl")
	if p.virtual {
		w.elem("p", "In virtual time nothing is late: the clock stops at each due time and the job starts exactly then. "+
			"So a 0 ms job starts at the very instant it was queued, and its record is not valid by the strict check queued < started.", "id", "late-virtual", "class", "explain")
	} else {
		w.open("details", "class", "explain")
		w.elem("summary", "Why are jobs late?")
		w.elem("p", latenessHelp)
		w.elem("p", clockNote(p.isolated), "id", "clock-note", "data-isolated", strconv.FormatBool(p.isolated))
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
func (p *page) offsetNS() int64 {
	if !p.virtual {
		return 0
	}
	return int64(p.sess.now().Sub(play.Origin))
}
