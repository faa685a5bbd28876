package app

import (
	"strings"
	"testing"
	"time"
)

func TestParseDelay(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1ms", time.Millisecond},
		{"250ms", 250 * time.Millisecond},
		{"2s", 2 * time.Second},
		{"1.5s", 1500 * time.Millisecond},
		{"1min", time.Minute},
		{"1m", time.Minute},
		{"1h", time.Hour},
		{"90", 90 * time.Millisecond},
		{" 2 s ", 2 * time.Second},
		{"1 MS", time.Millisecond},
		{"0", 0},
		{".5s", 500 * time.Millisecond},
		{"+3ms", 3 * time.Millisecond},
		{"0.001ms", time.Microsecond},
		{"24h", 24 * time.Hour},
		{"1440min", 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := parseDelay(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseDelay(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
		}
	}
}

// TestParseDelayRejects checks that bad input is refused with a message
// naming the problem, as the page shows it next to the field.
func TestParseDelayRejects(t *testing.T) {
	tests := []struct {
		in, says string
	}{
		{"", "enter a delay"},
		{"   ", "enter a delay"},
		{"-5ms", "negative"},
		{"-1", "negative"},
		{"NaN", "NaN is not a number"},
		{"nan ms", "NaN is not a number"},
		{"abc", "not a number"},
		{"ms", "not a number"},
		{".", "not a number"},
		{"Inf", "not a number"},
		{"5 days", `unknown unit "days"`},
		{"1e3", `unknown unit "e3"`},
		{"1.2.3s", "unknown unit"},
		{"25h", "too long"},
		{"1e400", "unknown unit"},
		{"99999999999999999999999h", "too long"},
		{"86400001", "too long"},
	}
	for _, tt := range tests {
		got, err := parseDelay(tt.in)
		if err == nil {
			t.Errorf("parseDelay(%q) = %v, nil; want an error saying %q", tt.in, got, tt.says)
			continue
		}
		if !strings.Contains(err.Error(), tt.says) {
			t.Errorf("parseDelay(%q) error = %q; want it to say %q", tt.in, err, tt.says)
		}
	}
}

func TestParseBatchSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"10", 10}, {" 1 ", 1}, {"100000", 100000}, {"+7", 7},
	} {
		if got, err := parseBatchSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseBatchSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, says string }{
		{"", "enter how many"},
		{"0", "at least 1"},
		{"-3", "at least 1"},
		{"100001", "too many"},
		{"99999999999999999999", "too many"},
		{"2.5", "not a whole number"},
		{"ten", "not a whole number"},
		{"1e4", "not a whole number"},
	} {
		got, err := parseBatchSize(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("parseBatchSize(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.says)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0 ms"},
		{500, "500 ns"},
		{850 * time.Microsecond, "850 µs"},
		{1234 * time.Microsecond, "1.23 ms"},
		{4200 * time.Microsecond, "4.2 ms"},
		{12500 * time.Microsecond, "12.5 ms"},
		{time.Millisecond, "1 ms"},
		{4500 * time.Millisecond, "4.5 s"},
		{time.Minute, "1 min"},
		{125 * time.Second, "2 min 5 s"},
		{time.Hour, "1 h"},
		{90 * time.Minute, "1 h 30 min"},
		{-2 * time.Millisecond, "-2 ms"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.in); got != tt.want {
			t.Errorf("formatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseTimeout: a timeout reads as a delay does, with the same limit;
// empty or 0 is none; what is wrong is said of a timeout.
func TestParseTimeout(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"  ", 0}, {"0", 0}, {"0ms", 0}, {"50", 50 * time.Millisecond}, {"50ms", 50 * time.Millisecond},
		{" 1.5 s ", 1500 * time.Millisecond}, {"2min", 2 * time.Minute}, {"24h", maxDelay},
	} {
		if got, err := parseTimeout(tt.in); err != nil || got != tt.want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, says string }{
		{"-5ms", `"-5ms" is negative: a timeout is 0 (none) or more`},
		{"NaN", "NaN is not a number: enter a timeout"},
		{"soon", "not a number: enter a timeout"},
		{"5 days", `unknown unit "days"`},
		{"25h", "25h is too long: the longest timeout is 24h"},
		{"1e3", `unknown unit "e3"`},
	} {
		got, err := parseTimeout(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("parseTimeout(%q) = %v, %v; want an error saying %q", tt.in, got, err, tt.says)
		}
	}
	// Whatever the page writes into the field reads back.
	for _, d := range []time.Duration{1, 1500 * time.Microsecond, 50 * time.Millisecond, time.Hour, maxDelay} {
		if got, err := parseTimeout(delayText(d)); err != nil || got != d {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v", delayText(d), got, err, d)
		}
	}
}
