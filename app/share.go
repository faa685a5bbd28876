package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// share is what the page keeps for sharing a run: the address it last
// wrote, and a run a link brought, waiting for Replay.
type share struct {
	address string // the query string last written to the address bar
	want    string // the query string the address should hold
	wantAt  time.Time
	waiting bool // a write of the address is due (see syncAddress)
	// seeded is whether the address shows the seed: once a link brought
	// it, the visitor set it, copied a link or did something to the run.
	// A plain visit's address stays plain.
	seeded   bool
	linkActs []play.Action
	linkEnd  time.Duration
	note     string // what the last share action did
	exportSt string // "", "running" (an export is being made) or "done"
	exports  int    // exports finished
}

// newSeed draws a seed a link can carry: JavaScript numbers hold integers
// up to 2^53 exactly.
func newSeed() uint64 { return rand.Uint64N(1<<53-1) + 1 }

// openLink sets the page up from the address it was opened with. Nothing
// runs: a link with a run waits for Replay.
func (p *page) openLink(query string) {
	st, notes := link.Parse(query)
	f := &p.free
	p.tab, p.virtual, p.speedIdx = st.Tab, st.Virtual, st.Speed
	f.delay, f.batchSize, f.batchDelay = delayText(st.Delay), strconv.Itoa(st.BatchN), delayText(st.BatchDelay)
	f.start = st.Start
	f.startTime, f.jitter = delayText(st.Start.StartTime), delayText(st.Start.Jitter)
	f.failPct, f.panicPct, f.limit = strconv.Itoa(st.Start.FailPct), strconv.Itoa(st.Start.PanicPct), strconv.Itoa(st.Start.Limit)
	seed := st.Seed
	if p.share.seeded = seed != 0; !p.share.seeded {
		seed = newSeed()
	}
	f.start.Seed, f.seed = seed, strconv.FormatUint(seed, 10)
	var say []string
	if len(notes) > 0 {
		say = append(say, "Some of this link was ignored: "+strings.Join(notes, " "))
	}
	if len(st.Actions) > 0 {
		p.share.linkActs, p.share.linkEnd = st.Actions, st.End
		p.tab, f.form = freeTab, "share"
		say = append(say, fmt.Sprintf("This link holds a run of %s over %s: press Replay to run it.", plural(len(st.Actions), "action"), formatDuration(st.End)))
	}
	if len(say) > 0 {
		p.share.note = strings.Join(say, " ")
		p.say = p.share.note
	} else {
		p.say = tabSay(p.tab)
	}
}

// delayText writes d as the page's fields read it back exactly (see
// parseDelay): in the largest unit that divides it, else in fractional
// milliseconds.
func delayText(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + "ms"
}

// linkState is the page's settings, and the run's actions, as a link holds
// them, with the run's end (see linkEnd). Fields typed but not valid keep
// the default. Before its Replay, the run a link brought is the run. A
// lesson's run has no actions: a lesson is run again from its tab.
func (p *page) linkState() link.State { return p.linkStateFor(false) }

// linkStateFor is linkState, for the address bar if address: while the
// run moves, the address holds its last action's time as its end, which
// moves only with the actions (see followAddress).
func (p *page) linkStateFor(address bool) link.State {
	st := link.Default()
	f := &p.free
	st.Tab, st.Virtual, st.Speed = p.tab, p.virtual, p.speedIdx
	if d, err := parseDelay(f.delay); err == nil {
		st.Delay = d
	}
	if n, err := parseBatchSize(f.batchSize); err == nil {
		st.BatchN = n
	}
	if d, err := parseDelay(f.batchDelay); err == nil {
		st.BatchDelay = d
	}
	st.Start, st.Seed = f.start, f.start.Seed
	st.Start.Virtual, st.Start.Seed = false, 0
	if s := p.sess; s != nil && !s.lesson {
		if st.Actions = s.run.Actions(); len(st.Actions) > 0 {
			st.End = p.linkEnd(st.Actions)
			if address && !p.still() {
				st.End = st.Actions[len(st.Actions)-1].At
			}
		}
	}
	if len(st.Actions) == 0 {
		st.Actions, st.End = p.share.linkActs, p.share.linkEnd
	}
	if !p.share.seeded && len(st.Actions) == 0 {
		st.Seed = 0 // drawn at random: see share.seeded
	}
	return st
}

// still reports whether the run stands still: virtual time paused, or no
// job waiting, and no replay running. A still run's link is stable, and
// the address shows it.
func (p *page) still() bool {
	s := p.sess
	return s.replay == nil && (p.virtual && !p.playing || !s.hist.Waiting())
}

