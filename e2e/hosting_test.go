//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wasmsched/wasmsched/internal/hosting"
	"github.com/wasmsched/wasmsched/internal/lesson"
)

// gatedHost stands between the browser and a cmd/serve, on a loopback
// port of its own: it sends app.wasm up to half, then holds the rest until
// the test releases it. So a test sees the page as a visitor on a slow
// link does, for as long as it needs, with no timing in it.
type gatedHost struct {
	url      string
	upstream string
	onTheFly bool // compress app.wasm as it goes, with no length, like many hosts
	release  chan struct{}
	once     sync.Once
}

func newGatedHost(t *testing.T, upstream string, onTheFly bool) *gatedHost {
	t.Helper()
	h := &gatedHost{upstream: upstream, onTheFly: onTheFly, release: make(chan struct{})}
	srv := httptest.NewServer(h) // on 127.0.0.1
	t.Cleanup(srv.Close)
	t.Cleanup(h.open) // a held request would keep srv.Close waiting
	h.url = srv.URL + "/"
	return h
}

// open lets every held app.wasm finish.
func (h *gatedHost) open() { h.once.Do(func() { close(h.release) }) }

func (h *gatedHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimSuffix(h.upstream, "/")+r.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	wasm := strings.HasSuffix(r.URL.Path, ".wasm")
	switch {
	case wasm && h.onTheFly:
		req.Header.Set("Accept-Encoding", "identity")
	default:
		req.Header.Set("Accept-Encoding", r.Header.Get("Accept-Encoding"))
	}
	for _, k := range []string{"If-Modified-Since", "If-None-Match", "Cache-Control"} {
		if v := r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	if wasm && h.onTheFly && res.StatusCode == http.StatusOK {
		// As a host that compresses as it sends: no length of any kind.
		w.Header().Del("Content-Length")
		w.Header().Del(hosting.WasmLengthHeader)
		w.Header().Set("Content-Encoding", "gzip")
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body[:len(body)/2])
		zw.Flush() // the first half decodes on its own
		half := buf.Len()
		zw.Write(body[len(body)/2:])
		zw.Close()
		body = buf.Bytes()
		w.WriteHeader(res.StatusCode)
		h.send(w, r, body, half)
		return
	}
	w.WriteHeader(res.StatusCode)
	if wasm && res.StatusCode == http.StatusOK {
		h.send(w, r, body, len(body)/2)
		return
	}
	w.Write(body)
}

// send writes body[:half], then the rest once the test releases it.
func (h *gatedHost) send(w http.ResponseWriter, r *http.Request, body []byte, half int) {
	w.Write(body[:half])
	http.NewResponseController(w).Flush()
	select {
	case <-h.release:
	case <-r.Context().Done():
		return
	}
	w.Write(body[half:])
}

// onNewDocument has the tab run script in every page it opens from now
// on, before the page's own scripts.
func (p *page) onNewDocument(what, script string) {
	p.t.Helper()
	p.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
}

// recordLoaderLabels makes the tab note every text the loader's label
// shows, from the end of the page's parse, in window.loaderLabels.
//
// While the document is still loading, only the HTML parser changes the
// label: it may add the element before its text, or the text in pieces
// as the network delivers it, so those states are not recorded. The
// label as parsed is recorded when the parse ends (readyState becomes
// "interactive"), before app.js, a deferred script, first runs.
func recordLoaderLabels(p *page) {
	p.t.Helper()
	const script = `
window.loaderLabels = [];
const record = () => {
  if (document.readyState === "loading") {
    return;
  }
  const label = document.getElementById("app-wasm-loader-label");
  const text = label ? label.textContent : null;
  if (text !== null && window.loaderLabels.at(-1) !== text) {
    window.loaderLabels.push(text);
  }
};
document.addEventListener("readystatechange", record);
new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });`
	p.onNewDocument("recording the loader's label", script)
}

var percentLabel = regexp.MustCompile(`^Loading the scheduler… ([0-9]+)%$`)

