//go:build e2e

package e2e

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/systeminfo"
	"github.com/chromedp/chromedp"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// BenchmarkBrowser measures the site as a visitor's Chromium runs it,
// served by cmd/serve on loopback as the tests serve it (TestMain builds
// it from the working tree). `make bench-browser` runs it once:
//
//	go test -tags e2e -run '^$' -bench Browser -benchtime 1x -count 1 -timeout 20m ./e2e/
//
// Every figure is measured inside the page: the page's own scripts poll
// (on animation frames or short timers) and time what they see with
// performance.now; Go only starts them and reads what they found. The
// sub-benchmarks share one warm browser and each opens fresh tabs. ns/op is
// left out: a run does many things, and its figures are the metrics. At
// the end a table lists every figure of the run.
//
// The page's ids: #delay, #queue, rows "#records tbody tr.record" with
// data-id and data-state, and data-late-ns (ns) on started rows;
// #batch-size, #batch-delay, #batch-start, #batch-status with data-batch,
// data-done and data-elapsed-ms. If #tab-free exists, it is clicked first:
// the free-play tab holds those controls. On a page that shows one form
// at a time, #form-one or #form-batch is clicked when #queue or
// #batch-size is missing.
func BenchmarkBrowser(b *testing.B) {
	if skipReason != "" {
		b.Skip(skipReason)
	}
	br := startBenchBrowser(b)
	sum := &benchSummary{}
	defer sum.print(b)

	b.Run("SlowLink", func(b *testing.B) { benchSlowLink(b, br, sum) })
	b.Run("FirstClick", func(b *testing.B) { benchFirstClick(b, br, sum) })
	b.Run("Single1ms", func(b *testing.B) { benchSingle(b, br, sum) })
	b.Run("Batch10", func(b *testing.B) { benchBatch10(b, br, sum) })
	b.Run("Batch100k", func(b *testing.B) { benchBatch100k(b, br, sum) })
	b.Run("Export100k", func(b *testing.B) { benchExport100k(b, br, sum) })
	b.Run("ReplayLink", func(b *testing.B) { benchReplayLink(b, br, sum) })
	b.Run("WasmSize", func(b *testing.B) { benchWasmSize(b, sum) })
}

const (
	benchFirstClickLoads = 5
	benchSingleJobs      = 100
	benchBatch10Runs     = 10
	benchBatch100kRuns   = 2
	benchTabTimeout      = 3 * time.Minute // everything one tab does
	benchStepTimeout     = 2 * time.Minute // one wait in the page
)

// g) A visitor's first visit on a slow link: 2 Mbit/s down, 1 Mbit/s up,
// 150 ms latency (Chromium's network emulation, set on the tab with
// Network.emulateNetworkConditionsByRule before it navigates), in a
// desktop viewport of 1366×900. Each load is a first visit: a fresh
// browser context, so no service worker, no HTTP cache and no compiled
// wasm. A page script, installed before the page's own, polls every few
// ms (and on every DOM change) and times, from navigation start:
//   - listingAt: the first lesson's Go and Python listings
//     (#listing-go, #listing-python) both shown and on top: each has a
//     box, the stylesheets have loaded, something has been painted, and
//     document.elementFromPoint near the top of its visible part hits the
//     listing (go-app's full-screen loader on top counts as covered);
//   - runningAt: the app runs: no #app-wasm-loader, and .page has
//     data-mounted="true";
//   - clickAt: the first click that works: once the app runs and
//     #lesson-run is enabled, it is clicked every 100 ms until #lesson
//     has data-running="true";
//   - DOMContentLoaded's end, the first contentful paint, the loader's
//     last label, when app.wasm's last byte arrived (resource timing),
//     when WebAssembly.instantiateStreaming resolved (wrapped by the
//     script), and when the service worker became ready.
//
// The emulation is the tab's: the service worker's own requests are not
// throttled. Its install fetches every file with cache: "no-cache"; on a
// first visit they revalidate what the page's requests are putting in the
// HTTP cache, and its app.wasm waits for the page's (Chromium's cache
// lock), so it does not download the wasm a second time. Three loads,
// each in its own tab of at most 60 s.
func benchSlowLink(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	var loads []benchSlowLinkResult
	for i := range benchSlowLinkLoads {
		r := benchSlowLinkOnce(b, br)
		b.Logf("slow link, first visit %d: %s", i+1, r)
		if r.Error != "" {
			b.Errorf("slow link, first visit %d: %s", i+1, r.Error)
		}
		loads = append(loads, r)
	}
	listing := benchSlowLinkMedian(loads, func(r benchSlowLinkResult) float64 { return r.ListingAt })
	running := benchSlowLinkMedian(loads, func(r benchSlowLinkResult) float64 { return r.RunningAt })
	click := benchSlowLinkMedian(loads, func(r benchSlowLinkResult) float64 { return r.ClickAt })
	dcl := benchSlowLinkMedian(loads, func(r benchSlowLinkResult) float64 { return r.DCL })
	wasm := benchSlowLinkMedian(loads, func(r benchSlowLinkResult) float64 { return r.WasmEnd })
	b.ReportMetric(listing, "listing-p50-ms")
	b.ReportMetric(running, "running-p50-ms")
	b.ReportMetric(click, "click-p50-ms")
	b.ReportMetric(dcl, "dcl-p50-ms")
	b.ReportMetric(wasm, "wasm-end-p50-ms")
	b.Logf("slow link (%s), %d first visits: median listings shown %s, app running %s, first click that works %s; DOMContentLoaded %s, app.wasm's last byte %s",
		benchSlowLinkName, len(loads), benchMs(listing), benchMs(running), benchMs(click), benchMs(dcl), benchMs(wasm))
	sum.add("g", fmt.Sprintf("slow link (%s), median of %d first visits: listings shown", benchSlowLinkName, len(loads)), benchMs(listing))
	sum.add("g", "  app running (loader gone)", benchMs(running))
	sum.add("g", "  first click on Run lesson that works", benchMs(click))
	sum.add("g", "  DOMContentLoaded / app.wasm's last byte", benchMs(dcl)+" / "+benchMs(wasm))
}

