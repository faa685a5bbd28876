package app

import (
	"fmt"
	"html"
	"sync/atomic"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/sched"
)

// How the page turns scheduler events into renders.
const (
	// frame is how long the pump lets events pile up before one update: a
	// display frame at 60 Hz. A batch of 10,000 jobs is then a handful of
	// renders, not tens of thousands of dispatches.
	frame = 16 * time.Millisecond
	// clockTick is how often the timeline's "now" moves while a job waits
	// and no event comes, such as during a 1 h delay.
	clockTick = 250 * time.Millisecond
	// maxRows and maxLanes cap the DOM: the store keeps every job, the page
	// shows the newest.
	maxRows  = 100
	maxLanes = 40
	// maxEvents caps the events one update applies: about 3 ms of work in
	// a browser, measured, well inside a frame.
	maxEvents = 4000
)

// page is the whole app: one scheduler, the page's copy of its jobs, and
// the controls that teach the seed's lessons. Its fields belong to the UI
// goroutine; other goroutines reach them only through ctx.Dispatch.
type page struct {
	goapp.Compo

	s       *sched.Scheduler
	sub     *sched.Subscription
	store   *store
	now     time.Time    // the clock as of the last update
	waiting atomic.Bool  // whether a job waits; read by the pump's clock
	notes   chan func()  // to the pump: see after
	lag     atomic.Int64 // events and notes the pump holds, not yet applied
	updates int          // updates the pump made: tests check they are few

	delay      string
	delayErr   string
	singleNote string

	batchSize  string
	batchDelay string
	batchErr   string
	batchBad   string // the id of the input batchErr is about, if any
	batchNote  string
	latest     *batch // the batch the status and cancel button are about

	cancelNote string

	checks  [numChecks]check
	running bool // the seed scenario is running

	isolated    bool // the host isolates the page: its clock is finer (see clockNote)
	updateReady bool // a new version of the site is installed, not yet loaded
}

// check is one of the seed scenario's checks as shown.
type check struct {
	State checkState
	Text  string
}

func newPage() goapp.Composer { return &page{} }

// OnInit sets the page up before its first render, in the browser and when
// the static site is generated. A zero Scheduler needs no setup and starts
// nothing until a job is submitted.
func (p *page) OnInit() {
	p.s = &sched.Scheduler{}
	p.store = newStore()
	p.now = time.Now()
	p.delay = "1ms"
	p.batchSize = "10"
	p.batchDelay = "1ms"
	for i := range p.checks {
		p.checks[i] = check{State: checkIdle, Text: "not run yet"}
	}
}

// OnMount subscribes once to the scheduler and starts the pump, which lives
// until the page is dismounted (ctx is cancelled then).
func (p *page) OnMount(ctx goapp.Context) {
	w := goapp.Window()
	p.isolated = w.Get("crossOriginIsolated").Truthy()
	// Set by app.js when a new version was installed before the Go program
	// ran, and so before go-app could call OnAppUpdate (cmd/gensite/patch.go).
	p.updateReady = w.Get("wasmschedUpdateReady").Truthy()
	p.sub = p.s.Subscribe()
	p.notes = make(chan func())
	// A plain goroutine, not ctx.Async: the pump never ends by itself, and
	// go-app's testers wait for every Async function.
	go p.pump(ctx, p.sub)
}

// OnAppUpdate is called by go-app when the site's service worker has
// installed a new version: the page still runs the old one, so it offers
// to load the new one rather than leave it for a second reload.
func (p *page) OnAppUpdate(ctx goapp.Context) { p.updateReady = true }

func (p *page) onLoadUpdate(ctx goapp.Context, e goapp.Event) { ctx.Reload() }

// OnDismount stops the subscription, and the scheduler with it: its jobs
// would have no page to show them. A page rendered ahead of time, when the
// static site is generated, was never mounted and has no subscription.
func (p *page) OnDismount() {
	if p.sub != nil {
		p.sub.Close()
	}
	p.s.Close()
}

