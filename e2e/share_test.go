//go:build e2e

package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// openMounted opens url and waits for the app to run, whichever tab the
// link shows.
func (p *page) openMounted(url string) {
	p.t.Helper()
	p.do("opening "+url, chromedp.Navigate(url))
	p.waitFor("the wasm app to start", `!document.getElementById("app-wasm-loader") && document.querySelector(".page")?.dataset.mounted === "true"`)
}

// TestLinkOpensWithItsSettings: every setting of a link reaches the
// page's controls; an unknown parameter is ignored with a visible note;
// nothing runs; a change of setting rewrites the address in place.
func TestLinkOpensWithItsSettings(t *testing.T) {
	st := link.Default()
	st.Tab, st.Virtual, st.Speed = "free", true, 6
	st.Delay, st.BatchN, st.BatchDelay = 250*time.Millisecond, 25, 2*time.Second
	st.Start = play.Settings{StartTime: 200 * time.Millisecond, Jitter: 1500 * time.Microsecond, FailPct: 10, PanicPct: 5, Limit: 3}
	st.Seed = 12345
	q, _ := st.Encode()
	p := newPage(t, testTimeout)
	p.openMounted(rootURL + "?" + q + "&bogus=1")

	if got := p.attr("#tab-free", "aria-pressed"); got != "true" {
		t.Errorf("#tab-free aria-pressed=%q; want true", got)
	}
	if !eval[bool](p, `document.getElementById("time-virtual").checked`) {
		t.Error("virtual time is not checked")
	}
	if got := eval[string](p, `document.getElementById("time-speed").value`); got != "6" {
		t.Errorf("the speed slider is at %s; want 6", got)
	}
	for _, c := range []struct{ form, id, want string }{
		{"one", "delay", "250ms"},
		{"batch", "batch-size", "25"}, {"batch", "batch-delay", "2s"},
		{"start", "start-time", "200ms"}, {"start", "start-jitter", "1.5ms"}, {"start", "start-fail", "10"},
		{"start", "start-panic", "5"}, {"start", "start-limit", "3"},
		{"share", "seed", "12345"},
	} {
		p.click("#form-" + c.form)
		p.waitFor("#"+c.id, fmt.Sprintf(`!!document.getElementById(%s)`, js(c.id)))
		if got := eval[string](p, fmt.Sprintf(`document.getElementById(%s)?.value ?? "(none)"`, js(c.id))); got != c.want {
			t.Errorf("#%s shows %q; want %q", c.id, got, c.want)
		}
	}
	if say := p.text("#say"); !strings.Contains(say, "bogus") || !strings.Contains(say, "ignored") {
		t.Errorf("#say is %q; want a note that bogus was ignored", say)
	}
	if n := p.count("total"); n != 0 {
		t.Errorf("%d jobs ran on opening the link; want none", n)
	}
	p.waitFor("the address to drop what it ignored", fmt.Sprintf(`location.search === %s`, js("?"+q)))

	// A change of setting rewrites the address, without a new history entry.
	entries := eval[int](p, `history.length`)
	p.setInput("#time-speed", "2")
	p.waitFor("the address to say speed 0.25", `new URLSearchParams(location.search).get("speed") === "0.25"`)
	if n := eval[int](p, `history.length`); n != entries {
		t.Errorf("history has %d entries after a change; want %d: the address is replaced, not pushed", n, entries)
	}
	checkAxe(t, p)
}

// runIDs lists the run's rows as "id state", sorted.
func runIDs(p *page) []string {
	p.t.Helper()
	ids := eval[[]string](p, `[...document.querySelectorAll("#records tbody tr.record")].map(r => r.dataset.id + " " + r.dataset.state)`)
	slices.Sort(ids)
	return ids
}

