package app

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// lane is one job's bar on the timeline.
type lane struct {
	ID    string
	State sched.State
	From  time.Time // queued at
	To    time.Time // started, cancelled or failed at; zero while waiting
	Due   time.Time // when its delay ends
}

func laneOf(r sched.Record) lane {
	return lane{ID: r.ID, State: r.State, From: r.QueuedAt, To: r.DoneAt, Due: r.QueuedAt.Add(r.Delay)}
}

// scale maps the instants of a timeline to x positions. It spans from the
// earliest queued job to now while a job waits, so bars grow as time passes;
// once every job is final it stops at the last end, so that finished bars
// of a few milliseconds do not shrink to nothing as the clock runs on.
type scale struct {
	Start time.Time
	Span  time.Duration
	Step  time.Duration // between ticks, chosen for about five ticks
}

// minSpan keeps a timeline of one instant drawable.
const minSpan = time.Millisecond

func newScale(lanes []lane, now time.Time) scale {
	if len(lanes) == 0 {
		return scale{Start: now, Span: minSpan, Step: tickStep(minSpan)}
	}
	start, end, waiting := lanes[0].From, lanes[0].From, false
	for _, l := range lanes {
		if l.From.Before(start) {
			start = l.From
		}
		if l.To.IsZero() {
			waiting = true
		} else if l.To.After(end) {
			end = l.To
		}
	}
	if waiting {
		end = now
	}
	span := max(end.Sub(start), minSpan)
	return scale{Start: start, Span: span, Step: tickStep(span)}
}

// x returns where t falls, from 0 to 1, clamped.
func (s scale) x(t time.Time) float64 {
	f := float64(t.Sub(s.Start)) / float64(s.Span)
	return max(0, min(f, 1))
}

// tickSteps are the tick spacings a timeline may use, from microseconds to
// hours, each a round number in its unit.
var tickSteps = func() []time.Duration {
	var steps []time.Duration
	for _, unit := range []time.Duration{time.Microsecond, time.Millisecond} {
		for _, m := range []time.Duration{1, 2, 5, 10, 20, 50, 100, 200, 500} {
			steps = append(steps, m*unit)
		}
	}
	for _, unit := range []time.Duration{time.Second, time.Minute} {
		for _, m := range []time.Duration{1, 2, 5, 10, 15, 30} {
			steps = append(steps, m*unit)
		}
	}
	for _, m := range []time.Duration{1, 2, 3, 6, 12, 24} {
		steps = append(steps, m*time.Hour)
	}
	return steps
}()

// tickStep picks the smallest round step giving at most five ticks in span.
func tickStep(span time.Duration) time.Duration {
	for _, s := range tickSteps {
		if span/s <= 5 {
			return s
		}
	}
	return tickSteps[len(tickSteps)-1]
}

// tickUnits are the units tick labels are written in, largest first.
var tickUnits = []struct {
	d    time.Duration
	name string
}{
	{time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "µs"},
}

// tickLabel writes a tick's offset in the largest unit not longer than the
// span in which the step is a whole number of tenths: "0.2 ms" rather than
// "200 µs" on a 1 ms scale, but "20 s" rather than "0.33 min".
func tickLabel(off, step, span time.Duration) string {
	if off == 0 {
		return "0"
	}
	u := tickUnits[len(tickUnits)-1]
	for _, c := range tickUnits {
		if c.d <= span && step%(c.d/10) == 0 {
			u = c
			break
		}
	}
	return trimFloat(float64(off)/float64(u.d)) + " " + u.name
}

// Timeline geometry, in SVG user units; CSS scales the whole drawing.
const (
	tlWidth  = 800
	tlLeft   = 70 // room for lane labels
	tlRight  = 12
	tlTop    = 22 // room for tick labels
	tlLane   = 14
	tlBar    = 10
	tlBottom = 8
)

// timelineSVG draws lanes, oldest at the top, as an SVG document: one bar
// per job from queued to its end (or to now while waiting), coloured by
// state through CSS classes, with ticks and a line for now. It is a string
// so that it can be checked without a browser and swapped whole each frame.
func timelineSVG(lanes []lane, now time.Time) string {
	sc := newScale(lanes, now)
	plot := float64(tlWidth - tlLeft - tlRight)
	px := func(t time.Time) float64 { return tlLeft + sc.x(t)*plot }
	height := tlTop + len(lanes)*tlLane + tlBottom
	if len(lanes) == 0 {
		height = tlTop + tlLane + tlBottom
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="timeline-title" data-lanes="%d" data-span-ms="%.3f">`,
		tlWidth, height, len(lanes), float64(sc.Span)/float64(time.Millisecond))
	fmt.Fprintf(&b, `<title id="timeline-title">%s</title>`, html.EscapeString(timelineTitle(len(lanes), sc.Span)))

	for off := time.Duration(0); off <= sc.Span; off += sc.Step {
		x := tlLeft + float64(off)/float64(sc.Span)*plot
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, x, tlTop-4, x, height-tlBottom)
		fmt.Fprintf(&b, `<text class="tick-label" x="%.1f" y="%d">%s</text>`, x, tlTop-8, html.EscapeString(tickLabel(off, sc.Step, sc.Span)))
	}
	if len(lanes) == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="%d" y="%d">No jobs yet.</text>`, tlLeft, tlTop+tlLane-3)
	}
	for i, l := range lanes {
		y := tlTop + i*tlLane
		end := l.To
		if end.IsZero() {
			end = now
		}
		x1, x2 := px(l.From), px(end)
		fmt.Fprintf(&b, `<text class="lane-label" x="%d" y="%d">%s</text>`, tlLeft-6, y+tlBar, html.EscapeString(shortID(l.ID)))
		// A job that starts in a millisecond would be invisible at an hour's
		// scale: give every bar at least a sliver.
		fmt.Fprintf(&b, `<rect class="bar %s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`,
			l.State, x1, y+1, max(x2-x1, 1.5), tlBar, html.EscapeString(laneTitle(l, now)))
		if l.State == sched.Queued && !l.Due.After(sc.Start.Add(sc.Span)) {
			xd := px(l.Due)
			fmt.Fprintf(&b, `<line class="due" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, xd, y, xd, y+tlBar+2)
		}
	}
	xn := px(now)
	fmt.Fprintf(&b, `<line class="now" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, xn, tlTop-4, xn, height-tlBottom)
	fmt.Fprintf(&b, `<text class="now-label" x="%.1f" y="%d">now</text>`, xn-2, height-1)
	b.WriteString(`</svg>`)
	return b.String()
}

func timelineTitle(n int, span time.Duration) string {
	if n == 0 {
		return "Timeline: no jobs yet"
	}
	return fmt.Sprintf("Timeline of the %s, spanning %s", plural(n, "most recent job"), formatDuration(span))
}

func laneTitle(l lane, now time.Time) string {
	if l.To.IsZero() {
		return fmt.Sprintf("%s %s for %s so far", shortID(l.ID), l.State, formatDuration(now.Sub(l.From)))
	}
	return fmt.Sprintf("%s %s after %s", shortID(l.ID), l.State, formatDuration(l.To.Sub(l.From)))
}

// shortID is the part of a job id the page shows; the full id is in data-id.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
