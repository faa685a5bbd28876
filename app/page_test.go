package app

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/lesson"
)

// These tests mount the page in go-app's client tester, natively, inside a
// synctest bubble: the scheduler's timers, the pump's frames and the gather
// goroutines all run on the bubble's clock, so a test waits a fake second
// and every job of 1 ms is certainly done, without a real sleep.

// tester is a mounted page and go-app's test dispatcher.
type tester struct {
	t *testing.T
	p *page
	d goapp.ClientDispatcher
}

func mountPage(t *testing.T) *tester { return mountPageAt(t, "") }

// mountPageAt mounts the page as opened with the query string q.
func mountPageAt(t *testing.T, q string) *tester {
	p := &page{query: q}
	d := goapp.NewClientTester(p)
	t.Cleanup(d.Close)
	return &tester{t: t, p: p, d: d}
}

// freePlay shows free play's form.
func (tt *tester) freePlay(form string) {
	tt.do(func(goapp.Context) { tt.p.st.set.Tab, tt.p.free.form = freeTab, form; tt.p.st.dirty = true })
}

// do runs fn on the UI goroutine as a click's handler would, then ends the
// click as the handlers do (stage.acted): the address follows, and the
// panels draw what changed.
func (tt *tester) do(fn func(ctx goapp.Context)) {
	tt.d.Dispatch(goapp.Dispatch{Mode: goapp.Update, Source: tt.p, Function: func(ctx goapp.Context) {
		fn(ctx)
		tt.p.st.acted()
	}})
	tt.d.Consume()
}

// settle lets d of fake time pass, then renders what the pump delivers,
// frame by frame, until it holds nothing more.
func (tt *tester) settle(d time.Duration) {
	time.Sleep(d)
	for range 1000 {
		synctest.Wait()
		tt.d.Consume()
		synctest.Wait() // let goroutines answer what was applied
		if tt.p.st.sess.pump.lag.Load() == 0 && len(tt.p.st.sess.pump.sub.Ready()) == 0 {
			tt.d.Consume() // the page's drawing, which the last update asked for
			return
		}
		time.Sleep(16 * time.Millisecond)
	}
	tt.t.Fatal("the pump never caught up")
}

// frame lets one frame of fake time pass, and renders what the pump
// delivered in it: a job queued shows in the run once its event is
// applied, a frame after the click.
func (tt *tester) frame() {
	synctest.Wait() // the pump has woken for the event, and waits for a frame
	time.Sleep(16 * time.Millisecond)
	synctest.Wait()
	tt.d.Consume()
	synctest.Wait()
	tt.d.Consume()
}

func (tt *tester) html() string { return goapp.HTMLString(tt.p) }

var (
	startTag = regexp.MustCompile(`<([a-z0-9]+)((?:\s+[a-zA-Z:-]+(?:="(?:[^"\\]|\\.)*")?)*)\s*/?>([^<]*)`)
	attrRe   = regexp.MustCompile(`([a-zA-Z:-]+)(?:="((?:[^"\\]|\\.)*)")?`)
)

// element is one start tag of the rendered page, with the text after it.
type element struct {
	tag   string
	attrs map[string]string
	text  string
}

func elements(html string) []element {
	var out []element
	for _, m := range startTag.FindAllStringSubmatch(html, -1) {
		el := element{tag: m[1], attrs: map[string]string{}, text: strings.TrimSpace(m[3])}
		for _, a := range attrRe.FindAllStringSubmatch(m[2], -1) {
			v := "true" // go-app writes a "true" attribute bare
			if a[2] != "" || strings.Contains(a[0], "=") {
				v, _ = strconv.Unquote(`"` + a[2] + `"`)
			}
			el.attrs[a[1]] = v
		}
		out = append(out, el)
	}
	return out
}

// byID returns the element with this id, failing the test if there is none.
func (tt *tester) byID(id string) element {
	tt.t.Helper()
	for _, el := range elements(tt.html()) {
		if el.attrs["id"] == id {
			return el
		}
	}
	tt.t.Fatalf("no element #%s in the page", id)
	return element{}
}

