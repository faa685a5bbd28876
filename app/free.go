package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// freePanel is free play's forms: one job, a batch, the start settings,
// and the Share form. It owns what is typed in them and what they say;
// the values a link holds are the stage's (see keep).
type freePanel struct {
	goapp.Compo

	st    *stage
	share *sharePanel
	form  string // the form shown: "one", "batch", "start" or "share"

	delay      string
	delayErr   string
	timeout    string // empty or 0 for none
	timeoutErr string
	singleNote string
	// single is the job singleNote is about: if it has a timeout, the note
	// says how it ended.
	single *sched.Job

	batchSize  string
	batchDelay string
	batchGroup bool // the batch is bound by sched.CancelOnFailure
	batchErr   string
	batchBad   string // the id of the input batchErr is about, if any
	batchNote  string

	cancelNote string
	// about is the run the notes are about: a new run makes them stale,
	// and they are not shown.
	about *session

	// The start settings as typed; the stage holds them as applied.
	startTime, jitter, failPct, panicPct, limit string
	settingsErr, settingsNote                   string
}

// newFreePanel makes the forms, with the values of the stage's settings
// (a link's, or the defaults), showing form.
func newFreePanel(st *stage, share *sharePanel, form string) *freePanel {
	set := st.set
	return &freePanel{
		st: st, share: share, form: form,
		delay: delayText(set.Delay), timeout: timeoutText(set.Timeout),
		batchSize: strconv.Itoa(set.BatchN), batchDelay: delayText(set.BatchDelay), batchGroup: set.BatchGroup,
		startTime: delayText(set.Start.StartTime), jitter: delayText(set.Start.Jitter),
		failPct: strconv.Itoa(set.Start.FailPct), panicPct: strconv.Itoa(set.Start.PanicPct), limit: strconv.Itoa(set.Start.Limit),
	}
}

var freeForms = []struct{ id, label string }{
	{"one", "One job"}, {"batch", "A batch"}, {"start", "Starts"}, {"share", "Share"},
}

func (f *freePanel) Render() goapp.UI {
	picks := make([]goapp.UI, len(freeForms))
	for i, ff := range freeForms {
		picks[i] = toggle("form-"+ff.id, "pick", ff.label, f.form == ff.id, f.onForm(ff.id))
	}
	var body goapp.UI
	switch f.form {
	case "batch":
		body = f.renderBatch()
	case "start":
		body = f.renderStartSettings()
	case "share":
		body = f.share
	default:
		body = f.renderSingle()
	}
	return goapp.Div().Role("region").ID("free").Class("panel left").Aria("labelledby", "free-h").Body(
		goapp.Raw(`<h2 id="free-h">Free play</h2>`),
		goapp.Div().Class("picks").Role("group").Aria("label", "What to do").Body(picks...),
		body,
		row(button("cancel-all", "secondary", "Cancel all waiting jobs", f.onCancelAll)),
		live("cancel-note", "note", f.note(f.cancelNote)),
	)
}

// note is n if it is about the stage's run, else nothing.
func (f *freePanel) note(n string) string {
	if f.about != f.st.sess {
		return ""
	}
	return n
}

// noted says msg in the status line, and returns it for one of the
// panel's notes about the run of now.
func (f *freePanel) noted(msg string) string {
	f.about = f.st.sess
	f.st.tell(msg)
	return msg
}

func (f *freePanel) onForm(id string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) { f.form = id }
}

// fieldError shows what is wrong with a field; the live region is always
// there, so that a screen reader announces the message when it comes.
func fieldError(id, msg string) goapp.UI {
	return para(id, "error", msg).Aria("live", "assertive")
}