const (
	benchSlowLinkLoads      = 3
	benchSlowLinkTabTimeout = 60 * time.Second // one first visit, all told
	benchSlowLinkDownBits   = 2_000_000        // bit/s
	benchSlowLinkUpBits     = 1_000_000        // bit/s
	benchSlowLinkLatencyMS  = 150
	benchSlowLinkName       = "2 Mbit/s down, 1 up, 150 ms"
)

// benchSlowLinkResult is what the probe saw, in ms from navigation start;
// -1 is never.
type benchSlowLinkResult struct {
	ListingAt  float64 `json:"listingAt"`  // both listings shown, on top
	RunningAt  float64 `json:"runningAt"`  // loader gone, data-mounted
	ReadyAt    float64 `json:"readyAt"`    // the first click on #lesson-run
	ClickAt    float64 `json:"clickAt"`    // #lesson data-running="true"
	Clicks     int     `json:"clicks"`     // clicks on #lesson-run
	DCL        float64 `json:"dcl"`        // DOMContentLoaded's end
	FCP        float64 `json:"fcp"`        // first contentful paint
	Label      string  `json:"label"`      // the loader's last label
	WasmStart  float64 `json:"wasmStart"`  // app.wasm requested
	WasmEnd    float64 `json:"wasmEnd"`    // app.wasm's last byte
	WasmBytes  float64 `json:"wasmBytes"`  // app.wasm's body on the wire
	CompiledAt float64 `json:"compiledAt"` // instantiateStreaming resolved
	SWReadyAt  float64 `json:"swReadyAt"`  // navigator.serviceWorker.ready
	Error      string  `json:"error"`
}

func (r benchSlowLinkResult) String() string {
	return fmt.Sprintf("listings shown %s, app running %s, first click that works %s (%d clicks on #lesson-run, the first at %s); "+
		"DOMContentLoaded %s, first paint %s, app.wasm %s to %s (%.0f KB), instantiated %s, service worker ready %s; loader's last label %q",
		benchMs(r.ListingAt), benchMs(r.RunningAt), benchMs(r.ClickAt), r.Clicks, benchMs(r.ReadyAt),
		benchMs(r.DCL), benchMs(r.FCP), benchMs(r.WasmStart), benchMs(r.WasmEnd), r.WasmBytes/1000, benchMs(r.CompiledAt), benchMs(r.SWReadyAt), r.Label)
}

// benchMs formats ms, or says never for a negative one.
func benchMs(ms float64) string {
	if ms < 0 || math.IsNaN(ms) {
		return "never"
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// benchSlowLinkMedian is the median of f over the loads that reached it,
// -1 if none did.
func benchSlowLinkMedian(loads []benchSlowLinkResult, f func(benchSlowLinkResult) float64) float64 {
	var xs []float64
	for _, r := range loads {
		if v := f(r); v >= 0 {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return -1
	}
	return benchMedian(xs)
}

// benchSlowLinkProbe runs before the page's scripts. It gives up 50 s
// after navigation start, within the tab's 60 s.
const benchSlowLinkProbe = `(() => {
	if (window !== window.top) return;
	const r = {clicks: 0, label: ""};
	let resolve, finished = false;
	r.done = new Promise(res => resolve = res);
	window.__wsbSlow = r;
	const T = v => v === undefined ? -1 : v;
	const inst = WebAssembly.instantiateStreaming;
	if (inst) {
		WebAssembly.instantiateStreaming = function (...args) {
			const p = inst.apply(this, args);
			p.then(() => { r.compiledAt = performance.now(); }, () => {});
			return p;
		};
	}
	if ("serviceWorker" in navigator) {
		navigator.serviceWorker.ready.then(() => { r.swReadyAt = performance.now(); });
	}
	const finish = err => {
		if (finished) return;
		finished = true;
		obs.disconnect();
		const nav = performance.getEntriesByType("navigation")[0];
		const fcp = performance.getEntriesByName("first-contentful-paint")[0];
		const wasm = performance.getEntriesByType("resource").find(e => new URL(e.name).pathname.endsWith("/web/app.wasm"));
		resolve({listingAt: T(r.listingAt), runningAt: T(r.runningAt), readyAt: T(r.readyAt), clickAt: T(r.clickAt),
			clicks: r.clicks, dcl: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : -1,
			fcp: fcp ? fcp.startTime : -1, label: r.label,
			wasmStart: wasm ? wasm.startTime : -1, wasmEnd: wasm ? wasm.responseEnd : -1, wasmBytes: wasm ? wasm.encodedBodySize : 0,
			compiledAt: T(r.compiledAt), swReadyAt: T(r.swReadyAt), error: err || ""});
	};
	// A listing is shown when nothing covers the top of its visible part.
	const onTop = id => {
		const el = document.getElementById(id);
		if (!el) return false;
		const b = el.getBoundingClientRect();
		if (b.width <= 0 || b.height <= 0) return false;
		const top = Math.max(b.top, 0), bottom = Math.min(b.bottom, innerHeight);
		const left = Math.max(b.left, 0), right = Math.min(b.right, innerWidth);
		if (bottom - top < 1 || right - left < 1) return false;
		const hit = document.elementFromPoint((left + right) / 2, top + Math.min(16, (bottom - top) / 2));
		return hit !== null && el.contains(hit);
	};
	const styled = () => [...document.querySelectorAll('link[rel="stylesheet"]')].every(l => l.sheet);
	const painted = () => performance.getEntriesByName("first-contentful-paint").length > 0;
	const running = () => document.readyState !== "loading" && !document.getElementById("app-wasm-loader") &&
		document.querySelector('.page[data-mounted="true"]') !== null;
	const lessonRuns = () => document.getElementById("lesson")?.dataset.running === "true";
	let lastClick = -Infinity;
	const check = () => {
		if (finished) return;
		const now = performance.now();
		const label = document.getElementById("app-wasm-loader-label");
		if (label) r.label = label.textContent.trim();
		if (r.listingAt === undefined && styled() && painted() && onTop("listing-go") && onTop("listing-python")) r.listingAt = now;
		if (r.runningAt === undefined && running()) r.runningAt = now;
		if (r.clickAt === undefined && r.clicks > 0 && lessonRuns()) r.clickAt = now;
		if (r.clickAt === undefined && r.runningAt !== undefined && now - lastClick >= 100) {
			const run = document.getElementById("lesson-run");
			if (run && !run.disabled) {
				if (r.readyAt === undefined) r.readyAt = now;
				run.click(); r.clicks++; lastClick = now;
				if (lessonRuns()) r.clickAt = performance.now();
			}
		}
		if (r.listingAt !== undefined && r.clickAt !== undefined && (r.swReadyAt !== undefined || now - r.clickAt > 5000)) { finish(); return; }
		if (now > 50000) {
			const missing = [["listings shown", r.listingAt], ["app running", r.runningAt], ["a click that works", r.clickAt]].
				filter(m => m[1] === undefined).map(m => m[0]);
			if (missing.length > 0) { finish("no " + missing.join(", no ") + " 50 s after navigation start; the loader says " + JSON.stringify(r.label)); return; }
			finish(); return;
		}
	};
	const obs = new MutationObserver(check);
	obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
	const tick = () => { check(); if (!finished) setTimeout(tick, 4); };
	tick();
})()`

// benchSlowLinkOnce opens the site on a slow link in a tab of a fresh
// browser context, and returns what the probe saw.
func benchSlowLinkOnce(b *testing.B, br context.Context) benchSlowLinkResult {
	b.Helper()
	t := openBenchTabWith(b, br, benchSlowLinkProbe, benchSlowLinkTabTimeout, chromedp.WithNewBrowserContext())
	defer t.close()
	t.do("emulating a slow link", chromedp.EmulateViewport(1366, 900), chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{ // no URL pattern: every request of the tab
				Latency:            benchSlowLinkLatencyMS,
				DownloadThroughput: benchSlowLinkDownBits / 8,
				UploadThroughput:   benchSlowLinkUpBits / 8,
			}},
		})
		return err
	}))
	t.do("opening "+rootURL, chromedp.Navigate(rootURL))
	return benchEval[benchSlowLinkResult](t, "window.__wsbSlow.done")
}

