package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wasmsched/wasmsched/sched"
)

// sentence writes err as a sentence for the page: a capital, a full stop,
// and the scheduler's errors in plain words.
func sentence(err error) string {
	switch {
	case errors.Is(err, sched.ErrClosed):
		return "This run has ended; press Reset to start a new one."
	case errors.Is(err, sched.ErrBadDelay):
		return "A delay cannot be negative: a job cannot start before it is queued."
	}
	msg := strings.TrimPrefix(err.Error(), "sched: ")
	msg = capitalize(msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// count writes n with thousands separators: 100,000.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural writes "1 record" or "3 records", with thousands separators.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%s %ss", count(n), noun)
}

// stamp writes an instant's wall-clock time to the millisecond, all that
// browsers give (Date.now). Waits and lateness come from the monotonic
// clock, which is finer.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("15:04:05.000")
}
