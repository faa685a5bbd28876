package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// freePlay is the state of free play's forms.
type freePlay struct {
	form string // the form shown: "one", "batch" or "start"

	delay      string
	delayErr   string
	singleNote string

	batchSize  string
	batchDelay string
	batchErr   string
	batchBad   string // the id of the input batchErr is about, if any
	batchNote  string

	cancelNote string

	// The start settings as typed, and as applied to the run.
	startTime, jitter, failPct, panicPct, limit string
	settingsErr, settingsNote                   string
	start                                       play.Settings
	seed                                        string // as typed
}

func (f *freePlay) init() {
	f.form = "one"
	f.delay = "1ms"
	f.batchSize = "10"
	f.batchDelay = "1ms"
	f.startTime, f.jitter, f.failPct, f.panicPct, f.limit = "0s", "0s", "0", "0", "0"
}

// clearNotes forgets what the forms said of the old run.
func (f *freePlay) clearNotes() {
	f.batchNote, f.singleNote, f.cancelNote = "", "", ""
}

var freeForms = []struct{ id, label string }{
	{"one", "One job"}, {"batch", "A batch"}, {"start", "Starts"}, {"share", "Share"},
}

func (p *page) renderFree() goapp.UI {
	f := &p.free
	picks := make([]goapp.UI, len(freeForms))
	for i, ff := range freeForms {
		picks[i] = toggle("form-"+ff.id, "pick", ff.label, f.form == ff.id, p.onForm(ff.id))
	}
	var body goapp.UI
	switch f.form {
	case "batch":
		body = p.renderBatch()
	case "start":
		body = p.renderStartSettings()
	case "share":
		body = p.renderShare()
	default:
		body = p.renderSingle()
	}
	return goapp.Div().Role("region").ID("free").Class("panel left").Aria("labelledby", "free-h").Body(
		goapp.Raw(`<h2 id="free-h">Free play</h2>`),
		goapp.Div().Class("picks").Role("group").Aria("label", "What to do").Body(picks...),
		body,
		row(button("cancel-all", "secondary", "Cancel all waiting jobs", p.onCancelAll)),
		live("cancel-note", "note", f.cancelNote),
	)
}

func (p *page) onForm(id string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) { p.free.form = id }
}

// fieldError shows what is wrong with a field; the live region is always
// there, so that a screen reader announces the message when it comes.
func fieldError(id, msg string) goapp.UI {
	return para(id, "error", msg).Aria("live", "assertive")
}

func (p *page) renderSingle() goapp.UI {
	f := &p.free
	return goapp.Form().ID("single-form").Class("form").OnSubmit(p.onQueue).Body(
		para("", "explain", "create_task(start_job(id, delay)) in Python is s.Submit(delay) in Go: a handle at once, a job that waits, then starts."),
		labelFor("delay", "Delay"),
		row(
			textInput("delay", f.delay, "delay-hint delay-error", f.delayErr != "", p.onInput(&f.delay, &f.delayErr)).
				Placeholder("1ms, 250ms, 2s, 1min, 1h"),
			button("preset-1ms", "secondary", "1 ms", p.onPreset("1ms")),
			button("preset-1h", "secondary", "1 h", p.onPreset("1h")),
			submit("queue", "Queue job"),
		),
		para("delay-hint", "hint", "A number and a unit: ms, s, min or h. A bare number means milliseconds. At most 24 h."),
		fieldError("delay-error", f.delayErr),
		live("single-note", "note", f.singleNote),
	)
}

func (p *page) onInput(v, errMsg *string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		*v = ctx.JSSrc().Get("value").String()
		*errMsg = ""
		p.free.batchBad = ""
		p.followAddress()
	}
}

// onPreset fills the delay field.
func (p *page) onPreset(v string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		p.free.delay, p.free.delayErr = v, ""
		// The render only writes the value when it differs from the last
		// render's, which misses a field changed without an input event.
		setField("delay", v)
		p.followAddress()
	}
}

func (p *page) onQueue(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	p.free.delay = field("delay", p.free.delay)
	p.queueOne()
}

// queueOne queues one job with the delay typed, or says what is wrong.
func (p *page) queueOne() {
	f := &p.free
	if !p.live() {
		return
	}
	d, err := parseDelay(f.delay)
	if err != nil {
		f.delayErr, f.singleNote = sentence(err), ""
		return
	}
	f.delayErr = ""
	p.afterPaint(func(s *session) { p.queue(s, d) })
}

// queue queues one job of delay d in s, as the visitor asked. It shows
// in the run once its event is applied, in the next frame.
func (p *page) queue(s *session, d time.Duration) error {
	f := &p.free
	j, err := s.run.Queue(d)
	if err != nil {
		f.delayErr, f.singleNote = sentence(err), ""
		return err
	}
	f.singleNote = fmt.Sprintf("Queued job %s to start in %s.", shortID(j.ID()), formatDuration(d))
	p.say = f.singleNote
	p.waiting.Store(true)
	return nil
}

