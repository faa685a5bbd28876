//go:build e2e

package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// groupRun is the free play run of TestFreeTimeoutAndGroup: virtual time,
// starts of 10 ms one at a time, some of which fail, and a seed under which
// the batch's first failure comes after a few starts, so that the others
// are still queued when it does.
func groupRun(t *testing.T) (link.State, int) {
	t.Helper()
	st := link.Default()
	st.Tab, st.Virtual = "free", true
	st.Start = play.Settings{StartTime: 10 * time.Millisecond, FailPct: 20, Limit: 1}
	// The page's run has one job, the timed out one, before the batch.
	for seed := uint64(1); seed < 1000; seed++ {
		for pos := 1; pos < 1+batchN; pos++ {
			if _, out := st.Start.Decide(seed, pos); out != play.Succeed {
				if f := pos - 1; f >= 2 && f <= 5 {
					st.Seed = seed
					return st, f
				}
				break
			}
		}
	}
	t.Fatal("no seed makes the batch's first failure its third to sixth job")
	return st, 0
}

const batchN = 12

// TestFreeTimeoutAndGroup: at both sizes, free play's One job cancels a
// long job at its timeout, exactly, and A batch with "Cancel the others if
// one fails" cancels the jobs still queued at the first failure; each says
// what happened where it is seen without scrolling, axe-core finds nothing,
// and the share link holds both, whose replay, in the page and from the
// link opened afresh, shows the same run.
func TestFreeTimeoutAndGroup(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			st, failAt := groupRun(t)
			q, _ := st.Encode()
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.openMounted(rootURL + "?" + q)

			// One job of an hour, with a timeout of 50 ms, at +0.
			p.freePlay("one")
			p.setInput("#delay", "1h")
			p.setInput("#timeout", "50ms")
			p.click("#queue")
			p.waitFor("the hour-long job", query(newestRow)+`?.dataset.state === "queued"`)
			id := p.attr(newestRow, "data-id")
			if note := p.text("#single-note"); !strings.HasSuffix(note, "; timeout 50 ms.") {
				t.Errorf("#single-note says %q; want it to name the timeout", note)
			}
			checkInView(t, p, "Queue job with a timeout", "#single-note", "#say", "#counts", "#timeline-box")
			p.click("#time-step")
			p.waitFor("the job to be cancelled", query(rowSel(id))+`?.dataset.state === "cancelled"`)
			if at := p.offset(); at != int64(50*time.Millisecond) {
				t.Errorf("Step went to +%d ns; want the timeout, at +50 ms", at)
			}
			want := fmt.Sprintf("Job %s was cancelled at its 50 ms timeout.", id[:8])
			note := strings.TrimSuffix(want, ".") + ": context deadline exceeded."
			p.waitFor("the note of the timeout", fmt.Sprintf(`document.getElementById("single-note")?.textContent.trim() === %s`, js(note)))
			if say := p.text("#say"); say != want {
				t.Errorf("#say says %q; want %q", say, want)
			}
			checkInView(t, p, "the timeout", "#single-note", "#say", "#counts", "#timeline-box")
			checkAxe(t, p)

			// A batch that cancels its others when one fails.
			p.freePlay("batch")
			p.setInput("#batch-size", fmt.Sprint(batchN))
			p.setInput("#batch-delay", "1ms")
			p.click("#batch-group")
			if !eval[bool](p, `document.getElementById("batch-group").checked`) {
				t.Fatal("#batch-group is not checked after a click")
			}
			p.click("#batch-start")
			p.waitFor("the batch", fmt.Sprintf(`document.getElementById("count-total").textContent.trim() === "%d"`, 1+batchN))
			// Step by step, each exactly at its time: the batch is due at
			// +51 ms, its starts end 10 ms apart, and the first failure,
			// the job at failAt's, ends the batch.
			for k := 0; k <= failAt+1; k++ {
				at := 51*time.Millisecond + time.Duration(k)*10*time.Millisecond
				p.click("#time-step")
				p.waitFor(fmt.Sprintf("the step to +%v", at), fmt.Sprintf(`document.getElementById("time-now").dataset.offsetNs === "%d"`, at))
			}
			p.waitFor("the gather", query("#batch-status")+`?.dataset.done === "true"`)
			status := p.text("#batch-status")
			wantStatus := regexp.MustCompile(fmt.Sprintf(`^Batch 1: job [0-9a-f]{8} failed, so the %d others still queued were cancelled; %d had started$`, batchN-failAt-1, failAt))
			if !wantStatus.MatchString(status) {
				t.Errorf("#batch-status says %q; want it to match %s", status, wantStatus)
			}
			if say := p.text("#say"); say != "Gathered b"+strings.TrimPrefix(status, "B")+"." {
				t.Errorf("#say says %q; want the gather's %q", say, status)
			}
			for name, n := range map[string]int{"started": failAt, "failed": 1, "cancelled": 1 + batchN - failAt - 1} {
				if got := p.count(name); got != n {
					t.Errorf("#count-%s = %d; want %d", name, got, n)
				}
			}
			checkInView(t, p, "the gather of the group", "#batch-status", "#say", "#counts")
			checkAxe(t, p)

			// The link holds both settings and both actions.
			p.waitFor("the address to hold the run", `location.search.includes("acts=") && location.search.includes("group=1")`)
			href := p.stillAddress()
			ls, notes := link.Parse(href[strings.Index(href, "?"):])
			if len(notes) > 0 || ls.Timeout != 50*time.Millisecond || !ls.BatchGroup || len(ls.Actions) != 2 ||
				ls.Actions[0].Timeout != 50*time.Millisecond || !ls.Actions[1].Group || ls.Actions[1].N != batchN {
				t.Fatalf("the address %s holds %+v, notes %q; want the timeout, the group, and their actions", href, ls, notes)
			}
			wantRows, wantAt := runIDs(p), p.offset()

			replay := func(what string) {
				t.Helper()
				p.click("#form-share")
				p.click("#replay")
				p.waitFor(what+" to end", `document.getElementById("share-note").textContent.startsWith("Replayed")`)
				if got := runIDs(p); !slices.Equal(got, wantRows) {
					t.Errorf("%s shows\n %v\nwant\n %v", what, got, wantRows)
				}
				if at := p.offset(); at != wantAt {
					t.Errorf("%s ends at %d ns; want %d", what, at, wantAt)
				}
				// On a phone in virtual time the Share form puts the run
				// below the first screen, as it did before free play had
				// timeouts and groups (measured at commit d329929: #counts
				// at 887 px of 844 after a replay).
				if vp.name == "phone" {
					checkInView(t, p, what, "#share-note")
				} else {
					checkInView(t, p, what, "#share-note", "#say", "#counts")
				}
			}
			replay("the replay")
			p.openMounted(href)
			p.click("#form-one")
			p.waitFor("the one-job form", `!!document.getElementById("timeout")`)
			if got := eval[string](p, `document.getElementById("timeout").value`); got != "50ms" {
				t.Errorf("the link's page shows the timeout %q; want 50ms", got)
			}
			p.click("#form-batch")
			p.waitFor("the batch form", `!!document.getElementById("batch-group")`)
			if !eval[bool](p, `document.getElementById("batch-group").checked`) {
				t.Error("the link's page has Cancel the others unchecked")
			}
			replay("the link's replay")
		})
	}
}

