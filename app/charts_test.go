package app

import (
	"context"
	"errors"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/sched"
)

// spanRun records three jobs: one started late by 2 ms, one cancelled
// during its delay, one still waiting.
func spanRun() (*history.History, time.Time) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := history.New()
	ms := time.Millisecond
	h.Observe(sched.Record{ID: "aaaaaaaa1", Delay: 10 * ms, QueuedAt: t0, State: sched.Queued}, 0, time.Time{})
	h.Observe(sched.Record{ID: "bbbbbbbb2", Delay: time.Hour, QueuedAt: t0, State: sched.Queued}, 0, time.Time{})
	h.Observe(sched.Record{ID: "cccccccc3", Delay: 30 * ms, QueuedAt: t0, State: sched.Queued}, 0, time.Time{})
	h.Observe(sched.Record{ID: "bbbbbbbb2", Delay: time.Hour, QueuedAt: t0, DoneAt: t0.Add(5 * ms), State: sched.Cancelled}, 0, time.Time{})
	h.Observe(sched.Record{ID: "aaaaaaaa1", Delay: 10 * ms, QueuedAt: t0, ReadyAt: t0.Add(12 * ms), StartedAt: t0.Add(12 * ms), DoneAt: t0.Add(12 * ms), State: sched.Started}, 0, time.Time{})
	return h, t0.Add(20 * ms)
}

func TestLanesDrawEachPartDistinctly(t *testing.T) {
	h, now := spanRun()
	for _, width := range []int{360, 800} {
		svg := lanesSVG(h, h.Recent(maxLanes, now), now, width)
		want := []string{
			`data-lanes="3"`,
			`class="seg-late"`,            // the 2 ms the timer added
			`class="due"`,                 // the waiting 30 ms job's due time
			`width="` + itoa(width) + `"`, // drawn at one unit a pixel
		}
		if width >= narrow {
			// The countdown and the lateness in words; states by mark and
			// word, not colour alone.
			want = append(want, `due in 10 ms`, `late 2 ms`, `⊘ cancelled`, `● started`)
		} else {
			// A mark, and the word for screen readers.
			want = append(want, `⊘</text>`, `<title>cancelled</title>`)
		}
		for _, want := range want {
			if !strings.Contains(svg, want) {
				t.Errorf("width %d: the lanes lack %q:\n%s", width, want, svg)
			}
		}
	}
	// Back at 11 ms: the first job had not started yet, the second was
	// already cancelled.
	svg := lanesSVG(h, h.Recent(maxLanes, now), now.Add(-9*time.Millisecond), 800)
	if strings.Count(svg, "○ waiting") != 2 || !strings.Contains(svg, "⊘ cancelled") {
		t.Errorf("at +11 ms the lanes do not show two waiting and one cancelled:\n%s", svg)
	}
}

// TestLanesSayHowManyTheyShow: lanes for fewer jobs than the run has say
// so in a line of their own, visible, not only in the title.
func TestLanesSayHowManyTheyShow(t *testing.T) {
	h, now := spanRun()
	// On the narrowest phones, the line says less, so as to fit.
	for width, say := range map[int]string{300: "Newest 2 of 3 jobs shown.", 358: "Newest 2 of 3 jobs shown; all are in Records.", 800: "Newest 2 of 3 jobs shown; all are in Records."} {
		all := lanesSVG(h, h.Recent(maxLanes, now), now, width)
		some := lanesSVG(h, h.Recent(2, now), now, width)
		if strings.Contains(all, "timeline-shown") {
			t.Errorf("width %d: lanes for all 3 jobs say they show only some:\n%s", width, all)
		}
		if !strings.Contains(some, `<text id="timeline-shown" class="lanes-note" x="4" y="`) || !strings.Contains(some, ">"+say+"</text>") {
			t.Errorf("width %d: lanes for the newest 2 of 3 jobs do not say %q in a line of text:\n%s", width, say, some)
		}
		// The line is below the lanes' plot (the now line ends above it)
		// and inside the drawing.
		num := func(re string) float64 {
			m := regexp.MustCompile(re).FindStringSubmatch(some)
			if m == nil {
				t.Fatalf("width %d: no %s in\n%s", width, re, some)
			}
			v, _ := strconv.ParseFloat(m[1], 64)
			return v
		}
		height, y, nowEnd := num(`<svg [^>]*height="([0-9]+)"`), num(`id="timeline-shown" [^>]* y="([0-9]+)"`), num(`class="now" [^>]* y2="([0-9]+)"`)
		if y-12 < nowEnd || y+3 > height {
			t.Errorf("width %d: the line's baseline is at %v, the lanes end at %v, the drawing at %v", width, y, nowEnd, height)
		}
	}
}

func TestHistogramLabelsItsFigures(t *testing.T) {
	hg := history.Histogram{
		Bins: []history.Bin{{From: 0, To: time.Millisecond, Count: 1200}, {From: time.Millisecond, To: 2 * time.Millisecond, Count: 3}, {From: 2 * time.Millisecond, Count: 0}},
		N:    1203, P50: 400 * time.Microsecond, P99: 1500 * time.Microsecond,
	}
	svg := histogramSVG(hg, 390)
	for _, want := range []string{"1.2k", "median 400 µs", "99th percentile 1.5 ms", "&lt;1", "≥2"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the histogram lacks %q:\n%s", want, svg)
		}
	}
}

