//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/wasmsched/wasmsched/internal/lesson"
)

// viewports are the two sizes the page is laid out for.
var viewports = []struct {
	name          string
	width, height int64
}{
	{"desktop", 1366, 900},
	{"phone", 390, 844},
}

// newPageSized is newPage with its window sized width×height.
func newPageSized(t *testing.T, timeout time.Duration, width, height int64) *page {
	t.Helper()
	p := newPage(t, timeout)
	p.do("sizing the window", chromedp.EmulateViewport(width, height))
	return p
}

// inView says whether the element sel lies wholly inside the window, as
// the page is scrolled now.
func inView(sel string) string {
	return fmt.Sprintf(`(() => {
		const r = document.querySelector(%s)?.getBoundingClientRect();
		return !!r && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
	})()`, js(sel))
}

// checkInView fails the test for each of sels not wholly in the window,
// or if the page was scrolled.
func checkInView(t *testing.T, p *page, after string, sels ...string) {
	t.Helper()
	if y := eval[float64](p, `scrollY`); y != 0 {
		t.Errorf("after %s the page is scrolled by %.0f px", after, y)
	}
	for _, sel := range sels {
		if !eval[bool](p, inView(sel)) {
			r := eval[string](p, fmt.Sprintf(`JSON.stringify(document.querySelector(%s)?.getBoundingClientRect())`, js(sel)))
			t.Errorf("after %s, %s is not wholly in the window: %s", after, sel, r)
		}
	}
}

// minTextPx is the smallest text drawn in the page's charts and listings,
// in CSS pixels as drawn: an SVG's text scaled by its viewBox shrinks.
const minTextPx = `Math.min(...[...document.querySelectorAll("svg.chart text, .listing .line, #counts, #say, .legend li")].map(e => {
	const px = parseFloat(getComputedStyle(e).fontSize);
	const scale = e.ownerSVGElement ? e.ownerSVGElement.getScreenCTM().a : 1;
	return px * scale;
}))`

// TestEveryClickShowsItsResult: at both sizes, where to start is in the
// first screen, and after each click its result shows without scrolling:
// the lesson's code, what happened, the counts and the timeline.
func TestEveryClickShowsItsResult(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.open(rootURL)
			p.waitForApp()
			checkInView(t, p, "loading", "#tab-free", "#lesson-run")
			checkAxe(t, p)

			p.click("#tab-gather")
			p.click("#lesson-run")
			p.waitFor("the lesson's first line", `document.getElementById("lesson-step")?.dataset.step === "0"`)
			checkInView(t, p, "Run lesson", "#say", "#counts", "#timeline-box", "#lesson-step")
			p.waitFor("a highlighted line in view", `(() => {
				const l = [...document.querySelectorAll(".listing .line.current")].find(e => e.offsetParent !== null);
				const pre = l?.closest("pre");
				if (!l || !pre || l.offsetParent === null) return false;
				const a = l.getBoundingClientRect(), b = pre.getBoundingClientRect();
				return a.top >= b.top - 1 && a.bottom <= b.bottom + 1 && a.bottom <= innerHeight;
			})()`)
			p.waitFor("the lesson to end", `document.getElementById("lesson")?.dataset.done === "true"`)
			checkInView(t, p, "the gather lesson", "#say", "#counts", "#timeline-box")
			if px := eval[float64](p, minTextPx); px < 11 {
				t.Errorf("the smallest text with lanes is %.1f px; want at least 11", px)
			}

			p.freePlay("one")
			total := p.count("total")
			p.click("#queue")
			p.waitFor("the job", fmt.Sprintf(`document.getElementById("count-total").textContent.trim() === "%d"`, total+1))
			checkInView(t, p, "Queue job", "#say", "#counts", "#timeline-box")

			p.freePlay("batch")
			p.setInput("#batch-size", "200")
			p.click("#batch-start")
			p.waitFor("the gather", `document.getElementById("batch-status")?.dataset.done === "true"`)
			checkInView(t, p, "Start and gather", "#batch-status", "#say", "#counts")
			if !eval[bool](p, `!!document.getElementById("area") && !!document.getElementById("histogram")`) {
				t.Error("201 jobs are not drawn as states over time and a histogram")
			}
			if px := eval[float64](p, minTextPx); px < 11 {
				t.Errorf("the smallest text with the aggregate charts is %.1f px; want at least 11", px)
			}
			checkAxe(t, p)

			p.freePlay("share")
			checkInView(t, p, "Share", "#seed", "#copy-link", "#replay", "#export-trace")
			allowDownloads(p)
			p.click("#export-json")
			p.waitFor("the export", `document.getElementById("share-note").dataset.exports === "1"`)
			checkInView(t, p, "Export JSON", "#share-note")
			p.click("#replay")
			p.waitFor("the replay", `document.getElementById("share-note").textContent.startsWith("Replayed")`)
			checkInView(t, p, "Replay", "#share-note", "#say", "#counts")
			checkAxe(t, p)
		})
	}
}

