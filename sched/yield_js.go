package sched

import "time"

// In a browser Go's runtime hands the thread back to the page only when
// every goroutine waits and no timer is due: a zero timer runs at once
// (runtime.Gosched does not yield either), while a timer in the future
// becomes a JavaScript setTimeout, between whose callbacks the page draws.
// The yield must outlast the work a slice wakes in other goroutines (a
// Gather taking the records of the jobs just started, a UI applying
// events): with a yield of 1 ms, a Gather of a 100,000-job batch took
// longer than that after each slice, the timer was due again before the
// runtime was idle, and the whole walk ran as one task of 200-400 ms. So
// a slice of 8 ms is followed by 8 ms for the rest, then the page's turn.
const (
	walkSlice = 8 * time.Millisecond
	walkYield = 8 * time.Millisecond
)
