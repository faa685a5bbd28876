package app

import (
	"context"
	"time"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// session is one run as the page shows it: the run (a scheduler on its
// clock, and the actions done to it), the one model of what the page knows
// of it (history.History, fed only by the scheduler's events), and the
// goroutines serving it: the pump, and in virtual time the driver. A reset
// ends the session and makes a new one, so nothing of an old run reaches a
// new one.
type session struct {
	run  *play.Run
	hist *history.History
	pump *pump
	ctx  context.Context
	stop context.CancelFunc
	time chan timeCmd // to the driver, in virtual time
	// lesson is the lesson that made the run, nil for none: its jobs come
	// from the lesson's code, not from actions, so it has no link to
	// replay.
	lesson *lessonRun
	// gathered holds what each batch's gather returned, by batch number,
	// once it has.
	gathered map[int]gathered
	// replay is how far a replay into this session is; nil when none runs.
	replay *replayState
	// stopReal stops a replay in real time; a virtual one is stopped
	// through its driver.
	stopReal context.CancelFunc
}

// lessonRun is how far the lesson that made a run is.
type lessonRun struct {
	id      string // the lesson's
	step    int    // the step running, -1 before the first
	running bool
	done    bool
	err     string
	// marks are the steps as they began, by the run's clock, so that the
	// code highlight can follow the history slider.
	marks []stepMark
	next  chan struct{} // to the running lesson: go on (Next line)
}

type stepMark struct {
	at   time.Time
	step int
}

// stepAt returns the lesson step that was running at t, -1 before the
// first.
func (l *lessonRun) stepAt(t time.Time) int {
	step := -1
	for _, m := range l.marks {
		if m.at.After(t) {
			break
		}
		step = m.step
	}
	return step
}

// gathered is what sched.Gather returned for one of the page's batches.
type gathered struct {
	ok      bool
	summary string
	elapsed time.Duration
}

// replayState is a replay's progress, and what shows it on the UI
// goroutine: as it goes, and once it has ended.
type replayState struct {
	done, of int
	show     func(r replayState, ended bool, err error)
}

// newSession makes a run with set for st, not started yet (see start).
// configure, if not nil, sets up the scheduler before its first use (a
// lesson's own start function).
func newSession(st *stage, set play.Settings, configure func(*sched.Scheduler)) *session {
	ctx, stop := context.WithCancel(context.Background())
	s := &session{
		run:      play.New(set),
		hist:     history.New(),
		ctx:      ctx,
		stop:     stop,
		gathered: make(map[int]gathered),
	}
	if configure != nil {
		configure(s.run.S)
	}
	s.pump = newPump(s.run.S.Subscribe(), func(events []sched.Event) int {
		if st.sess != s {
			return len(events)
		}
		return st.apply(events)
	})
	s.pump.ticking = func() bool { return !s.run.Virtual() && st.waiting.Load() }
	return s
}

// start runs the session's goroutines: the pump, and in virtual time the
// driver of its clock. They end with the session (see end).
func (s *session) start(u *ui, speed float64, playing bool) {
	go s.pump.run(s.ctx, u)
	if s.run.Virtual() {
		s.time = make(chan timeCmd, 64)
		go s.drive(s.ctx, u, speed, playing)
	}
}

// end stops the session's goroutines and its scheduler. Close waits for
// starts in progress, which end when told, so it runs on a goroutine of
// its own rather than hold the page.
func (s *session) end() {
	s.stop()
	go s.run.Close()
}

// after runs fn on the UI goroutine once the events before it are
// applied: fn reports a result beyond the run's view, such as a lesson's
// step or a gather's, which then shows with the states it is about.
func (s *session) after(st *stage, fn func()) {
	s.pump.after(s.ctx, func() {
		fn()
		st.dirty = true
	})
}

// now is the run's time.
func (s *session) now() time.Time { return s.run.Now() }