// recordsProblems lists, for each row of the records table as drawn, the
// cells whose contents run into another cell's or past the table's box,
// and whether that box or the page scrolls sideways. A header row kept for
// screen readers in a one-pixel box is not seen, so not checked.
const recordsProblems = `(() => {
	const out = [];
	const box = document.getElementById("records-box");
	const b = box.getBoundingClientRect();
	if (box.scrollWidth > box.clientWidth + 1) out.push("the records box scrolls sideways: " + box.scrollWidth + " > " + box.clientWidth);
	if (document.documentElement.scrollWidth > innerWidth) out.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + innerWidth);
	for (const tr of document.querySelectorAll("#records tr")) {
		if (tr.parentElement.getBoundingClientRect().width < 2 || tr.getBoundingClientRect().width < 2) continue;
		const cells = [...tr.children].map(c => {
			const r = document.createRange();
			r.selectNodeContents(c);
			return {c, r: r.getBoundingClientRect(), text: c.textContent.trim()};
		}).filter(x => x.r.width > 0 && x.r.height > 0);
		const name = tr.dataset.id ? "row " + tr.dataset.id.slice(0, 8) : "header row";
		for (const x of cells) {
			if (x.r.left < b.left - 0.5 || x.r.right > b.right + 0.5) out.push(name + ": " + JSON.stringify(x.text) + " runs past the box");
		}
		for (let i = 0; i < cells.length; i++) for (let j = i + 1; j < cells.length; j++) {
			const a = cells[i].r, c = cells[j].r;
			const w = Math.min(a.right, c.right) - Math.max(a.left, c.left);
			const h = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
			if (w > 0.5 && h > 0.5) out.push(name + ": " + JSON.stringify(cells[i].text) + " overlaps " + JSON.stringify(cells[j].text));
		}
	}
	return out;
})()`

// TestLayoutRecordsFit: at both sizes, with a job waiting an hour and
// three started, no cell of a row runs into another or out of the table,
// nothing scrolls sideways, a waiting job's Cancel is wholly in the window
// once the row is (the records box scrolled to it, not sideways), and it
// cancels on a click. The table is still a table for screen readers: a
// phone shows the rows as cards, whose cells keep the cell role and read
// as their values alone, the column headers giving their names.
func TestLayoutRecordsFit(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.open(rootURL)
			p.freePlay("batch")
			p.setInput("#batch-size", "3")
			p.click("#batch-start")
			p.waitFor("the gather", `document.getElementById("batch-status")?.dataset.done === "true"`)
			p.freePlay("one")
			p.setInput("#delay", "1h")
			p.click("#queue")
			p.waitFor("the 1h job's row", query(newestRow)+`?.dataset.state === "queued"`)
			id := p.attr(newestRow, "data-id")

			for _, problem := range eval[[]string](p, recordsProblems) {
				t.Errorf("%s: %s", vp.name, problem)
			}
			cancel := rowSel(id) + " button.cancel"
			eval[bool](p, fmt.Sprintf(`(() => { %s.scrollIntoView({block: "nearest", inline: "nearest"}); return true; })()`, query(rowSel(id))))
			if !eval[bool](p, inView(cancel)) || eval[float64](p, `document.getElementById("records-box").scrollLeft + scrollX`) != 0 {
				r := eval[string](p, fmt.Sprintf(`JSON.stringify(%s.getBoundingClientRect())`, query(cancel)))
				t.Errorf("%s: with its row in view, the row's Cancel is not wholly in the window, or is so only scrolled sideways: %s", vp.name, r)
			}
			checkRecordsAccessible(t, p)
			checkAxe(t, p)
			p.click(cancel)
			p.waitFor("the job to be cancelled", query(rowSel(id))+`?.dataset.state === "cancelled"`)
		})
	}
}

