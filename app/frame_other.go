//go:build !(js && wasm)

package app

import "time"

// nextFrame returns a channel that receives after a display frame. Outside
// the browser, as in tests, a timer stands in for requestAnimationFrame.
func nextFrame() <-chan time.Time { return time.After(frame) }