// a) From navigation start to the first click on #queue that makes a row:
// a page script, installed before the page's own, clicks as soon as the
// button is usable, every 100 ms until a row appears.
func benchFirstClick(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	// The first visit, not counted: the service worker installs and
	// caches the site; Chromium caches the compiled wasm.
	cold := benchFirstClickOnce(b, br)
	b.Logf("first visit (not counted): %s", cold)
	sum.add("a", "first visit (not counted): first click that works", fmt.Sprintf("%.0f ms", cold.RowAt))

	var loads []benchFirstClickResult
	for i := range benchFirstClickLoads {
		r := benchFirstClickOnce(b, br)
		b.Logf("warm load %d: %s", i+1, r)
		loads = append(loads, r)
	}
	row := func(r benchFirstClickResult) float64 { return r.RowAt }
	ready := func(r benchFirstClickResult) float64 { return r.ReadyAt }
	running := func(r benchFirstClickResult) float64 { return r.RunningAt }
	p50, lo, hi := benchMedian(benchMap(loads, row)), benchMin(benchMap(loads, row)), benchMax(benchMap(loads, row))
	b.ReportMetric(p50, "first-click-p50-ms")
	b.ReportMetric(lo, "first-click-min-ms")
	b.ReportMetric(hi, "first-click-max-ms")
	b.Logf("navigation start to the first click that makes a row, %d warm loads in fresh tabs: median %.0f ms (%.0f–%.0f); "+
		"the app ran (loader gone) at a median %.0f ms, #queue was usable at %.0f ms",
		len(loads), p50, lo, hi, benchMedian(benchMap(loads, running)), benchMedian(benchMap(loads, ready)))
	sum.add("a", fmt.Sprintf("navigation start to first click that works, median of %d warm loads (min–max)", len(loads)),
		fmt.Sprintf("%.0f ms (%.0f–%.0f)", p50, lo, hi))
	sum.add("a", "  of which the app's start (loader gone), median", fmt.Sprintf("%.0f ms", benchMedian(benchMap(loads, running))))
}

// benchFirstClickResult is what the probe script saw, in ms from navigation start.
type benchFirstClickResult struct {
	RunningAt float64 `json:"runningAt"` // go-app's loader gone
	ReadyAt   float64 `json:"readyAt"`   // #queue enabled and visible: the first click
	RowAt     float64 `json:"rowAt"`     // a new row in the table
	Clicks    int     `json:"clicks"`    // clicks on #queue
	TabClicks int     `json:"tabClicks"` // clicks on #tab-free
	DCL       float64 `json:"dcl"`       // DOMContentLoaded's end
	Error     string  `json:"error"`
}

func (r benchFirstClickResult) String() string {
	return fmt.Sprintf("DOMContentLoaded %.0f ms, app running %.0f ms, #queue usable %.0f ms, row %.0f ms (%d clicks on #queue, %d on #tab-free)",
		r.DCL, r.RunningAt, r.ReadyAt, r.RowAt, r.Clicks, r.TabClicks)
}

