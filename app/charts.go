package app

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/sched"
)

// The charts are SVG written as strings, drawn at one SVG unit a CSS pixel
// (the page measures its width), so that text keeps the size the style
// sheet gives it, 12 px, on a phone as on a desktop.

// narrow is the width under which lane labels go above their bars.
const narrow = 560

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// labelCharPx is the width a tick label's character takes at 12 px, a
// little more than the widest measured in Chromium here ("300 ms", 7.45 px
// a character), so that an estimate of a label's extent errs wide.
const labelCharPx = 7.6

// axis draws round ticks of sc over the plot from x0 to x1, labels at y.
func axis(w *htmlw, sc scale, x0, x1 float64, y, bottom int) {
	// Labels need about 52 px each at 12 px: on a narrow chart every
	// second or third tick is labelled.
	every := 1
	for gap := float64(sc.Step) / float64(sc.Span) * (x1 - x0); gap*float64(every) < 52; {
		every++
	}
	// A label is centred on its tick, but the first starts at it and one
	// that would run past the plot's right end ends at it; a label that
	// would then touch the one before it is left out.
	drawnTo := math.Inf(-1)
	for k, off := 0, time.Duration(0); off <= sc.Span; k, off = k+1, off+sc.Step {
		x := x0 + float64(off)/float64(sc.Span)*(x1-x0)
		w.void("line", "class", "tick", "x1", f1(x), "y1", strconv.Itoa(y+4), "x2", f1(x), "y2", strconv.Itoa(bottom))
		if k%every != 0 {
			continue
		}
		label := tickLabel(off, sc.Step, sc.Span)
		lw := float64(utf8.RuneCountInString(label)) * labelCharPx
		anchor, from := "middle", x-lw/2
		if off == 0 {
			anchor, from = "start", x
		} else if x+lw/2 > x1 {
			anchor, from = "end", x-lw
		}
		if from < drawnTo+4 {
			continue
		}
		drawnTo = from + lw
		w.elem("text", label, "class", "tick-label", "x", f1(x), "y", strconv.Itoa(y), "text-anchor", anchor)
	}
}

// lanesSVG draws jobs idx of h as they were at t: one lane a job, oldest at
// the top, with the delay, the lateness, the wait for a start slot and the
// start each drawn distinctly, the state's mark at its end, and for a
// waiting job its due time and a countdown. When idx is not all of h's
// jobs, a line under the lanes says how many of how many it shows.
func lanesSVG(h *history.History, idx []int, t time.Time, width int) string {
	var w htmlw
	// On a narrow screen a lane's label is its id and mark only; the
	// countdown and lateness in words need a wide one (the due marker and
	// the lateness bar show them on both).
	l := lanes{w: &w, t: t, wide: width >= narrow, left: 84, right: float64(width) - 8, top: 22, laneH: 17}
	if l.wide {
		l.left, l.laneH = 190, 20
	}
	plotH := l.top + max(len(idx), 1)*l.laneH + 8
	height := plotH
	shown := ""
	if h.Len() > len(idx) && len(idx) > 0 {
		// Where the rest are, if the line has room for it (prose takes
		// ~6 px a character at 12 px).
		shown = fmt.Sprintf("Newest %d of %d jobs shown", len(idx), h.Len())
		if more := shown + "; all are in Records."; float64(utf8.RuneCountInString(more))*6.6 <= float64(width)-8 {
			shown = more
		} else {
			shown += "."
		}
		height += 16
	}
	l.sc = newScale(lanesSpan(h, idx, t))
	w.open("svg", "id", "timeline", "class", "chart", "xmlns", "http://www.w3.org/2000/svg",
		"width", strconv.Itoa(width), "height", strconv.Itoa(height),
		"viewBox", fmt.Sprintf("0 0 %d %d", width, height), "role", "img", "aria-labelledby", "timeline-title",
		"data-lanes", strconv.Itoa(len(idx)), "data-jobs", strconv.Itoa(h.Len()), "data-span-ms", strconv.FormatFloat(float64(l.sc.Span)/1e6, 'f', 3, 64))
	title := fmt.Sprintf("Timeline of %s over %s", plural(len(idx), "job"), formatDuration(l.sc.Span))
	if shown != "" {
		title = fmt.Sprintf("Timeline of the newest %s of %d, over %s", plural(len(idx), "job"), h.Len(), formatDuration(l.sc.Span))
	}
	w.elem("title", title, "id", "timeline-title")
	axis(&w, l.sc, l.left, l.right, 14, plotH-8)
	if len(idx) == 0 {
		w.elem("text", "No jobs yet.", "class", "empty", "x", f1(l.left), "y", strconv.Itoa(l.top+14))
	}
	for k, i := range idx {
		l.lane(k, h.Span(i), h.Job(i))
	}
	xn := l.px(t)
	w.void("line", "class", "now", "x1", f1(xn), "y1", "18", "x2", f1(xn), "y2", strconv.Itoa(plotH-4))
	if shown != "" {
		w.elem("text", shown, "id", "timeline-shown", "class", "lanes-note", "x", "4", "y", strconv.Itoa(plotH+10))
	}
	w.close("svg")
	return w.String()
}