func (f *freePanel) renderSingle() goapp.UI {
	return goapp.Form().ID("single-form").Class("form").OnSubmit(f.onQueue).Body(
		para("", "explain", "create_task(start_job(id, delay)) in Python is s.Submit(delay) in Go: a handle at once, a job that waits, then starts."),
		// Each label holds its field, so that the two never part when the
		// row wraps; on a phone the timeout and Queue job make a second
		// line, and the form is no taller than with a label above.
		row(
			inlineField("Delay", textInput("delay", f.delay, "delay-hint delay-error", f.delayErr != "", f.onInput(&f.delay, &f.delayErr)).
				Placeholder("1ms, 250ms, 2s, 1min, 1h")),
			button("preset-1ms", "secondary", "1 ms", f.onPreset("1ms")),
			button("preset-1h", "secondary", "1 h", f.onPreset("1h")),
			inlineField("Timeout", textInput("timeout", f.timeout, "delay-hint timeout-error", f.timeoutErr != "", f.onInput(&f.timeout, &f.timeoutErr)).
				Placeholder("none")),
			submit("queue", "Queue job"),
		),
		para("delay-hint", "hint", "ms, s, min or h (a bare number is ms), up to 24 h. A timeout cancels the job if it has not started by then."),
		fieldError("delay-error", f.delayErr),
		fieldError("timeout-error", f.timeoutErr),
		live("single-note", "note", f.note(f.singleNote)),
	)
}

// inlineField is a label with its field inside it, on one line.
func inlineField(label string, in goapp.HTMLInput) goapp.UI {
	return goapp.Label().Class("inline").Body(goapp.Text(label+" "), in)
}

// timeoutText writes a timeout into its field: empty for none.
func timeoutText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return delayText(d)
}

func (f *freePanel) onInput(v, errMsg *string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		*v = ctx.JSSrc().Get("value").String()
		*errMsg = ""
		f.batchBad = ""
		f.keep()
		f.st.acted()
	}
}

// keep puts the forms' values into the stage's settings, which a link
// holds: a value not valid leaves the last valid one there.
func (f *freePanel) keep() {
	valid := func(v time.Duration, err error) time.Duration {
		if err != nil {
			return -1
		}
		return v
	}
	n, err := parseBatchSize(f.batchSize)
	if err != nil {
		n = -1
	}
	f.st.keepForms(valid(parseDelay(f.delay)), valid(parseDelay(f.batchDelay)), n)
	f.st.keepChoices(valid(parseTimeout(f.timeout)), f.batchGroup)
}

// onPreset fills the delay field.
func (f *freePanel) onPreset(v string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		f.delay, f.delayErr = v, ""
		// The render only writes the value when it differs from the last
		// render's, which misses a field changed without an input event.
		setField("delay", v)
		f.keep()
		f.st.acted()
	}
}

func (f *freePanel) onQueue(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	f.delay = field("delay", f.delay)
	f.timeout = field("timeout", f.timeout)
	f.queueOne()
	f.st.acted()
}

// queueOne queues one job with the delay typed, or says what is wrong.
func (f *freePanel) queueOne() {
	f.keep()
	if !f.st.live() {
		return
	}
	d, err := parseDelay(f.delay)
	if err != nil {
		f.delayErr, f.singleNote = sentence(err), ""
		return
	}
	f.delayErr = ""
	timeout, err := parseTimeout(f.timeout)
	if err != nil {
		f.timeoutErr, f.singleNote = sentence(err), ""
		return
	}
	f.timeoutErr = ""
	f.st.afterPaint(func(s *session) { f.queue(s, d, timeout) })
}

// queue queues one job of delay d in s, with a timeout unless it is 0, as
// the visitor asked. It shows in the run once its event is applied, in the
// next frame; a job with a timeout says how it ended, once it has.
func (f *freePanel) queue(s *session, d, timeout time.Duration) error {
	j, err := s.run.QueueTimeout(d, timeout)
	if err != nil {
		f.delayErr, f.singleNote = sentence(err), ""
		return err
	}
	msg := fmt.Sprintf("Queued job %s to start in %s.", shortID(j.ID()), formatDuration(d))
	if timeout > 0 {
		msg = fmt.Sprintf("Queued job %s to start in %s; timeout %s.", shortID(j.ID()), formatDuration(d), formatDuration(timeout))
		f.watch(s, j, timeout)
	}
	f.singleNote, f.single = f.noted(msg), j
	f.st.waiting.Store(true)
	return nil
}