func (tt *tester) has(id string) bool {
	for _, el := range elements(tt.html()) {
		if el.attrs["id"] == id {
			return true
		}
	}
	return false
}

// rows returns the records table's rows, newest first.
func (tt *tester) rows() []element {
	var rows []element
	for _, el := range elements(tt.html()) {
		if el.tag == "tr" && strings.HasPrefix(el.attrs["class"], "record") {
			rows = append(rows, el)
		}
	}
	return rows
}

func (tt *tester) wantText(id, want string) {
	tt.t.Helper()
	if got := tt.byID(id).text; got != want {
		tt.t.Errorf("#%s says %q; want %q", id, got, want)
	}
}

func TestQueuedJobShowsAtOnceThenStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay = "250ms"; tt.p.free.queueOne() })
		tt.frame()

		rows := tt.rows()
		if len(rows) != 1 || rows[0].attrs["data-state"] != "queued" || rows[0].attrs["data-valid"] != "false" {
			t.Fatalf("rows a frame after queueing = %v; want one queued, not valid", rows)
		}
		if id := rows[0].attrs["data-id"]; !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
			t.Errorf("data-id = %q; want 32 hex digits", id)
		}
		if !strings.Contains(tt.html(), `class="cancel"`) {
			t.Error("a queued row has no cancel button")
		}
		tt.wantText("count-queued", "1")

		tt.settle(time.Second)
		rows = tt.rows()
		if rows[0].attrs["data-state"] != "started" || rows[0].attrs["data-valid"] != "true" {
			t.Errorf("row after the delay = %v; want started and valid", rows[0].attrs)
		}
		tt.wantText("count-started", "1")
		tt.wantText("count-queued", "0")
		if strings.Contains(tt.html(), `class="cancel"`) {
			t.Error("a started row still has a cancel button")
		}
		if tt.byID("late-p50").text == "—" {
			t.Error("no median lateness with a job started")
		}
	})
}

func TestBadDelayQueuesNothing(t *testing.T) {
	for _, in := range []string{"", "-5ms", "NaN", "soon", "48h"} {
		synctest.Test(t, func(t *testing.T) {
			tt := mountPage(t)
			tt.freePlay("one")
			if tt.byID("delay-error").text != "" {
				t.Fatal("#delay-error shown before any input")
			}
			tt.do(func(goapp.Context) { tt.p.free.delay = in; tt.p.free.queueOne() })
			if msg := tt.byID("delay-error").text; msg == "" {
				t.Errorf("%q: #delay-error is empty", in)
			}
			if tt.byID("delay").attrs["aria-invalid"] != "true" {
				t.Errorf("%q: #delay not marked aria-invalid", in)
			}
			if n := len(tt.rows()); n != 0 {
				t.Errorf("%q: %d jobs queued; want none", in, n)
			}
			// Typing clears the error; a good delay then queues.
			tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.delayErr = "1ms", ""; tt.p.free.queueOne() })
			tt.frame()
			if msg := tt.byID("delay-error").text; msg != "" || len(tt.rows()) != 1 {
				t.Errorf("%q then 1ms: error %q, %d rows; want none and 1", in, msg, len(tt.rows()))
			}
		})
	}
}

func TestBatchGathersInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		status := tt.byID("batch-status")
		if status.attrs["data-done"] != "false" {
			t.Errorf("before any batch, data-done = %q; want false", status.attrs["data-done"])
		}
		tt.do(func(goapp.Context) { tt.p.free.batchDelay = "250ms"; tt.p.free.batchStart() })
		tt.frame()
		tt.wantText("batch-status", "Batch 1: 0 of 10 started")

		tt.settle(time.Second)
		status = tt.byID("batch-status")
		if status.text != "Batch 1: 10 records, in order, all valid" || status.attrs["data-done"] != "true" {
			t.Errorf("batch status %q, data-done %q; want all valid, done", status.text, status.attrs["data-done"])
		}
		if ms, err := strconv.ParseFloat(status.attrs["data-elapsed-ms"], 64); err != nil || ms < 250 {
			t.Errorf("data-elapsed-ms = %q; want at least the 250 ms delay", status.attrs["data-elapsed-ms"])
		}
		tt.wantText("count-started", "10")
		tt.wantText("count-total", "10")
	})
}

func TestBatchCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		tt.do(func(ctx goapp.Context) { tt.p.free.batchDelay = "1h"; tt.p.free.batchStart() })
		tt.settle(0) // the batch's rows come with its events, a frame later
		tt.wantText("count-queued", "10")
		if rows := tt.rows(); len(rows) != 10 || rows[0].attrs["data-state"] != "queued" {
			t.Errorf("%d rows, first %v; want 10 queued", len(rows), rows[0].attrs)
		}
		tt.do(func(ctx goapp.Context) { tt.p.free.onBatchCancel(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		tt.wantText("batch-status", "Batch 1: 10 records: 10 cancelled")
		tt.wantText("count-cancelled", "10")
		for _, r := range tt.rows() {
			if r.attrs["data-state"] != "cancelled" {
				t.Fatalf("row %v; want cancelled", r.attrs)
			}
		}
	})
}

func TestBadBatchSize(t *testing.T) {
	for _, in := range []string{"", "0", "-1", "100001", "lots"} {
		synctest.Test(t, func(t *testing.T) {
			tt := mountPage(t)
			tt.freePlay("batch")
			tt.do(func(ctx goapp.Context) { tt.p.free.batchSize = in; tt.p.free.batchStart() })
			if tt.byID("batch-error").text == "" || len(tt.rows()) != 0 {
				t.Errorf("%q: error %q, %d rows; want an error and none", in, tt.byID("batch-error").text, len(tt.rows()))
			}
			// Only the field at fault is marked.
			if got := tt.byID("batch-size").attrs["aria-invalid"]; got != "true" {
				t.Errorf("%q: batch-size aria-invalid = %q, want true", in, got)
			}
			if got := tt.byID("batch-delay").attrs["aria-invalid"]; got == "true" {
				t.Errorf("%q: batch-delay marked invalid for a bad size", in)
			}
		})
	}
}

// TestCancelledJobNeverStarts cancels one job from its row and the rest
// with "cancel all"; none of them ever starts.
func TestCancelledJobNeverStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("one")
		for range 3 {
			tt.do(func(goapp.Context) { tt.p.free.delay = "1h"; tt.p.free.queueOne() })
		}
		tt.frame()
		id := tt.rows()[1].attrs["data-id"]
		tt.do(func(goapp.Context) { tt.p.records.cancel(id) })
		tt.settle(time.Second)
		tt.wantText("count-cancelled", "1")
		for _, r := range tt.rows() {
			want := "queued"
			if r.attrs["data-id"] == id {
				want = "cancelled"
			}
			if r.attrs["data-state"] != want {
				t.Errorf("row %s is %s; want %s", r.attrs["data-id"], r.attrs["data-state"], want)
			}
		}

		tt.do(func(ctx goapp.Context) { tt.p.free.onCancelAll(ctx, goapp.Event{}) })
		tt.settle(2 * time.Hour)
		tt.wantText("count-cancelled", "3")
		tt.wantText("count-started", "0")
	})
}

