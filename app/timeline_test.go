package app

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestTickStepRescales(t *testing.T) {
	tests := []struct {
		span, want time.Duration
		label      string // the last tick's label
	}{
		{time.Millisecond, 200 * time.Microsecond, "1 ms"},
		{900 * time.Microsecond, 200 * time.Microsecond, "800 µs"},
		{4 * time.Millisecond, time.Millisecond, "4 ms"},
		{30 * time.Millisecond, 10 * time.Millisecond, "30 ms"},
		{2 * time.Second, 500 * time.Millisecond, "2 s"},
		{90 * time.Second, 30 * time.Second, "1.5 min"},
		{40 * time.Second, 10 * time.Second, "40 s"},
		{150 * time.Minute, 30 * time.Minute, "2.5 h"},
		{10 * time.Minute, 2 * time.Minute, "10 min"},
		{time.Hour, 15 * time.Minute, "60 min"},
		{3 * time.Hour, time.Hour, "3 h"},
		{24 * time.Hour, 6 * time.Hour, "24 h"},
	}
	for _, tt := range tests {
		step := tickStep(tt.span)
		if step != tt.want {
			t.Errorf("tickStep(%v) = %v; want %v", tt.span, step, tt.want)
		}
		last := tt.span / step * step
		if got := tickLabel(last, step, tt.span); got != tt.label {
			t.Errorf("tickLabel(%v, %v) = %q; want %q", last, step, got, tt.label)
		}
	}
}

func TestScaleFollowsWaitingJobs(t *testing.T) {
	now := t0.Add(time.Hour)
	done := lane{From: t0, To: t0.Add(3 * time.Millisecond), State: sched.Started}
	waiting := lane{From: t0.Add(time.Millisecond), State: sched.Queued}

	// Every job final: the scale ends at the last end, not at now.
	if sc := newScale([]lane{done}, now); sc.Span != 3*time.Millisecond || !sc.Start.Equal(t0) {
		t.Errorf("final jobs: scale %v from %v; want 3ms from t0", sc.Span, sc.Start)
	}
	// A job waits: the scale runs to now.
	if sc := newScale([]lane{done, waiting}, now); sc.Span != time.Hour {
		t.Errorf("waiting job: span %v; want 1h", sc.Span)
	}
	// Nothing, or one instant: still drawable.
	if sc := newScale(nil, now); sc.Span != minSpan {
		t.Errorf("no jobs: span %v; want %v", sc.Span, minSpan)
	}
	sc := newScale([]lane{done}, now)
	if x := sc.x(now); x != 1 {
		t.Errorf("x(now past the end) = %v; want clamped to 1", x)
	}
}

// TestTimelineSVG checks the drawing is well-formed XML with one bar per
// lane, coloured by state, and a line for now.
func TestTimelineSVG(t *testing.T) {
	now := t0.Add(10 * time.Millisecond)
	lanes := []lane{
		laneOf(rec(0, sched.Started, time.Millisecond)),
		laneOf(rec(1, sched.Cancelled, 0)),
		laneOf(rec(2, sched.Queued, 0)),
	}
	svg := timelineSVG(lanes, now)
	if !strings.HasPrefix(svg, `<svg id="timeline"`) {
		t.Errorf("svg starts %.40q; want the timeline id first", svg)
	}
	classes := map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "class" {
					classes[a.Value]++
				}
			}
		}
	}
	for class, want := range map[string]int{"bar started": 1, "bar cancelled": 1, "bar queued": 1, "now": 1, "lane-label": 3} {
		if classes[class] != want {
			t.Errorf("%d elements of class %q; want %d", classes[class], class, want)
		}
	}
	if empty := timelineSVG(nil, now); !strings.Contains(empty, "No jobs yet.") {
		t.Errorf("empty timeline does not say so: %s", empty)
	}
}
