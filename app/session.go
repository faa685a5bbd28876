package app

import (
	"context"
	"time"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// historyLimit is how many jobs of a run the page keeps for stepping
// back: about 40 MB of wasm memory, which never shrinks. Jobs beyond it
// still run and are counted, but the history scrubber cannot show them.
const historyLimit = 200_000

// session is one run as the page shows it: the run (a scheduler on its
// clock), the page's copy of its jobs, their history, and the goroutines
// serving it: the pump, and in virtual time the driver. A reset ends the
// session and makes a new one, so nothing of an old run reaches a new one.
type session struct {
	page  *page
	run   *play.Run
	store *store
	hist  *history.History
	pump  *pump
	ctx   context.Context
	stop  context.CancelFunc
	time  chan timeCmd // to the driver, in virtual time
	// marks are the lesson's steps as they began, by the run's clock, so
	// that the code highlight can follow the history scrubber.
	marks []stepMark
}

type stepMark struct {
	at   time.Time
	step int
}

// newSession makes a run with set, the page's from now on, and starts it
// if the page is mounted. configure, if not nil, sets up the scheduler
// before its first use (a lesson's own start function).
func (p *page) newSession(set play.Settings, configure func(*sched.Scheduler)) *session {
	if p.sess != nil {
		p.sess.end()
	}
	p.share.replaying = false // a replay belongs to the session it replays into
	ctx, stop := context.WithCancel(context.Background())
	s := &session{
		page:  p,
		run:   play.New(set),
		store: newStore(),
		hist:  history.New(historyLimit),
		ctx:   ctx,
		stop:  stop,
	}
	if configure != nil {
		configure(s.run.S)
	}
	sub := s.run.S.Subscribe()
	s.pump = newPump(sub, p.dispatchRun, func(events []sched.Event) {
		if p.sess == s {
			p.apply(events)
		}
	})
	s.pump.ticking = func() bool { return !s.run.Virtual() && p.waiting.Load() }
	p.sess = s
	if p.mountCtx != nil {
		s.start()
	}
	return s
}

// start runs the session's goroutines: the pump, and in virtual time the
// driver of its clock. They end with the session (see end).
func (s *session) start() {
	p := s.page
	go s.pump.run(s.ctx)
	if s.run.Virtual() {
		s.time = make(chan timeCmd, 64)
		go s.drive(s.ctx, p.speed(), p.playing, func() { s.pump.after(s.ctx, func() {}) })
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
// applied, and redraws the whole page: fn reports a result beyond the
// run's view, such as a lesson's step or a gather's.
func (s *session) after(fn func()) {
	s.pump.after(s.ctx, func() {
		fn()
		s.page.pageDirty = true
	})
}

// now is the run's time.
func (s *session) now() time.Time { return s.run.Now() }