// TestLessonsRun runs each lesson's Go for real and checks what it leaves:
// the jobs it made, in the states the lesson teaches, and the code
// highlight on the lesson's last step in both listings.
func TestLessonsRun(t *testing.T) {
	want := map[string]map[string]string{
		"await":   {"count-started": "1", "count-total": "1"},
		"cancel":  {"count-cancelled": "1", "count-started": "1", "count-total": "2"},
		"gather":  {"count-started": "10", "count-total": "10"},
		"limit":   {"count-started": "4", "count-failed": "2", "count-total": "6"},
		"timeout": {"count-cancelled": "1", "count-started": "1", "count-total": "2"},
		"group":   {"count-started": "6", "count-failed": "2", "count-cancelled": "4", "count-total": "12"},
		// Jobs queued 30, 10, 20 ms: all three start.
		"completed": {"count-started": "3", "count-total": "3"},
	}
	for _, l := range lesson.All() {
		t.Run(l.ID, func(t *testing.T) {
			if l.RealTime != "" {
				// Its start computes, which takes no time in a bubble: it
				// would never end. The browser tests run it.
				t.Skip("lesson " + l.ID + " runs in real time only: " + l.RealTime)
			}
			synctest.Test(t, func(t *testing.T) {
				tt := mountPage(t)
				tt.do(func(ctx goapp.Context) { tt.p.onTab(l.ID)(ctx, goapp.Event{}) })
				tt.do(func(ctx goapp.Context) { tt.p.lesson.onRunLesson(ctx, goapp.Event{}) })
				// The lesson shows each line for dwell before the next, and
				// each show waits for the page: let time pass until it ends.
				lr := tt.p.st.sess.lesson
				for i := 0; i < 100 && lr.running; i++ {
					tt.settle(time.Second)
				}
				if lr.running || lr.err != "" {
					t.Fatalf("lesson still running (%v) or failed: %q; step %d, say %q", lr.running, lr.err, lr.step, tt.p.st.say)
				}
				for id, v := range want[l.ID] {
					tt.wantText(id, v)
				}
				last := l.Steps[len(l.Steps)-1]
				if got := tt.byID("listing-go").attrs["data-current"]; got != strconv.Itoa(last.Go) {
					t.Errorf("Go listing highlights line %s at the end; want %d", got, last.Go)
				}
				if got := tt.byID("listing-python").attrs["data-current"]; got != strconv.Itoa(last.Python) {
					t.Errorf("Python listing highlights line %s at the end; want %d", got, last.Python)
				}
			})
		})
	}
}

// TestBigRunCapsTheDOM: 10,000 jobs are all counted, but the table shows
// the newest maxRows and the timeline maxLanes, and the page says so.
func TestBigRunCapsTheDOM(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		tt.do(func(ctx goapp.Context) { tt.p.free.batchSize = "10000"; tt.p.free.batchStart() })
		// Frame by frame: when the page first says the gather returned, the
		// counts already include every job it gathered.
		for range 1000 {
			time.Sleep(16 * time.Millisecond)
			synctest.Wait()
			tt.d.Consume()
			if tt.byID("batch-status").attrs["data-done"] == "true" {
				tt.wantText("count-started", "10,000")
				break
			}
		}
		tt.settle(0)
		tt.wantText("batch-status", "Batch 1: 10,000 records, in order, all valid")
		tt.wantText("count-started", "10,000")
		if n := len(tt.rows()); n != maxRows {
			t.Errorf("%d rows in the table; want %d", n, maxRows)
		}
		total := tt.byID("records-total")
		if total.attrs["data-total"] != "10000" || !strings.Contains(total.text, fmt.Sprintf("%d of 10,000", maxRows)) {
			t.Errorf("records-total %q data-total %q", total.text, total.attrs["data-total"])
		}
		// Too many jobs for lanes: the states over time and the lateness
		// histogram instead.
		if tt.has("timeline") || !tt.has("area") || !tt.has("histogram") {
			t.Errorf("10,000 jobs drawn with lanes %v, area %v, histogram %v; want no lanes, an area and a histogram",
				tt.has("timeline"), tt.has("area"), tt.has("histogram"))
		}
	})
}

