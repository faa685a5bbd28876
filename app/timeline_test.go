package app

import (
	"testing"
	"time"
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