// benchFirstClickProbe runs before the page's scripts, in every document of the
// tab. It polls every few ms (timers here cost the page nothing worth
// counting), and a MutationObserver notes the instant a new row appears.
// Rows already there at the first click (a page that restores history)
// do not count.
const benchFirstClickProbe = `(() => {
	if (window !== window.top) return;
	const r = {clicks: 0, tabClicks: 0};
	let resolve;
	r.done = new Promise(res => resolve = res);
	window.__wsbFirst = r;
	const rowSel = "#records tbody tr.record[data-id][data-state]";
	let before = null, lastClick = -Infinity, lastTab = -Infinity;
	const finish = () => {
		const nav = performance.getEntriesByType("navigation")[0];
		resolve({runningAt: r.runningAt, readyAt: r.readyAt, rowAt: r.rowAt, clicks: r.clicks,
			tabClicks: r.tabClicks, dcl: nav ? nav.domContentLoadedEventEnd : 0, error: r.error || ""});
	};
	const newRow = () => {
		if (before === null || r.rowAt !== undefined) return r.rowAt !== undefined;
		for (const tr of document.querySelectorAll(rowSel)) {
			if (!before.has(tr.dataset.id)) { r.rowAt = performance.now(); return true; }
		}
		return false;
	};
	const obs = new MutationObserver(() => { if (newRow()) { obs.disconnect(); finish(); } });
	obs.observe(document, {childList: true, subtree: true, attributes: true});
	const visible = el => el && el.getClientRects().length > 0;
	const tick = () => {
		if (r.rowAt !== undefined) return;
		const now = performance.now();
		if (now > 110000) { r.error = "no row 110 s after navigation start"; obs.disconnect(); finish(); return; }
		if (document.readyState !== "loading" && !document.getElementById("app-wasm-loader")) {
			if (r.runningAt === undefined) r.runningAt = now;
			const q = document.getElementById("queue"), d = document.getElementById("delay");
			const usable = q && d && !q.disabled && visible(q);
			const tab = document.getElementById("tab-free");
			if (tab && (r.tabClicks === 0 || (!usable && now - lastTab > 100))) {
				tab.click(); r.tabClicks++; lastTab = now;
			} else if (usable && now - lastClick > 100) {
				if (r.readyAt === undefined) {
					r.readyAt = now;
					before = new Set([...document.querySelectorAll(rowSel)].map(tr => tr.dataset.id));
				}
				d.value = "1ms";
				d.dispatchEvent(new Event("input", {bubbles: true}));
				d.dispatchEvent(new Event("change", {bubbles: true}));
				q.click(); r.clicks++; lastClick = now;
			}
		}
		setTimeout(tick, 2);
	};
	tick();
})()`

// benchFirstClickOnce opens the site in a fresh tab of br and returns what the
// probe saw.
func benchFirstClickOnce(b *testing.B, br context.Context) benchFirstClickResult {
	b.Helper()
	t := openBenchTab(b, br, benchFirstClickProbe)
	defer t.close()
	t.do("opening "+rootURL, chromedp.Navigate(rootURL))
	r := benchEval[benchFirstClickResult](t, "window.__wsbFirst.done")
	if r.Error != "" {
		b.Fatalf("first click: %s", r.Error)
	}
	return r
}

// b) Single 1 ms jobs queued one after another from the form, each once
// the one before has started; lateness from each row's data-late-ns.
func benchSingle(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	t := openBenchTab(b, br, "")
	defer t.close()
	t.openApp()
	lates := benchEval[[]float64](t, fmt.Sprintf("__wsb.single(%d)", benchSingleJobs))
	late := benchMap(lates, benchNsToMs)
	p50, p99, hi := benchPercentile(late, 50), benchPercentile(late, 99), benchMax(late)
	b.ReportMetric(p50, "late-p50-ms")
	b.ReportMetric(p99, "late-p99-ms")
	b.ReportMetric(hi, "late-max-ms")
	b.Logf("%d single 1 ms jobs from the form, one after another: lateness p50 %.2f ms, p99 %.2f ms, max %.2f ms, min %.2f ms; the latest five: %s",
		len(late), p50, p99, hi, benchMin(late), benchLatest(late, 5))
	sum.add("b", fmt.Sprintf("single 1 ms job lateness, p50 / p99 of %d (max)", len(late)),
		fmt.Sprintf("%.2f / %.2f ms (%.2f)", p50, p99, hi))
}

// c) Batches of 10 at 1 ms from the form; the median lateness of each.
func benchBatch10(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	t := openBenchTab(b, br, "")
	defer t.close()
	t.openApp()
	var medians, all []float64
	for i := range benchBatch10Runs {
		r := benchEval[benchBatchResult](t, fmt.Sprintf("__wsb.batch(10, %d, true)", benchStepTimeout.Milliseconds()))
		if !r.OK {
			b.Errorf("batch %d of 10: #batch-status says %q", i+1, r.Text)
		}
		late := benchMap(r.LateNS, benchNsToMs)
		medians = append(medians, benchMedian(late))
		all = append(all, late...)
	}
	p50, hi := benchMedian(medians), benchMax(medians)
	b.ReportMetric(p50, "batch-median-late-p50-ms")
	b.ReportMetric(hi, "batch-median-late-max-ms")
	b.ReportMetric(benchMax(all), "batch-job-late-max-ms")
	b.Logf("%d batches of 10 at 1 ms from the form: median lateness per batch %s ms; their median %.2f ms, max %.2f ms; latest single job %.2f ms",
		len(medians), benchJoin(medians, "%.2f"), p50, hi, benchMax(all))
	sum.add("c", fmt.Sprintf("batch of 10 at 1 ms, median lateness: p50 / max of %d batches", len(medians)),
		fmt.Sprintf("%.2f / %.2f ms", p50, hi))
}

