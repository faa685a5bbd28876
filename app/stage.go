package app

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// stage is the run the page shows and what decides it: the session, the
// settings new runs are made with (as a link holds them), the clock's
// play state, the instant looked at, the status line, and the one view of
// the run that every panel draws from. It is plain Go, no component: the
// page makes one and gives it to each panel, whose handlers change the run
// through its methods. Its fields belong to the UI goroutine; the page's
// goroutines reach them only through ui.call.
type stage struct {
	ui      *ui // nil until the page mounts
	sess    *session
	waiting atomic.Bool // whether a job waits: the pump then ticks

	// set is the page's settings as a link holds them, without actions:
	// the tab, the clock, the free-play forms' values (their last valid
	// ones), the start settings and the seed.
	set link.State
	// seeded is whether the address shows the seed: once a link brought
	// it, the visitor set it, copied a link or did something to the run.
	// A plain visit's address stays plain.
	seeded bool
	// brought is the run a link brought, waiting for Replay: its actions
	// and end. It is the page's run until the replay has made it one.
	brought    []play.Action
	broughtEnd time.Duration
	playing    bool
	scrubAt    time.Time // the instant looked at; zero is now
	say        string    // what just happened, announced
	width      int       // of the timeline, in CSS pixels
	view       view      // every figure of the run the page shows, from one snapshot
	dirty      bool      // the page shows something that changed: draw it
	addr       address
	redraw     func() // draws the page and its panels: the page's, once mounted
}

func newStage() *stage {
	return &stage{set: link.Default(), width: 640, redraw: func() {}}
}

// resize draws the timeline w CSS pixels wide, if w is known.
func (st *stage) resize(w int) {
	if w > 0 && w != st.width {
		st.width = w
		st.refresh(true)
	}
}

// tell says msg in the status line.
func (st *stage) tell(msg string) {
	st.say = msg
	st.dirty = true
}

// settings is the run the page's controls ask for.
func (st *stage) settings() play.Settings { return st.set.Settings() }

func (st *stage) speed() float64 { return speeds[st.set.Speed] }

// virtual reports whether runs are on the virtual clock.
func (st *stage) virtual() bool { return st.set.Virtual }

// newSession makes a run with set, the page's from now on, and starts it
// if the page is mounted. configure, if not nil, sets up the scheduler
// before its first use (a lesson's own start function).
func (st *stage) newSession(set play.Settings, configure func(*sched.Scheduler)) *session {
	if st.sess != nil {
		st.sess.end()
	}
	s := newSession(st, set, configure)
	st.sess = s
	st.waiting.Store(false)
	st.refresh(true)
	if st.ui != nil {
		s.start(st.ui, st.speed(), st.playing)
	}
	return s
}

// reset starts a new run with the page's settings: what the old run
// showed, the link's run and a lesson's progress included, is gone.
func (st *stage) reset() {
	st.scrubAt = time.Time{} // before the new run's first snapshot, which is of now
	st.newSession(st.settings(), nil)
	st.brought, st.broughtEnd = nil, 0 // a new run is not the link's
}

// restart starts a new run whose starts are as set says.
func (st *stage) restart(set play.Settings) {
	st.set.Start = set
	st.reset()
}

// keepForms keeps the free-play forms' values in the settings a link
// holds: a delay, a batch's delay and size. A negative one is not valid,
// and leaves the last valid one.
func (st *stage) keepForms(delay, batchDelay time.Duration, batchN int) {
	if delay >= 0 {
		st.set.Delay = delay
	}
	if batchDelay >= 0 {
		st.set.BatchDelay = batchDelay
	}
	if batchN >= 0 {
		st.set.BatchN = batchN
	}
}

// keepChoices keeps free play's other choices in the settings a link
// holds: one job's timeout (a negative one is not valid, and leaves the
// last valid one), and whether a batch is a group.
func (st *stage) keepChoices(timeout time.Duration, group bool) {
	if timeout >= 0 {
		st.set.Timeout = timeout
	}
	st.set.BatchGroup = group
}

// live reports whether the page shows now, where actions go; looking at
// the past, or during a replay, they are off, and the status says why.
func (st *stage) live() bool {
	switch {
	case !st.scrubAt.IsZero():
		st.tell("You are looking at the past: press Back to now first.")
	case st.sess.replay != nil:
		st.tell("A replay is running: wait until it ends, or press Stop replay or Reset.")
	default:
		return true
	}
	return false
}

