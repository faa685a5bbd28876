//go:build !js

package sched

import "time"

// A start walk runs for walkSlice, then lets other goroutines have the
// thread for walkYield. Natively the runtime preempts and has other
// threads, so a zero timer is enough: a slice only bounds how long one
// timer callback runs.
const (
	walkSlice = time.Millisecond
	walkYield = 0
)

// handBack does nothing: other goroutines run meanwhile.
func handBack() {}

// yieldLocked has fire go on after walkYield.
func (s *Scheduler) yieldLocked() { s.kickLocked(walkYield) }