// TestReplayShowsTheSameRun: a virtual run made with the page's controls,
// replayed, shows the same ids in the same states at the same time; and
// its link, opened afresh, replays it too.
func TestReplayShowsTheSameRun(t *testing.T) {
	st := link.Default()
	st.Virtual, st.Seed = true, 777
	st.Start = play.Settings{StartTime: time.Millisecond, FailPct: 30}
	q, _ := st.Encode()
	p := openApp(t, rootURL+"?"+q, testTimeout)
	p.freePlay("one")
	p.setInput("#delay", "5ms")
	p.click("#queue")
	p.waitFor("the job", `document.getElementById("count-queued").textContent.trim() === "1"`)
	p.click("#time-step")
	p.freePlay("batch")
	p.setInput("#batch-size", "30")
	p.setInput("#batch-delay", "2ms")
	p.click("#batch-start")
	p.waitFor("31 jobs", `document.getElementById("count-total").textContent.trim() === "31"`)
	for range 4 {
		p.click("#time-next-due")
		p.click("#time-step")
	}
	p.freePlay("one")
	p.setInput("#delay", "1h")
	p.click("#queue")
	p.waitFor("the hour-long job", fmt.Sprintf(`%s?.dataset.state === "queued"`, query(newestRow)))
	p.click(newestRow + " button.cancel")
	p.waitFor("the cancel", fmt.Sprintf(`%s?.dataset.state === "cancelled"`, query(newestRow)))
	p.waitFor("every job to end", `["queued", "starting"].every(s => document.getElementById("count-" + s).textContent.trim() === "0")`)
	want, wantAt := runIDs(p), p.offset()
	if len(want) != 32 || p.count("failed") == 0 || p.count("started") == 0 {
		t.Fatalf("the run has %d jobs, %d failed, %d started; want 32 with some of each", len(want), p.count("failed"), p.count("started"))
	}
	// The address follows once the page has been still for a moment.
	p.waitFor("the address to hold the run's actions", `location.search.includes("acts=") && location.search.includes("seed=777")`)
	// The run is still: a second later the address is the link Copy link
	// gives, which writes its link into the address too.
	href := p.stillAddress()
	p.click("#form-share")
	p.click("#copy-link")
	p.waitFor("Copy link's note", `document.getElementById("share-note").textContent.includes("link")`)
	if got := eval[string](p, `location.href`); got != href {
		t.Errorf("Copy link gave\n %s\nwhile the still run's address was\n %s", got, href)
	}

	replay := func(what string) {
		t.Helper()
		p.click("#form-share")
		p.click("#replay")
		p.waitFor(what+" to end", `document.getElementById("share-note").textContent.startsWith("Replayed")`)
		p.waitFor("every job to end", `["queued", "starting"].every(s => document.getElementById("count-" + s).textContent.trim() === "0")`)
		if got := runIDs(p); !slices.Equal(got, want) {
			t.Errorf("%s shows\n %v\nwant\n %v", what, got, want)
		}
		if at := p.offset(); at != wantAt {
			t.Errorf("%s ends at %d ns; want %d", what, at, wantAt)
		}
	}
	replay("the replay")

	p.openMounted(href)
	if n := p.count("total"); n != 0 {
		t.Fatalf("the link ran %d jobs by itself", n)
	}
	if note := p.text("#share-note"); !strings.Contains(note, "press Replay") {
		t.Errorf("#share-note says %q; want it to offer the link's run", note)
	}
	replay("the link's replay")
}

// downloads saves the tab's downloads in a folder and tells when each is
// complete.
type downloads struct {
	dir  string
	mu   sync.Mutex
	name map[string]string // suggested file name by GUID
	done chan string       // suggested names, once complete
}

func allowDownloads(p *page) *downloads {
	d := &downloads{dir: p.t.TempDir(), name: map[string]string{}, done: make(chan string, 8)}
	chromedp.ListenBrowser(p.tab, func(ev any) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch ev := ev.(type) {
		case *browser.EventDownloadWillBegin:
			d.name[ev.GUID] = ev.SuggestedFilename
		case *browser.EventDownloadProgress:
			if ev.State == browser.DownloadProgressStateCompleted {
				d.done <- ev.GUID
			}
		}
	})
	on := true
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: d.dir, EventsEnabled: &on,
	}); err != nil {
		p.t.Fatalf("allowing downloads: %v", err)
	}
	return d
}

// next waits for the next download and returns its name and content.
func (d *downloads) next(p *page) (string, []byte) {
	p.t.Helper()
	select {
	case guid := <-d.done:
		d.mu.Lock()
		name := d.name[guid]
		d.mu.Unlock()
		b, err := os.ReadFile(filepath.Join(d.dir, guid))
		if err != nil {
			p.t.Fatal(err)
		}
		return name, b
	case <-p.ctx.Done():
		p.t.Fatalf("no download came: %v", p.ctx.Err())
	}
	return "", nil
}