// acted ends a change made by a click or by one of the page's goroutines:
// the address follows it, and the page is drawn if what it shows changed.
func (st *stage) acted() {
	st.followAddress()
	if st.dirty {
		st.dirty = false
		st.redraw()
	}
}

// apply brings the run's model up to date with events, at most maxEvents
// jobs' worth, on the UI goroutine, takes a new snapshot of it if it is
// time to, and returns how many events it applied.
func (st *stage) apply(events []sched.Event) int {
	s := st.sess
	n := s.hist.Apply(events, maxEvents)
	st.waiting.Store(s.hist.Waiting())
	st.refresh(false)
	return n
}

// timeHint tells a visitor in paused virtual time, while jobs wait, which
// buttons move the run on.
func (st *stage) timeHint() string {
	if st.virtual() && !st.playing && st.sess.hist.Waiting() && st.scrubAt.IsZero() {
		return " Time is paused: press Play, Step or Next due to move it on."
	}
	return ""
}

// originOf is where a run's clock started: the fixed instant of virtual
// time, or the first job in real time.
func originOf(s *session) time.Time {
	if s.run.Clock != nil {
		return play.Origin
	}
	return s.hist.First()
}

// setMode starts a new run in virtual time, or in real time, paused.
func (st *stage) setMode(virtual bool) {
	if st.set.Virtual == virtual || !st.live() {
		return
	}
	st.set.Virtual, st.playing = virtual, false
	st.reset()
	if virtual {
		st.tell("Virtual time: a new run on a clock that moves only when you say. It is paused: press Play, Step or Next due. Nothing is late in virtual time.")
	} else {
		st.tell("Real time: a new run on the browser's clock, which shows how late its timers really are.")
	}
}

// togglePlay plays virtual time, or pauses it.
func (st *stage) togglePlay() {
	if !st.live() {
		return
	}
	st.playing = !st.playing
	if st.playing {
		st.sess.send(timeCmd{kind: cmdPlay, speed: st.speed()})
		st.tell(fmt.Sprintf("Playing at %s×.", trimFloat(st.speed())))
	} else {
		st.sess.send(timeCmd{kind: cmdPause})
		st.tell("Paused.")
	}
}

// step moves virtual time to the next event.
func (st *stage) step() {
	if !st.live() {
		return
	}
	s := st.sess
	if t, ok := s.run.NextEvent(); ok {
		s.send(timeCmd{kind: cmdStep})
		st.tell("Stepped to the next event, at +" + formatDuration(t.Sub(originOf(s))) + ".")
	} else {
		st.tell("Nothing waits: there is no next event.")
	}
}

// nextDue moves virtual time to the next job's due time.
func (st *stage) nextDue() {
	if !st.live() {
		return
	}
	s := st.sess
	switch t, ok := s.run.S.NextDue(); {
	case ok:
		s.send(timeCmd{kind: cmdNextDue})
		if d, dok := s.run.NextTimeout(); dok && d.Before(t) {
			// The jump stops there (play.Run.JumpToNextDue).
			st.tell("Jumped to +" + formatDuration(d.Sub(originOf(s))) + ", where a job's timeout comes before the next due time.")
			return
		}
		st.tell("Jumped to the next due job, at +" + formatDuration(t.Sub(originOf(s))) + ": it starts at once, however long its delay.")
	case s.run.S.Counts().Queued > 0:
		st.tell("The jobs waiting have reached their delay and wait for a start slot: press Step to go on.")
	default:
		st.tell("No job waits for its delay.")
	}
}

// setSpeed sets virtual time's speed to speeds[i].
func (st *stage) setSpeed(i int) {
	if i < 0 || i >= len(speeds) {
		return
	}
	st.set.Speed = i
	if st.playing {
		st.sess.send(timeCmd{kind: cmdPlay, speed: st.speed()})
	}
	st.tell(fmt.Sprintf("Speed %s×.", trimFloat(st.speed())))
}

// scrubTo looks at the run at v of the history slider's scrubSteps: now at
// its right end.
func (st *stage) scrubTo(v int) {
	s := st.sess
	if s.hist.Len() == 0 && v < scrubSteps {
		return
	}
	if v >= scrubSteps {
		st.scrubAt = time.Time{}
		st.tell("Back to now.")
	} else {
		first, now := s.hist.First(), s.now()
		st.scrubAt = first.Add(time.Duration(float64(now.Sub(first)) * float64(v) / scrubSteps))
		st.tell("Looking back at +" + formatDuration(st.scrubAt.Sub(originOf(s))) + ": every job as it was then. New actions are off until you return to now.")
	}
	st.refresh(true)
}