// lanesSpan is the time the lanes of jobs idx show at t: from the first
// queued to t, or to the end of a short delay still running.
func lanesSpan(h *history.History, idx []int, t time.Time) (start, end time.Time) {
	start, end = t, t
	if len(idx) == 0 {
		return start, end
	}
	start = h.Span(idx[0]).Queued
	end = start
	for _, i := range idx {
		sp := h.Span(i)
		if sp.Queued.Before(start) {
			start = sp.Queued
		}
		last := sp.Done
		if last.IsZero() || last.After(t) {
			last = t
		}
		if last.After(end) {
			end = last
		}
		if st, _ := sp.StateAt(t); st == sched.Queued && sp.Queued.Add(sp.Delay).After(end) && sp.Delay <= time.Minute {
			end = sp.Queued.Add(sp.Delay) // show a short delay's whole length
		}
	}
	return start, end
}

// lanes draws the lanes of a timeline at instant t.
type lanes struct {
	w           *htmlw
	t           time.Time
	sc          scale
	wide        bool
	left, right float64
	top, laneH  int
}

func (l *lanes) px(at time.Time) float64 { return l.left + l.sc.x(at)*(l.right-l.left) }

// clip is at, or t if at is later or unknown.
func (l *lanes) clip(at time.Time) time.Time {
	if at.IsZero() || at.After(l.t) {
		return l.t
	}
	return at
}

// seg draws one part of a lane, from from to to.
func (l *lanes) seg(class string, barY int, from, to time.Time, hgt, dy int) {
	if to.Before(from) || to.Equal(from) && !strings.HasPrefix(class, "seg-start") {
		return // a start that has just begun shows as a sliver
	}
	x1, x2 := l.px(from), l.px(to)
	l.w.void("rect", "class", class, "x", f1(x1), "y", strconv.Itoa(barY+dy), "width", f1(max(x2-x1, 1.5)), "height", strconv.Itoa(hgt))
}

