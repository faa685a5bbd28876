package app

import (
	"strconv"
	"sync/atomic"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/lesson"
	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// How much of a run the page draws: the store and the history keep every
// job, the page shows the newest.
const (
	maxRows  = 100
	maxLanes = 24
	// narrowLanes is how many lanes a phone shows, the newest: more would
	// push the timeline below the first screen.
	narrowLanes = 8
)

// freeTab is the tab of free play, beside the lessons'.
const freeTab = "free"

// speeds are the virtual clock's speeds, slowest first.
var speeds = link.Speeds

// page is the whole app: a lesson or free play on the left, the run on
// the right. Its fields belong to the UI goroutine; the page's goroutines
// reach them only through ui.call.
type page struct {
	goapp.Compo

	mountCtx goapp.Context
	ui       *ui // nil until mounted
	sess     *session
	waiting  atomic.Bool // whether a job waits: the pump then ticks

	tab       string // a lesson's id, or freeTab
	lang      string // the listing shown on a narrow screen: "python" or "go"
	virtual   bool
	playing   bool
	speedIdx  int
	scrubAt   time.Time // the instant looked at; zero is now
	width     int       // of the timeline, in CSS pixels
	shownStep int       // the lesson step the listings last showed
	say       string    // what just happened, announced
	dirty     bool      // the page shows something that changed: draw it

	view view // every figure of the run the page shows, from one snapshot

	lessonView

	free  freePlay
	share share

	isolated    bool // the host isolates the page: its clock is finer (see clockNote)
	updateReady bool // a new version of the site is installed, not yet loaded
}

func newPage() goapp.Composer { return &page{} }

// OnInit sets the page up before its first render, in the browser and when
// the static site is generated.
func (p *page) OnInit() {
	p.tab = lesson.All()[0].ID
	p.lang = "go"
	p.width = 640
	p.lessonStep = -1
	p.free.init()
	query := ""
	if goapp.IsClient {
		query = goapp.Window().URL().RawQuery
	}
	p.openLink(query)
	p.newSession(p.settings(), nil)
}

// tabSay is what the status line says on opening tab.
func tabSay(tab string) string {
	if tab == freeTab {
		return "Free play: queue jobs, batches and cancels as you like."
	}
	if l, ok := lesson.ByID(tab); ok {
		if l.ID == lesson.All()[0].ID {
			return "Start with lesson 1: press Run lesson, and watch each line run."
		}
		return "Lesson: " + l.Title + ". Press Run lesson."
	}
	return ""
}

// OnMount starts the run OnInit made. A page rendered ahead of time, when
// the static site is generated, is never mounted, and its run never starts.
func (p *page) OnMount(ctx goapp.Context) {
	p.mountCtx = ctx
	p.ui = &ui{p: p, ctx: ctx, gone: make(chan struct{})}
	w := goapp.Window()
	p.isolated = w.Get("crossOriginIsolated").Truthy()
	// Set by app.js when a new version was installed before the Go program
	// ran, and so before go-app could call OnAppUpdate (cmd/gensite/patch.go).
	p.updateReady = w.Get("wasmschedUpdateReady").Truthy()
	p.measure()
	p.sess.start(p.ui, p.speed(), p.playing)
	p.followAddress() // what a link held that the page ignored leaves the address
}

// OnResize follows the timeline's width, so that it draws at one SVG unit
// a CSS pixel and its text keeps its size on a phone.
func (p *page) OnResize(ctx goapp.Context) {
	p.measure()
	p.refresh(true)
}

func (p *page) measure() {
	if !goapp.IsClient {
		return
	}
	if el := goapp.Window().GetElementByID("timeline-box"); el.Truthy() {
		if w := el.Get("clientWidth").Int(); w > 0 {
			p.width = w
		}
	}
}

// OnAppUpdate is called by go-app when the site's service worker has
// installed a new version: the page offers to load it.
func (p *page) OnAppUpdate(ctx goapp.Context) { p.updateReady = true }

func (p *page) onLoadUpdate(ctx goapp.Context, e goapp.Event) { ctx.Reload() }

// OnDismount ends the run: its jobs would have no page to show them. The
// page's goroutines waiting on the UI goroutine return.
func (p *page) OnDismount() {
	if p.ui != nil {
		close(p.ui.gone)
		p.ui = nil
	}
	if p.sess != nil {
		p.sess.end()
	}
}

// flush ends a change made from one of the page's goroutines: the address
// follows it, and the page is drawn if what it shows changed.
func (p *page) flush() {
	p.followAddress()
	if p.dirty && p.mountCtx != nil {
		p.dirty = false
		p.mountCtx.Dispatch(func(ctx goapp.Context) {
			keepFocus(ctx)
			p.scrollCodeIfMoved(ctx)
			ctx.Defer(func(goapp.Context) { p.placeSlider() })
		})
	}
}

// scrollCodeIfMoved scrolls the listings to their current line once
// drawn, if the lesson moved to another step.
func (p *page) scrollCodeIfMoved(ctx goapp.Context) {
	if p.lessonStep != p.shownStep {
		p.shownStep = p.lessonStep
		ctx.Defer(func(goapp.Context) { showCurrentLines() })
	}
}

// apply brings the run's model up to date with events, at most maxEvents
// jobs' worth, on the UI goroutine, takes a new snapshot of it if it is
// time to, and returns how many events it applied.
func (p *page) apply(events []sched.Event) int {
	s := p.sess
	n := s.hist.Apply(events, maxEvents)
	p.waiting.Store(s.hist.Waiting())
	p.refresh(false)
	return n
}

// settings is the run the page's controls ask for.
func (p *page) settings() play.Settings {
	set := p.free.start
	set.Virtual = p.virtual
	return set
}

func (p *page) speed() float64 { return speeds[p.speedIdx] }

// reset starts a new run with the same settings.
func (p *page) reset() {
	p.newSession(p.settings(), nil)
	p.scrubAt = time.Time{}
	p.share.linkActs, p.share.linkEnd = nil, 0 // a new run is not the link's
	p.free.clearNotes()
	p.lessonView.clear()
}

func (p *page) onReset(ctx goapp.Context, e goapp.Event) {
	p.reset()
	p.say = "The run was reset: no jobs yet."
	p.followAddress()
}

// Render lays the page out: the lessons first, then the lesson or free
// play beside the run, then the records.
func (p *page) Render() goapp.UI {
	// data-mounted tells a script that the app runs and handles clicks.
	return goapp.Div().Class("page").DataSet("mounted", p.mountCtx != nil).Body(
		goapp.Raw(introHTML),
		goapp.Div().Role("main").Body(
			goapp.If(!goapp.IsClient, goapp.P().ID("app-waiting").Class("note").Role("status").
				Text("The controls wake up once the app has loaded.")),
			// Until the app runs the controls are disabled: Enter in a
			// live-looking field of the page rendered ahead of time would
			// submit the form to the server and reload the page.
			goapp.FieldSet().Class("controls").Disabled(!goapp.IsClient).Body(
				p.renderTabs(),
				goapp.Div().Class("stage").Body(
					goapp.If(p.tab == freeTab, p.renderFree()).Else(p.renderLesson()),
					p.renderRun(),
				),
				p.renderRecords(),
			),
		),
		goapp.Raw(footerHTML),
		p.renderUpdate(),
	)
}

// introHTML is the page's title and one line of what it is. Parts that
// never change, and those that only show text, are HTML written as
// strings rather than go-app elements: a string is one call, which the
// browser's parser turns into elements, where each go-app element is Go and
// JavaScript work in the first render.
const introHTML = `<header class="intro">` +
	`<h1>wasmsched: asyncio&#39;s scheduling lessons, in Go, in this page</h1>` +
	`<p>A scheduler starts jobs after a delay. Pick a lesson, press <strong>Run lesson</strong>, and watch the code and the jobs side by side. Everything runs in this tab, in Go compiled to WebAssembly.</p>` +
	`</header>`

const footerHTML = `<footer><p>wasmsched: Go&#39;s runtime, compiled to WebAssembly, schedules every job on this page. Nothing is sent to a server.</p></footer>`

// renderTabs shows the lessons and free play as toggle buttons.
func (p *page) renderTabs() goapp.UI {
	ls := lesson.All()
	items := make([]goapp.UI, 0, len(ls)+1)
	for i, l := range ls {
		items = append(items, toggle("tab-"+l.ID, "tab", "", p.tab == l.ID, p.onTab(l.ID)).
			Body(goapp.Raw(tabLabel(i+1, l))))
	}
	items = append(items, toggle("tab-free", "tab", "Free play", p.tab == freeTab, p.onTab(freeTab)))
	return goapp.Div().Class("tabs").Role("navigation").Aria("label", "Lessons").Body(items...)
}

// shortTitles name the lessons on a phone, where the tabs must fit on one
// line.
var shortTitles = map[string]string{"await": "Await", "cancel": "Cancel", "gather": "Gather", "limit": "Limit"}

// tabLabel is a lesson's tab: its number, and its title, or on a phone its
// short title.
func tabLabel(n int, l lesson.Lesson) string {
	// One root element: go-app's Raw shows only the first.
	var w htmlw
	w.open("span").elem("span", strconv.Itoa(n), "class", "tab-n").text(" ")
	if short, ok := shortTitles[l.ID]; ok {
		w.elem("span", l.Title, "class", "tab-long")
		w.elem("span", short, "class", "tab-short", "aria-hidden", "true")
	} else {
		w.text(l.Title)
	}
	return w.close("span").String()
}

func (p *page) onTab(id string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		if p.tab == id {
			return
		}
		p.tab = id
		p.lessonView.clear()
		p.say = tabSay(id)
		// A lesson's run is its own: free play starts a new run, so that
		// its link and its replay meet no job that no action made.
		if id == freeTab && p.sess.lesson {
			p.reset()
		}
		p.followAddress()
	}
}

