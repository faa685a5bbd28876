//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wasmsched/wasmsched/internal/lesson"
)

// runLesson runs lesson l with "Wait for Next line" on, and checks at
// every step that both listings highlight that step's line; at each step
// it calls atStep, if not nil, then moves on with Next line.
func runLesson(t *testing.T, p *page, l lesson.Lesson, atStep func(step int)) {
	t.Helper()
	p.click("#tab-" + l.ID)
	p.waitFor("the lesson "+l.ID, fmt.Sprintf(`document.getElementById("tab-%s").getAttribute("aria-pressed") === "true"`, l.ID))
	if !eval[bool](p, `document.getElementById("lesson-manual").checked`) {
		p.click("#lesson-manual")
	}
	p.click("#lesson-run")
	for i, st := range l.Steps {
		p.waitFor(fmt.Sprintf("%s step %d", l.ID, i), fmt.Sprintf(`document.getElementById("lesson-step")?.dataset.step === "%d"`, i))
		for _, lang := range []struct {
			id   string
			want int
		}{{"listing-go", st.Go}, {"listing-python", st.Python}} {
			// The line marked current, counted among the listing's lines.
			got := eval[int](p, fmt.Sprintf(`[...document.querySelectorAll("#%s .line")].findIndex(e => e.classList.contains("current"))`, lang.id))
			if got != lang.want {
				t.Errorf("%s step %d: #%s highlights line %d, want %d", l.ID, i, lang.id, got, lang.want)
			}
		}
		if atStep != nil {
			atStep(i)
		}
		if i < len(l.Steps)-1 {
			p.click("#lesson-next")
		}
	}
	p.waitFor("the lesson to end", `document.getElementById("lesson")?.dataset.done === "true"`)
	if e := p.attr("#lesson", "data-error"); e != "" {
		t.Errorf("lesson %s failed: %s", l.ID, e)
	}
}

// TestLessonsHighlightBothListings runs the eight lessons line by line and
// checks the jobs each leaves.
func TestLessonsHighlightBothListings(t *testing.T) {
	p := openApp(t, rootURL, 2*testTimeout)
	want := map[string]map[string]int{
		"await":  {"started": 1, "total": 1},
		"cancel": {"cancelled": 1, "started": 1, "total": 2},
		"gather": {"started": 10, "total": 10},
		"limit":  {"started": 4, "failed": 2, "total": 6},
		// One job cancelled at its deadline, one started before it.
		"timeout": {"cancelled": 1, "started": 1, "total": 2},
		// The group: 1 started, 1 failed, 4 cancelled; the gather: 5 and 1.
		"group":     {"started": 6, "failed": 2, "cancelled": 4, "total": 12},
		"completed": {"started": 3, "total": 3},
		// The slow job and 100 others, twice: with the bug, with the fix.
		"blocked": {"started": 202, "total": 202},
	}
	for _, l := range lesson.All() {
		runLesson(t, p, l, nil)
		p.waitFor("the lesson's jobs to end", `["queued", "starting"].every(s => document.getElementById("count-" + s).textContent.trim() === "0")`)
		for name, n := range want[l.ID] {
			if got := p.count(name); got != n {
				t.Errorf("lesson %s: #count-%s = %d, want %d", l.ID, name, got, n)
			}
		}
	}
}

// virtualTime switches the page to virtual time, paused.
func virtualTime(p *page) {
	p.t.Helper()
	p.click("#time-virtual")
	p.waitFor("virtual time", `document.getElementById("time-now")?.dataset.virtual === "true"`)
}

func (p *page) offset() int64 {
	p.t.Helper()
	n, err := strconv.ParseInt(p.attr("#time-now", "data-offset-ns"), 10, 64)
	if err != nil {
		p.t.Fatalf("#time-now data-offset-ns: %v", err)
	}
	return n
}

// TestVirtualTimeStepsExactly: paused, nothing moves; Step goes exactly to
// the next due time, where the 1 ms job starts, late by nothing; Next due
// jumps an hour at once.
func TestVirtualTimeStepsExactly(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	virtualTime(p)
	p.freePlay("one")
	for _, d := range []string{"1h", "1ms"} {
		p.setInput("#delay", d)
		p.click("#queue")
	}
	p.waitFor("two queued jobs", `document.getElementById("count-queued").textContent.trim() === "2"`)
	if off := p.offset(); off != 0 {
		t.Errorf("paused virtual time moved to %d ns", off)
	}
	if n := eval[int](p, `document.querySelectorAll("#timeline .due").length`); n != 1 {
		t.Errorf("%d due markers on the timeline; want 1, for the 1 ms job (the hour is beyond the scale)", n)
	}
	checkAxe(t, p)

	p.click("#time-step")
	p.waitFor("the 1 ms job to start", `document.getElementById("count-started").textContent.trim() === "1"`)
	if off := p.offset(); off != 1e6 {
		t.Errorf("Step moved the clock to %d ns; want exactly 1,000,000", off)
	}
	if late := p.attr(newestRow, "data-late-ns"); late != "0" {
		t.Errorf("the 1 ms job was late by %s ns in virtual time; want 0", late)
	}

	p.click("#time-next-due")
	p.waitFor("the 1 h job to start", `document.getElementById("count-started").textContent.trim() === "2"`)
	if off := p.offset(); off != 3600e9 {
		t.Errorf("Next due moved the clock to %d ns; want exactly one hour", off)
	}

	// A 0 ms job starts at the instant it was queued: not valid.
	p.setInput("#delay", "0ms")
	p.click("#queue")
	p.click("#time-step")
	p.waitFor("the 0 ms job to start", `document.getElementById("count-started").textContent.trim() === "3"`)
	if v := p.attr(newestRow, "data-valid"); v != "false" {
		t.Errorf("a 0 ms job in virtual time has data-valid=%s; want false", v)
	}
	if !strings.Contains(p.text("#late-virtual"), "0 ms job") {
		t.Errorf("the page does not say why a 0 ms job is not valid in virtual time: %q", p.text("#late-virtual"))
	}

	// Play moves the clock by itself.
	p.click("#time-play")
	before := p.offset()
	p.waitFor("the clock to move", fmt.Sprintf(`Number(document.getElementById("time-now").dataset.offsetNs) > %d`, before))
}

