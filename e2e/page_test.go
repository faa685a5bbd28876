//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// page is the app open in a fresh browser of its own, driven through the
// DOM ids of the contract between app/ and these tests.
type page struct {
	t   *testing.T
	tab context.Context // the tab, without the test's deadline
	ctx context.Context // the tab, with it

	mu        sync.Mutex
	problems  []string                     // console errors, uncaught exceptions, error log entries
	responses map[string]*network.Response // by URL
}

// browserOptions are chromedp's defaults (which, among others, stop the
// throttling of background timers) plus the flags that keep Chromium
// offline and quiet in a container, run as root.
func browserOptions(userDataDir string) []chromedp.ExecAllocatorOption {
	return append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(1280, 1000),
	)
}

// openApp starts a browser with an empty profile, opens url and waits for
// the wasm app to run. Every step of the test shares the timeout. Any
// console error, uncaught exception or error log entry fails the test.
func openApp(t *testing.T, url string, timeout time.Duration) *page {
	t.Helper()
	p := newPage(t, timeout)
	p.open(url)
	return p
}

// newPage starts a browser with an empty profile and an empty tab, for a
// test that must set the tab up before it opens the app.
func newPage(t *testing.T, timeout time.Duration) *page {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	// Cleanups run last first: the console is checked while the tab lives,
	// and the browser has exited before its profile folder is removed.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(t.TempDir())...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)

	p := &page{t: t, tab: tab, responses: map[string]*network.Response{}}
	// Listen's func sees each event before the reply to any later command,
	// so nothing the page reported before a check can be missed.
	if err := chromedp.Listen(tab, p.onEvent); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(cancel)
	p.ctx = ctx
	t.Cleanup(p.checkConsole)
	return p
}

// open opens url and waits for the wasm app to run.
func (p *page) open(url string) {
	p.t.Helper()
	p.do("opening "+url, chromedp.Navigate(url))
	p.waitForApp()
}

// waitForApp waits for the wasm app to run in the page. The page is
// pre-rendered, so #queue shows before the wasm runs; the loader goes only
// once the Go program has started and mounted the page.
func (p *page) waitForApp() {
	p.t.Helper()
	p.waitForMount()
	p.do("waiting for #lesson-run to be visible and enabled",
		chromedp.WaitVisible(chromedp.CSS("#lesson-run")),
		chromedp.WaitEnabled(chromedp.CSS("#lesson-run")))
}

// waitForMount waits for the wasm app to run and mount the page, whichever
// tab it shows.
func (p *page) waitForMount() {
	p.t.Helper()
	p.waitFor("the wasm app to start (go-app's #app-wasm-loader removed, the page mounted)", `!document.getElementById("app-wasm-loader") && document.querySelector(".page")?.dataset.mounted === "true"`)
}

func (p *page) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var args []string
		for _, a := range ev.Args {
			args = append(args, remoteText(a))
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "uncaught exception: " + d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		if d.URL != "" {
			msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("%s error: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	case *network.EventResponseReceived:
		p.mu.Lock()
		p.responses[ev.Response.URL] = ev.Response
		p.mu.Unlock()
		return
	default:
		return
	}
	p.mu.Lock()
	p.problems = append(p.problems, msg)
	p.mu.Unlock()
}

func remoteText(o *runtime.RemoteObject) string {
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

func (p *page) checkConsole() {
	// One round trip: the events sent before its reply have been handled.
	ctx, cancel := context.WithTimeout(p.tab, 5*time.Second)
	defer cancel()
	chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void]("0"))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, msg := range p.problems {
		p.t.Errorf("browser console: %s", msg)
	}
}

// response returns what the browser received for url, or nil.
func (p *page) response(url string) *network.Response {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.responses[url]
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v\n%s", what, err, p.snapshot())
	}
}

// eval returns the value of a JavaScript expression.
func eval[T any](p *page, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v\n%s", expr, err, p.snapshot())
	}
	return v
}

// waitFor polls a JavaScript condition in the page until it holds; only the
// test's timeout bounds it.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(0)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v\n%s", what, err, p.snapshot())
	}
}

// waitAcrossNavigation polls a JavaScript condition while the page may be
// navigating, as after a click that reloads it; only the test's timeout
// bounds it.
func (p *page) waitAcrossNavigation(what, cond string) {
	p.t.Helper()
	for {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if p.ctx.Err() != nil {
			p.t.Fatalf("waiting for %s: %v\n%s", what, err, p.snapshot())
		}
		select {
		case <-p.ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// text returns the trimmed text of the first element sel matches, or "" if
// there is none.
func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").trim()`, js(sel)))
}

// attr returns an attribute of the first element sel matches, or "" if
// either is missing.
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%s)?.getAttribute(%s) ?? ""`, js(sel), js(name)))
}

// count returns the number shown by #count-<name>.
func (p *page) count(name string) int {
	p.t.Helper()
	s := p.text("#count-" + name)
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		p.t.Fatalf("#count-%s shows %q, not a number\n%s", name, s, p.snapshot())
	}
	return n
}

// setInput types v into the input sel as a user's edit would end up: the
// value set, then the input and change events.
func (p *page) setInput(sel, v string) {
	p.t.Helper()
	p.do("typing "+js(v)+" into "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		el.focus();
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, js(sel), js(v))))
}

// click clicks the middle of the element with the mouse, as a user would;
// so it fails if something covers it.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// snapshot describes the page for a failure message.
func (p *page) snapshot() string {
	ctx, cancel := context.WithTimeout(p.tab, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		loader: document.getElementById("app-wasm-loader")?.innerText,
		counts: ["queued", "started", "cancelled", "failed", "total"].map(k => k + "=" + document.getElementById("count-" + k)?.textContent).join(" "),
		delayError: document.getElementById("delay-error")?.textContent,
		batchError: document.getElementById("batch-error")?.textContent,
		batchStatus: document.getElementById("batch-status")?.outerHTML,
		say: document.getElementById("say")?.textContent,
		lesson: document.getElementById("lesson")?.dataset,
		step: document.getElementById("lesson-step")?.outerHTML,
		time: document.getElementById("time-now")?.outerHTML,
		rows: document.querySelectorAll("#records tbody tr").length,
		firstRow: document.querySelector("#records tbody tr")?.outerHTML,
	}, null, 1)`))
	if err != nil {
		s = "(no snapshot of the page: " + err.Error() + ")"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return "page: " + s + "\nconsole problems so far: " + strings.Join(p.problems, "; ")
}
