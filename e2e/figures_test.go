//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// figureSample is every figure of the run on the screen, read in one
// script, so at one instant.
type figureSample struct {
	Counts   map[string]int `json:"counts"`  // #count-*
	Area     map[string]int `json:"area"`    // the area chart's labels, by state, when drawn
	Status   string         `json:"status"`  // #batch-status
	Started  int            `json:"started"` // the started figure #batch-status gives, -1 if none
	Of       int            `json:"of"`      // the total of records-total's "newest N of M", -1 if none
	Shown    int            `json:"shown"`   // the rows in the table
	LateN    int            `json:"lateN"`   // #late-n
	P50, P99 string         // #late-p50, #late-p99
	HistP50  string         `json:"histP50"` // the histogram's median, "" when not drawn
	HistP99  string         `json:"histP99"` // its 99th percentile
}

const readFigures = `(() => {
	const num = s => Number(String(s).replace(/,/g, ""));
	const txt = id => (document.getElementById(id)?.textContent ?? "").trim();
	const counts = {};
	for (const k of ["queued", "starting", "started", "cancelled", "failed", "total"]) counts[k] = num(txt("count-" + k));
	const area = {};
	for (const t of document.querySelectorAll("#area text.area-label")) {
		const m = t.textContent.trim().match(/^\S+ (\S+) ([\d,]+)$/);
		if (m) area[m[1] === "waiting" ? "queued" : m[1]] = num(m[2]);
	}
	const status = txt("batch-status");
	const sm = status.match(/([\d,]+) of ([\d,]+) started/);
	const rm = txt("records-total").match(/newest ([\d,]+) of ([\d,]+)/);
	const hist = [...document.querySelectorAll("#histogram text.tick-label")].map(t => t.textContent).find(s => s.includes("median")) ?? "";
	const hm = hist.match(/median (.+) · 99th percentile (.+)$/);
	return {
		counts, area, status,
		started: sm ? num(sm[1]) : -1,
		of: rm ? num(rm[2]) : -1,
		shown: document.querySelectorAll("#records tbody tr.record").length,
		lateN: num(txt("late-n")), P50: txt("late-p50"), P99: txt("late-p99"),
		histP50: hm ? hm[1] : "", histP99: hm ? hm[2] : "",
	};
})()`

// TestFiguresAgree: during a 20,000-job batch whose starts take time
// under a limit, every figure on the screen is read at many instants, at
// both sizes: the counts, the batch's progress, the area chart's labels,
// the histogram's percentiles against the figures below it, and the
// records' "newest N of M". At every instant they agree: they come from
// one snapshot of the run.
func TestFiguresAgree(t *testing.T) {
	st := link.Default()
	st.Tab, st.BatchN = "free", 20_000
	st.Start = play.Settings{StartTime: time.Millisecond, Limit: 20}
	q, _ := st.Encode()
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			p := newPageSized(t, 2*testTimeout, vp.width, vp.height)
			p.openMounted(rootURL + "?" + q)
			p.freePlay("batch")
			p.click("#batch-start")
			var moving int
			for deadline := time.Now().Add(time.Minute); ; {
				s := eval[figureSample](p, readFigures)
				c := s.Counts
				if c["started"] > 0 && c["started"] < 20_000 {
					moving++
				}
				if sum := c["queued"] + c["starting"] + c["started"] + c["cancelled"] + c["failed"]; sum != c["total"] {
					t.Errorf("the counts add up to %d, and say all jobs %d: %+v", sum, c["total"], c)
				}
				if s.Started >= 0 && s.Started != c["started"] {
					t.Errorf("the batch's progress says %d started, the counts %d (%q)", s.Started, c["started"], s.Status)
				}
				for state, n := range s.Area {
					if n != c[state] {
						t.Errorf("the chart's label says %d %s, the counts %d", n, state, c[state])
					}
				}
				if s.Of >= 0 && s.Of != c["total"] {
					t.Errorf("the records say the newest %d of %d, the counts %d jobs", s.Shown, s.Of, c["total"])
				}
				if s.LateN != c["started"] {
					t.Errorf("lateness over %d started jobs, the counts %d started", s.LateN, c["started"])
				}
				if s.HistP50 != "" && (s.HistP50 != s.P50 || s.HistP99 != s.P99) {
					t.Errorf("the histogram says median %s, 99th %s; the figures %s, %s", s.HistP50, s.HistP99, s.P50, s.P99)
				}
				if t.Failed() || c["started"] == 20_000 && p.attr("#batch-status", "data-done") == "true" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the batch did not end in a minute: %+v", s)
				}
				time.Sleep(20 * time.Millisecond) // polling the page; nothing here waits on time
			}
			if moving < 3 {
				t.Errorf("only %d readings while the batch ran; want several", moving)
			}
			t.Logf("%d readings while the batch ran", moving)
		})
	}
}