// TestFreeTimeoutBadInput: a timeout that is not one says why beside it,
// marks its field, and queues nothing.
func TestFreeTimeoutBadInput(t *testing.T) {
	p := openApp(t, rootURL, testTimeout)
	p.freePlay("one")
	for bad, says := range map[string]string{
		"-5ms": `"-5ms" is negative: a timeout is 0 (none) or more.`,
		"soon": `"soon" is not a number: enter a timeout such as 250ms, 2s, 1min or 1h.`,
		"25h":  "25h is too long: the longest timeout is 24h.",
	} {
		p.setInput("#timeout", bad)
		p.click("#queue")
		p.waitFor(fmt.Sprintf("#timeout-error for %q", bad), fmt.Sprintf(`document.getElementById("timeout-error")?.textContent.trim() === %s`, js(says)))
		if n := p.count("total"); n != 0 {
			t.Errorf("timeout %q: %d jobs queued", bad, n)
		}
		if v := p.attr("#timeout", "aria-invalid"); v != "true" {
			t.Errorf("timeout %q: #timeout aria-invalid=%q", bad, v)
		}
	}
	checkInView(t, p, "a bad timeout", "#timeout-error", "#timeout")
	checkAxe(t, p)
	p.setInput("#timeout", "")
	p.click("#queue")
	p.waitFor("the job", `document.getElementById("count-total").textContent.trim() === "1"`)
	if e := p.text("#timeout-error"); e != "" {
		t.Errorf("#timeout-error still says %q with no timeout", e)
	}
}
