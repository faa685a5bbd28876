//go:build !(js && wasm)

package app

import "time"

// nextFrame returns a channel closed after a display frame. Outside the
// browser, as in tests, a timer stands in for requestAnimationFrame.
func nextFrame() <-chan struct{} {
	ch := make(chan struct{})
	time.AfterFunc(16*time.Millisecond, func() { close(ch) })
	return ch
}

// paintDone returns a closed channel: outside the browser nothing paints.
func paintDone() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}