// lane draws the k'th lane: job sp as it was at t.
func (l *lanes) lane(k int, sp history.Span, job *sched.Job) {
	w, t := l.w, l.t
	st, _ := sp.StateAt(t)
	si := info(st)
	barY := l.top + k*l.laneH + 4
	label := shortID(sp.ID) + " " + si.Mark
	due := sp.Queued.Add(sp.Delay)
	if l.wide {
		label += " " + si.Label
		if st == sched.Queued && due.After(t) {
			label += ", due in " + formatDuration(due.Sub(t))
		} else if st == sched.Started && sp.Lateness > 0 && !sp.Done.After(t) {
			label += ", late " + formatDuration(sp.Lateness)
		}
	}
	w.open("text", "class", "lane-label", "x", f1(l.left-6), "y", strconv.Itoa(barY+10), "text-anchor", "end")
	if !l.wide {
		w.elem("title", si.Label)
	}
	w.text(label).close("text")
	// The delay asked, as far as it has run.
	delayEnd := l.clip(due)
	if !sp.Done.IsZero() && sp.Done.Before(delayEnd) {
		delayEnd = sp.Done // cancelled during its delay
	}
	l.seg("seg-delay "+si.Class, barY, sp.Queued, maxTime(delayEnd, sp.Queued.Add(1)), 12, 0)
	if !sp.Ready.IsZero() && !sp.Ready.After(t) {
		l.seg("seg-late", barY, due, sp.Ready, 6, 3) // what the timers added
		slotEnd := sp.Starting
		if slotEnd.IsZero() {
			slotEnd = sp.Done
		}
		l.seg("seg-slot", barY, sp.Ready, l.clip(slotEnd), 2, 5) // waiting for a start slot
	}
	if !sp.Starting.IsZero() && !sp.Starting.After(t) {
		l.seg("seg-start "+si.Class, barY, sp.Starting, l.clip(sp.Done), 12, 0)
	}
	if st == sched.Queued && !due.After(l.sc.Start.Add(l.sc.Span)) {
		xd := l.px(due)
		w.void("line", "class", "due", "x1", f1(xd), "y1", strconv.Itoa(barY-3), "x2", f1(xd), "y2", strconv.Itoa(barY+15))
	}
	if !st.Final() {
		return
	}
	xe := l.px(sp.Done) + 3
	w.elem("text", si.Mark, "class", "end-mark "+si.Class, "x", f1(xe), "y", strconv.Itoa(barY+11))
	// Why a job that did not start ended, after its mark, where it fits:
	// a deadline, a failure's error, a cancel's cause.
	if st != sched.Cancelled && st != sched.Failed || job == nil {
		return
	}
	c := causeOf(job.Err())
	width := float64(utf8.RuneCountInString(c)) * 7.2 // at 12 px, digits are widest
	switch {
	case c == "":
	case xe+12+width <= l.right:
		w.elem("text", c, "class", "end-cause "+si.Class, "x", f1(xe+12), "y", strconv.Itoa(barY+11))
	case xe-4-width >= l.left:
		// Over its own bar, ending at its mark, with a halo to read on.
		w.elem("text", c, "class", "end-cause "+si.Class, "x", f1(xe-4), "y", strconv.Itoa(barY+11), "text-anchor", "end")
	}
}