// linkEnd is the end of the run's link: while the run moves, its time now;
// once still, the instant it last changed when no job waits (its last
// action, or the last change of a job), else, paused, the clock's time.
// Either stays put while the run is still, so that the address, written
// then, is the link Copy link gives.
func (p *page) linkEnd(acts []play.Action) time.Duration {
	s := p.sess
	if s.hist.Waiting() {
		return s.run.Since()
	}
	end := acts[len(acts)-1].At
	if last := s.hist.Last(); !last.IsZero() {
		end = max(end, last.Sub(s.run.Began))
	}
	return end
}

// followAddress keeps the page's settings and run in the address bar,
// replacing the history entry rather than adding one for every change. It
// runs after each change the page makes, never from Render.
//
// The address is written once it has been unchanged for addressDelay: a
// replacement of the address costs the browser work on the page's thread
// (measured: queued 1 ms jobs were late by 10 ms more at the 99th
// percentile when each click replaced it, and by 8 ms more when each
// job's end did), and browsers limit how often a page may replace it
// (Safari throws past 100 times in 10 s). While the run moves, it holds
// the last action's time as its end; once the run is still, its end is
// the one Copy link gives, so that a second after the run stands still
// the address is Copy link's link. A replay writes it once it ends.
func (p *page) followAddress() {
	if !goapp.IsClient || p.ui == nil || p.sess.replay != nil {
		return
	}
	q, _ := p.linkStateFor(true).Encode()
	if q != p.share.want {
		p.share.want, p.share.wantAt = q, time.Now()
	}
	if q == p.share.address || p.share.waiting {
		return
	}
	p.share.waiting = true
	u, ctx := p.ui, p.sess.ctx
	var check func()
	check = func() {
		time.AfterFunc(addressDelay, func() {
			u.call(ctx, func() {
				if wait := addressDelay - time.Since(p.share.wantAt); wait > 0 && p.share.want != p.share.address {
					check() // changed meanwhile: wait until it is still
					return
				}
				p.share.waiting = false
				p.writeAddress(p.share.want)
			})
		})
	}
	check()
}

// addressDelay is how long the page's settings stay unchanged before the
// address bar shows them: see followAddress.
const addressDelay = time.Second

// writeAddress writes the query q into the address bar, if it changed,
// and returns the page's whole address.
func (p *page) writeAddress(q string) string {
	loc := goapp.Window().Get("location")
	url := loc.Get("pathname").String()
	if q != "" {
		url += "?" + q
	}
	if q != p.share.address {
		p.share.address = q
		func() {
			// Safari throws past its limit of replacements; the address
			// is then behind, never the page broken.
			defer func() { recover() }()
			goapp.Window().Get("history").Call("replaceState", nil, "", url)
		}()
	}
	return loc.Get("origin").String() + url
}

// renderShare is free play's Share form: the seed, the link, replay and
// exports.
func (p *page) renderShare() goapp.UI {
	f := &p.free
	return goapp.Form().ID("share-form").Class("form").OnSubmit(p.onSeed).Body(
		para("", "explain", "A link holds these settings, the seed and what you did, in at most "+count(link.MaxLen)+" characters. In virtual time the same seed and actions give the same run: ids, times, failures. Real time cannot be replayed exactly: the browser's timers fire late by amounts that differ every run, so only the ids and failures repeat."),
		row(
			textField("seed", "Seed", f.seed, "share-note", false, p.onInput(&f.seed, &f.settingsErr)),
			submit("seed-apply", "New run with this seed"),
		),
		row(
			button("copy-link", "secondary", "Copy link", p.onCopyLink),
			button("replay", "secondary", replayLabel(p.sess.replay != nil), p.onReplay),
		),
		goapp.Div().Class("row").Role("group").Aria("label", "Export the run").Body(
			button("export-json", "secondary", "Export JSON", p.onExport),
			button("export-csv", "secondary", "Export CSV", p.onExport),
			button("export-trace", "secondary", "Export trace", p.onExport),
		),
		para("share-note", "note", p.share.note).Aria("live", "polite").DataSet("export", p.share.exportSt).DataSet("exports", p.share.exports),
	)
}

func (p *page) onSeed(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	f := &p.free
	f.seed = field("seed", f.seed)
	seed, err := strconv.ParseUint(strings.TrimSpace(f.seed), 10, 64)
	if err != nil || seed == 0 || seed >= 1<<53 {
		p.share.note = fmt.Sprintf("The seed is a whole number from 1 to %d, not %q.", uint64(1<<53-1), f.seed)
		return
	}
	if !p.live() {
		return
	}
	f.start.Seed, p.share.seeded = seed, true
	p.reset()
	p.share.note = fmt.Sprintf("A new run with seed %d: its ids and failures follow from it.", seed)
	p.say = p.share.note
	p.followAddress()
}