// afterPaint runs submit on the UI goroutine once the browser has drawn
// the frame of the click, for the session of now. The click's own work
// (its render, the browser's layout and paint of the page) then runs
// before the jobs are queued, not during their first milliseconds: a
// 1 ms job is not made late by the page that queued it. Outside a browser
// it runs at once.
func (p *page) afterPaint(submit func(s *session)) {
	s := p.sess
	if p.ui == nil || !goapp.IsClient {
		submit(s)
		p.followAddress()
		return
	}
	u := p.ui
	go func() {
		select {
		case <-paintDone():
		case <-s.ctx.Done():
			return
		}
		u.call(s.ctx, func() {
			if p.sess == s && p.scrubAt.IsZero() {
				submit(s)
				p.dirty = true
			}
		})
	}()
}

// timeHint tells a visitor in paused virtual time, while jobs wait, which
// buttons move the run on.
func (p *page) timeHint() string {
	if p.virtual && !p.playing && p.sess.hist.Waiting() && p.scrubAt.IsZero() {
		return " Time is paused: press Play, Step or Next due to move it on."
	}
	return ""
}

func (p *page) renderBatch() goapp.UI {
	f := &p.free
	status, done, elapsed, batchID, started, n := "No batch yet.", false, "", 0, 0, 0
	var g gathered
	snap := &p.view.snap
	if snap.HasBatch {
		b := snap.Batch
		batchID, started, n = b.No, b.Started(), b.N
		g, done = p.sess.gathered[b.No]
		if done {
			status = fmt.Sprintf("Batch %d: %s", b.No, g.summary)
			elapsed = strconv.FormatFloat(float64(g.elapsed)/float64(time.Millisecond), 'f', 3, 64)
		} else {
			status = fmt.Sprintf("Batch %d: %s of %s started", b.No, count(started), count(n))
			if c := b.Final() - started; c > 0 {
				status += fmt.Sprintf(", %s did not start", count(c))
			}
		}
	}
	// data-batch changes with each new batch, so that a script waiting for
	// data-done knows which batch it is about.
	statusEl := goapp.P().ID("batch-status").Class("status").Role("status").
		DataSet("batch", batchID).DataSet("done", done).Text(status)
	if done {
		verdict := "fail"
		if g.ok {
			verdict = "pass"
		}
		statusEl = statusEl.DataSet("elapsed-ms", elapsed).DataSet("ok", g.ok).Class(verdict)
	}
	return goapp.Form().ID("batch-form").Class("form").OnSubmit(p.onBatchStart).Body(
		para("", "explain", "gather(*jobs) in Python is s.SubmitBatch(n, delay), then sched.Gather(ctx, jobs...): every record, in the jobs' order."),
		row(
			textField("batch-size", "Jobs", f.batchSize, "batch-hint batch-error", f.batchBad == "batch-size", p.onInput(&f.batchSize, &f.batchErr)),
			textField("batch-delay", "Delay", f.batchDelay, "batch-hint batch-error", f.batchBad == "batch-delay", p.onInput(&f.batchDelay, &f.batchErr)),
			submit("batch-start", "Start and gather"),
			button("batch-cancel", "secondary", "Cancel this batch", p.onBatchCancel),
		),
		para("batch-hint", "hint", "1 to "+count(maxBatch)+" jobs, queued at once by one SubmitBatch and gathered as one."),
		fieldError("batch-error", f.batchErr),
		goapp.If(n > 0 && !done, goapp.Raw(progressHTML(started, n))),
		statusEl,
		live("batch-note", "note", f.batchNote),
	)
}

func (p *page) onBatchStart(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	f := &p.free
	f.batchSize = field("batch-size", f.batchSize)
	f.batchDelay = field("batch-delay", f.batchDelay)
	p.batchStart()
}

// batchStart starts the batch the form asks for, or says what is wrong.
func (p *page) batchStart() {
	f := &p.free
	if !p.live() {
		return
	}
	n, err := parseBatchSize(f.batchSize)
	if err != nil {
		f.batchErr, f.batchBad = sentence(err), "batch-size"
		return
	}
	d, err := parseDelay(f.batchDelay)
	if err != nil {
		f.batchErr, f.batchBad = sentence(fmt.Errorf("the delay: %w", err)), "batch-delay"
		return
	}
	f.batchErr, f.batchBad, f.batchNote = "", "", ""
	p.afterPaint(func(s *session) { p.batch(s, n, d) }) //nolint:errcheck // shown on the form
}

