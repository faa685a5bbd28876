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
// counts, the timeline, and the slider that goes back in time.
func (p *page) renderRun() goapp.UI {
	s := p.sess
	t := p.viewTime()
	return goapp.Div().Role("region").ID("run").Class("panel right").Aria("labelledby", "run-h").Body(
		goapp.Raw(`<h2 id="run-h" class="visually-hidden">The run</h2>`),
		p.renderTime(),
		goapp.P().ID("say").Class("say").Role("status").Text(p.say),
		goapp.Raw(p.countsHTML(t)),
		goapp.Div().ID("timeline-box").Class("timeline-box").Body(goapp.Raw(p.chartHTML(t))),
		p.renderScrub(t),
		goapp.Raw(p.latenessHTML(t)),
		goapp.If(s.hist.Dropped() > 0, goapp.P().ID("history-cap").Class("note").Text(fmt.Sprintf(
			"This run has more than %s jobs: the history keeps the first %s (the browser never gives memory back), so going back in time shows only those. The counts and records include every job. Reset to start a new run.",
			count(s.hist.Limit()), count(s.hist.Limit())))),
	)
}

// viewTime is the instant the run view shows: now, or the one scrubbed to.
func (p *page) viewTime() time.Time {
	if !p.scrubAt.IsZero() {
		return p.scrubAt
	}
	return p.sess.now()
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
		p.reset("")
		if virtual {
			p.say = "Virtual time: a new run on a clock that moves only when you say. It is paused: press Play, Step or Next due. Nothing is late in virtual time."
		} else {
			p.say = "Real time: a new run on the browser's clock, which shows how late its timers really are."
		}
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
	if t, ok := p.sess.run.S.NextDue(); ok {
		p.sess.send(timeCmd{kind: cmdNextDue})
		p.say = "Jumped to the next due job, at +" + formatDuration(t.Sub(originOf(p.sess))) + ": it starts at once, however long its delay."
	} else {
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
}

// countsHTML shows how many jobs are in each state at t.
func (p *page) countsHTML(t time.Time) string {
	s := p.sess
	var c [5]int
	total := s.store.total()
	if p.scrubAt.IsZero() {
		for _, si := range states {
			c[si.State] = s.store.count(si.State)
		}
	} else {
		c = s.hist.CountsAt(t)
		total = 0
		for _, n := range c {
			total += n
		}
	}
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

// chartHTML is lanes for a few jobs, or for many the states over time and
// the lateness histogram. Those read every job, so while a big run changes
// they are drawn again at most every chartEvery, not every frame: the
// page's drawing shares the thread that starts the jobs.
func (p *page) chartHTML(t time.Time) string {
	h := p.sess.hist
	if h.Len() <= maxLanes {
		n := maxLanes
		if p.width < narrow {
			n = narrowLanes
		}
		return lanesSVG(h, h.Recent(n, t), t, p.width)
	}
	return p.chart.get(p, func() string {
		// One root element: go-app's Raw shows only the first.
		return `<div class="charts">` + areaSVG(h, t, p.width) + histogramSVG(history.LatenessAt(h, t), p.width) + `</div>`
	})
}

// A part of the page that reads every job (the aggregate charts, the
// records) is drawn at most every slowDraw while a run of bigRun jobs or
// more changes: the page's drawing shares the thread that starts the jobs,
// and a 100,000-job batch would otherwise spend most of its frames
// redrawing them.
const (
	bigRun   = 2000
	slowDraw = 250 * time.Millisecond
)

// slowPart is such a part as last drawn.
type slowPart struct {
	html  string
	drawn time.Time
	sess  *session
	width int
}

// get returns the part as last drawn while the run is busy, else draws it
// again.
func (c *slowPart) get(p *page, draw func() string) string {
	busy := p.scrubAt.IsZero() && p.waiting.Load() && p.sess.store.total() >= bigRun
	if busy && c.sess == p.sess && c.width == p.width && time.Since(c.drawn) < slowDraw {
		return c.html
	}
	*c = slowPart{html: draw(), drawn: time.Now(), sess: p.sess, width: p.width}
	return c.html
}

func (p *page) renderScrub(t time.Time) goapp.UI {
	s := p.sess
	first, now := s.hist.First(), s.now()
	val := scrubSteps
	if !p.scrubAt.IsZero() && now.After(first) {
		val = int(float64(p.scrubAt.Sub(first)) / float64(now.Sub(first)) * scrubSteps)
	}
	at := "now"
	if !p.scrubAt.IsZero() {
		at = "+" + formatDuration(p.scrubAt.Sub(originOf(s))) + " (the past)"
	}
	// Back to now is always there, so that focus never falls from it to
	// the page when it has nothing to do.
	return goapp.Div().Class("scrub row").Body(
		labelFor("scrub", "History"),
		slider("scrub", scrubSteps, val, at, p.onScrub).Disabled(s.hist.Len() == 0).Aria("describedby", "scrub-at"),
		para("scrub-at", "hint", at).DataSet("past", !p.scrubAt.IsZero()),
		button("scrub-now", "secondary", "Back to now", p.onScrubNow).Aria("disabled", p.scrubAt.IsZero()),
	)
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
		return
	}
	first, now := s.hist.First(), s.now()
	p.scrubAt = first.Add(time.Duration(float64(now.Sub(first)) * float64(v) / scrubSteps))
	p.say = "Looking back at +" + formatDuration(p.scrubAt.Sub(originOf(s))) + ": every job as it was then. New actions are off until you return to now."
}

func (p *page) onScrubNow(ctx goapp.Context, e goapp.Event) {
	p.scrubAt = time.Time{}
	p.say = "Back to now."
}

// latenessHTML shows the lateness figures with what explains them.
func (p *page) latenessHTML(t time.Time) string {
	s := p.sess
	p50, p99, n := "—", "—", s.store.late.len()
	if d, ok := s.store.late.percentile(50); ok {
		p50 = formatDuration(d)
	}
	if d, ok := s.store.late.percentile(99); ok {
		p99 = formatDuration(d)
	}
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