// pump delivers scheduler events to the page, at most one update a frame:
// it wakes on the first event, lets the burst build up until the next
// frame (see nextFrame), drains it, and makes one Dispatch applying it. It
// waits for that update to be applied before the next, so the dispatch
// queue never holds more than one of its updates. A frame applies at most maxEvents events; a burst larger
// than that (a 10,000-job batch makes 20,000) is spread over the next
// frames, so that the browser gets its thread back in between.
//
// Functions sent with after run in the update that applies the last event
// drained before they arrived: a gather's result shows together with the
// final states of its jobs, never ahead of them.
func (p *page) pump(ctx goapp.Context, sub *sched.Subscription) {
	var (
		backlog []sched.Event // drained, not applied yet
		head    int           // backlog[:head] is applied
		notes   []note
		applied = make(chan struct{}, 1)
		clock   = time.NewTicker(clockTick)
	)
	defer clock.Stop()
	drain := func() {
		backlog = sub.Drain(backlog)
		p.lag.Store(int64(len(backlog)-head) + int64(len(notes)))
	}
	take := func(fn func()) {
		drain()
		notes = append(notes, note{at: len(backlog), fn: fn})
		p.lag.Add(1)
	}
	for {
		if head == len(backlog) && len(notes) == 0 {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-sub.Ready():
				if !ok {
					return
				}
			case fn := <-p.notes:
				take(fn)
			case <-clock.C:
				if !p.waiting.Load() {
					continue
				}
			}
			p.lag.Add(1) // an update is on its way
		}
		next := nextFrame()
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case fn := <-p.notes:
				take(fn)
			case <-next:
				break wait
			}
		}
		drain()
		end := min(len(backlog), head+maxEvents)
		events := backlog[head:end]
		var due []func()
		for len(notes) > 0 && notes[0].at <= end {
			due = append(due, notes[0].fn)
			notes = notes[1:]
		}
		ctx.Dispatch(func(goapp.Context) {
			p.apply(events)
			for _, fn := range due {
				fn()
			}
			applied <- struct{}{}
		})
		select {
		case <-ctx.Done(): // a dismounted page drops the dispatch
			return
		case <-applied:
		}
		// Start over at the front once all is applied, so that backlog's
		// array is reused rather than grown for ever. No note is left then:
		// each waits for events already in backlog.
		if head = end; head == len(backlog) {
			clear(backlog)
			backlog, head = backlog[:0], 0
		}
		p.lag.Store(int64(len(backlog)-head) + int64(len(notes)))
	}
}

// note is a function waiting for the events drained before it to be
// applied: at is how many of the backlog's events that is.
type note struct {
	at int
	fn func()
}

// after runs fn on the UI goroutine once the events the scheduler emitted
// before this call are applied. It is how a goroutine reports a result that
// is about jobs, such as Gather's.
func (p *page) after(ctx goapp.Context, fn func()) {
	select {
	case p.notes <- fn:
	case <-ctx.Done():
	}
}

// apply brings the page up to date with events, on the UI goroutine.
func (p *page) apply(events []sched.Event) {
	p.updates++
	p.store.apply(events)
	p.settle()
}