// batch queues a batch of n jobs of delay d in s, as the visitor asked:
// one SubmitBatch, as in the lesson's code. A goroutine gathers it, and
// its result shows once the states it is about have.
func (p *page) batch(s *session, n int, d time.Duration) error {
	t0 := time.Now()
	no, jobs, err := s.run.QueueBatch(n, d)
	if err != nil {
		p.free.batchErr = sentence(err)
		return err
	}
	p.say = fmt.Sprintf("Queued batch %d: %s, each to start in %s; gathering it.", no, plural(n, "job"), formatDuration(d))
	p.waiting.Store(true)
	go func() {
		recs, err := sched.Gather(s.ctx, jobs...)
		elapsed := time.Since(t0)
		ids := make([]string, len(jobs))
		for i, j := range jobs {
			ids[i] = j.ID()
		}
		text, ok := summarizeBatch(ids, recs, err)
		s.after(func() {
			s.gathered[no] = gathered{ok: ok, summary: text, elapsed: elapsed}
			if last := s.hist.Batches(); len(last) > 0 && last[len(last)-1].No == no {
				p.say = fmt.Sprintf("Gathered batch %d: %s.", no, text)
			}
			p.dirty = true
		})
	}()
	return nil
}

// latestBatch returns the number of the run's latest batch, 0 for none.
func (p *page) latestBatch() int {
	bs := p.sess.hist.Batches()
	if len(bs) == 0 {
		return 0
	}
	return bs[len(bs)-1].No
}

// onBatchCancel cancels the jobs of the latest batch that still wait.
func (p *page) onBatchCancel(ctx goapp.Context, e goapp.Event) {
	f := &p.free
	no := p.latestBatch()
	if _, done := p.sess.gathered[no]; no == 0 || done {
		f.batchNote = "No batch is waiting."
		return
	}
	if !p.live() {
		return
	}
	n, err := p.sess.run.CancelBatch(no)
	if err != nil {
		f.batchNote = sentence(err)
		return
	}
	f.batchNote = fmt.Sprintf("Cancelled %s of batch %d that still waited.", plural(n, "job"), no)
	p.say = f.batchNote
	p.followAddress()
}

func (p *page) onCancelAll(ctx goapp.Context, e goapp.Event) {
	if !p.live() {
		return
	}
	n := p.sess.run.CancelAll()
	p.free.cancelNote = fmt.Sprintf("Cancelled %s still waiting.", plural(n, "job"))
	p.say = p.free.cancelNote
	p.followAddress()
}

// renderStartSettings sets what starting a job does: how long it takes,
// how often it fails, how many run at once.
func (p *page) renderStartSettings() goapp.UI {
	f := &p.free
	num := func(id, label string, v *string) goapp.UI {
		return textField(id, label, *v, "start-hint start-error", false, p.onInput(v, &f.settingsErr))
	}
	return goapp.Form().ID("start-form").Class("form").OnSubmit(p.onApplyStart).Body(
		para("", "explain", "Starting a job takes time and can fail: Scheduler.Start in Go. Limit caps the starts at once, like asyncio.Semaphore; the jobs beyond it wait."),
		row(
			num("start-time", "A start takes", &f.startTime),
			num("start-jitter", "plus up to", &f.jitter),
			num("start-fail", "Fail %", &f.failPct),
			num("start-panic", "Panic %", &f.panicPct),
			num("start-limit", "Limit", &f.limit),
		),
		row(submit("start-apply", "Apply (starts a new run)")),
		para("start-hint", "hint", "Durations such as 200ms; shares in percent; limit 0 means none. Applying resets the run."),
		fieldError("start-error", f.settingsErr),
		live("start-note", "note", f.settingsNote),
	)
}

func (p *page) onApplyStart(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	f := &p.free
	for _, fv := range []struct {
		id string
		v  *string
	}{{"start-time", &f.startTime}, {"start-jitter", &f.jitter}, {"start-fail", &f.failPct}, {"start-panic", &f.panicPct}, {"start-limit", &f.limit}} {
		*fv.v = field(fv.id, *fv.v)
	}
	p.applyStart()
}

// applyStart applies the start settings typed, in a new run.
func (p *page) applyStart() {
	f := &p.free
	set, err := parseStart(f.startTime, f.jitter, f.failPct, f.panicPct, f.limit)
	if err != nil {
		f.settingsErr, f.settingsNote = sentence(err), ""
		return
	}
	set.Seed = f.start.Seed // the seed is the Share form's
	f.settingsErr, f.start = "", set
	p.reset()
	f.settingsNote = "Applied: " + describeStart(set) + " A new run has begun."
	p.say = f.settingsNote
	p.followAddress()
}