// watch says how j, queued in s with a timeout, ended, once its end shows
// in the run: in the status line, and in the form's note while the note is
// about it.
func (f *freePanel) watch(s *session, j *sched.Job, timeout time.Duration) {
	st := f.st
	go func() {
		select {
		case <-j.Done():
		case <-s.ctx.Done():
			return
		}
		rec := j.Record()
		msg := timeoutNote(rec, timeout)
		s.after(st, func() {
			if st.sess != s {
				return
			}
			st.tell(msg)
			if f.single == j && f.about == s {
				// The form's note has the room for the error's own words.
				f.singleNote = msg
				if errors.Is(rec.Err, context.DeadlineExceeded) {
					f.singleNote = strings.TrimSuffix(msg, ".") + ": " + context.DeadlineExceeded.Error() + "."
				}
			}
		})
	}()
}

// timeoutNote says how a job queued with a timeout ended, in words a
// newcomer reads.
func timeoutNote(r sched.Record, timeout time.Duration) string {
	id, t := shortID(r.ID), formatDuration(timeout)
	switch {
	case errors.Is(r.Err, context.DeadlineExceeded):
		return fmt.Sprintf("Job %s was cancelled at its %s timeout.", id, t)
	case r.State == sched.Started:
		return fmt.Sprintf("Job %s started %s after it was queued, within its %s timeout.", id, formatDuration(r.Waited()), t)
	case r.State == sched.Failed:
		return fmt.Sprintf("Job %s began to start within its %s timeout, and its start failed.", id, t)
	}
	return fmt.Sprintf("Job %s was cancelled before its %s timeout.", id, t)
}

// afterPaint runs submit on the UI goroutine once the browser has drawn
// the frame of the click, for the session of now. The click's own work
// (its render, the browser's layout and paint of the page) then runs
// before the jobs are queued, not during their first milliseconds: a
// 1 ms job is not made late by the page that queued it. Outside a browser
// it runs at once.
func (st *stage) afterPaint(submit func(s *session)) {
	s := st.sess
	if st.ui == nil || !goapp.IsClient {
		submit(s)
		return
	}
	u := st.ui
	go func() {
		select {
		case <-paintDone():
		case <-s.ctx.Done():
			return
		}
		u.call(s.ctx, func() {
			if st.sess == s && st.scrubAt.IsZero() {
				submit(s)
				st.dirty = true
			}
		})
	}()
}