// Render lays the page out: what it teaches first, then the controls, then
// what the scheduler did.
func (p *page) Render() goapp.UI {
	return goapp.Main().Class("page").Body(
		p.renderIntro(),
		// The page is rendered ahead of time, when the site is built, and
		// shows before the app runs. Until then its controls are disabled:
		// Enter in a live-looking field would submit the form to the
		// server and reload the page, losing what was typed.
		goapp.If(!goapp.IsClient, goapp.P().ID("app-waiting").Class("note").Role("status").
			Text("The controls wake up once the app has loaded.")),
		goapp.FieldSet().Class("controls").Disabled(!goapp.IsClient).Body(
			p.renderSingle(),
			p.renderBatch(),
			p.renderCancelAll(),
			p.renderScenario(),
		),
		p.renderStats(),
		p.renderTimeline(),
		p.renderRecords(),
		goapp.Raw(`<footer><p>wasmsched: Go&#39;s runtime, compiled to WebAssembly, schedules every job on this page. Nothing is sent to a server.</p></footer>`),
		p.renderUpdate(),
	)
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

func (p *page) renderIntro() goapp.UI { return goapp.Raw(introHTML) }

// introHTML is the page's introduction. The parts of the page that never
// change, and those that only show text, are HTML written here rather than
// go-app elements: the first render of the page runs in the same browser task
// as the Go program's start, and each go-app element is Go and JavaScript
// work, much of it compiled by the browser the first time it runs. A string
// is one call, which the browser's parser turns into elements.
const introHTML = `<header class="intro">` +
	`<h1>wasmsched: asyncio&#39;s scheduling lesson, in Go, in this page</h1>` +
	`<p>A scheduler cannot start a job at once: calling an API or asking for resources takes time, so each job here starts after a delay. ` +
	`This page is a Python asyncio lesson (await a coroutine, cancel a task, gather a batch) rewritten in Go and compiled to WebAssembly. ` +
	`The scheduler runs entirely in this browser tab, with no backend.</p>` +
	`<p>Every job gets a record: its id, when it was queued and when it started. ` +
	`A record is <strong>valid</strong> when it was queued strictly before it started, the seed&#39;s check. Go&#39;s time.Now carries a monotonic clock, so that check holds even if the wall clock jumps, which Python&#39;s datetime.now() does not promise.</p>` +
	`</header>`

// rawP is a paragraph of plain text, as HTML (see introHTML).
func rawP(id, class, text string) goapp.UI {
	return goapp.Raw(`<p id="` + html.EscapeString(id) + `" class="` + html.EscapeString(class) + `">` + html.EscapeString(text) + `</p>`)
}

// explain is the one-line note under a control naming the concept it shows.
func explain(id, text string) goapp.UI {
	return rawP(id, "explain", text)
}

// fieldError shows what is wrong with a field, and only when something is.
func fieldError(id, msg string) goapp.UI {
	return goapp.If(msg != "", goapp.P().ID(id).Class("error").Role("alert").Text(msg))
}

func (p *page) renderSingle() goapp.UI {
	return goapp.Section().Class("card").Aria("labelledby", "single-h").Body(
		goapp.H2().ID("single-h").Text("Queue one job"),
		explain("single-help", "asyncio.create_task(start_job(id, delay)) is s.Submit(delay) in Go: it returns a handle at once, the job shows as queued and turns started when its delay ends. A waiting job holds a place in the scheduler's timer queue, not a goroutine."),
		goapp.Form().ID("single-form").OnSubmit(p.onQueue).Body(
			goapp.Label().For("delay").Text("Delay"),
			goapp.Div().Class("row").Body(
				goapp.Input().ID("delay").Name("delay").Type("text").
					Value(p.delay).Placeholder("1ms, 250ms, 2s, 1min, 1h").
					AutoComplete(false).Spellcheck(false).
					Aria("describedby", "delay-hint delay-error").
					Aria("invalid", p.delayErr != "").
					OnInput(p.onDelayInput),
				goapp.Button().ID("preset-1ms").Type("button").Class("secondary").
					Title("The seed's _DELAY_SMALL").OnClick(p.onPreset("1ms")).Text("1 ms"),
				goapp.Button().ID("preset-1h").Type("button").Class("secondary").
					Title("The seed's _DELAY_LARGE: long enough to cancel").OnClick(p.onPreset("1h")).Text("1 h"),
				goapp.Button().ID("queue").Type("submit").Text("Queue job"),
			),
			rawP("delay-hint", "hint", "A number and a unit: ms, s, min or h. A bare number means milliseconds. At most 24h."),
			fieldError("delay-error", p.delayErr),
		),
		goapp.If(p.singleNote != "", goapp.P().Class("note").Aria("live", "polite").Text(p.singleNote)),
	)
}

func (p *page) renderBatch() goapp.UI {
	status, started, n := "No batch yet.", 0, 0
	done, elapsed := false, ""
	if b := p.latest; b != nil {
		n, started = b.N, b.Started
		switch {
		case b.Done:
			status, done = b.Summary, true
			elapsed = fmt.Sprintf("%.3f", float64(b.Elapsed)/float64(time.Millisecond))
		default:
			status = fmt.Sprintf("%d of %d started", b.Started, n)
			if c := b.Final - b.Started; c > 0 {
				status += fmt.Sprintf(", %d did not start", c)
			}
		}
	}
	batchID := 0
	if p.latest != nil {
		batchID = p.latest.ID
	}
	// data-batch changes with each new batch, so that a script waiting for
	// data-done knows which batch it is about.
	statusEl := goapp.P().ID("batch-status").Class("status").Role("status").
		DataSet("batch", batchID).DataSet("done", done).Text(status)
	if done {
		verdict := "fail"
		if p.latest.OK {
			verdict = "pass"
		}
		statusEl = statusEl.DataSet("elapsed-ms", elapsed).DataSet("ok", p.latest.OK).Class(verdict)
	}
	return goapp.Section().Class("card").Aria("labelledby", "batch-h").Body(
		goapp.H2().ID("batch-h").Text("Gather a batch"),
		explain("batch-help", "asyncio.gather(*jobs) is s.SubmitBatch(n, delay) then sched.Gather(ctx, jobs...): it waits for every job and returns their records in the jobs' order. The check: N records, in order, all valid."),
		goapp.Form().ID("batch-form").OnSubmit(p.onBatchStart).Body(
			goapp.Div().Class("row").Body(
				goapp.Div().Class("field").Body(
					goapp.Label().For("batch-size").Text("Jobs"),
					goapp.Input().ID("batch-size").Name("batch-size").Type("text").
						Attr("inputmode", "numeric").Value(p.batchSize).
						AutoComplete(false).
						Aria("describedby", "batch-hint batch-error").
						Aria("invalid", p.batchBad == "batch-size").
						OnInput(p.onBatchSizeInput),
				),
				goapp.Div().Class("field").Body(
					goapp.Label().For("batch-delay").Text("Delay"),
					goapp.Input().ID("batch-delay").Name("batch-delay").Type("text").
						Value(p.batchDelay).AutoComplete(false).Spellcheck(false).
						Aria("describedby", "batch-hint batch-error").
						Aria("invalid", p.batchBad == "batch-delay").
						OnInput(p.onBatchDelayInput),
				),
			),
			goapp.Div().Class("row").Body(
				goapp.Button().ID("batch-start").Type("submit").Text("Start and gather"),
				goapp.Button().ID("batch-cancel").Type("button").Class("danger").
					OnClick(p.onBatchCancel).Text("Cancel this batch"),
			),
			rawP("batch-hint", "hint", fmt.Sprintf("1 to %d jobs: the whole batch lives in this tab, whose one thread also draws the page.", maxBatch)),
			fieldError("batch-error", p.batchErr),
		),
		goapp.If(n > 0 && !done, goapp.Progress().Max(n).Value(started).Aria("label", "batch progress")),
		statusEl,
		goapp.If(p.batchNote != "", goapp.P().Class("note").Text(p.batchNote)),
	)
}

func (p *page) renderCancelAll() goapp.UI {
	return goapp.Section().Class("card").Aria("labelledby", "cancel-h").Body(
		goapp.H2().ID("cancel-h").Text("Cancel what waits"),
		explain("cancel-help", "task.cancel() is job.Cancel: a job can be cancelled only while it waits. It then shows as cancelled, never starts, and waiting on it returns sched.ErrCancelled. Each queued row has its own cancel button."),
		goapp.Button().ID("cancel-all").Type("button").Class("danger").OnClick(p.onCancelAll).Text("Cancel all waiting jobs"),
		goapp.If(p.cancelNote != "", goapp.P().Class("note").Aria("live", "polite").Text(p.cancelNote)),
	)
}

func (p *page) renderScenario() goapp.UI {
	ids := [numChecks]string{"check-await", "check-cancel", "check-gather"}
	titles := [numChecks]string{
		"1. await a coroutine: s.Run(ctx, 1ms) gives a valid record",
		"2. cancel a task: a 1 h job, cancelled, reports ErrCancelled and Cancelled()",
		"3. gather: 10 jobs give 10 records, in order, all valid",
	}
	items := make([]goapp.UI, numChecks)
	for i, c := range p.checks {
		// Text only, as HTML (see introHTML).
		state := html.EscapeString(string(c.State))
		items[i] = goapp.Raw(`<li id="` + ids[i] + `" class="check ` + state + `" data-state="` + state + `">` +
			`<span class="check-mark" aria-hidden="true">` + checkMark(c.State) + `</span>` +
			`<div><strong>` + html.EscapeString(titles[i]) + `</strong><br>` +
			`<span class="check-text">` + state + ": " + html.EscapeString(c.Text) + `</span></div></li>`)
	}
	label := "Run the scenario"
	if p.running {
		label = "Running…"
	}
	return goapp.Section().Class("card").Aria("labelledby", "scenario-h").Body(
		goapp.H2().ID("scenario-h").Text("Run the seed's scenario"),
		explain("scenario-help", "The three steps of the seed's schedule_jobs, one after the other, each with the assert it makes, checked here as it runs."),
		goapp.Button().ID("scenario-run").Type("button").Disabled(p.running).
			OnClick(p.onScenario).Text(label),
		goapp.Ol().Class("checks").Aria("live", "polite").Body(items...),
	)
}

func checkMark(s checkState) string {
	switch s {
	case checkPass:
		return "✓"
	case checkFail:
		return "✗"
	case checkRunning:
		return "…"
	}
	return "○"
}

func (p *page) renderStats() goapp.UI {
	st := p.store
	p50, p99 := "—", "—"
	if d, ok := st.late.percentile(50); ok {
		p50 = formatDuration(d)
	}
	if d, ok := st.late.percentile(99); ok {
		p99 = formatDuration(d)
	}
	return &statsView{
		Queued:    st.count(sched.Queued),
		Starting:  st.count(sched.Starting),
		Started:   st.count(sched.Started),
		Cancelled: st.count(sched.Cancelled),
		Failed:    st.count(sched.Failed),
		Total:     st.total(),
		Sample:    st.late.len(),
		P50:       p50,
		P99:       p99,
		Clock:     clockNote(p.isolated),
		Isolated:  p.isolated,
	}
}

func (p *page) renderTimeline() goapp.UI {
	recent := p.store.newest(maxLanes)
	lanes := make([]lane, len(recent))
	for i, e := range recent {
		lanes[len(recent)-1-i] = laneOf(e.rec) // oldest at the top
	}
	return goapp.Section().Class("card wide").Aria("labelledby", "timeline-h").Body(
		goapp.H2().ID("timeline-h").Text("Timeline"),
		explain("timeline-help", fmt.Sprintf("One lane per job for the %d most recent: a bar from queued to started (or cancelled), and a line for now. The scale follows the jobs, from milliseconds to hours.", maxLanes)),
		&timelineView{SVG: timelineSVG(lanes, p.now)},
		goapp.Raw(legendHTML),
	)
}

// legendHTML is the timeline's legend (see introHTML).
const legendHTML = `<ul class="legend">` +
	`<li><span class="swatch queued" aria-hidden="true"></span>waiting</li>` +
	`<li><span class="swatch starting" aria-hidden="true"></span>starting</li>` +
	`<li><span class="swatch started" aria-hidden="true"></span>started</li>` +
	`<li><span class="swatch cancelled" aria-hidden="true"></span>cancelled</li>` +
	`<li><span class="swatch failed" aria-hidden="true"></span>failed</li>` +
	`</ul>`

func (p *page) renderRecords() goapp.UI {
	recent := p.store.newest(maxRows)
	total := p.store.total()
	summary := fmt.Sprintf("Showing all %s.", plural(total, "job"))
	if total > len(recent) {
		summary = fmt.Sprintf("Showing the newest %d of %d jobs.", len(recent), total)
	}
	// The records class contains the table's layout (web/app.css).
	return goapp.Section().Class("card wide records-card").Aria("labelledby", "records-h").Body(
		goapp.H2().ID("records-h").Text("Records"),
		explain("records-help", "Newest first. Wait is started minus queued; lateness is wait minus the delay asked, what the timers added. Valid: queued strictly before started."),
		goapp.P().ID("records-total").DataSet("total", total).DataSet("shown", len(recent)).Text(summary),
		goapp.Div().Class("table-scroll").TabIndex(0).Aria("labelledby", "records-h").
			OnClick(p.onRecordsClick).Body(recordsTable(recent)),
	)
}
