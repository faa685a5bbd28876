package sched

import "time"

// In a browser Go's runtime hands the thread back to the page only when
// every goroutine waits and no timer is due: a zero timer runs at once
// (runtime.Gosched does not yield either), while a timer of a millisecond
// becomes a JavaScript setTimeout, between whose callbacks the page draws.
// The browser clamps nested timeouts to 4 ms, so a walk of 100,000 jobs
// yields a few times rather than every chunk: slices of 8 ms leave a frame
// of 16 ms room to draw.
const (
	walkSlice = 8 * time.Millisecond
	walkYield = time.Millisecond
)