// causeOf says why a job that did not start ended, in a few words: its
// cancellation's cause or its start's error, "" when a cancel gave none;
// for a job that its group cancelled, which job failed.
func causeOf(err error) string {
	je, ok := errors.AsType[*sched.JobError](err)
	if !ok || je.Cause == nil || je.Cause == sched.ErrCancelled {
		return ""
	}
	if gf, ok := errors.AsType[*sched.GroupFailure](je.Cause); ok {
		return "job " + shortID(gf.ID) + " failed"
	}
	c := je.Cause.Error()
	if r := []rune(c); len(r) > 40 {
		c = string(r[:39]) + "…"
	}
	return c
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// areaSVG draws how many jobs were in each state over the run, up to t:
// a stacked area, one layer a state, each named at its right end with its
// mark and count, so that colour is not the only cue.
func areaSVG(h *history.History, t time.Time, width int) string {
	// On a phone the chart is lower, so that a lesson's run of a hundred
	// jobs shows whole in the first screen, under its code.
	height, top, bottom := 150, 20, 130
	if width < narrow {
		height, bottom = 100, 80
	}
	left, right := 8.0, float64(width)-110
	start := h.First()
	if !t.After(start) {
		t = start.Add(minSpan)
	}
	bins := max(8, min(200, int(right-left)/4))
	series := h.Series(start, t, bins)
	total := h.Len()
	sc := newScale(start, t)
	var w htmlw
	w.open("svg", "id", "area", "class", "chart", "xmlns", "http://www.w3.org/2000/svg",
		"width", strconv.Itoa(width), "height", strconv.Itoa(height),
		"viewBox", fmt.Sprintf("0 0 %d %d", width, height), "role", "img", "aria-labelledby", "area-title")
	w.elem("title", fmt.Sprintf("How many of the %s were in each state over %s", plural(total, "job"), formatDuration(sc.Span)), "id", "area-title")
	axis(&w, sc, left, right, 14, bottom)
	yOf := func(n int) float64 { return float64(bottom) - float64(n)/float64(max(total, 1))*float64(bottom-top) }
	xOf := func(i int) float64 { return left + float64(i+1)/float64(bins)*(right-left) }
	below := make([]int, bins)
	for _, si := range states {
		var path strings.Builder
		pt := func(cmd string, x, y float64) {
			path.WriteString(cmd)
			path.WriteString(f1(x))
			path.WriteByte(',')
			path.WriteString(f1(y))
		}
		pt("M", left, yOf(below[0]))
		for i := range bins {
			pt(" L", xOf(i), yOf(below[i]+series[i][si.State]))
		}
		for i := bins - 1; i >= 0; i-- {
			pt(" L", xOf(i), yOf(below[i]))
		}
		path.WriteString(" Z")
		d := path.String()
		last := series[bins-1][si.State]
		if last > 0 || anyIn(series, si.State) {
			w.void("path", "class", "area "+si.Class, "d", d)
		}
		if last > 0 {
			mid := yOf(below[bins-1] + last/2)
			w.elem("text", si.Mark+" "+si.Label+" "+count(last), "class", "area-label", "x", f1(right+4), "y", f1(mid+4))
		}
		for i := range bins {
			below[i] += series[i][si.State]
		}
	}
	w.close("svg")
	return w.String()
}

func anyIn(series [][5]int, s sched.State) bool {
	for _, c := range series {
		if c[s] > 0 {
			return true
		}
	}
	return false
}

// histogramSVG draws the lateness of the jobs started by t, in bins that
// double in width, with the median and the 99th percentile named.
func histogramSVG(hg history.Histogram, width int) string {
	const height, top, bottom = 120, 18, 92
	n := len(hg.Bins)
	left, right := 8.0, float64(width)-8
	bw := (right - left) / float64(max(n, 1))
	most := 1
	for _, b := range hg.Bins {
		most = max(most, b.Count)
	}
	var w htmlw
	w.open("svg", "id", "histogram", "class", "chart", "xmlns", "http://www.w3.org/2000/svg",
		"width", strconv.Itoa(width), "height", strconv.Itoa(height),
		"viewBox", fmt.Sprintf("0 0 %d %d", width, height), "role", "img", "aria-labelledby", "histogram-title")
	p50, p99 := percentiles(hg)
	w.elem("title", fmt.Sprintf("Lateness of %s: median %s, 99th percentile %s", plural(hg.N, "started job"), p50, p99), "id", "histogram-title")
	// The bins' labels, centred under them, from the last (the open bin,
	// "≥1000") leftwards: one that would touch the label after it is left
	// out, as is every second one on bins too narrow for a label each.
	labels := make([]string, n)
	drawnFrom := math.Inf(1)
	for i := n - 1; i >= 0; i-- {
		label := binLabel(hg.Bins[i])
		lw := float64(utf8.RuneCountInString(label)) * labelCharPx
		mid := left + (float64(i)+0.5)*bw
		if bw < 26 && (n-1-i)%2 != 0 || mid+lw/2 > drawnFrom-4 {
			continue
		}
		labels[i], drawnFrom = label, mid-lw/2
	}
	for i, b := range hg.Bins {
		x := left + float64(i)*bw
		hgt := float64(b.Count) / float64(most) * (bottom - top)
		if b.Count > 0 {
			hgt = max(hgt, 1)
		}
		w.void("rect", "class", "hist-bar", "x", f1(x+1), "y", f1(bottom-hgt), "width", f1(max(bw-2, 1)), "height", f1(hgt))
		if b.Count > 0 && bw >= 26 {
			w.elem("text", compact(b.Count), "class", "hist-count", "x", f1(x+bw/2), "y", f1(bottom-hgt-3), "text-anchor", "middle")
		}
		if labels[i] != "" {
			w.elem("text", labels[i], "class", "tick-label", "x", f1(x+bw/2), "y", strconv.Itoa(bottom+14), "text-anchor", "middle")
		}
	}
	w.elem("text", fmt.Sprintf("ms late → · median %s · 99th percentile %s", p50, p99),
		"class", "tick-label", "x", f1(left), "y", strconv.Itoa(height-2))
	w.close("svg")
	return w.String()
}

// binLabel names a histogram bin by its lower bound in ms.
func binLabel(b history.Bin) string {
	if b.To == 0 {
		return "≥" + trimFloat(float64(b.From)/1e6)
	}
	if b.From == 0 {
		return "<" + trimFloat(float64(b.To)/1e6)
	}
	return trimFloat(float64(b.From) / 1e6)
}

// compact writes a count in at most four characters: 950, 9.9k, 12k.
func compact(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10000:
		return trimFloat(float64(n)/1000) + "k"
	}
	return strconv.Itoa(n/1000) + "k"
}

// percentiles are a histogram's median and 99th percentile as the page
// writes them, "—" while no job has started: the histogram and the
// figures beside it say the same.
func percentiles(hg history.Histogram) (p50, p99 string) {
	if hg.N == 0 {
		return "—", "—"
	}
	return formatDuration(hg.P50), formatDuration(hg.P99)
}
