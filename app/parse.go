package app

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/internal/play"
)

// The longest delay and the biggest batch the page accepts.
const (
	maxDelay = play.MaxDelay
	maxBatch = play.MaxBatch
)

// delayUnits maps the units the page accepts to their length.
var delayUnits = map[string]time.Duration{
	"ms":  time.Millisecond,
	"s":   time.Second,
	"m":   time.Minute,
	"min": time.Minute,
	"h":   time.Hour,
}

// parseDelay reads a delay as typed by a person: a number and an optional
// unit (ms, s, min or m, h), with spaces allowed. A bare number means
// milliseconds, as the seed's smallest delay is one. The errors are written
// for the page, so they name the problem and show what would work.
func parseDelay(text string) (time.Duration, error) { return parseDuration(text, "delay") }

// parseTimeout reads a job's timeout as typed: empty or 0 for none, else
// what parseDelay reads, with the same limit.
func parseTimeout(text string) (time.Duration, error) {
	if strings.TrimSpace(text) == "" {
		return 0, nil
	}
	return parseDuration(text, "timeout")
}

// parseDuration reads a delay or a timeout, what, as parseDelay says.
func parseDuration(text, what string) (time.Duration, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	if s == "" {
		return 0, fmt.Errorf("enter a %s, for example 250ms, 2s, 1min or 1h", what)
	}
	num, unit := splitNumber(s)
	unit = strings.TrimSpace(unit)
	switch {
	case num == "nan":
		return 0, fmt.Errorf("NaN is not a number: enter a %s such as 250ms", what)
	case strings.HasPrefix(num, "-") && what == "delay":
		return 0, fmt.Errorf("%q is negative: a job cannot start before it is queued", strings.TrimSpace(text))
	case strings.HasPrefix(num, "-"):
		return 0, fmt.Errorf("%q is negative: a %s is 0 (none) or more", strings.TrimSpace(text), what)
	case num == "" || num == "+" || num == "." || num == "+.":
		return 0, fmt.Errorf("%q is not a number: enter a %s such as 250ms, 2s, 1min or 1h", strings.TrimSpace(text), what)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number: enter a %s such as 250ms", num, what)
	}
	per := time.Millisecond
	if unit != "" {
		var ok bool
		if per, ok = delayUnits[unit]; !ok {
			return 0, fmt.Errorf("unknown unit %q: use ms, s, min or h", unit)
		}
	}
	// Compare in float64 first: v*per can overflow a Duration.
	if ns := v * float64(per); ns > float64(maxDelay) || math.IsInf(ns, 0) {
		return 0, fmt.Errorf("%s is too long: the longest %s is 24h", strings.TrimSpace(text), what)
	}
	return time.Duration(math.Round(v * float64(per))), nil
}

// splitNumber splits s after its leading number: an optional sign, digits
// and at most one decimal point. It accepts no exponents, hex or
// underscores, which strconv.ParseFloat would, so "1e3" is an unknown unit.
func splitNumber(s string) (num, rest string) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	dot := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
	}
	if strings.HasPrefix(s, "nan") {
		return "nan", s[3:]
	}
	return s[:i], s[i:]
}

// parseBatchSize reads how many jobs a batch should have: a whole number
// from 1 to maxBatch.
func parseBatchSize(text string) (int, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, fmt.Errorf("enter how many jobs to start, from 1 to %d", maxBatch)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if ne, ok := errors.AsType[*strconv.NumError](err); ok && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s jobs is too many: at most %d fit in a browser tab, which has one thread and limited memory", s, maxBatch)
		}
		return 0, fmt.Errorf("%q is not a whole number: enter how many jobs, such as 10", s)
	}
	switch {
	case n < 1:
		return 0, fmt.Errorf("a batch needs at least 1 job, not %d", n)
	case n > maxBatch:
		return 0, fmt.Errorf("%d jobs is too many: at most %d fit in a browser tab, which has one thread and limited memory", n, maxBatch)
	}
	return n, nil
}

// formatDuration writes d for people, with about three significant digits
// and the unit that suits it: 850 µs, 1.23 ms, 4.5 s, 2 min 5 s, 1 h.
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	switch {
	case d == 0:
		return "0 ms"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return trimFloat(float64(d)/float64(time.Microsecond)) + " µs"
	case d < time.Second:
		return trimFloat(float64(d)/float64(time.Millisecond)) + " ms"
	case d < time.Minute:
		return trimFloat(float64(d)/float64(time.Second)) + " s"
	case d < time.Hour:
		m, s := d/time.Minute, (d%time.Minute).Round(time.Second)/time.Second
		if s == 0 {
			return fmt.Sprintf("%d min", m)
		}
		return fmt.Sprintf("%d min %d s", m, s)
	default:
		h, m := d/time.Hour, (d%time.Hour).Round(time.Minute)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
}

// trimFloat formats v with three significant digits, without trailing zeros.
func trimFloat(v float64) string {
	prec := 2
	switch {
	case v >= 100:
		prec = 0
	case v >= 10:
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