// TestHistogramLabelsDoNotOverlap: the bins' labels, at any width, never
// run into each other, and the open bin's ("≥…") always shows.
func TestHistogramLabelsDoNotOverlap(t *testing.T) {
	var bins []history.Bin
	for from := time.Duration(0); from < 1024*time.Millisecond; {
		to := max(2*from, time.Millisecond)
		bins = append(bins, history.Bin{From: from, To: to, Count: 1})
		from = to
	}
	bins = append(bins, history.Bin{From: 1024 * time.Millisecond, Count: 1})
	label := regexp.MustCompile(`<text class="tick-label" x="([0-9.]+)" y="106" text-anchor="middle">([^<]*)</text>`)
	for width := 240; width <= 900; width += 10 {
		svg := histogramSVG(history.Histogram{Bins: bins, N: len(bins)}, width)
		labels := label.FindAllStringSubmatch(svg, -1)
		if len(labels) < 3 || labels[len(labels)-1][2] != "≥1024" {
			t.Fatalf("width %d: the bins' labels are %q; want several, the last ≥1024", width, labels)
		}
		prevTo := -1.0
		for _, m := range labels {
			x, _ := strconv.ParseFloat(m[1], 64)
			lw := float64(utf8.RuneCountInString(html.UnescapeString(m[2]))) * labelCharPx
			if x-lw/2 < prevTo+4 {
				t.Errorf("width %d: the bin label %q at x=%v runs into the one before it, which ends at %.0f", width, m[2], x, prevTo)
			}
			prevTo = x + lw/2
		}
	}
}

func TestHTMLWriterEscapes(t *testing.T) {
	var w htmlw
	w.open("p", "title", `"><script>`).text("<b>&").close("p").void("line", "x1", "1")
	if got, want := w.String(), `<p title="&#34;&gt;&lt;script&gt;">&lt;b&gt;&amp;</p><line x1="1"/>`; got != want {
		t.Errorf("htmlw wrote %s, want %s", got, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestTickLabelsDoNotOverlap: on a phone's width the axis labels every
// second or third tick, so that no two labels run into each other, and
// none runs past the chart, whatever the span: a label that ends at its
// tick (the last, at the right end) reaches left by its whole width.
func TestTickLabelsDoNotOverlap(t *testing.T) {
	h, now := spanRun()
	label := regexp.MustCompile(`<text class="tick-label" x="([0-9.]+)" y="[0-9]+" text-anchor="(start|middle|end)">([^<]*)</text>`)
	for _, width := range []int{300, 358, 490, 800} {
		for span := 13 * time.Millisecond; span < 3*time.Hour; span = span * 23 / 20 {
			at := now.Add(span - 20*time.Millisecond)
			svg := lanesSVG(h, h.Recent(maxLanes, at), at, width)
			labels := label.FindAllStringSubmatch(svg, -1)
			if len(labels) < 2 {
				t.Fatalf("width %d, span %v: %d tick labels:\n%s", width, span, len(labels), svg)
			}
			prevTo := -1.0
			for _, m := range labels {
				x, _ := strconv.ParseFloat(m[1], 64)
				lw := float64(utf8.RuneCountInString(m[3])) * labelCharPx
				from := map[string]float64{"start": x, "middle": x - lw/2, "end": x - lw}[m[2]]
				if from < prevTo+4 {
					t.Errorf("width %d, span %v: the tick label %q (%s at x=%v) runs into the one before it, which ends at %.0f", width, span, m[3], m[2], x, prevTo)
				}
				if from+lw > float64(width) {
					t.Errorf("width %d, span %v: the tick label %q (%s at x=%v) runs past the chart's width", width, span, m[3], m[2], x)
				}
				prevTo = from + lw
			}
		}
	}
}

// TestLanesSayWhyAJobDidNotStart: a job cancelled at a deadline shows
// "context deadline exceeded" after its mark, one whose start failed its
// error, and one cancelled with no cause nothing more.
func TestLanesSayWhyAJobDidNotStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := sched.Scheduler{Start: refuseMillisecond}
		defer s.Close()
		sub := s.Subscribe()
		defer sub.Close()
		late, _ := s.Submit(time.Hour)
		plain, _ := s.Submit(time.Hour)
		failing, _ := s.Submit(time.Millisecond)
		failing.Wait(context.Background())
		late.Cancel(context.DeadlineExceeded)
		plain.Cancel(nil)
		h := history.New()
		h.Apply(sub.Drain(nil), 0)
		svg := lanesSVG(h, h.Recent(maxLanes, time.Now()), time.Now(), 800)
		for _, want := range []string{`class="end-cause cancelled"`, `>context deadline exceeded</text>`, `class="end-cause failed"`, `>refused</text>`} {
			if !strings.Contains(svg, want) {
				t.Errorf("the lanes lack %q:\n%s", want, svg)
			}
		}
		if n := strings.Count(svg, `class="end-cause`); n != 2 {
			t.Errorf("%d causes drawn, want 2 (none for a cancel without a cause):\n%s", n, svg)
		}
	})
}

// TestCauseOfAGroupsCancel: a job its group cancelled names the job that
// failed, by the short id the lanes use, not the group's whole message.
func TestCauseOfAGroupsCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := sched.Scheduler{Start: refuseMillisecond}
		defer s.Close()
		failing, _ := s.Submit(time.Millisecond)
		other, _ := s.Submit(time.Hour)
		if _, err := sched.Group(context.Background(), failing, other); err == nil {
			t.Fatal("the group did not fail")
		}
		if got, want := causeOf(other.Err()), "job "+shortID(failing.ID())+" failed"; got != want {
			t.Errorf("causeOf(the cancelled job's error) = %q, want %q", got, want)
		}
		if got := causeOf(failing.Err()); got != "refused" {
			t.Errorf("causeOf(the failed job's error) = %q, want %q", got, "refused")
		}
	})
}

// refuseMillisecond is a start function that refuses the jobs of 1 ms.
func refuseMillisecond(_ context.Context, r sched.Record) error {
	if r.Delay == time.Millisecond {
		return errors.New("refused")
	}
	return nil
}