// d) A 100,000-job batch in a warm page (a 10,000 batch first), with a
// long-task observer installed just before the click.
func benchBatch100k(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	for i := range benchBatch100kRuns {
		run := i + 1
		t := openBenchTab(b, br, "")
		t.openApp()
		warm := benchEval[benchBatchResult](t, fmt.Sprintf("__wsb.batch(10000, %d, false)", benchStepTimeout.Milliseconds()))
		r := benchEval[benchBatchResult](t, fmt.Sprintf("__wsb.batch(100000, %d, false, true)", benchStepTimeout.Milliseconds()))
		t.close()
		if !warm.OK || !r.OK {
			b.Errorf("run %d: #batch-status says %q after 10,000 and %q after 100,000", run, warm.Text, r.Text)
		}
		longest, over := benchMax(r.LongTasks), len(r.LongTasks)
		b.ReportMetric(r.ElapsedMS, fmt.Sprintf("run%d-gather-ms", run))
		b.ReportMetric(longest, fmt.Sprintf("run%d-longest-task-ms", run))
		b.ReportMetric(float64(over), fmt.Sprintf("run%d-tasks-over-50ms", run))
		var inLong float64
		for _, d := range r.LongTasks {
			inLong += d
		}
		b.Logf("run %d: 100,000 jobs at 1 ms, warm page (10,000 first: %.0f ms): gathered in %.0f ms (data-elapsed-ms; %.0f ms click to done, seen by the page); "+
			"longest main-thread task %.0f ms, %d tasks over 50 ms, %.0f ms in them; the longest five: %s",
			run, warm.ElapsedMS, r.ElapsedMS, r.WallMS, longest, over, inLong, benchLatest(r.LongTasks, 5))
		sum.add("d", fmt.Sprintf("100,000 batch, run %d: gathered in / longest task / tasks > 50 ms", run),
			fmt.Sprintf("%.0f ms / %.0f ms / %d", r.ElapsedMS, longest, over))
	}
}

// f) Each export of a run of 100,000 jobs (gathered first), with a
// long-task observer installed just before the click, until the page
// says the file is made. The browser is told to refuse the downloads:
// what is measured is the page's work, not the disk's.
func benchExport100k(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	t := openBenchTab(b, br, "")
	defer t.close()
	if _, err := chromedp.CallBrowser(t.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny,
	}); err != nil {
		b.Fatalf("refusing downloads: %v", err)
	}
	t.openApp()
	r := benchEval[benchBatchResult](t, fmt.Sprintf("__wsb.batch(100000, %d, false)", benchStepTimeout.Milliseconds()))
	if !r.OK {
		b.Fatalf("#batch-status says %q after 100,000", r.Text)
	}
	for _, f := range []string{"json", "csv", "trace"} {
		e := benchEval[benchExportResult](t, fmt.Sprintf("__wsb.export(%q, %d)", f, benchStepTimeout.Milliseconds()))
		longest, over := benchMax(e.LongTasks), 0
		for _, d := range e.LongTasks {
			if d > 50 {
				over++
			}
		}
		b.ReportMetric(e.WallMS, f+"-ms")
		b.ReportMetric(longest, f+"-longest-task-ms")
		b.ReportMetric(float64(over), f+"-tasks-over-50ms")
		when := ""
		if len(e.LongTasksAt) > 0 {
			when = ", beginning " + benchJoin(e.LongTasksAt, "%.0f") + " ms after the click"
		}
		b.Logf("export of 100,000 jobs as %s: made in %.0f ms (click to the page saying so); longest main-thread task %.0f ms, %d over 50 ms%s; the page says %q",
			f, e.WallMS, longest, over, when, e.Text)
		sum.add("f", fmt.Sprintf("export of 100,000 jobs as %s: made in / longest task / tasks > 50 ms", f),
			fmt.Sprintf("%.0f ms / %.0f ms / %d", e.WallMS, longest, over))
	}
}

// benchExportResult is what __wsb.export returns.
type benchExportResult struct {
	WallMS      float64   `json:"wallMs"`
	Text        string    `json:"text"`
	LongTasks   []float64 `json:"longTasks"`
	LongTasksAt []float64 `json:"longTasksAt"` // when each began, ms after the click
}

// benchBatchResult is what __wsb.batch returns.
type benchBatchResult struct {
	ElapsedMS float64   `json:"elapsedMs"` // #batch-status data-elapsed-ms
	WallMS    float64   `json:"wallMs"`    // the click to data-done, in the page
	OK        bool      `json:"ok"`        // data-ok
	Text      string    `json:"text"`
	LateNS    []float64 `json:"lateNs"`    // the batch's rows, when asked
	LongTasks []float64 `json:"longTasks"` // durations in ms, when asked
}