// TestPrerender renders the page as the static site generator does, on the
// server side, where OnMount never runs: it must render and dismount cleanly.
func TestPrerender(t *testing.T) {
	p := &page{}
	d := goapp.NewServerTester(p)
	html := goapp.HTMLString(p)
	d.Close()
	for _, id := range []string{"tab-await", "tab-free", "lesson-run", "listing-go", "listing-python", "time-real", "time-virtual", "reset", "say", "scrub", "records", "timeline", "count-total", "update", "app-waiting"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("prerendered page has no #%s", id)
		}
	}
	// Before the app runs, no control may act: they sit in a disabled
	// fieldset, which disables every one of them, and a note says why.
	controls := regexp.MustCompile(`(?s)<fieldset (?:class="controls" disabled|disabled class="controls")>(.*)</fieldset>`).FindStringSubmatch(html)
	if controls == nil {
		t.Fatal("the prerendered controls are not in a disabled fieldset")
	}
	for _, id := range []string{"tab-free", "lesson-run", "lesson-next", "time-real", "reset", "scrub"} {
		if !strings.Contains(controls[1], `id="`+id+`"`) {
			t.Errorf("#%s is outside the disabled fieldset", id)
		}
	}
	if strings.Contains(html, "update-load") {
		t.Error("the prerendered page offers an update")
	}
}

// TestUpdateOffered: when go-app says a new version is installed, the page
// offers to load it, in a live region that was there before.
func TestUpdateOffered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		if got := tt.html(); !strings.Contains(got, `id="update"`) || strings.Contains(got, "update-load") {
			t.Fatal("want an empty #update live region before any update")
		}
		tt.do(func(ctx goapp.Context) { tt.p.OnAppUpdate(ctx) })
		if got := tt.html(); !strings.Contains(got, `id="update-load"`) || !strings.Contains(got, "A new version of this page is ready.") {
			t.Errorf("no offer to load the new version in %s", got)
		}
	})
}

func TestClockNoteSaysWhichClock(t *testing.T) {
	for _, isolated := range []bool{true, false} {
		step := map[bool]string{true: "5 µs", false: "100 µs"}[isolated]
		if note := clockNote(isolated); !strings.Contains(note, step) {
			t.Errorf("isolated %v: %q does not give the step %s", isolated, note, step)
		}
	}
}

// TestBigBatchIsOneSubmission: a batch from the form is one SubmitBatch,
// one action and one Queued event, whatever its size, and it is numbered
// as the lesson's code would number it.
func TestBigBatchIsOneSubmission(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		tt.do(func(ctx goapp.Context) {
			tt.p.free.batchSize, tt.p.free.batchDelay = "5000", "1h"
			tt.p.free.batchStart()
		})
		// Its one event is applied maxEvents jobs a frame, over two
		// frames; the view of a big busy run is taken every slowDraw.
		tt.frame()
		tt.wantText("count-total", "4,000")
		tt.settle(slowDraw)
		tt.wantText("count-total", "5,000")
		tt.wantText("count-queued", "5,000")
		if acts := tt.p.st.sess.run.Actions(); len(acts) != 1 || acts[0].N != 5000 {
			t.Errorf("actions %+v; want one batch of 5000", acts)
		}
		if n := tt.p.st.sess.pump.updates.Load(); n > 3 {
			t.Errorf("%d updates to show one batch queued; want 2 or 3", n)
		}
		tt.do(func(ctx goapp.Context) { tt.p.free.onBatchCancel(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		tt.wantText("batch-status", "Batch 1: 5,000 records: 5,000 cancelled")
		tt.wantText("count-cancelled", "5,000")
	})
}

// TestUpdatesAreCoalesced: the 20,000 events of a 10,000-job batch reach
// the page in a handful of updates, not one per event or per job.
func TestUpdatesAreCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		tt.do(func(ctx goapp.Context) { tt.p.free.batchSize = "10000"; tt.p.free.batchStart() })
		tt.settle(time.Second)
		tt.wantText("count-started", "10,000")
		// One event queues the batch, one a job starts it: each frame's
		// events come in one update, and none holds more than maxEvents.
		if n := tt.p.st.sess.pump.updates.Load(); n < 10000/maxEvents || n > 40 {
			t.Errorf("%d updates for 10,000 jobs; want a handful", n)
		}
	})
}