// TestLoaderShowsTrueProgress: on a slow link the loader counts from 0 to
// 100 percent, never NaN, never over 100, never backwards: from cmd/serve,
// which says app.wasm's decoded size in a header, and from a host that
// compresses on the fly and says no length at all.
func TestLoaderShowsTrueProgress(t *testing.T) {
	for _, onTheFly := range []bool{false, true} {
		name := map[bool]string{false: "cmd/serve, brotli with the size header", true: "on-the-fly gzip, no length"}[onTheFly]
		t.Run(name, func(t *testing.T) {
			host := newGatedHost(t, rootURL, onTheFly)
			p := newPage(t, testTimeout)
			recordLoaderLabels(p)
			p.do("opening "+host.url, chromedp.Navigate(host.url))
			// Half of app.wasm has come: the label must say so, as a number.
			p.waitFor("the loader to show progress between 0 and 100", `(window.loaderLabels || []).some(l => {
				const m = /([0-9]+)%$/.exec(l); return m && +m[1] > 0 && +m[1] < 100; })`)
			held := eval[string](p, `document.getElementById("app-wasm-loader-label").textContent`)
			host.open()
			p.waitForApp()

			labels := eval[[]string](p, `window.loaderLabels`)
			t.Logf("the loader showed %q; with half of app.wasm in: %q", labels, held)
			last := -1
			for _, l := range labels {
				m := percentLabel.FindStringSubmatch(l)
				if m == nil {
					t.Errorf("the loader showed %q, not a percentage", l)
					continue
				}
				n, _ := strconv.Atoi(m[1])
				if n < last || n > 100 {
					t.Errorf("the loader went from %d%% to %d%% (%q)", last, n, labels)
				}
				last = n
			}
			if last != 100 {
				t.Errorf("the loader ended at %d%%, want 100%%", last)
			}
		})
	}
}

// controlsDisabled says whether every control of the page is disabled.
const controlsDisabled = `(() => {
	const controls = [...document.querySelectorAll(".controls :is(button, input, select, textarea)")];
	return controls.length > 10 && controls.every(c => c.matches(":disabled"));
})()`

// TestFormsWaitForTheApp: before the app runs, the pre-rendered controls
// are disabled and say why, so Tab and Enter cannot submit a form (which
// would reload the page and lose what was typed); once the app runs they
// are live. The loader passes axe-core's checks for its image and the
// viewport meanwhile.
func TestFormsWaitForTheApp(t *testing.T) {
	host := newGatedHost(t, rootURL, false)
	p := newPage(t, testTimeout)
	p.do("opening "+host.url, chromedp.Navigate(host.url), chromedp.WaitReady(chromedp.CSS("#lesson-run")))
	p.waitFor("the page to load its scripts", `document.readyState === "complete" || document.getElementById("app-wasm-loader-label").textContent.includes("%")`)

	if got := eval[bool](p, controlsDisabled+` && document.querySelector("#lesson-run").matches(":disabled") && document.querySelector("#tab-free").matches(":disabled")`); !got {
		t.Error("before the app runs, the controls are not disabled")
	}
	if note := p.text("#app-waiting"); note == "" {
		t.Error("no note says the controls wait for the app")
	}
	// What a visitor on a slow link does: Tab into a field, type, press Enter.
	// A global of the page's own: a reload or a navigation drops it.
	eval[bool](p, `window.beforeApp = true`)
	for range 6 {
		p.do("pressing Tab", chromedp.KeyEvent("\t"))
	}
	p.do("typing and pressing Enter", chromedp.KeyEvent("5ms"), chromedp.KeyEvent("\r"))
	if focused := eval[string](p, `document.activeElement ? document.activeElement.tagName + "#" + document.activeElement.id : ""`); strings.HasPrefix(focused, "INPUT") || strings.HasPrefix(focused, "BUTTON") {
		t.Errorf("Tab reached the control %s before the app runs", focused)
	}
	checkAxe(t, p, "image-alt", "meta-viewport")

	host.open()
	p.waitForApp()
	if u := eval[string](p, `location.href`); u != host.url {
		t.Errorf("the page navigated to %s", u)
	}
	if !eval[bool](p, `window.beforeApp === true`) {
		t.Error("the page was reloaded before the app ran")
	}
	if p.attr("#lesson", "data-running") != "false" || p.attr("#tab-await", "aria-pressed") != "true" {
		t.Error("a key pressed before the app ran started the lesson or changed tabs")
	}
	if eval[bool](p, `!!document.getElementById("app-waiting")`) {
		t.Error("the note that the controls wait is still there once the app runs")
	}
	p.freePlay("one")
	if v := eval[string](p, `document.querySelector("#delay").value`); v != "1ms" {
		t.Errorf("#delay holds %q: something typed before the app ran reached it", v)
	}
	queueAndStart(t, p)
}