func (p *page) onCopyLink(ctx goapp.Context, e goapp.Event) {
	p.share.seeded = true
	st := p.linkState()
	q, full := st.Encode()
	acts := len(st.Actions)
	p.share.want = q
	href := p.writeAddress(q)
	u, sctx := p.ui, p.sess.ctx
	copyText(href, func(err error) {
		u.call(sctx, func() {
			switch {
			case err != nil:
				p.share.note = "The browser did not let the page copy: copy the address bar instead."
			case acts > 0 && !full:
				p.share.note = fmt.Sprintf("Copied a link to these settings. This run's %s do not fit in a link of at most %s characters, so it holds the settings only.", plural(acts, "action"), count(link.MaxLen))
			case acts > 0:
				p.share.note = fmt.Sprintf("Copied a link to this run: its %s replay it (%s of at most %s characters).", plural(acts, "action"), count(len(q)), count(link.MaxLen))
			default:
				p.share.note = "Copied a link to these settings."
			}
			p.dirty = true
		})
	})
}

// onReplay replays the run's actions, or the link's, in a new run with the
// same settings; pressed during a replay, it stops it where it is.
func (p *page) onReplay(ctx goapp.Context, e goapp.Event) {
	if s := p.sess; s.replay != nil {
		if s.run.Virtual() {
			s.send(timeCmd{kind: cmdStopReplay})
		} else {
			s.stopReal()
		}
		return
	}
	if !p.live() {
		return
	}
	var acts []play.Action
	var end time.Duration
	if !p.sess.lesson {
		acts = p.sess.run.Actions()
		if len(acts) > 0 {
			end = p.linkEnd(acts)
		}
	}
	if len(acts) == 0 {
		acts, end = p.share.linkActs, p.share.linkEnd
	}
	if len(acts) == 0 {
		p.share.note = "Nothing to replay yet: queue some jobs first."
		return
	}
	p.playing = false
	p.reset()
	s := p.sess
	s.replay = &replayState{of: len(acts)}
	p.share.linkActs, p.share.linkEnd = acts, end // until the replay has made them the run's
	p.share.note = fmt.Sprintf("Replaying %s…", plural(len(acts), "action"))
	p.say = p.share.note
	rp := play.NewReplayer(s.run, acts, end)
	if s.run.Virtual() {
		s.send(timeCmd{kind: cmdReplay, replay: rp})
	} else {
		s.replayReal(p.ui, rp)
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
					u.p.replayEnded(u, s, errReplayStopped)
				}
				return
			}
			done, err := rp.Step(0)
			if done || err != nil {
				u.p.replayEnded(u, s, err)
				return
			}
			u.p.replayProgress(u, s, rp)
		}
	}()
}

// replayProgress shows how far the replay into s is.
func (p *page) replayProgress(u *ui, s *session, rp *play.Replayer) {
	done, of := rp.Done()
	u.call(s.ctx, func() {
		if p.sess != s || s.replay == nil || s.replay.done == done {
			return
		}
		s.replay.done, s.replay.of = done, of
		p.share.note = fmt.Sprintf("Replaying: %s of %s done…", count(done), plural(of, "action"))
		p.dirty = true
	})
}

// replayEnded says how the replay into s ended: err is nil once it has
// done every action and reached the run's end.
func (p *page) replayEnded(u *ui, s *session, err error) {
	u.call(s.ctx, func() {
		if p.sess != s || s.replay == nil {
			return
		}
		done, of := s.replay.done, s.replay.of
		s.replay = nil
		switch {
		case err == errReplayStopped:
			p.share.note = fmt.Sprintf("Replay stopped after %s of %s.", count(done), plural(of, "action"))
		case err != nil:
			p.share.note = "The replay stopped at " + strings.TrimSuffix(err.Error(), ".") + "."
		case s.run.Virtual():
			p.share.note = fmt.Sprintf("Replayed %s, to +%s. Press Play to go on.", plural(of, "action"), formatDuration(s.run.Since()))
		default:
			p.share.note = fmt.Sprintf("Replayed %s: the ids and failures repeat, the browser's timing does not.", plural(of, "action"))
		}
		p.share.linkActs, p.share.linkEnd = nil, 0
		p.say = p.share.note
		p.dirty = true
	})
}