func (f *freePanel) renderBatch() goapp.UI {
	st := f.st
	status, done, elapsed, batchID, started, n := "No batch yet.", false, "", 0, 0, 0
	var g gathered
	snap := &st.view.snap
	if snap.HasBatch {
		b := snap.Batch
		batchID, started, n = b.No, b.Started(), b.N
		g, done = st.sess.gathered[b.No]
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
	return goapp.Form().ID("batch-form").Class("form").OnSubmit(f.onBatchStart).Body(
		para("", "explain", "gather(*jobs) in Python is s.SubmitBatch(n, delay), then sched.Gather(ctx, jobs...): every record, in the jobs' order."),
		row(
			textField("batch-size", "Jobs", f.batchSize, "batch-hint batch-error", f.batchBad == "batch-size", f.onInput(&f.batchSize, &f.batchErr)),
			textField("batch-delay", "Delay", f.batchDelay, "batch-hint batch-error", f.batchBad == "batch-delay", f.onInput(&f.batchDelay, &f.batchErr)),
			submit("batch-start", "Start and gather"),
			// Beside Cancel this batch, which a phone puts on a line of
			// its own: the form is no taller for it.
			choice("checkbox", "batch-group", "", "Cancel others on failure", f.batchGroup, f.onBatchGroup),
			button("batch-cancel", "secondary", "Cancel this batch", f.onBatchCancel),
		),
		para("batch-hint", "hint", "1 to "+count(maxBatch)+" jobs, queued at once by one SubmitBatch and gathered as one."),
		fieldError("batch-error", f.batchErr),
		goapp.If(n > 0 && !done, goapp.Raw(progressHTML(started, n))),
		statusEl,
		live("batch-note", "note", f.note(f.batchNote)),
	)
}

// onBatchGroup sets whether the next batches cancel their others on a
// failure.
func (f *freePanel) onBatchGroup(ctx goapp.Context, e goapp.Event) {
	f.batchGroup = ctx.JSSrc().Get("checked").Bool()
	f.keep()
	f.st.acted()
}

func (f *freePanel) onBatchStart(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	f.batchSize = field("batch-size", f.batchSize)
	f.batchDelay = field("batch-delay", f.batchDelay)
	f.batchStart()
	f.st.acted()
}

// batchStart starts the batch the form asks for, or says what is wrong.
func (f *freePanel) batchStart() {
	f.keep()
	if !f.st.live() {
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
	group := f.batchGroup
	f.st.afterPaint(func(s *session) { f.batch(s, n, d, group) }) //nolint:errcheck // shown on the form
}

// batch queues a batch of n jobs of delay d in s, as the visitor asked:
// one SubmitBatch, as in the lesson's code, bound as a group by
// sched.CancelOnFailure in the same action if group. A goroutine gathers
// it, and its result shows once the states it is about have.
func (f *freePanel) batch(s *session, n int, d time.Duration, group bool) error {
	st := f.st
	t0 := time.Now()
	queue, how := s.run.QueueBatch, ""
	if group {
		queue, how = s.run.QueueGroup, ", bound by sched.CancelOnFailure: the first to fail cancels the others still queued"
	}
	no, jobs, err := queue(n, d)
	if err != nil {
		f.batchErr = sentence(err)
		if jobs == nil {
			return err
		}
	}
	st.tell(fmt.Sprintf("Queued batch %d: %s, each to start in %s%s; gathering it.", no, plural(n, "job"), formatDuration(d), how))
	st.waiting.Store(true)
	go func() {
		recs, err := sched.Gather(s.ctx, jobs...)
		elapsed := time.Since(t0)
		ids := make([]string, len(jobs))
		for i, j := range jobs {
			ids[i] = j.ID()
		}
		text, ok := summarizeBatch(ids, recs, err)
		if group {
			text, ok = summarizeGroup(ids, recs, err)
		}
		s.after(st, func() {
			s.gathered[no] = gathered{ok: ok, summary: text, elapsed: elapsed}
			if last := s.hist.Batches(); len(last) > 0 && last[len(last)-1].No == no && st.sess == s {
				st.tell(fmt.Sprintf("Gathered batch %d: %s.", no, text))
			}
		})
	}()
	return nil
}

// summarizeGroup says what the gather of a batch bound by
// sched.CancelOnFailure returned: which job failed first, how many of the
// others still queued its failure cancelled, and how many had started by
// then. If none failed, it says what summarizeBatch says.
func summarizeGroup(ids []string, recs []sched.Record, err error) (text string, ok bool) {
	// The failure that cancelled the others names its job; with none
	// cancelled, the first to fail is the earliest.
	first := ""
	var firstAt time.Time
	for _, r := range recs {
		if gf, by := errors.AsType[*sched.GroupFailure](r.Err); by && r.State == sched.Cancelled {
			first = gf.ID
			break
		}
		if r.State == sched.Failed && (first == "" || r.DoneAt.Before(firstAt)) {
			first, firstAt = r.ID, r.DoneAt
		}
	}
	if first == "" {
		return summarizeBatch(ids, recs, err)
	}
	var cancelled, started, failed, before int
	for _, r := range recs {
		_, byFailure := errors.AsType[*sched.GroupFailure](r.Err)
		switch {
		case r.ID == first:
		case r.State == sched.Started:
			started++
		case r.State == sched.Failed:
			failed++
		case r.State == sched.Cancelled && byFailure:
			cancelled++
		case r.State == sched.Cancelled:
			before++
		}
	}
	text = "job " + shortID(first) + " failed, "
	switch cancelled {
	case 0:
		text += "and no other was still queued to cancel"
	case 1:
		text += "so the 1 other still queued was cancelled"
	default:
		text += "so the " + count(cancelled) + " others still queued were cancelled"
	}
	parts := []string{count(started) + " had started"}
	if failed > 0 {
		parts = append(parts, count(failed)+" more failed")
	}
	switch {
	case before == 1:
		parts = append(parts, "1 was cancelled otherwise")
	case before > 1:
		parts = append(parts, count(before)+" were cancelled otherwise")
	}
	return text + "; " + strings.Join(parts, ", "), false
}

// onBatchCancel cancels the jobs of the latest batch that still wait.
func (f *freePanel) onBatchCancel(ctx goapp.Context, e goapp.Event) {
	f.cancelBatch()
	f.st.acted()
}

func (f *freePanel) cancelBatch() {
	s := f.st.sess
	no := s.latestBatch()
	if _, done := s.gathered[no]; no == 0 || done {
		f.batchNote, f.about = "No batch is waiting.", s
		return
	}
	if !f.st.live() {
		return
	}
	n, err := s.run.CancelBatch(no)
	if err != nil {
		f.batchNote, f.about = sentence(err), s
		return
	}
	f.batchNote = f.noted(fmt.Sprintf("Cancelled %s of batch %d that still waited.", plural(n, "job"), no))
}

// latestBatch returns the number of the run's latest batch, 0 for none.
func (s *session) latestBatch() int {
	bs := s.hist.Batches()
	if len(bs) == 0 {
		return 0
	}
	return bs[len(bs)-1].No
}

func (f *freePanel) onCancelAll(ctx goapp.Context, e goapp.Event) {
	if f.st.live() {
		n := f.st.sess.run.CancelAll()
		f.cancelNote = f.noted(fmt.Sprintf("Cancelled %s still waiting.", plural(n, "job")))
	}
	f.st.acted()
}

// renderStartSettings sets what starting a job does: how long it takes,
// how often it fails, how many run at once.
func (f *freePanel) renderStartSettings() goapp.UI {
	num := func(id, label string, v *string) goapp.UI {
		return textField(id, label, *v, "start-hint start-error", false, f.onInput(v, &f.settingsErr))
	}
	return goapp.Form().ID("start-form").Class("form").OnSubmit(f.onApplyStart).Body(
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
		live("start-note", "note", f.note(f.settingsNote)),
	)
}

func (f *freePanel) onApplyStart(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	for _, fv := range []struct {
		id string
		v  *string
	}{{"start-time", &f.startTime}, {"start-jitter", &f.jitter}, {"start-fail", &f.failPct}, {"start-panic", &f.panicPct}, {"start-limit", &f.limit}} {
		*fv.v = field(fv.id, *fv.v)
	}
	f.applyStart()
	f.st.acted()
}

// applyStart applies the start settings typed, in a new run.
func (f *freePanel) applyStart() {
	set, err := parseStart(f.startTime, f.jitter, f.failPct, f.panicPct, f.limit)
	if err != nil {
		f.settingsErr, f.settingsNote = sentence(err), ""
		return
	}
	f.settingsErr = ""
	f.st.restart(set)
	f.settingsNote = f.noted("Applied: " + describeStart(set) + " A new run has begun.")
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