// renderUpdate offers a new version of the site. The live region is
// always there, so that a screen reader announces the offer when it comes.
func (p *page) renderUpdate() goapp.UI {
	return goapp.Div().ID("update").Class("update").Role("status").Body(
		goapp.If(p.updateReady,
			goapp.P().Text("A new version of this page is ready."),
			goapp.Button().ID("update-load").Type("button").OnClick(p.onLoadUpdate).Text("Load it"),
		),
	)
}

// keepFocus keeps the keyboard's place across a render that replaces the
// records table: if focus is in a row, it goes back to that row's button,
// or to the row itself once the button is gone, never to the page body.
func keepFocus(ctx goapp.Context) {
	if !goapp.IsClient {
		return
	}
	doc := goapp.Window().Get("document")
	active := doc.Get("activeElement")
	if !active.Truthy() {
		return
	}
	tr := active.Call("closest", "#records tr[data-id]")
	if !tr.Truthy() {
		return
	}
	id := tr.Get("dataset").Get("id").String()
	ctx.Defer(func(goapp.Context) {
		if a := doc.Get("activeElement"); a.Truthy() && !a.Equal(doc.Get("body")) {
			return // still in place
		}
		row := doc.Call("querySelector", `#records tr[data-id="`+id+`"]`)
		switch {
		case !row.Truthy():
			if box := doc.Call("getElementById", "records-box"); box.Truthy() {
				box.Call("focus")
			}
		case row.Call("querySelector", "button").Truthy():
			row.Call("querySelector", "button").Call("focus")
		default:
			row.Call("focus")
		}
	})
}

// showCurrentLines scrolls each listing's frame, not the page, so that its
// current line shows: on a phone a listing is taller than its frame.
func showCurrentLines() {
	if !goapp.IsClient {
		return
	}
	lines := goapp.Window().Get("document").Call("querySelectorAll", ".listing .line.current")
	for i := 0; i < lines.Get("length").Int(); i++ {
		line := lines.Call("item", i)
		pre := line.Call("closest", "pre")
		if !pre.Truthy() {
			continue
		}
		top := line.Get("offsetTop").Float() - pre.Get("offsetTop").Float()
		pre.Set("scrollTop", top-pre.Get("clientHeight").Float()/3)
	}
}
