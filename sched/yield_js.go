package sched

import (
	"syscall/js"
	"time"
)

// In a browser Go's runtime hands the thread back to the page only when
// every goroutine waits and no timer is due: a zero timer runs at once
// (runtime.Gosched does not yield either), and so does a timer that came
// due while other goroutines ran. A walk that yielded on a Go timer of
// walkYield gave the page its turn only if the work the slice woke in
// other goroutines (a Gather taking the records of the jobs just started,
// a UI applying events, a collection) took less than walkYield; else the
// timer was due when they were done, and a 100,000-job walk ran as one
// task of 200-400 ms. So the walk waits on a JavaScript timeout instead,
// whose callback runs only once the program has handed the thread back:
// a slice of 8 ms, the work it woke, then at least 8 ms for the page.
const (
	walkSlice = 8 * time.Millisecond
	walkYield = 8 * time.Millisecond
)

// handBack waits walkYield, once the browser has had the thread.
func handBack() {
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		close(done)
		return nil
	})
	js.Global().Call("setTimeout", f, walkYield.Milliseconds())
	<-done
}

// yieldLocked has fire go on after walkYield, once the browser has had the
// thread (see above).
func (s *Scheduler) yieldLocked() {
	go func() {
		handBack()
		s.fire()
	}()
}