// parseStart reads the start settings as typed.
func parseStart(startTime, jitter, failPct, panicPct, limit string) (play.Settings, error) {
	var set play.Settings
	var err error
	if set.StartTime, err = parseDelay(startTime); err != nil {
		return set, fmt.Errorf("how long a start takes: %w", err)
	}
	if set.Jitter, err = parseDelay(jitter); err != nil {
		return set, fmt.Errorf("the jitter: %w", err)
	}
	pct := func(what, s string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")))
		if err != nil || n < 0 || n > 100 {
			return 0, fmt.Errorf("the share that %s is a whole percentage from 0 to 100, not %q", what, s)
		}
		return n, nil
	}
	if set.FailPct, err = pct("fail", failPct); err != nil {
		return set, err
	}
	if set.PanicPct, err = pct("panic", panicPct); err != nil {
		return set, err
	}
	if set.Limit, err = strconv.Atoi(strings.TrimSpace(limit)); err != nil {
		return set, fmt.Errorf("the limit is a whole number, 0 for none, not %q", limit)
	}
	return set, set.Check()
}

// describeStart says the start settings in a sentence.
func describeStart(s play.Settings) string {
	if !s.HasStart() && s.Limit == 0 {
		return "starting takes no time and never fails."
	}
	out := "a start takes " + formatDuration(s.StartTime)
	if s.Jitter > 0 {
		out += " plus up to " + formatDuration(s.Jitter)
	}
	out += fmt.Sprintf(", %d%% fail, %d%% panic", s.FailPct, s.PanicPct)
	if s.Limit > 0 {
		out += fmt.Sprintf(", at most %d at once", s.Limit)
	} else {
		out += ", no limit"
	}
	return out + "."
}

// onRecordsClick handles the cancel buttons of the records table, which
// is plain HTML (see recordsTable): their clicks bubble up to here.
func (p *page) onRecordsClick(ctx goapp.Context, e goapp.Event) {
	if btn := e.Get("target").Call("closest", "button.copy"); btn.Truthy() {
		p.copyID(btn.Call("closest", "tr").Get("dataset").Get("id").String())
		return
	}
	btn := e.Get("target").Call("closest", "button.cancel")
	if !btn.Truthy() || !p.live() {
		return
	}
	keepFocus(ctx)
	p.cancelJob(btn.Call("closest", "tr").Get("dataset").Get("id").String())
}

// copyID puts a job's whole id on the clipboard.
func (p *page) copyID(id string) {
	u, ctx := p.ui, p.sess.ctx
	copyText(id, func(err error) {
		if u == nil {
			return
		}
		u.call(ctx, func() {
			if err != nil {
				p.say = "The browser did not let the page copy the id: " + id + "."
			} else {
				p.say = "Copied job " + shortID(id) + "'s whole id: " + id + "."
			}
			p.dirty = true
		})
	})
}

// cancelJob cancels the job with this id, if it still waits: through the
// run, which records it for a replay, or for a lesson's job, through its
// handle.
func (p *page) cancelJob(id string) {
	s := p.sess
	i, ok := s.hist.Index(id)
	j := s.hist.Job(i)
	if !ok || j == nil {
		return
	}
	var cancelled bool
	if s.lesson {
		cancelled = j.Cancel(nil)
	} else {
		cancelled, _ = s.run.Cancel(i)
	}
	if cancelled {
		p.say = fmt.Sprintf("Cancelled job %s, as asked: it will never start.", shortID(id))
	} else {
		p.say = fmt.Sprintf("Job %s no longer waits: it is %s, and Cancel returned false.", shortID(id), info(j.State()).Label)
	}
	p.free.cancelNote = p.say
	p.followAddress()
}

// live reports whether the page shows now, where actions go; looking at
// the past, they are off.
func (p *page) live() bool {
	switch {
	case !p.scrubAt.IsZero():
		p.say = "You are looking at the past: press Back to now first."
	case p.sess.replay != nil:
		p.say = "A replay is running: wait until it ends, or press Stop replay or Reset."
	default:
		return true
	}
	return false
}

// field returns the value of the input with this id as the browser has it,
// which may be newer than the last input event (a value set by a script or
// a password manager fires none); elsewhere it returns fallback.
func field(id, fallback string) string {
	if !goapp.IsClient {
		return fallback
	}
	if el := goapp.Window().GetElementByID(id); el.Truthy() {
		return el.Get("value").String()
	}
	return fallback
}

// setField writes v into the input with this id, in the browser.
func setField(id, v string) {
	if !goapp.IsClient {
		return
	}
	if el := goapp.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", v)
	}
}

// progressHTML is a batch's progress bar.
func progressHTML(done, n int) string {
	var w htmlw
	return w.elem("progress", "", "max", strconv.Itoa(n), "value", strconv.Itoa(done), "aria-label", "batch progress").String()
}

// heading is a section's heading, as HTML.
func heading(id, text string) string {
	var w htmlw
	return w.elem("h2", text, "id", id).String()
}
