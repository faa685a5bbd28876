package app

import (
	"time"
)

// scale maps the instants of a timeline to x positions, from start over
// span, with round ticks.
type scale struct {
	Start time.Time
	Span  time.Duration
	Step  time.Duration // between ticks, chosen for about five ticks
}

// minSpan keeps a timeline of one instant drawable.
const minSpan = time.Millisecond

func newScale(start, end time.Time) scale {
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

// shortID is the part of a job id the page shows; the full id is in data-id.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
