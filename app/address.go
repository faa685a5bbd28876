package app

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

// newSeed draws a seed a link can carry, from 1 to link.MaxSeed.
func newSeed() uint64 { return rand.Uint64N(link.MaxSeed) + 1 }

// open sets the stage up from the address the page was opened with, and
// returns what the page says of it. Nothing runs: a link with a run waits
// for Replay, in free play.
func (st *stage) open(query string) (say string) {
	ls, notes := link.Parse(query)
	if st.seeded = ls.Seed != 0; !st.seeded {
		ls.Seed = newSeed()
	}
	var out []string
	if len(notes) > 0 {
		out = append(out, "Some of this link was ignored: "+strings.Join(notes, " "))
	}
	if len(ls.Actions) > 0 {
		st.brought, st.broughtEnd = ls.Actions, ls.End
		ls.Tab = freeTab
		out = append(out, fmt.Sprintf("This link holds a run of %s over %s: press Replay to run it.", plural(len(ls.Actions), "action"), formatDuration(ls.End)))
	}
	ls.Actions, ls.End = nil, 0
	st.set = ls
	if len(out) == 0 {
		st.tell(tabSay(ls.Tab))
		return ""
	}
	say = strings.Join(out, " ")
	st.tell(say)
	return say
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

// reseed starts a new run with seed, which the address shows from now on.
func (st *stage) reseed(seed uint64) {
	st.set.Seed, st.seeded = seed, true
	st.reset()
}

// linkToCopy is linkState, for Copy link: the address shows the seed from
// now on.
func (st *stage) linkToCopy() link.State {
	st.seeded = true
	return st.linkState()
}

// linkState is the page's settings, and the run's actions, as a link holds
// them, with the run's end (see linkEnd). Fields typed but not valid keep
// their last valid value. Before its Replay, the run a link brought is the
// run. A lesson's run has no actions: a lesson is run again from its tab.
func (st *stage) linkState() link.State { return st.linkStateFor(false) }

// linkStateFor is linkState, for the address bar if address: while the
// run moves, the address holds its last action's time as its end, which
// moves only with the actions (see followAddress).
func (st *stage) linkStateFor(address bool) link.State {
	ls := st.set
	ls.Start.Virtual, ls.Start.Seed = false, 0
	if s := st.sess; s != nil && s.lesson == nil {
		if ls.Actions = s.run.Actions(); len(ls.Actions) > 0 {
			ls.End = st.linkEnd(ls.Actions)
			if address && !st.still() {
				ls.End = ls.Actions[len(ls.Actions)-1].At
			}
		}
	}
	if len(ls.Actions) == 0 {
		ls.Actions, ls.End = st.brought, st.broughtEnd
	}
	if !st.seeded && len(ls.Actions) == 0 {
		ls.Seed = 0 // drawn at random: see stage.seeded
	}
	return ls
}

// still reports whether the run stands still: virtual time paused, or no
// job waiting, and no replay running. A still run's link is stable, and
// the address shows it.
func (st *stage) still() bool {
	s := st.sess
	return s.replay == nil && (st.virtual() && !st.playing || !s.hist.Waiting())
}

// linkEnd is the end of the run's link: while the run moves, its time now;
// once still, the instant it last changed when no job waits (its last
// action, or the last change of a job), else, paused, the clock's time.
// Either stays put while the run is still, so that the address, written
// then, is the link Copy link gives.
func (st *stage) linkEnd(acts []play.Action) time.Duration {
	s := st.sess
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
func (st *stage) followAddress() {
	if !goapp.IsClient || st.ui == nil || st.sess.replay != nil {
		return
	}
	a := &st.addr
	q, _ := st.linkStateFor(true).Encode()
	if q != a.want {
		a.want, a.wantAt = q, time.Now()
	}
	if q == a.shown || a.waiting {
		return
	}
	a.waiting = true
	u, ctx := st.ui, st.sess.ctx
	var check func()
	check = func() {
		time.AfterFunc(addressDelay, func() {
			u.call(ctx, func() {
				if wait := addressDelay - time.Since(a.wantAt); wait > 0 && a.want != a.shown {
					check() // changed meanwhile: wait until it is still
					return
				}
				a.waiting = false
				a.write(a.want)
			})
		})
	}
	check()
}

// addressDelay is how long the page's settings stay unchanged before the
// address bar shows them: see followAddress.
const addressDelay = time.Second

// address is the address bar as the page keeps it.
type address struct {
	shown   string // the query string last written to the address bar
	want    string // the query string the address should hold
	wantAt  time.Time
	waiting bool // a write of the address is due (see followAddress)
}

// write writes the query q into the address bar, if it changed, and
// returns the page's whole address.
func (a *address) write(q string) string {
	a.want = q
	loc := goapp.Window().Get("location")
	url := loc.Get("pathname").String()
	if q != "" {
		url += "?" + q
	}
	if q != a.shown {
		a.shown = q
		func() {
			// Safari throws past its limit of replacements; the address
			// is then behind, never the page broken.
			defer func() { recover() }()
			goapp.Window().Get("history").Call("replaceState", nil, "", url)
		}()
	}
	return loc.Get("origin").String() + url
}
