package app

import (
	"context"
	"time"
)

// timeCmd is what the page asks of a virtual clock.
type timeCmd struct {
	kind  timeKind
	speed float64
	to    time.Time     // cmdTo's time
	done  chan struct{} // closed when cmdTo is there
}

type timeKind uint8

const (
	cmdPlay timeKind = iota
	cmdPause
	cmdStep    // to the next event
	cmdNextDue // to the next job's due time, through what comes before
	cmdTo      // to a time, a frame's worth of events at a time: a replay
)

// maxFrameEvents caps the events one frame of play moves through: at
// 1000× a frame is 16 s of virtual time, which may hold thousands of
// distinct due times. Beyond it, virtual time runs behind the speed asked
// rather than freeze the page.
const maxFrameEvents = 500

// drive runs a virtual run's clock on its own goroutine: while playing,
// each animation frame moves it by the real time elapsed times the speed;
// a step or a jump moves it at once. poke asks the page for an update, so
// that the timeline's now follows the clock; the pump makes that one
// update a frame at most.
func (s *session) drive(ctx context.Context, speed float64, playing bool, poke func()) {
	last := time.Now()
	for {
		var frame <-chan struct{}
		if playing {
			frame = nextFrame()
		}
		select {
		case <-ctx.Done():
			return
		case c := <-s.time:
			switch c.kind {
			case cmdPlay:
				playing, speed, last = true, c.speed, time.Now()
			case cmdPause:
				playing = false
			case cmdStep:
				s.run.Step()
			case cmdNextDue:
				s.run.JumpToNextDue()
			case cmdTo:
				for !s.run.AdvanceTo(c.to, maxFrameEvents) {
					poke()
					select {
					case <-nextFrame():
					case <-ctx.Done():
						return
					}
				}
				close(c.done)
				last = time.Now()
			}
			poke()
		case <-frame:
			now := time.Now()
			elapsed := now.Sub(last)
			last = now
			s.run.AdvanceTo(s.run.Now().Add(time.Duration(float64(elapsed)*speed)), maxFrameEvents)
			poke()
		}
	}
}

// send asks the driver for c, if the run is virtual. The channel is
// buffered so that the UI goroutine never waits for a frame's work, and
// commands keep their order; a click beyond the buffer is dropped.
func (s *session) send(c timeCmd) {
	if s.time == nil {
		return
	}
	select {
	case s.time <- c:
	default:
	}
}