// TestExportsDownload: each export downloads a file that parses, with
// every job of the run and whole ids.
func TestExportsDownload(t *testing.T) {
	p := openApp(t, rootURL+"?seed=4242", testTimeout)
	d := allowDownloads(p)
	p.freePlay("batch")
	p.setInput("#batch-size", "150") // more than the table shows
	p.setInput("#batch-delay", "1ms")
	p.click("#batch-start")
	p.waitFor("the gather", query("#batch-status")+`?.dataset.done === "true"`)
	p.click("#form-share")
	for i, c := range []struct{ button, file string }{
		{"json", "wasmsched-run-4242.json"}, {"csv", "wasmsched-run-4242.csv"}, {"trace", "wasmsched-run-4242-trace.json"},
	} {
		p.click("#export-" + c.button)
		p.waitFor("the export", fmt.Sprintf(`document.getElementById("share-note").dataset.exports === "%d"`, i+1))
		name, b := d.next(p)
		if name != c.file {
			t.Errorf("downloaded %q; want %q", name, c.file)
		}
		ids := map[string]bool{}
		switch c.button {
		case "json":
			var doc struct {
				Seed uint64
				Jobs []struct {
					ID, State string
					QueuedNS  *int64 `json:"queued_ns"`
				}
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("the JSON export: %v", err)
			}
			if doc.Seed != 4242 {
				t.Errorf("the JSON export's seed is %d", doc.Seed)
			}
			for _, j := range doc.Jobs {
				ids[j.ID] = j.State == "started" && j.QueuedNS != nil
			}
		case "csv":
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("the CSV export: %v", err)
			}
			for _, r := range rows[1:] {
				ids[r[1]] = r[3] == "started"
			}
		case "trace":
			var doc struct {
				TraceEvents []struct {
					Ph, Cat, ID string
					Ts          *float64
				}
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("the trace: %v", err)
			}
			open := map[string]int{}
			for _, ev := range doc.TraceEvents {
				switch ev.Ph {
				case "b":
					open[ev.ID]++
				case "e":
					open[ev.ID]--
				}
			}
			for id, n := range open {
				ids[id] = n == 0
			}
		}
		if len(ids) != 150 {
			t.Errorf("%s: %d jobs; want 150", c.button, len(ids))
		}
		for id, ok := range ids {
			if !jobID.MatchString(id) || !ok {
				t.Errorf("%s: job %q is not a whole id of a started job (or its events do not pair)", c.button, id)
				break
			}
		}
	}
}

// TestCopyIDByKeyboard: a row's id, reached by keyboard, copies the whole
// id to the clipboard.
func TestCopyIDByKeyboard(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(p.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name},
			Setting:    browser.PermissionSettingGranted,
			Origin:     strings.TrimSuffix(rootURL, "/"),
		}); err != nil {
			t.Fatalf("letting the page use the clipboard (%s): %v", name, err)
		}
	}
	if _, err := chromedp.Call(p.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	queueAndStart(t, p)
	id := p.attr(newestRow, "data-id")
	p.do("pressing Enter on the row's id", chromedp.Focus(chromedp.CSS(newestRow+" button.copy")), chromedp.KeyEvent(kb.Enter))
	p.waitFor("the page to say it copied", fmt.Sprintf(`document.getElementById("say").textContent.includes(%s)`, js("Copied")))
	got := eval[string](p, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)
	if got != id {
		t.Errorf("the clipboard holds %q; want the whole id %q", got, id)
	}
}

// stillAddress waits until the address has stayed the same for 1.5 s (the
// page rewrites it once the run is still), and returns it.
func (p *page) stillAddress() string {
	p.t.Helper()
	p.waitFor("the address to stay the same for 1.5 s", `(() => {
		const now = performance.now();
		if (window.__href !== location.href) { window.__href = location.href; window.__hrefAt = now; }
		return now - window.__hrefAt > 1500;
	})()`)
	return eval[string](p, `location.href`)
}