// uncovered says whether the element sel shows in the window and nothing
// lies over it: the topmost element at points across its visible top part
// is inside it (the full-screen loader go-app draws would be).
func uncovered(sel string) string {
	return fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		const r = el?.getBoundingClientRect();
		if (!r || r.height < 4 || r.bottom <= 0 || r.top >= innerHeight) return false;
		const y = Math.max(r.top, 0) + Math.min(20, (Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)) / 2);
		return [0.1, 0.5, 0.9].every(f => {
			const x = r.left + f * Math.min(r.width, innerWidth - r.left);
			const top = document.elementFromPoint(x, y);
			return !!top && el.contains(top);
		});
	})()`, js(sel))
}

// TestPageReadableWhileLoading: while app.wasm downloads (held at half by
// the gated host), the page rendered ahead of time is there to read: the
// first lesson's text and its listings show, covered by nothing, at both
// sizes; a slim bar across the top says how far the download is, with the
// percentage; the controls are disabled and say they wake up once the app
// has loaded; screen readers reach the listings' code; and axe-core finds
// nothing. Once the wasm is in, the bar goes and the app runs.
func TestPageReadableWhileLoading(t *testing.T) {
	host := newGatedHost(t, rootURL, false)
	p := newPage(t, testTimeout)
	p.do("opening "+host.url, chromedp.Navigate(host.url))
	p.waitFor("the loader to show progress between 0 and 100", `(() => {
		const bar = document.getElementById("app-wasm-loader-bar");
		return !!bar && bar.value > 0 && bar.value < 100; })()`)

	for _, vp := range viewports {
		p.do("sizing the window to "+vp.name, chromedp.EmulateViewport(vp.width, vp.height))
		listings := []string{"#listing-go", "#listing-python"}
		if vp.name == "phone" {
			listings = listings[:1] // one at a time; Go first
		}
		for _, sel := range append(listings, "#lesson h2", "#lesson-step", "#app-wasm-loader-bar") {
			if !eval[bool](p, uncovered(sel)) {
				t.Errorf("%s, while the wasm loads: %s is not in view or is covered", vp.name, sel)
			}
		}
		bar := eval[map[string]float64](p, `(() => { const r = document.getElementById("app-wasm-loader").getBoundingClientRect();
			return {top: r.top, height: r.height, width: r.width}; })()`)
		if bar["top"] != 0 || bar["height"] > 48 || bar["width"] < float64(vp.width)-1 {
			t.Errorf("%s: the loader is at %v; want a slim bar across the top", vp.name, bar)
		}
		checkAxe(t, p)
	}
	label := p.text("#app-wasm-loader-label")
	bar := eval[float64](p, `document.getElementById("app-wasm-loader-bar").value`)
	if m := percentLabel.FindStringSubmatch(label); m == nil || m[1] != strconv.Itoa(int(bar)) {
		t.Errorf("the loader says %q, its bar %v: want the same percentage", label, bar)
	}
	if got := eval[bool](p, controlsDisabled); !got {
		t.Error("while the wasm loads, the controls are not disabled")
	}
	if note := p.text("#app-waiting"); !strings.Contains(note, "wake up once the app has loaded") {
		t.Errorf("#app-waiting says %q", note)
	}

	// What a screen reader is given: the code of the listings, as text.
	p.do("sizing the window to desktop", chromedp.EmulateViewport(1366, 900))
	tree, err := chromedp.Run(p.ctx, chromedp.Action[accessibility.GetFullAXTreeResult](func(ctx context.Context, tgt *chromedp.Target) (accessibility.GetFullAXTreeResult, error) {
		return cdp.Call(ctx, tgt, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	}))
	if err != nil {
		t.Fatalf("reading the accessibility tree: %v", err)
	}
	l := lesson.All()[0]
	for lang, code := range map[string][]string{"Go": l.Go, "Python": l.Python} {
		line := firstCodeLine(code)
		found := false
		for _, n := range tree.Nodes {
			if !n.Ignored && n.Name != nil && strings.Contains(string(n.Name.Value), line) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no node of the accessibility tree reads the %s listing's %q", lang, line)
		}
	}

	host.open()
	p.waitForApp()
	if eval[bool](p, `!!document.getElementById("app-wasm-loader")`) {
		t.Error("the loader is still there once the app runs")
	}
}

// firstCodeLine is the first line of code with some length.
func firstCodeLine(code []string) string {
	for _, line := range code {
		if line = strings.TrimSpace(line); len(line) > 12 {
			return line
		}
	}
	return strings.TrimSpace(code[0])
}

// TestSecurityHeaders: cmd/serve sends the headers of internal/hosting,
// the page loads and runs the seed's scenario with no Content-Security-
// Policy violation, and it is cross-origin isolated and says so.
func TestSecurityHeaders(t *testing.T) {
	p := newPage(t, testTimeout)
	p.onNewDocument("listening for CSP violations", `
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});`)
	p.open(rootURL)
	p.waitForApp()
	for _, l := range lesson.All() {
		runLesson(t, p, l, nil)
	}
	if v := eval[[]string](p, `window.violations`); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", v)
	}

	for _, u := range []string{rootURL, rootURL + "web/app.wasm", rootURL + "app.js"} {
		r := p.response(u)
		if r == nil {
			t.Errorf("no response for %s", u)
			continue
		}
		for _, h := range hosting.Headers {
			if got := headerValue(r.Headers, h.Name); got != h.Value {
				t.Errorf("%s: %s is %q, want %q", u, h.Name, got, h.Value)
			}
		}
	}
	if !eval[bool](p, `self.crossOriginIsolated`) {
		t.Error("the page is not cross-origin isolated")
	}
	if p.attr("#clock-note", "data-isolated") != "true" || !strings.Contains(p.text("#clock-note"), "5 µs") {
		t.Errorf("the page does not say its clock steps 5 µs: %q", p.text("#clock-note"))
	}
}

func headerValue(h map[string]any, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// TestUpdateOffered: a returning visitor after a rebuild gets the old
// version from the worker's cache, is told that a new one is ready, and
// gets it with one click. The rebuild replaces the folder under a running
// cmd/serve, which serves the new build without a restart.
func TestUpdateOffered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	web := copyModuleWeb(t)
	if err := built.build(dir, web, ""); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(built.serve, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()

	p := openApp(t, srv.url, testTimeout)
	eval[string](p, `navigator.serviceWorker.ready.then(r => r.scope)`, chromedp.EvalAwaitPromise)
	oldKeys := eval[[]string](p, `caches.keys()`, chromedp.EvalAwaitPromise)

	// A new build: one more asset, so a new version.
	if err := os.WriteFile(filepath.Join(web, "new.txt"), []byte("a new build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := built.build(dir, web, ""); err != nil {
		t.Fatal(err)
	}
	p.do("reloading after the rebuild", chromedp.Reload())
	p.waitForApp()
	p.waitFor("the offer to load the new version", `!!document.getElementById("update-load")`)
	if !strings.Contains(p.text("#update"), "new version") {
		t.Errorf("#update says %q", p.text("#update"))
	}
	eval[bool](p, `window.beforeUpdate = true`)
	p.click("#update-load")
	p.waitAcrossNavigation("the new version to load", `!window.beforeUpdate && !document.getElementById("app-wasm-loader") && !!document.getElementById("lesson-run")`)
	p.waitForApp()
	newKeys := eval[[]string](p, `caches.keys()`, chromedp.EvalAwaitPromise)
	if len(newKeys) != 1 || slices.Equal(newKeys, oldKeys) {
		t.Errorf("caches before the update %q, after %q: want one new version", oldKeys, newKeys)
	}
	if got := eval[int](p, `fetch("web/new.txt").then(r => r.status)`, chromedp.EvalAwaitPromise); got != http.StatusOK {
		t.Errorf("the new build's web/new.txt answers %d", got)
	}
}

func copyModuleWeb(t *testing.T) string {
	t.Helper()
	web := filepath.Join(t.TempDir(), "web")
	if err := os.CopyFS(web, os.DirFS(built.web)); err != nil {
		t.Fatal(err)
	}
	return web
}

// TestWorkerCachesOneBuild: a site whose app.wasm is of another build (a
// rebuild while the worker was caching) is not cached at all, though the
// page itself runs.
func TestWorkerCachesOneBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if err := os.CopyFS(dir, os.DirFS(built.rootDir)); err != nil {
		t.Fatal(err)
	}
	// Another build's app.wasm: the same module with a custom section at
	// its end (id 0, size, name), which any runtime skips.
	wasmPath := filepath.Join(dir, "web", "app.wasm")
	b, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, 0, 8, 7) // custom section, 8 bytes: a name of 7 bytes
	b = append(b, "rebuild"...)
	if err := os.WriteFile(wasmPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".br", ".gz"} {
		os.Remove(wasmPath + ext)
	}
	srv, err := startServer(built.serve, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()

	p := newPage(t, testTimeout)
	// Note what becomes of the worker app.js registers: a worker whose
	// install fails is dropped with its registration, so nothing is left
	// to ask afterwards.
	p.onNewDocument("watching the worker", `
window.workerStates = [];
const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
navigator.serviceWorker.register = async (...args) => {
  const r = await register(...args);
  const w = r.installing;
  if (w) {
    window.workerStates.push(w.state);
    w.addEventListener("statechange", () => window.workerStates.push(w.state));
  } else {
    window.workerStates.push("none installing");
  }
  return r;
};`)
	p.open(srv.url)
	p.waitFor("the worker to be installed or dropped", `["redundant", "activated", "none installing"].includes(window.workerStates.at(-1))`)
	if states := eval[[]string](p, `window.workerStates`); states[len(states)-1] != "redundant" {
		t.Errorf("the worker for a mixed site went through %q, want it dropped (redundant)", states)
	}
	if keys := eval[[]string](p, `caches.keys().then(async keys => { const out = []; for (const k of keys) if ((await (await caches.open(k)).keys()).length) out.push(k); return out; })`, chromedp.EvalAwaitPromise); len(keys) != 0 {
		t.Errorf("a mixed site was cached in %q", keys)
	}
	queueAndStart(t, p)
}
