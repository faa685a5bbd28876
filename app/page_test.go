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

func mountPage(t *testing.T) *tester {
	p := &page{}
	d := goapp.NewClientTester(p)
	t.Cleanup(d.Close)
	return &tester{t: t, p: p, d: d}
}

// do runs fn on the UI goroutine as an event handler would, and renders.
func (tt *tester) do(fn func(ctx goapp.Context)) {
	tt.d.Dispatch(goapp.Dispatch{Mode: goapp.Update, Source: tt.p, Function: fn})
	tt.d.Consume()
}

// settle lets d of fake time pass, then renders what the pump delivers,
// frame by frame, until it holds nothing more.
func (tt *tester) settle(d time.Duration) {
	time.Sleep(d)
	for range 1000 {
		synctest.Wait()
		tt.d.Consume()
		if tt.p.lag.Load() == 0 && len(tt.p.sub.Ready()) == 0 {
			return
		}
		time.Sleep(frame)
	}
	tt.t.Fatal("the pump never caught up")
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
		tt.do(func(goapp.Context) { tt.p.delay = "250ms"; tt.p.queue() })

		rows := tt.rows()
		if len(rows) != 1 || rows[0].attrs["data-state"] != "queued" || rows[0].attrs["data-valid"] != "false" {
			t.Fatalf("rows right after queueing = %v; want one queued, not valid", rows)
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
			if tt.has("delay-error") {
				t.Fatal("#delay-error shown before any input")
			}
			tt.do(func(goapp.Context) { tt.p.delay = in; tt.p.queue() })
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
			tt.do(func(goapp.Context) { tt.p.delay, tt.p.delayErr = "1ms", ""; tt.p.queue() })
			if tt.has("delay-error") || len(tt.rows()) != 1 {
				t.Errorf("%q then 1ms: error shown %v, %d rows; want none and 1", in, tt.has("delay-error"), len(tt.rows()))
			}
		})
	}
}

func TestBatchGathersInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		status := tt.byID("batch-status")
		if status.attrs["data-done"] != "false" {
			t.Errorf("before any batch, data-done = %q; want false", status.attrs["data-done"])
		}
		tt.do(tt.p.startBatch)
		tt.wantText("batch-status", "0 of 10 started")

		tt.settle(time.Second)
		status = tt.byID("batch-status")
		if status.text != "10 records, in order, all valid" || status.attrs["data-done"] != "true" {
			t.Errorf("batch status %q, data-done %q; want all valid, done", status.text, status.attrs["data-done"])
		}
		if ms, err := strconv.ParseFloat(status.attrs["data-elapsed-ms"], 64); err != nil || ms < 1 {
			t.Errorf("data-elapsed-ms = %q; want at least the 1 ms delay", status.attrs["data-elapsed-ms"])
		}
		tt.wantText("count-started", "10")
		tt.wantText("count-total", "10")
	})
}

func TestBatchCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.batchDelay = "1h"; tt.p.startBatch(ctx) })
		tt.settle(0) // the batch's rows come with its events, a frame later
		tt.wantText("count-queued", "10")
		if rows := tt.rows(); len(rows) != 10 || rows[0].attrs["data-state"] != "queued" {
			t.Errorf("%d rows, first %v; want 10 queued", len(rows), rows[0].attrs)
		}
		tt.do(func(ctx goapp.Context) { tt.p.onBatchCancel(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		tt.wantText("batch-status", "10 records: 10 cancelled")
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
			tt.do(func(ctx goapp.Context) { tt.p.batchSize = in; tt.p.startBatch(ctx) })
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
		for range 3 {
			tt.do(func(goapp.Context) { tt.p.delay = "1h"; tt.p.queue() })
		}
		id := tt.rows()[1].attrs["data-id"]
		tt.do(func(goapp.Context) { tt.p.cancelJob(id) })
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

		tt.do(func(ctx goapp.Context) { tt.p.onCancelAll(ctx, goapp.Event{}) })
		tt.settle(2 * time.Hour)
		tt.wantText("count-cancelled", "3")
		tt.wantText("count-started", "0")
	})
}