// TestVirtualLessonSaysWhatMovesIt: in paused virtual time a lesson's job
// waits, the status says which buttons move time on, and Next due starts
// the job at once.
func TestVirtualLessonSaysWhatMovesIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.run.onMode(true)(ctx, goapp.Event{}) })
		tt.do(func(ctx goapp.Context) { tt.p.lesson.onRunLesson(ctx, goapp.Event{}) })
		// Each step begins once the page has drawn its line, which this
		// page draws only while it settles: let it, a second at a time.
		for i := 0; i < 10 && tt.byID("count-queued").text != "1"; i++ {
			tt.settle(time.Second)
		}
		tt.wantText("count-queued", "1")
		if say := tt.byID("say").text; !strings.Contains(say, "press Play, Step or Next due") {
			t.Errorf("#say is %q; want it to name the buttons that move time on", say)
		}
		tt.do(func(ctx goapp.Context) { tt.p.run.onNextDue(ctx, goapp.Event{}) })
		if !strings.HasPrefix(tt.p.st.say, "Jumped to the next due job") {
			t.Errorf("Next due says %q", tt.p.st.say)
		}
		tt.settle(2 * time.Second)
		tt.wantText("count-started", "1")
		tt.wantText("count-queued", "0")
	})
}

// TestPanelsKeepTheirState: each panel owns what it shows of its own. The
// free-play forms keep what was typed, and the lesson panel the listing
// picked, across a visit to another tab; a note about a run goes once the
// run panel's Reset has made a new one, as does a lesson's progress.
func TestPanelsKeepTheirState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.lesson.onLang("python")(ctx, goapp.Event{}) })
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay = "250ms"; tt.p.free.queueOne() })
		tt.frame()
		if got := tt.byID("single-note").text; !strings.HasPrefix(got, "Queued job") {
			t.Fatalf("after Queue job the form says %q", got)
		}
		tt.do(func(ctx goapp.Context) { tt.p.onTab("cancel")(ctx, goapp.Event{}) })
		if tt.has("delay") || !tt.has("lesson-run") {
			t.Fatal("the lesson tab shows the free-play forms, or no lesson")
		}
		if !strings.Contains(tt.html(), `data-lang="python"`) {
			t.Error("the lesson panel forgot the listing picked")
		}
		tt.do(func(ctx goapp.Context) { tt.p.onTab(freeTab)(ctx, goapp.Event{}) })
		if got := tt.byID("delay").attrs["value"]; got != "250ms" {
			t.Errorf("back in free play the delay field shows %q; want what was typed, 250ms", got)
		}
		if got := tt.byID("single-note").text; !strings.HasPrefix(got, "Queued job") {
			t.Errorf("back in free play the form's note is %q; want the note about this run", got)
		}
		tt.do(func(ctx goapp.Context) { tt.p.run.onReset(ctx, goapp.Event{}) })
		if got := tt.byID("single-note").text; got != "" {
			t.Errorf("after Reset the form still says %q, of the old run", got)
		}
		tt.wantText("count-total", "0")

		// A lesson's progress is its run's: Reset forgets it.
		tt.do(func(ctx goapp.Context) { tt.p.onTab("await")(ctx, goapp.Event{}) })
		tt.do(func(ctx goapp.Context) { tt.p.lesson.onRunLesson(ctx, goapp.Event{}) })
		tt.settle(time.Millisecond)
		if got := tt.byID("lesson").attrs["data-running"]; got != "true" {
			t.Fatalf("a lesson run shows data-running=%q", got)
		}
		tt.do(func(ctx goapp.Context) { tt.p.run.onReset(ctx, goapp.Event{}) })
		if got := tt.byID("lesson").attrs["data-running"]; got == "true" {
			t.Error("after Reset the lesson still shows as running")
		}
		if got := tt.byID("lesson-run").text; got != "Run lesson" {
			t.Errorf("after Reset the lesson's button says %q", got)
		}
	})
}