// h) A link's replay, at growing totals of jobs: a virtual run of batches
// of 100,000 jobs of 1 ms, each 1 ms after the one before, opened from its
// link and replayed. It measures, from the click on Replay until the page
// says the replay ended, the main thread's long tasks, and the peak
// resident memory of the tab's renderer (VmHWM, read from /proc for the
// pids Chromium reports). The cap on jobs in a link (link.MaxJobs) is the
// largest total here with no task over 100 ms and the renderer under
// 1 GB. It stops after a total that runs away: over 1 GB, or a replay
// that does not end in time.
func benchReplayLink(b *testing.B, br context.Context, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	for _, total := range benchReplayTotals {
		if total > link.MaxJobs {
			b.Logf("%s jobs: over link.MaxJobs (%s), so no link holds them; raise it to measure them", benchThousands(int64(total)), benchThousands(link.MaxJobs))
			break
		}
		st := link.Default()
		st.Tab, st.Virtual, st.Seed = "free", true, 7
		for k := range total / play.MaxBatch {
			st.Actions = append(st.Actions, play.Action{At: time.Duration(k) * time.Millisecond, Kind: play.QueueBatch, N: play.MaxBatch, Delay: time.Millisecond})
		}
		st.End = time.Duration(len(st.Actions)+1) * time.Millisecond
		q, full := st.Encode()
		if !full {
			b.Fatalf("%d jobs: the link holds only the settings", total)
		}
		t := openBenchTabWith(b, br, "", 5*time.Minute, chromedp.WithNewBrowserContext())
		t.do("opening the link", chromedp.Navigate(rootURL+"?"+q))
		benchEval[chromedp.Void](t, fmt.Sprintf("__wsb.mounted(%d)", benchStepTimeout.Milliseconds()))
		r := benchEval[benchReplayResult](t, fmt.Sprintf("__wsb.replay(%d)", (4*time.Minute).Milliseconds()))
		hwm := benchRendererPeakMB(t)
		t.close()
		longest, over := benchMax(r.LongTasks), 0
		for _, d := range r.LongTasks {
			if d > 100 {
				over++
			}
		}
		ok := r.Ended && over == 0 && hwm < 1024
		b.ReportMetric(r.WallMS, fmt.Sprintf("%dk-ms", total/1000))
		b.ReportMetric(longest, fmt.Sprintf("%dk-longest-task-ms", total/1000))
		b.ReportMetric(hwm, fmt.Sprintf("%dk-renderer-peak-MB", total/1000))
		b.Logf("replay of a link of %s jobs: %.0f ms from the click to the end (ended: %v, %q); longest task %.0f ms, %d over 100 ms; renderer peak %.0f MB; within the cap's rules: %v",
			benchThousands(int64(total)), r.WallMS, r.Ended, r.Text, longest, over, hwm, ok)
		sum.add("h", fmt.Sprintf("replay of a link of %s jobs: took / longest task / renderer peak", benchThousands(int64(total))),
			fmt.Sprintf("%.0f ms / %.0f ms / %.0f MB", r.WallMS, longest, hwm))
		if !r.Ended || hwm >= 1024 {
			break // it ran away: a bigger total would only run further
		}
	}
}

// benchReplayTotals are the totals of jobs benchReplayLink tries, in turn.
var benchReplayTotals = []int{100_000, 300_000, 1_000_000}

// benchReplayResult is what __wsb.replay returns.
type benchReplayResult struct {
	WallMS    float64   `json:"wallMs"`
	Ended     bool      `json:"ended"`
	Text      string    `json:"text"`
	LongTasks []float64 `json:"longTasks"`
}

// benchRendererPeakMB is the largest peak resident memory (VmHWM) of
// Chromium's renderer processes, in MB, or 0 where /proc cannot tell.
func benchRendererPeakMB(t *benchTab) float64 {
	infos, err := chromedp.CallBrowser(t.ctx, systeminfo.GetProcessInfo, cdp.Empty{})
	if err != nil {
		t.b.Logf("no process info: %v", err)
		return 0
	}
	peak := 0.0
	for _, p := range infos.ProcessInfo {
		if p.Type != "renderer" {
			continue
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", int64(p.ID)))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var n float64
				fmt.Sscanf(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), "%f", &n)
				peak = max(peak, n/1024)
			}
		}
	}
	return peak
}

// e) The sizes of the built site's app.wasm, as served.
func benchWasmSize(b *testing.B, sum *benchSummary) {
	b.ReportMetric(0, "ns/op")
	dir := filepath.Join(built.rootDir, "web")
	for _, f := range []struct{ name, label string }{
		{"app.wasm", "raw"}, {"app.wasm.gz", "gzip"}, {"app.wasm.br", "br"},
	} {
		fi, err := os.Stat(filepath.Join(dir, f.name))
		if err != nil {
			b.Fatal(err)
		}
		n := fi.Size()
		b.ReportMetric(float64(n), f.label+"-bytes")
		b.ReportMetric(float64(n)/(1<<20), f.label+"-MiB")
		b.Logf("web/%s: %d bytes, %.2f MiB", f.name, n, float64(n)/(1<<20))
		sum.add("e", "web/"+f.name, fmt.Sprintf("%s bytes (%.2f MiB)", benchThousands(n), float64(n)/(1<<20)))
	}
}

// startBenchBrowser starts one Chromium for the whole run, with its first
// tab left blank; the sub-benchmarks open tabs beside it.
func startBenchBrowser(b *testing.B) context.Context {
	b.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(b.TempDir())...)
	b.Cleanup(cancelAlloc)
	br, cancel := chromedp.NewContext(allocCtx)
	b.Cleanup(cancel)
	// The first run on br starts the browser for br's lifetime: no
	// timeout on it, or the timeout would end the browser.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(br, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-started:
		if err != nil {
			b.Fatalf("starting %s: %v", chromium, err)
		}
	case <-time.After(time.Minute):
		b.Fatalf("%s did not start in a minute", chromium)
	}
	return br
}

// benchTab is a fresh tab of the benchmark's browser.
type benchTab struct {
	b      *testing.B
	ctx    context.Context // the tab, with benchTabTimeout
	cancel func()

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
}

// openBenchTab opens a tab in front, with the helpers below and probe (if
// any) set to run before the scripts of every page it opens.
func openBenchTab(b *testing.B, br context.Context, probe string) *benchTab {
	b.Helper()
	return openBenchTabWith(b, br, probe, benchTabTimeout)
}

// openBenchTabWith is openBenchTab with a timeout of its own for everything
// the tab does, and options for the tab's context (such as
// chromedp.WithNewBrowserContext).
func openBenchTabWith(b *testing.B, br context.Context, probe string, timeout time.Duration, opts ...chromedp.ContextOption) *benchTab {
	b.Helper()
	tab, cancelTab := chromedp.NewContext(br, opts...)
	t := &benchTab{b: b}
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.ctx = ctx
	t.cancel = func() { cancel(); cancelTab() }
	if err := chromedp.Listen(tab, t.onEvent); err != nil {
		t.cancel()
		b.Fatalf("opening a tab: %v", err)
	}
	scripts := []string{benchHelpers}
	if probe != "" {
		scripts = append(scripts, probe)
	}
	t.do("preparing the tab", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		for _, s := range scripts {
			if _, err := cdp.Call(ctx, tgt, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: s}); err != nil {
				return err
			}
		}
		_, err := cdp.Call(ctx, tgt, cdppage.BringToFront, cdp.Empty{})
		return err
	}))
	return t
}

