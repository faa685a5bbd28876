package app

import (
	"time"

	"github.com/wasmsched/wasmsched/internal/history"
	"github.com/wasmsched/wasmsched/sched"
)

// view is every figure of the run that the page shows, taken from one
// snapshot of the run's model at one instant, with what is drawn from it:
// the counts, the timeline, the lateness, the batch's progress and the
// records all count the same jobs, so that no two figures on the screen
// disagree. Render reads it; only refresh writes it.
type view struct {
	snap  history.Snapshot
	chart string    // the timeline, as HTML
	rows  string    // the records table, as HTML
	taken time.Time // real time, for slowDraw
	sess  *session
	width int
	busy  bool // taken while the run was big and busy
	// trailing is set while a refresh is due at the end of slowDraw, for
	// the changes a skipped refresh left out.
	trailing bool
}

// A view of a run of bigRun jobs or more is taken at most every slowDraw
// while the run changes: the page's drawing shares the thread that starts
// the jobs, and a 100,000-job batch would otherwise spend most of its
// frames drawing them. In between, the whole view stays as it was, so its
// figures still agree.
const (
	bigRun   = 2000
	slowDraw = 250 * time.Millisecond
)

// refresh takes a new snapshot of the run at the instant the page looks
// at, unless the run is big and busy and the last one is recent; force
// takes one in any case.
func (st *stage) refresh(force bool) {
	s := st.sess
	v := &st.view
	busy := st.busy()
	if wait := slowDraw - time.Since(v.taken); !force && busy && v.busy && v.sess == s && v.width == st.width && wait > 0 {
		if !v.trailing && st.ui != nil {
			v.trailing = true
			u := st.ui
			time.AfterFunc(wait, func() {
				u.call(s.ctx, func() {
					if st.sess == s && st.view.trailing {
						st.refresh(true)
					}
				})
			})
		}
		return
	}
	t := st.viewTime()
	rows := maxRows
	if busy {
		rows = busyRows
	}
	snap := s.hist.Snapshot(t, rows)
	*v = view{snap: snap, taken: time.Now(), sess: s, width: st.width, busy: busy}
	v.chart = chartHTML(s.hist, snap, st.width)
	v.rows = recordsHTML(entries(s.hist, snap))
	st.dirty = true
}

// busy reports whether a big run is changing: see slowDraw.
func (st *stage) busy() bool {
	return st.scrubAt.IsZero() && st.waiting.Load() && st.sess.hist.Len() >= bigRun
}

// viewTime is the instant the run view shows: now, or the one scrubbed to.
func (st *stage) viewTime() time.Time {
	if !st.scrubAt.IsZero() {
		return st.scrubAt
	}
	return st.sess.now()
}

// chartHTML is, for the run h, lanes for a few jobs, or for many the states over time and
// the lateness histogram, at the snapshot's instant.
func chartHTML(h *history.History, snap history.Snapshot, width int) string {
	if h.Len() <= maxLanes {
		n := maxLanes
		if width < narrow {
			n = narrowLanes
		}
		idx := snap.Recent[max(0, len(snap.Recent)-n):]
		return lanesSVG(h, idx, snap.At, width)
	}
	// One root element: go-app's Raw shows only the first.
	return `<div class="charts">` + areaSVG(h, snap.At, width) + histogramSVG(snap.Late, width) + `</div>`
}

// entries are the snapshot's newest jobs as the records table shows them,
// newest first.
func entries(h *history.History, snap history.Snapshot) []*entry {
	out := make([]*entry, len(snap.Recent))
	for k, i := range snap.Recent {
		rec, batch := h.RecordAt(i, snap.At)
		out[len(out)-1-k] = &entry{rec: rec, batch: batch}
	}
	return out
}

// entry is one job as the records table shows it: its record at the
// view's instant, and its batch (0 for none).
type entry struct {
	rec   sched.Record
	batch int
}

// row returns e as a row of the records table.
func (e *entry) row() string { return rowHTML(e.rec, e.batch) }