// TestScrubberShowsThePast: three jobs start one after the other in
// virtual time; back at the middle, the counts and the timeline show the
// state then, and actions wait until back to now.
func TestScrubberShowsThePast(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	virtualTime(p)
	p.freePlay("one")
	for _, d := range []string{"10ms", "20ms", "40ms"} {
		p.setInput("#delay", d)
		p.click("#queue")
	}
	p.waitFor("three queued", `document.getElementById("count-queued").textContent.trim() === "3"`)
	for i := 1; i <= 3; i++ {
		p.click("#time-step")
		p.waitFor("a start", fmt.Sprintf(`document.getElementById("count-started").textContent.trim() === "%d"`, i))
	}
	// Now is +40 ms; half way is +20 ms, when two had started.
	p.setInput("#scrub", "500")
	p.waitFor("the past", `document.getElementById("scrub-at")?.dataset.past === "true"`)
	if q, s := p.count("queued"), p.count("started"); q != 1 || s != 2 {
		t.Errorf("at +20 ms the counts show %d queued, %d started; want 1 and 2", q, s)
	}
	states := eval[string](p, `[...document.querySelectorAll("#timeline .lane-label")].map(e => e.textContent).join("|")`)
	if strings.Count(states, "started") != 2 || strings.Count(states, "waiting") != 1 {
		t.Errorf("the timeline at +20 ms shows %q; want two started and one waiting", states)
	}
	// The refusal is waited for before anything else is clicked: it is
	// what shows that the click was handled (the count alone could be
	// read before it was), and the line it writes moves the page, so a
	// click measured before it lands could miss its button.
	p.click("#queue")
	p.waitFor("the refusal", `document.getElementById("say")?.textContent.includes("press Back to now first")`)
	if n := p.count("total"); n != 3 {
		t.Errorf("queueing while looking at the past made %d jobs; want it refused", n)
	}
	p.click("#scrub-now")
	p.waitFor("now", `document.getElementById("scrub-at")?.dataset.past === "false"`)
	if s := p.count("started"); s != 3 {
		t.Errorf("back at now %d started; want 3", s)
	}
}

// TestStartingAndFailedAppear: starts of 100 ms that all fail, one at a
// time: Starting and Failed are reached, and the limit holds the rest.
func TestStartingAndFailedAppear(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	virtualTime(p)
	p.freePlay("start")
	p.setInput("#start-time", "100ms")
	p.setInput("#start-fail", "100")
	p.setInput("#start-limit", "1")
	p.click("#start-apply")
	p.waitFor("the settings to apply", `document.getElementById("start-note").textContent.includes("Applied")`)
	p.freePlay("batch")
	p.setInput("#batch-size", "3")
	p.setInput("#batch-delay", "1ms")
	p.click("#batch-start")
	p.waitFor("the batch queued", `document.getElementById("count-queued").textContent.trim() === "3"`)
	p.click("#time-step")
	p.waitFor("one starting", `document.getElementById("count-starting").textContent.trim() === "1"`)
	if q := p.count("queued"); q != 2 {
		t.Errorf("under limit 1, %d still queued with one starting; want 2", q)
	}
	if n := eval[int](p, `document.querySelectorAll("#timeline .seg-start").length`); n != 1 {
		t.Errorf("%d start segments on the timeline; want 1", n)
	}
	for range 3 {
		p.click("#time-step")
	}
	p.waitFor("all failed", `document.getElementById("count-failed").textContent.trim() === "3"`)
	if st := p.attr(newestRow, "data-state"); st != "failed" {
		t.Errorf("newest row is %q; want failed", st)
	}
	checkAxe(t, p)
}

// TestErrorsAreAccessible: a bad delay's message is announced and axe-core
// finds nothing with it showing.
func TestErrorsAreAccessible(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	p.freePlay("one")
	p.setInput("#delay", "soon")
	p.click("#queue")
	p.waitFor("the error", `document.getElementById("delay-error").textContent.trim() !== ""`)
	if msg := p.text("#delay-error"); !strings.HasSuffix(msg, ".") || strings.ToUpper(msg[:1]) != msg[:1] {
		t.Errorf("the error %q is not a sentence", msg)
	}
	checkAxe(t, p)
}

// TestFocusStaysOnTheRow: cancelling a job from the keyboard re-renders
// its row; focus stays on that row, never dropped to the page body.
func TestFocusStaysOnTheRow(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	p.freePlay("one")
	for range 2 {
		p.setInput("#delay", "1h")
		p.click("#queue")
	}
	p.waitFor("two rows", `document.querySelectorAll("#records tbody tr").length === 2`)
	id := p.attr(newestRow, "data-id")
	p.do("focusing the row's cancel button", chromedp.Focus(chromedp.CSS(rowSel(id)+" button.cancel")))
	p.do("pressing Enter", chromedp.KeyEvent("\r"))
	p.waitFor("the job cancelled", fmt.Sprintf(`%s?.dataset.state === "cancelled"`, query(rowSel(id))))
	eval[bool](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)
	got := eval[string](p, `(document.activeElement.closest("tr")?.dataset.id ?? document.activeElement.tagName)`)
	if got != id {
		t.Errorf("after cancelling from the keyboard focus is on %q; want the row %s", got, id)
	}
}