// checkRecordsAccessible reads the records table in the accessibility
// tree: a table named by its caption, ten column headers, and the 1 h
// job's delay as a cell named "1 h" alone (not with a label drawn for
// sighted readers).
func checkRecordsAccessible(t *testing.T, p *page) {
	t.Helper()
	tree, err := chromedp.Run(p.ctx, chromedp.Action[accessibility.GetFullAXTreeResult](func(ctx context.Context, tgt *chromedp.Target) (accessibility.GetFullAXTreeResult, error) {
		return cdp.Call(ctx, tgt, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	}))
	if err != nil {
		t.Fatalf("reading the accessibility tree: %v", err)
	}
	roles := map[string][]string{}
	for _, n := range tree.Nodes {
		if n.Ignored || n.Role == nil {
			continue
		}
		var role, name string
		json.Unmarshal(n.Role.Value, &role)
		if n.Name != nil {
			json.Unmarshal(n.Name.Value, &name)
		}
		roles[role] = append(roles[role], name)
	}
	if !slices.Contains(roles["table"], "Job records, newest first") {
		t.Errorf("no table named by the records' caption; tables: %q", roles["table"])
	}
	want := []string{"Job", "Batch", "State", "Delay asked", "Queued at", "Started at", "Wait", "Lateness", "Valid", "Actions"}
	var headers []string
	for _, h := range roles["columnheader"] {
		if slices.Contains(want, h) {
			headers = append(headers, h)
		}
	}
	if !slices.Equal(headers, want) {
		t.Errorf("the records' column headers read %q; want %q", roles["columnheader"], want)
	}
	if !slices.Contains(roles["cell"], "1 h") {
		t.Errorf("no cell reads just %q (the 1 h job's delay); cells: %q", "1 h", roles["cell"])
	}
	for _, c := range roles["cell"] {
		if strings.HasPrefix(c, "Delay asked") {
			t.Errorf("a cell reads %q: the label drawn on a card is read with it", c)
		}
	}
}

// TestLayoutSeedShowsWhole: on a phone, the Share form's seed field shows
// all 16 digits of the largest seed.
func TestLayoutSeedShowsWhole(t *testing.T) {
	p := newPageSized(t, testTimeout, 390, 844)
	p.open(rootURL)
	p.click("#tab-free")
	p.click("#form-share")
	p.setInput("#seed", "9007199254740991")
	if w := eval[[]float64](p, `(s => [s.scrollWidth, s.clientWidth])(document.getElementById("seed"))`); w[0] > w[1] {
		t.Errorf("#seed needs %.0f px for 16 digits and has %.0f", w[0], w[1])
	}
	checkInView(t, p, "Share", "#seed")
}

// listingProblems lists what a visitor could not read of the listings as
// they are now: a listing shown that needs a sideways scroll (a line cut
// at its right edge), or a current line not wholly inside its frame or
// the window.
const listingProblems = `(() => {
	const out = [];
	for (const pre of document.querySelectorAll(".listing pre")) {
		if (pre.offsetParent === null) continue;
		const id = pre.closest("figure").id;
		if (pre.scrollWidth > pre.clientWidth) out.push(id + " scrolls sideways: its lines need " + pre.scrollWidth + " px, it has " + pre.clientWidth);
		const l = pre.querySelector(".line.current");
		if (!l) continue;
		const a = l.getBoundingClientRect(), b = pre.getBoundingClientRect();
		if (a.top < b.top - 1 || a.bottom > b.bottom + 1 || a.bottom > innerHeight) {
			out.push(id + "'s current line is at " + Math.round(a.top) + "-" + Math.round(a.bottom) + ", its frame at " + Math.round(b.top) + "-" + Math.round(b.bottom) + ", the window ends at " + innerHeight);
		}
	}
	return out;
})()`

// TestLayoutListingsReadable: at both sizes, at every step of every
// lesson, every line of the listings shown fits their width (long lines
// wrap), the current line is wholly in its frame (which follows it), and
// the step's sentence and the run show without scrolling.
func TestLayoutListingsReadable(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 3*testTimeout, vp.width, vp.height)
			p.open(rootURL)
			for _, l := range lesson.All() {
				runLesson(t, p, l, func(step int) {
					at := fmt.Sprintf("%s step %d", l.ID, step)
					// The frame is scrolled to the current line after the
					// render that marks it: give it a frame or two.
					ok := eval[bool](p, `new Promise(done => {
						const end = performance.now() + 1000;
						const poll = () => (`+listingProblems+`).length === 0 ? done(true) : performance.now() > end ? done(false) : requestAnimationFrame(poll);
						poll();
					})`, chromedp.EvalAwaitPromise)
					if !ok {
						for _, problem := range eval[[]string](p, listingProblems) {
							t.Errorf("%s, %s: %s", vp.name, at, problem)
						}
					}
					checkInView(t, p, at, "#lesson-step", "#say", "#counts", "#timeline-box")
				})
			}
		})
	}
}