func TestScenarioChecksPass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		for _, id := range []string{"check-await", "check-cancel", "check-gather"} {
			if s := tt.byID(id).attrs["data-state"]; s != "idle" {
				t.Errorf("#%s data-state %q before running; want idle", id, s)
			}
		}
		tt.do(func(ctx goapp.Context) { tt.p.onScenario(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		for _, id := range []string{"check-await", "check-cancel", "check-gather"} {
			if s := tt.byID(id).attrs["data-state"]; s != "pass" {
				t.Errorf("#%s data-state %q; want pass", id, s)
			}
		}
		// 1 + 1 + 10 jobs, found through the scheduler's events.
		tt.wantText("count-total", "12")
		tt.wantText("count-cancelled", "1")
	})
}

// TestBigRunCapsTheDOM: 10,000 jobs are all counted, but the table shows
// the newest maxRows and the timeline maxLanes, and the page says so.
func TestBigRunCapsTheDOM(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.batchSize = "10000"; tt.p.startBatch(ctx) })
		// Frame by frame: when the page first says the gather returned, the
		// counts already include every job it gathered.
		for range 1000 {
			time.Sleep(frame)
			synctest.Wait()
			tt.d.Consume()
			if tt.byID("batch-status").attrs["data-done"] == "true" {
				tt.wantText("count-started", "10000")
				break
			}
		}
		tt.settle(0)
		tt.wantText("batch-status", "10000 records, in order, all valid")
		tt.wantText("count-started", "10000")
		if n := len(tt.rows()); n != maxRows {
			t.Errorf("%d rows in the table; want %d", n, maxRows)
		}
		total := tt.byID("records-total")
		if total.attrs["data-total"] != "10000" || !strings.Contains(total.text, fmt.Sprintf("%d of 10000", maxRows)) {
			t.Errorf("records-total %q data-total %q", total.text, total.attrs["data-total"])
		}
		if lanes := tt.byID("timeline").attrs["data-lanes"]; lanes != strconv.Itoa(maxLanes) {
			t.Errorf("timeline has %s lanes; want %d", lanes, maxLanes)
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
	for _, id := range []string{"delay", "queue", "batch-start", "cancel-all", "scenario-run", "records", "timeline", "count-total", "update", "app-waiting"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("prerendered page has no #%s", id)
		}
	}
	// Before the app runs, no control may act: they sit in a disabled
	// fieldset, which disables every one of them, and a note says why.
	controls := regexp.MustCompile(`(?s)<fieldset class="controls" disabled>(.*)</fieldset>`).FindStringSubmatch(html)
	if controls == nil {
		t.Fatal("the prerendered controls are not in a disabled fieldset")
	}
	for _, id := range []string{"delay", "queue", "batch-size", "batch-start", "cancel-all", "scenario-run"} {
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

// TestBatchCancelledWhileQueueing: a big batch is queued a slice a frame;
// cancelling it stops the slices not queued yet, and the summary says so.
func TestBatchCancelledWhileQueueing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) {
			tt.p.batchSize, tt.p.batchDelay = "5000", "1h"
			tt.p.startBatch(ctx)
		})
		tt.do(func(ctx goapp.Context) { tt.p.onBatchCancel(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		// Only the first slice was queued.
		tt.wantText("batch-status", fmt.Sprintf("%d records: %[1]d cancelled; %d never queued: the batch was cancelled while it was being queued", firstSlice, 5000-firstSlice))
		tt.wantText("count-total", strconv.Itoa(firstSlice))
		tt.wantText("count-cancelled", strconv.Itoa(firstSlice))
	})
}

// TestUpdatesAreCoalesced: the 20,000 events of a 10,000-job batch reach
// the page in a handful of updates, not one per event or per job.
func TestUpdatesAreCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.batchSize = "10000"; tt.p.startBatch(ctx) })
		tt.settle(time.Second)
		tt.wantText("count-started", "10000")
		// Slices of 250, 250, 500, then 1000 queue over thirteen frames; each frame's events
		// come in one update, and none holds more than maxEvents.
		if n := tt.p.updates; n < 20000/maxEvents || n > 40 {
			t.Errorf("%d updates for 10,000 jobs; want a handful", n)
		}
	})
}
