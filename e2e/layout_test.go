//go:build e2e

package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// viewports are the two sizes the page is laid out for.
var viewports = []struct {
	name          string
	width, height int64
}{
	{"desktop", 1366, 900},
	{"phone", 390, 844},
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
const minTextPx = `Math.min(...[...document.querySelectorAll("svg.chart text, .listing .line, #counts, #say")].map(e => {
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
			p := newPage(t, 2*testTimeout)
			p.do("sizing the window", chromedp.EmulateViewport(vp.width, vp.height))
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
