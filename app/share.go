package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// sharePanel is free play's Share form: the seed, the link, replay and the
// exports. It owns what it says and the export in progress; the seed and
// the link's run are the stage's, which a link sets.
type sharePanel struct {
	goapp.Compo

	st       *stage
	seed     string // as typed
	note     string // what the last share action did
	exportSt string // "", "running" (an export is being made) or "done"
	exports  int    // exports finished
}

func newSharePanel(st *stage, note string) *sharePanel {
	return &sharePanel{st: st, seed: strconv.FormatUint(st.set.Seed, 10), note: note}
}

// tell says msg in the panel and in the status line.
func (sp *sharePanel) tell(msg string) {
	sp.note = msg
	sp.st.tell(msg)
}

func (sp *sharePanel) Render() goapp.UI {
	return goapp.Form().ID("share-form").Class("form").OnSubmit(sp.onSeed).Body(
		para("", "explain", "A link holds these settings, the seed and what you did, in at most "+count(link.MaxLen)+" characters. In virtual time the same seed and actions give the same run: ids, times, failures. Real time cannot be replayed exactly: the browser's timers fire late by amounts that differ every run, so only the ids and failures repeat."),
		row(
			textField("seed", "Seed", sp.seed, "share-note", false, sp.onSeedInput),
			submit("seed-apply", "New run with this seed"),
		),
		row(
			button("copy-link", "secondary", "Copy link", sp.onCopyLink),
			button("replay", "secondary", replayLabel(sp.st.sess.replay != nil), sp.onReplay),
		),
		goapp.Div().Class("row").Role("group").Aria("label", "Export the run").Body(
			button("export-json", "secondary", "Export JSON", sp.onExport),
			button("export-csv", "secondary", "Export CSV", sp.onExport),
			button("export-trace", "secondary", "Export trace", sp.onExport),
		),
		para("share-note", "note", sp.note).Aria("live", "polite").DataSet("export", sp.exportSt).DataSet("exports", sp.exports),
	)
}

func (sp *sharePanel) onSeedInput(ctx goapp.Context, e goapp.Event) {
	sp.seed = ctx.JSSrc().Get("value").String()
}

func (sp *sharePanel) onSeed(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	sp.seed = field("seed", sp.seed)
	sp.applySeed()
	sp.st.acted()
}

// applySeed starts a new run with the seed typed, or says what is wrong.
func (sp *sharePanel) applySeed() {
	st := sp.st
	seed, err := strconv.ParseUint(strings.TrimSpace(sp.seed), 10, 64)
	if err != nil || seed == 0 || seed > link.MaxSeed {
		sp.note = fmt.Sprintf("The seed is a whole number from 1 to %d, not %q.", uint64(link.MaxSeed), sp.seed)
		return
	}
	if !st.live() {
		return
	}
	st.reseed(seed)
	sp.tell(fmt.Sprintf("A new run with seed %d: its ids and failures follow from it.", seed))
}

func (sp *sharePanel) onCopyLink(ctx goapp.Context, e goapp.Event) {
	st := sp.st
	ls := st.linkToCopy()
	q, full := ls.Encode()
	acts := len(ls.Actions)
	href := st.addr.write(q)
	u, sctx := st.ui, st.sess.ctx
	copyText(href, func(err error) {
		u.call(sctx, func() {
			switch {
			case err != nil:
				sp.note = "The browser did not let the page copy: copy the address bar instead."
			case acts > 0 && !full:
				sp.note = fmt.Sprintf("Copied a link to these settings. This run's %s do not fit in a link of at most %s characters, so it holds the settings only.", plural(acts, "action"), count(link.MaxLen))
			case acts > 0:
				sp.note = fmt.Sprintf("Copied a link to this run: its %s replay it (%s of at most %s characters).", plural(acts, "action"), count(len(q)), count(link.MaxLen))
			default:
				sp.note = "Copied a link to these settings."
			}
			st.dirty = true
		})
	})
}

// onReplay replays the run's actions, or the link's, in a new run with the
// same settings; pressed during a replay, it stops it where it is.
func (sp *sharePanel) onReplay(ctx goapp.Context, e goapp.Event) {
	sp.replay()
	sp.st.acted()
}

