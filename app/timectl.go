package app

import (
	"context"
	"time"

	"github.com/wasmsched/wasmsched/internal/play"
)

// timeCmd is what the page asks of a virtual clock.
type timeCmd struct {
	kind   timeKind
	speed  float64
	replay *play.Replayer // cmdReplay's
}

type timeKind uint8

const (
	cmdPlay timeKind = iota
	cmdPause
	cmdStep       // to the next event
	cmdNextDue    // to the next job's due time, through what comes before
	cmdReplay     // replay a run's actions, a frame's worth at a time
	cmdStopReplay // stop the replay, where it is
)

// maxFrameEvents caps the events one frame of play moves through: at
// 1000× a frame is 16 s of virtual time, which may hold thousands of
// distinct due times. Beyond it, virtual time runs behind the speed asked
// rather than freeze the page.
const maxFrameEvents = 500

// replaySlice is how long a frame's share of a replay may take: actions
// are done between frames, so that the page stays responsive.
const replaySlice = 8 * time.Millisecond

// drive runs a virtual run's clock on its own goroutine: while playing,
// each animation frame moves it by the real time elapsed times the speed;
// a step or a jump moves it at once; a replay moves it and does its
// actions a frame's worth at a time. After each, it asks the pump for an
// update, so that the timeline's now follows the clock; the pump makes
// that one update a frame at most.
func (s *session) drive(ctx context.Context, u *ui, speed float64, playing bool) {
	last := time.Now()
	var rp *play.Replayer
	poke := func() { s.pump.after(ctx, func() {}) }
	for {
		var frame <-chan struct{}
		if playing || rp != nil {
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
			case cmdReplay:
				rp = c.replay
			case cmdStopReplay:
				if rp != nil {
					rp = nil
					s.replayEnded(u, errReplayStopped)
				}
			}
			poke()
		case <-frame:
			if rp != nil {
				done, err := replayFrame(rp)
				if done || err != nil {
					rp = nil
					s.replayEnded(u, err)
				} else {
					s.replayProgress(u, rp)
				}
				last = time.Now()
				poke()
				continue
			}
			now := time.Now()
			elapsed := now.Sub(last)
			last = now
			s.run.AdvanceTo(s.run.Now().Add(time.Duration(float64(elapsed)*speed)), maxFrameEvents)
			poke()
		}
	}
}

// replayFrame steps rp for at most replaySlice.
func replayFrame(rp *play.Replayer) (done bool, err error) {
	t0 := time.Now()
	for time.Since(t0) < replaySlice {
		if done, err = rp.Step(maxFrameEvents); done || err != nil {
			return done, err
		}
	}
	return false, nil
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
