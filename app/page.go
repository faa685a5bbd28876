package app

import (
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/lesson"
	"github.com/wasmsched/wasmsched/internal/link"
)

// How much of a run the page draws: the history keeps every job, the page
// shows the newest.
const (
	maxRows = 100
	// busyRows is how many records the page shows while a big run is busy
	// (see slowDraw): the box shows about 14, and the browser's layout of
	// the table is most of a draw's time. Measured (make bench-browser, a
	// 100,000-job batch): 20 rows take about 14 ms a draw against 41 ms
	// for 100, and tasks over 50 ms went from 5-11 to 2-4. All maxRows
	// come back once the run is still.
	busyRows = 20
	maxLanes = 24
	// narrowLanes is how many lanes a phone shows, the newest: more would
	// push the timeline below the first screen.
	narrowLanes = 8
)

// freeTab is the tab of free play, beside the lessons'.
const freeTab = "free"

// speeds are the virtual clock's speeds, slowest first.
var speeds = link.Speeds

// page is the whole app: the lessons' tabs, a lesson or free play on the
// left, the run on the right, the records below. It composes the panels,
// each a component with its own state and handlers, over one stage: the
// run they show and change. The page itself owns only which tab shows
// (in the stage's settings, which a link holds) and the offer of a new
// version.
type page struct {
	goapp.Compo

	st      *stage
	mounted goapp.Context // nil until mounted

	lesson  *lessonPanel
	free    *freePanel
	share   *sharePanel
	run     *runPanel
	records *recordsPanel

	updateReady bool // a new version of the site is installed, not yet loaded
	// query is the query string the page opens with outside a browser,
	// which has no address: tests set it.
	query string
}

func newPage() goapp.Composer { return &page{} }

// OnInit sets the page up before its first render, in the browser and when
// the static site is generated: from the address it was opened with.
func (p *page) OnInit() {
	st := newStage()
	query := p.query
	if goapp.IsClient {
		query = goapp.Window().URL().RawQuery
	}
	note := st.open(query)
	form := "one"
	if len(st.brought) > 0 {
		form = "share"
	}
	p.st = st
	p.lesson = newLessonPanel(st)
	p.share = newSharePanel(st, note)
	p.free = newFreePanel(st, p.share, form)
	p.run = &runPanel{st: st}
	p.records = &recordsPanel{st: st}
	st.newSession(st.settings(), nil)
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
	st := p.st
	p.mounted = ctx
	st.ui = &ui{st: st, ctx: ctx, gone: make(chan struct{})}
	st.redraw = p.redraw
	// Set by app.js when a new version was installed before the Go program
	// ran, and so before go-app could call OnAppUpdate (cmd/gensite/patch.go).
	p.updateReady = goapp.Window().Get("wasmschedUpdateReady").Truthy()
	st.resize(timelineWidth())
	st.sess.start(st.ui, st.speed(), st.playing)
	// What a link held that the page ignored leaves the address, and the
	// panels draw at the timeline's width.
	st.dirty = true
	st.acted()
}

// redraw draws the page and its panels, which show the stage: a change to
// it from a click in one panel, or from one of the page's goroutines, may
// change what any of them shows.
func (p *page) redraw() {
	if p.mounted == nil {
		return
	}
	p.mounted.Dispatch(func(ctx goapp.Context) {
		keepFocus(ctx)
		p.lesson.scrollIfMoved(ctx)
		ctx.Defer(func(goapp.Context) { p.st.placeSlider() })
	})
	for _, c := range []goapp.Composer{p.lesson, p.free, p.share, p.run, p.records} {
		if c.Mounted() {
			c.Update()
		}
	}
}

// OnResize follows the timeline's width, so that it draws at one SVG unit
// a CSS pixel and its text keeps its size on a phone.
func (p *page) OnResize(ctx goapp.Context) {
	p.st.resize(timelineWidth())
	p.st.acted()
}

// timelineWidth is the timeline's width in the browser, in CSS pixels; 0
// if unknown.
func timelineWidth() int {
	if !goapp.IsClient {
		return 0
	}
	if el := goapp.Window().GetElementByID("timeline-box"); el.Truthy() {
		return el.Get("clientWidth").Int()
	}
	return 0
}

// OnAppUpdate is called by go-app when the site's service worker has
// installed a new version: the page offers to load it.
func (p *page) OnAppUpdate(ctx goapp.Context) { p.updateReady = true }

func (p *page) onLoadUpdate(ctx goapp.Context, e goapp.Event) { ctx.Reload() }

// OnDismount ends the run: its jobs would have no page to show them. The
// page's goroutines waiting on the UI goroutine return.
func (p *page) OnDismount() {
	st := p.st
	if st.ui != nil {
		close(st.ui.gone)
		st.ui = nil
	}
	p.mounted = nil
	if st.sess != nil {
		st.sess.end()
	}
}

// Render lays the page out: the lessons first, then the lesson or free
// play beside the run, then the records.
func (p *page) Render() goapp.UI {
	// data-mounted tells a script that the app runs and handles clicks.
	return goapp.Div().Class("page").DataSet("mounted", p.mounted != nil).Body(
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
					goapp.If(p.st.set.Tab == freeTab, p.free).Else(p.lesson),
					p.run,
				),
				p.records,
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
		items = append(items, toggle("tab-"+l.ID, "tab", "", p.st.set.Tab == l.ID, p.onTab(l.ID)).
			Body(goapp.Raw(tabLabel(i+1, l))))
	}
	items = append(items, toggle("tab-free", "tab", "", p.st.set.Tab == freeTab, p.onTab(freeTab)).Body(goapp.Raw(freeLabel)))
	return goapp.Div().Class("tabs").Role("navigation").Aria("label", "Lessons").Body(items...)
}

// tabLabel is a lesson's tab: its number, and its title, which a phone
// hides but for screen readers, so that nine tabs fit on one line.
func tabLabel(n int, l lesson.Lesson) string {
	// One root element: go-app's Raw shows only the first.
	var w htmlw
	w.open("span").elem("span", strconv.Itoa(n), "class", "tab-n").text(" ")
	w.elem("span", l.Title, "class", "tab-long")
	return w.close("span").String()
}

// freeLabel is free play's tab: "Free play", or on a phone "Free".
const freeLabel = `<span><span class="tab-long">Free play</span><span class="tab-short" aria-hidden="true">Free</span></span>`

func (p *page) onTab(id string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		p.st.showTab(id)
		p.st.acted()
	}
}

// showTab shows the lesson id, or free play.
func (st *stage) showTab(id string) {
	if st.set.Tab == id {
		return
	}
	st.set.Tab = id
	st.tell(tabSay(id))
	// A lesson's run is its own: free play starts a new run, so that its
	// link and its replay meet no job that no action made.
	if id == freeTab && st.sess.lesson != nil {
		st.reset()
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
