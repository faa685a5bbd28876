package app

import (
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
	seeded    bool
	linkActs  []play.Action
	linkEnd   time.Duration
	replaying bool
	note      string // what the last share action did
	exportSt  string // "", "running" (an export is being made) or "done"
	exports   int    // exports finished
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
	}
}

// delayText writes d as the page's fields read it back exactly (see
// parseDelay): in the largest unit that divides it, else in fractional
// milliseconds.
func delayText(d time.Duration) string {
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
// them, with the run's time now as the link's end. Fields typed but not
// valid keep the default. Before its Replay, the run a link brought is
// the run.
func (p *page) linkState() link.State {
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
	if s := p.sess; s != nil {
		if st.Actions = s.run.Actions(); len(st.Actions) > 0 {
			st.End = s.run.Since()
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

// syncAddress keeps the page's settings in the address bar, replacing the
// history entry rather than adding one for every change. It runs at each
// render of the page, so the address changes only when a setting or the
// actions do: its end is the time of the last action, not the clock,
// which moves on (Copy link writes the clock's time).
//
// The address is written once it has been still for addressDelay: a
// replacement of the address costs the browser work on the page's thread
// (measured: queued 1 ms jobs were late by 10 ms more at the 99th
// percentile, and the next page loads slower, when each click replaced
// it), and browsers limit how often a page may replace it (Safari throws
// past 100 times in 10 s). A replay, whose actions come fast, writes it
// at its end.
func (p *page) syncAddress() {
	if !goapp.IsClient || p.mountCtx == nil || p.share.replaying {
		return
	}
	st := p.linkState()
	if n := len(st.Actions); n > 0 {
		st.End = max(st.Actions[n-1].At, p.share.linkEnd)
	}
	q, _ := st.Encode()
	if q != p.share.want {
		p.share.want, p.share.wantAt = q, time.Now()
	}
	if q == p.share.address || p.share.waiting {
		return
	}
	p.share.waiting = true
	var check func()
	check = func() {
		time.AfterFunc(addressDelay, func() {
			p.onUI(func() bool {
				if wait := addressDelay - time.Since(p.share.wantAt); wait > 0 && p.share.want != p.share.address {
					check() // changed meanwhile: wait until it is still
					return true
				}
				p.share.waiting = false
				p.writeAddress(p.share.want)
				return true
			})
		})
	}
	check()
}

// addressDelay is how long the page's settings stay unchanged before the
// address bar shows them: see syncAddress.
const addressDelay = time.Second

// setAddress writes st into the address bar now, and returns the page's
// whole address.
func (p *page) setAddress(st link.State) string {
	q, _ := st.Encode()
	p.share.want, p.share.wantAt = q, time.Now()
	return p.writeAddress(q)
}

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
			button("replay", "secondary", "Replay", p.onReplay),
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
	p.reset("")
	p.share.note = fmt.Sprintf("A new run with seed %d: its ids and failures follow from it.", seed)
	p.say = p.share.note
	p.redraw()
}

func (p *page) onCopyLink(ctx goapp.Context, e goapp.Event) {
	p.share.seeded = true
	st := p.linkState()
	q, full := st.Encode()
	acts := len(st.Actions)
	href := p.setAddress(st)
	copyText(href, func(err error) {
		p.dispatchShare(func() {
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
		})
	})
}

func (p *page) onReplay(ctx goapp.Context, e goapp.Event) {
	if !p.live() {
		return
	}
	acts, end := p.sess.run.Actions(), p.sess.run.Since()
	if len(acts) == 0 {
		acts, end = p.share.linkActs, p.share.linkEnd
	}
	if len(acts) == 0 {
		p.share.note = "Nothing to replay yet: queue some jobs first."
		return
	}
	p.playing = false
	p.reset("")
	s := p.sess
	p.share.replaying = true
	p.share.note = fmt.Sprintf("Replaying %s…", plural(len(acts), "action"))
	p.say = p.share.note
	p.redraw()
	go s.replay(acts, end)
}

// replay does acts again in s, each at its time, then brings s to end. It
// runs on its own goroutine; each action runs on the UI goroutine, through
// the same code as the visitor's clicks.
func (s *session) replay(acts []play.Action, end time.Duration) {
	p := s.page
	err := func() error {
		for i, a := range acts {
			if !s.reach(a.At) {
				return errors.New("the run ended")
			}
			type result struct {
				wait <-chan struct{}
				err  error
			}
			ch := make(chan result, 1)
			p.dispatch(func() {
				if p.sess != s {
					ch <- result{err: errors.New("the run ended")}
					return
				}
				w, err := p.do(s, a)
				ch <- result{w, err}
			})
			var r result
			select {
			case r = <-ch:
			case <-s.ctx.Done():
				return errors.New("the run ended")
			}
			if r.err != nil {
				return fmt.Errorf("action %d of %d: %w", i+1, len(acts), r.err)
			}
			if r.wait != nil {
				select {
				case <-r.wait:
				case <-s.ctx.Done():
					return errors.New("the run ended")
				}
			}
		}
		s.reach(end)
		return nil
	}()
	p.dispatch(func() {
		if p.sess != s {
			return
		}
		p.share.replaying = false
		if err != nil {
			p.share.note = "The replay stopped at " + strings.TrimSuffix(err.Error(), ".") + "."
		} else {
			p.share.note = fmt.Sprintf("Replayed %s; the run is at +%s, where it was.", plural(len(acts), "action"), formatDuration(s.run.Since()))
			if s.run.Virtual() {
				p.share.note += " Press Play to go on."
			}
		}
		p.say = p.share.note
	})
}

// reach waits until the run's time is at since its beginning: in virtual
// time by driving the clock there, a frame's worth at a time; in real
// time by waiting. It reports false if the session ended.
func (s *session) reach(at time.Duration) bool {
	if !s.run.Virtual() {
		d := time.Until(s.run.Began.Add(at))
		if d <= 0 {
			return s.ctx.Err() == nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-s.ctx.Done():
			return false
		}
	}
	done := make(chan struct{})
	select {
	case s.time <- timeCmd{kind: cmdTo, to: s.run.Began.Add(at), done: done}:
	case <-s.ctx.Done():
		return false
	}
	select {
	case <-done:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// do does a in s, on the UI goroutine, as the visitor's click would. For
// a batch it returns a channel closed once the batch is queued.
func (p *page) do(s *session, a play.Action) (<-chan struct{}, error) {
	switch a.Kind {
	case play.Queue:
		return nil, p.queue(s, a.Delay)
	case play.QueueBatch:
		b, err := p.batch(s, a.N, a.Delay)
		if err != nil {
			return nil, err
		}
		return b.queued, nil
	case play.Cancel:
		_, err := s.run.Cancel(a.N)
		return nil, err
	case play.CancelBatch:
		return nil, p.cancelBatch(a.N)
	case play.CancelAll:
		p.cancelAll()
		return nil, nil
	}
	return nil, fmt.Errorf("unknown action %d", a.Kind)
}