// TestLayoutTimelineSaysWhatItShows: after the gather lesson (10 jobs), at
// both sizes, the timeline, whose lanes are the newest 8 when it is narrow,
// says so in a line shown in the window, not only in its title.
func TestLayoutTimelineSaysWhatItShows(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.open(rootURL)
			p.click("#tab-gather")
			p.click("#lesson-run")
			p.waitFor("the lesson to end", `document.getElementById("lesson")?.dataset.done === "true"`)
			lanes, jobs := p.attr("#timeline", "data-lanes"), p.attr("#timeline", "data-jobs")
			if jobs != "10" {
				t.Fatalf("%s: the timeline has data-jobs=%q after the gather lesson; want 10", vp.name, jobs)
			}
			if lanes == jobs {
				if eval[bool](p, `!!document.getElementById("timeline-shown")`) {
					t.Errorf("%s: all %s lanes are drawn, yet the timeline says it shows some: %q", vp.name, lanes, p.text("#timeline-shown"))
				}
				return
			}
			want := fmt.Sprintf("Newest %s of %s jobs shown", lanes, jobs)
			if got := p.text("#timeline-shown"); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s lanes of %s jobs, and the timeline's line says %q; want %q…", vp.name, lanes, jobs, got, want)
			}
			checkInView(t, p, "the gather lesson", "#timeline-shown", "#timeline-box")
		})
	}
}

// TestLayoutTimelineLegend: the timeline's key is in the run panel, wholly
// in the window at both sizes after a lesson, lists the states by mark and
// name in the order of the counts, and passes axe-core (contrast among
// its rules); beside the aggregate charts it keeps the states alone.
func TestLayoutTimelineLegend(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.open(rootURL)
			if !eval[bool](p, `!!document.querySelector("#run #timeline-legend")`) {
				t.Fatal("the run panel has no #timeline-legend")
			}
			p.click("#tab-await")
			p.click("#lesson-run")
			p.waitFor("the lesson to end", `document.getElementById("lesson")?.dataset.done === "true"`)
			checkInView(t, p, "the await lesson", "#timeline-legend", "#timeline-box")
			states := eval[[]string](p, `[...document.querySelectorAll("#timeline-legend li:not(.lane-part)")].map(li => li.textContent.trim())`)
			counts := eval[[]string](p, `[...document.querySelectorAll("#counts .count:not(.total) dt")].map(dt => dt.textContent.trim())`)
			if !slices.Equal(states, counts) || len(states) != 5 {
				t.Errorf("%s: the key lists the states %q; want the counts' %q", vp.name, states, counts)
			}
			if n := eval[int](p, `[...document.querySelectorAll("#timeline-legend li")].filter(li => li.getBoundingClientRect().height === 0).length`); n != 0 {
				t.Errorf("%s: %d items of the key are not shown beside the lanes", vp.name, n)
			}
			if px := eval[float64](p, minTextPx); px < 11 {
				t.Errorf("%s: the smallest text, the key's included, is %.1f px; want at least 11", vp.name, px)
			}
			checkAxe(t, p)

			p.freePlay("batch")
			p.setInput("#batch-size", "100")
			p.click("#batch-start")
			p.waitFor("the gather", `document.getElementById("batch-status")?.dataset.done === "true" && !!document.getElementById("area")`)
			shown := eval[[]string](p, `[...document.querySelectorAll("#timeline-legend li")].filter(li => li.getBoundingClientRect().height > 0).map(li => li.textContent.trim())`)
			if !slices.Equal(shown, counts) {
				t.Errorf("%s: beside the aggregate charts the key shows %q; want the states alone, %q", vp.name, shown, counts)
			}
		})
	}
}
