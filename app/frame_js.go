//go:build js && wasm

package app

import (
	"sync"
	"syscall/js"
	"time"
)

// nextFrame returns a channel closed at the browser's next animation frame.
//
// A timer is not enough in the browser: Go's scheduler runs goroutines and
// due timers without returning to JavaScript while it has work, so when an
// update takes longer than a timer's frame, the next one is already due and
// the page never paints. Waiting for requestAnimationFrame hands the thread
// back to the browser before every update. Hidden tabs get no animation
// frames, so a slow timer stands in for them.
func nextFrame() <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(ch) }) }
	var cb js.Func
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		cb.Release()
		done()
		return nil
	})
	js.Global().Call("requestAnimationFrame", cb)
	time.AfterFunc(hiddenFrame, done)
	return ch
}

// hiddenFrame is how long the pump waits for an animation frame that does
// not come, as in a hidden tab.
const hiddenFrame = 250 * time.Millisecond

// paintDone returns a channel closed once the browser has drawn its next
// frame: a timeout set from the animation frame's callback runs after the
// frame is painted.
func paintDone() <-chan struct{} {
	ch := make(chan struct{})
	var frame, after js.Func
	after = js.FuncOf(func(js.Value, []js.Value) any {
		after.Release()
		close(ch)
		return nil
	})
	frame = js.FuncOf(func(js.Value, []js.Value) any {
		frame.Release()
		js.Global().Call("setTimeout", after, 0)
		return nil
	})
	js.Global().Call("requestAnimationFrame", frame)
	return ch
}