func (sp *sharePanel) replay() {
	st := sp.st
	if s := st.sess; s.replay != nil {
		if s.run.Virtual() {
			s.send(timeCmd{kind: cmdStopReplay})
		} else {
			s.stopReal()
		}
		return
	}
	if !st.live() {
		return
	}
	s := st.replay()
	if s == nil {
		sp.note = "Nothing to replay yet: queue some jobs first."
		return
	}
	// Shown on the UI goroutine, so never before this handler returns.
	s.replay.show = sp.replayShown(s)
	sp.tell(fmt.Sprintf("Replaying %s…", plural(s.replay.of, "action")))
}

// replay replays the run's actions, or the link's, in a new run with the
// same settings, paused, and returns it; nil if there is nothing to
// replay. The caller sets what shows its progress (replayState.show).
func (st *stage) replay() *session {
	var acts []play.Action
	var end time.Duration
	if st.sess.lesson == nil {
		acts = st.sess.run.Actions()
		if len(acts) > 0 {
			end = st.linkEnd(acts)
		}
	}
	if len(acts) == 0 {
		acts, end = st.brought, st.broughtEnd
	}
	if len(acts) == 0 {
		return nil
	}
	st.playing = false
	st.reset()
	s := st.sess
	s.replay = &replayState{of: len(acts)}
	st.brought, st.broughtEnd = acts, end // until the replay has made them the run's
	rp := play.NewReplayer(s.run, acts, end)
	if s.run.Virtual() {
		s.send(timeCmd{kind: cmdReplay, replay: rp})
	} else {
		s.replayReal(st.ui, rp)
	}
	return s
}

// replayed forgets the link's run, once a replay has made it the run.
func (st *stage) replayed() { st.brought, st.broughtEnd = nil, 0 }

// replayShown returns what shows the progress of the replay into s, and
// how it ended: err is nil once it has done every action and reached the
// run's end.
func (sp *sharePanel) replayShown(s *session) func(r replayState, ended bool, err error) {
	st := sp.st
	return func(r replayState, ended bool, err error) {
		if st.sess != s {
			return
		}
		switch {
		case !ended:
			sp.note = fmt.Sprintf("Replaying: %s of %s done…", count(r.done), plural(r.of, "action"))
			st.dirty = true
			return
		case err == errReplayStopped:
			sp.tell(fmt.Sprintf("Replay stopped after %s of %s.", count(r.done), plural(r.of, "action")))
		case err != nil:
			sp.tell("The replay stopped at " + strings.TrimSuffix(err.Error(), ".") + ".")
		case s.run.Virtual():
			sp.tell(fmt.Sprintf("Replayed %s, to +%s. Press Play to go on.", plural(r.of, "action"), formatDuration(s.run.Since())))
		default:
			sp.tell(fmt.Sprintf("Replayed %s: the ids and failures repeat, the browser's timing does not.", plural(r.of, "action")))
		}
		st.replayed()
	}
}

// replayLabel is the Replay button's label: it stops a replay running.
func replayLabel(running bool) string {
	if running {
		return "Stop replay"
	}
	return "Replay"
}

// errReplayStopped is how a replay the visitor stopped ends.
var errReplayStopped = errors.New("it was stopped")

// replayReal replays rp in real time on a goroutine of its own: each
// action once the run's clock reaches its time.
func (s *session) replayReal(u *ui, rp *play.Replayer) {
	ctx, stop := context.WithCancel(s.ctx)
	s.stopReal = stop
	go func() {
		defer stop()
		for {
			t := time.NewTimer(time.Until(rp.Due()))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				if s.ctx.Err() == nil {
					s.replayEnded(u, errReplayStopped)
				}
				return
			}
			done, err := rp.Step(0)
			if done || err != nil {
				s.replayEnded(u, err)
				return
			}
			s.replayProgress(u, rp)
		}
	}()
}

// replayProgress shows how far the replay into s is.
func (s *session) replayProgress(u *ui, rp *play.Replayer) {
	done, of := rp.Done()
	u.call(s.ctx, func() {
		r := s.replay
		if r == nil || r.done == done {
			return
		}
		r.done, r.of = done, of
		r.show(*r, false, nil)
	})
}

// replayEnded ends the replay into s, and says how: err is nil once it has
// done every action and reached the run's end.
func (s *session) replayEnded(u *ui, err error) {
	u.call(s.ctx, func() {
		r := s.replay
		if r == nil {
			return
		}
		s.replay = nil
		r.show(*r, true, err)
	})
}