// close closes the tab, and reports what its console said that was wrong.
func (t *benchTab) close() {
	t.cancel()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.problems {
		t.b.Logf("WARNING: browser console: %s", p)
	}
	t.problems = nil
}

func (t *benchTab) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var args []string
		for _, a := range ev.Args {
			args = append(args, remoteText(a))
		}
		msg = "console.error: " + strings.Join(args, " ")
	case *runtime.EventExceptionThrown:
		msg = "uncaught exception: " + ev.ExceptionDetails.Text
		if e := ev.ExceptionDetails.Exception; e != nil {
			msg += " " + e.Description
		}
	default:
		return
	}
	t.mu.Lock()
	t.problems = append(t.problems, msg)
	t.mu.Unlock()
}

func (t *benchTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	t.b.Helper()
	if err := chromedp.Do(t.ctx, steps...); err != nil {
		t.close()
		t.b.Fatalf("%s: %v", what, err)
	}
}

// openApp opens the site and waits until #queue can be clicked.
func (t *benchTab) openApp() {
	t.b.Helper()
	t.do("opening "+rootURL, chromedp.Navigate(rootURL))
	benchEval[chromedp.Void](t, fmt.Sprintf("__wsb.ready(%d)", benchStepTimeout.Milliseconds()))
}

// benchEval evaluates a JavaScript expression in the tab, awaiting it if
// it is a promise.
func benchEval[T any](t *benchTab, expr string) T {
	t.b.Helper()
	v, err := chromedp.Run(t.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.close()
		t.b.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// benchHelpers are the page-side halves of the measurements. Waits poll
// on animation frames, and clicks happen in a frame's callback, as a
// user's click arrives: not from a chain of timers, whose nesting would
// clamp the app's own 1 ms timer to 4 ms and skew the lateness.
const benchHelpers = `(() => {
	if (window !== window.top) return;
	const W = window.__wsb = {};
	const rowSel = "#records tbody tr.record[data-id][data-state]";
	W.frame = () => new Promise(r => requestAnimationFrame(r));
	W.until = async (what, cond, ms) => {
		const end = performance.now() + ms;
		for (;;) {
			const v = cond();
			if (v) return v;
			if (performance.now() > end) throw new Error("bench: waited " + ms + " ms for " + what);
			await W.frame();
		}
	};
	W.rows = () => [...document.querySelectorAll(rowSel)];
	W.ids = () => new Set(W.rows().map(r => r.dataset.id));
	W.el = id => {
		const el = document.getElementById(id);
		if (!el) throw new Error("bench: no #" + id + " in the page");
		return el;
	};
	W.set = (id, v) => {
		const el = W.el(id);
		el.value = v;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	};
	const visible = el => el && el.getClientRects().length > 0;
	// #id shown: if it is missing and the button #pick exists (a page
	// that shows one form at a time), pick is clicked until it shows.
	W.show = async (id, pick) => {
		let at = -Infinity;
		await W.until("#" + id + " to show", () => {
			if (visible(document.getElementById(id))) return true;
			const b = document.getElementById(pick);
			if (b && performance.now() - at > 100) { b.click(); at = performance.now(); }
			return false;
		}, 10000);
	};
	// The app runs and #queue can be clicked; #tab-free, if any, clicked.
	// The app runs, whichever tab and form it shows.
	W.mounted = ms => W.until("the app to run", () => !document.getElementById("app-wasm-loader") && document.querySelector(".page")?.dataset.mounted === "true", ms);
	W.ready = async ms => {
		let tabAt = -Infinity, tabs = 0;
		await W.until("the app to run and #queue to be usable", () => {
			if (document.getElementById("app-wasm-loader")) return false;
			const q = document.getElementById("queue");
			const usable = q && !q.disabled && visible(q);
			const tab = document.getElementById("tab-free");
			if (tab && (tabs === 0 || (!usable && performance.now() - tabAt > 100))) {
				tab.click(); tabs++; tabAt = performance.now();
				return false;
			}
			return usable;
		}, ms);
	};
	// n single 1 ms jobs, each queued once the one before has started:
	// their lateness in ns.
	W.single = async n => {
		const out = [];
		await W.show("queue", "form-one");
		for (let i = 0; i < n; i++) {
			const before = W.ids();
			W.set("delay", "1ms");
			await W.frame();
			W.el("queue").click();
			const row = await W.until("job " + (i + 1) + " of " + n + " to start",
				() => W.rows().find(r => !before.has(r.dataset.id) && !["queued", "starting"].includes(r.dataset.state)), 10000);
			if (row.dataset.state !== "started" || row.dataset.lateNs === undefined)
				throw new Error("bench: job " + (i + 1) + " is " + row.dataset.state + ", without data-late-ns");
			out.push(Number(row.dataset.lateNs));
		}
		return out;
	};
	// An export in format f ("json", "csv" or "trace") from the Share
	// form, until #share-note's data-exports counts it: the time from the
	// click, and the long tasks meanwhile. The page is let settle first
	// (the drawing that follows a big batch is the batch's, measured by
	// W.batch).
	W.export = async (f, ms) => {
		await W.show("export-" + f, "form-share");
		await W.frame(); await W.frame();
		await new Promise(r => setTimeout(r, 500));
		const note = () => document.getElementById("share-note");
		const prev = Number(note().dataset.exports || 0);
		const tasks = [], at = [];
		const po = new PerformanceObserver(list => { for (const e of list.getEntries()) { tasks.push(e.duration); at.push(e.startTime - t0); } });
		po.observe({type: "longtask", buffered: false});
		const t0 = performance.now();
		W.el("export-" + f).click();
		await W.until("the " + f + " export", () => Number(note().dataset.exports) === prev + 1, ms);
		const wallMs = performance.now() - t0;
		await W.frame(); await W.frame();
		await new Promise(r => setTimeout(r, 200));
		for (const e of po.takeRecords()) { tasks.push(e.duration); at.push(e.startTime - t0); }
		po.disconnect();
		return {wallMs, text: note().textContent.trim(), longTasks: tasks, longTasksAt: at};
	};
	// Replay of the run a link brought: the click on #replay to the note
	// saying it ended, and the long tasks meanwhile.
	W.replay = async (ms) => {
		await W.show("replay", "form-share");
		const note = () => document.getElementById("share-note");
		const tasks = [];
		const po = new PerformanceObserver(list => { for (const e of list.getEntries()) tasks.push(e.duration); });
		po.observe({type: "longtask", buffered: false});
		const t0 = performance.now();
		W.el("replay").click();
		let ended = true;
		try {
			await W.until("the replay to end", () => /^Replay(ed| stopped)|The replay stopped/.test(note().textContent.trim()), ms);
		} catch (e) { ended = false; }
		const wallMs = performance.now() - t0;
		await W.frame(); await W.frame();
		await new Promise(r => setTimeout(r, 200));
		for (const e of po.takeRecords()) tasks.push(e.duration);
		po.disconnect();
		return {wallMs, ended, text: note().textContent.trim(), longTasks: tasks};
	};
	// A batch of size at 1 ms from the form, gathered: #batch-status's
	// figures, the lateness of the batch's rows (the newest size rows) if
	// rows, and the long tasks meanwhile if longTasks.
	W.batch = async (size, ms, rows, longTasks) => {
		await W.show("batch-size", "form-batch");
		const st = () => document.getElementById("batch-status");
		const prev = st()?.dataset.batch;
		const before = W.ids();
		W.set("batch-size", String(size));
		W.set("batch-delay", "1ms");
		await W.frame();
		const tasks = [];
		let po = null;
		if (longTasks) {
			po = new PerformanceObserver(list => { for (const e of list.getEntries()) tasks.push(e.duration); });
			po.observe({type: "longtask", buffered: false});
		}
		const t0 = performance.now();
		W.el("batch-start").click();
		await W.until("batch of " + size + " to be gathered (#batch-status data-done, new data-batch)",
			() => st()?.dataset.batch !== prev && st()?.dataset.done === "true", ms);
		const wallMs = performance.now() - t0;
		const s = st();
		const out = {elapsedMs: Number(s.dataset.elapsedMs), wallMs, ok: s.dataset.ok === "true", text: s.textContent.trim(), lateNs: [], longTasks: []};
		if (rows) {
			const got = await W.until("the batch's " + size + " rows, started", () => {
				const r = W.rows().slice(0, size);
				return r.length === size && r.every(x => !before.has(x.dataset.id) && x.dataset.lateNs !== undefined) && r;
			}, 10000);
			out.lateNs = got.map(r => Number(r.dataset.lateNs));
		}
		if (po) {
			// A long task is reported after it ends: let the last one in.
			await W.frame(); await W.frame();
			await new Promise(r => setTimeout(r, 200));
			for (const e of po.takeRecords()) tasks.push(e.duration);
			po.disconnect();
			out.longTasks = tasks;
		}
		return out;
	};
})()`

// benchSummary collects every figure of the run for the closing table.
type benchSummary struct {
	mu   sync.Mutex
	rows [][3]string // part, figure, value with its unit
}

func (s *benchSummary) add(part, figure, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, [3]string{part, figure, value})
}

func (s *benchSummary) print(b *testing.B) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rows) == 0 {
		return
	}
	w := [3]int{}
	for _, r := range s.rows {
		for i, c := range r {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\nBrowser benchmark: %s, Chromium %s, served by cmd/serve on loopback (%s)\n", time.Now().Format("2006-01-02 15:04"), benchChromiumVersion(), rootURL)
	for _, r := range s.rows {
		fmt.Fprintf(&out, "  %s  %-*s  %s\n", r[0], w[1]+1, r[1], r[2])
	}
	fmt.Fprint(os.Stdout, out.String())
}

func benchChromiumVersion() string {
	out, err := benchOutput(chromium, "--version")
	if err != nil {
		return "(version unknown)"
	}
	// "Chromium 156.0.8078.108 built on Debian ..."
	f := strings.Fields(out)
	if len(f) < 2 {
		return "(version unknown)"
	}
	return f[1]
}

func benchOutput(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return strings.TrimSpace(string(out)), err
}

func benchNsToMs(ns float64) float64 { return ns / 1e6 }

func benchMap[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// benchPercentile interpolates linearly between the closest ranks: the median
// of an even count is the mean of the middle two.
func benchPercentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	pos := p / 100 * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// benchLatest lists the n largest of ms with their place in the run, as
// "12.34 ms (#7)", to tell warm-up from outliers, or a task at the start
// from one at the end.
func benchLatest(ms []float64, n int) string {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ms[b], ms[a]) })
	var parts []string
	for _, i := range idx[:min(n, len(idx))] {
		parts = append(parts, fmt.Sprintf("%.2f ms (#%d)", ms[i], i+1))
	}
	return strings.Join(parts, ", ")
}

func benchMedian(xs []float64) float64 { return benchPercentile(xs, 50) }

func benchMin(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return slices.Min(xs)
}

func benchMax(xs []float64) float64 {
	if len(xs) == 0 {
		return 0 // no long task: none over 50 ms
	}
	return slices.Max(xs)
}

func benchJoin(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func benchThousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
