package history

import (
	"math"
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// CountsAt's result is indexed by sched.State: it must have a place for each.
var _ [5]int = [sched.Failed + 1]int{}

// unset is the offset of a time not known (yet).
const unset = math.MinInt64

// phases is what CountsAt, Series and LatenessAt read of a job: from queued
// it is Queued, from starting Starting, from latest in state.
// queued <= starting <= latest; starting == latest when the job was never
// seen Starting. Times are offsets from History.epoch.
type phases struct {
	queued, starting, latest int64
	state                    sched.State
}

// job is the rest of what Span gives back but its id (see idOf). It holds
// no pointer, so that the garbage collector, which in a browser marks on
// the page's thread, does not look into an array of 100,000 of them.
type job struct {
	batch                 int
	delay                 time.Duration
	ready, starting, done int64 // offsets, or unset
}

// History is the run as the page saw it, and the only copy the page keeps:
// every job's times and latest state, in the order the jobs were first
// seen (for a run's jobs, their positions), its batches, and the handles
// that cancel its jobs. Every figure the page shows is computed from it,
// at one instant, by [History.Snapshot].
//
// The zero History is not usable; make one with [New].
// A History is not safe for concurrent use: it is meant for the page's UI
// goroutine alone, where it needs no locking.
type History struct {
	epoch       time.Time // the first job's queued time; offsets count from it
	first, last int64     // earliest queued, latest time recorded

	// index maps ids to indexes, for the jobs before indexed: a batch's
	// jobs are added without it, as they change state in the order they
	// were added and are found by the cursor next, and indexed only when
	// a job is looked up that the cursor misses.
	index   map[string]int
	indexed int
	next    int // the index after the last job observed
	phase   []phases
	jobs    []job
	late    []time.Duration
	// runs are the jobs' handles and ids, in the order of the jobs: a
	// batch's are the slice its Queued event held (sched.Event.Jobs), not
	// a copy, and the ids of jobs seen one by one are kept with them.
	runs    []handles
	lastRun int      // the run looked in last: jobs are mostly read in order
	batches []Batch  // batch n is batches[n-1]
	part    *partial // a batch being added, over several Applys
	live    [5]int   // jobs in each state now, by sched.State

	// order is the jobs' indexes by queued time, then first sight; when
	// unsorted, Recent sorts it first.
	order    []int32
	unsorted bool

	buf   []time.Duration // LatenessAt's values, kept for the next call
	ends  []int64         // Series' bin ends, kept for the next call
	tally []int           // Series' counts of changes, kept for the next call
}

// New returns an empty History. It keeps every job: about 150 bytes a
// job, less than the scheduler's own.
func New() *History {
	return &History{index: make(map[string]int)}
}

// Observe applies one state change of a job: r is its record just after
// the change (an Event's Record), batch the page's batch number for it (0
// for none) and starting when its start function began, or the zero time
// if unknown.
//
// A job not seen before is added. Then the job's times and state are
// updated. States only move forward: a stale record, whose state
// is earlier than the one held, and any change after a final state, are
// ignored. A record in the state held adds the times it knows.
// A time once known is kept, as a record's times never change once set:
// Queued is taken from the job's first record, Ready, Done and Lateness
// from the first that has them; Batch from the first non-zero batch;
// starting counts only for a record that is Starting, Started or Failed,
// and only the first one known is kept.
// A record with a zero QueuedAt, or an unknown state, is ignored: the
// scheduler gives none.
func (h *History) Observe(r sched.Record, batch int, starting time.Time) {
	h.observe(r, batch, starting)
}

// observe is Observe, and returns the job's index, or -1 for a record
// it ignored for lack of a queued time or a known state.
func (h *History) observe(r sched.Record, batch int, starting time.Time) int {
	if r.QueuedAt.IsZero() || r.State > sched.Failed {
		return -1
	}
	i, ok := h.lookup(r.ID)
	if !ok {
		i = h.add(r.ID, r.QueuedAt, batch)
	}
	h.next = i + 1
	h.change(i, h.changeOf(r, batch, starting))
	return i
}

// change is a record's news for a job, its times as offsets: one change
// may be applied to many jobs (see applyRun).
type change struct {
	state                 sched.State
	batch                 int
	delay                 time.Duration
	ready, done, starting int64 // offsets, or unset
	late                  time.Duration
}

// changeOf is what r, with batch and starting, tells of its job (see
// Observe). A record's times never change once set: each is taken once a
// change, as time.Time.Sub is not cheap.
func (h *History) changeOf(r sched.Record, batch int, starting time.Time) change {
	c := change{state: r.State, batch: batch, delay: r.Delay, ready: unset, done: unset, starting: unset}
	if !r.ReadyAt.IsZero() {
		c.ready = h.offset(r.ReadyAt)
		c.late = r.Lateness()
	}
	if !r.DoneAt.IsZero() {
		c.done = h.offset(r.DoneAt)
	}
	if !starting.IsZero() && (r.State == sched.Starting || r.State == sched.Started || r.State == sched.Failed) {
		c.starting = h.offset(starting)
	}
	return c
}

// change applies c to job i.
func (h *History) change(i int, c change) {
	p := &h.phase[i]
	if p.state.Final() || c.state < p.state {
		return
	}
	j := &h.jobs[i]
	if j.batch == 0 {
		j.batch = c.batch
	}
	if p.state != c.state {
		h.live[p.state]--
		h.live[c.state]++
	}
	j.delay = c.delay
	if j.ready == unset && c.ready != unset {
		j.ready = c.ready
		h.last = max(h.last, j.ready)
		h.late[i] = c.late
	}
	if j.done == unset && c.done != unset {
		j.done = c.done
		h.last = max(h.last, j.done)
	}
	if j.starting == unset && c.starting != unset {
		j.starting = c.starting
		h.last = max(h.last, j.starting)
	}
	p.state = c.state
	p.starting, p.latest = phasesOf(p.queued, j, p.state)
}

// phasesOf returns when a job queued at q, with the times of j, became
// Starting and entered state, as Span.StateAt reckons them.
func phasesOf(q int64, j *job, state sched.State) (starting, latest int64) {
	if state.Final() && j.done != unset {
		latest = j.done
	} else {
		latest = max(j.ready, j.starting, j.done) // unset is below every time
	}
	latest = max(latest, q)
	starting = latest
	if j.starting != unset {
		starting = min(max(j.starting, q), latest)
	}
	return starting, latest
}

// lookup returns the index of the job with this id. A run's jobs change
// state nearly in the order they were added: the job after the last one
// observed is tried before the map.
func (h *History) lookup(id string) (int, bool) {
	if i := h.next; i < len(h.jobs) && h.idOf(i) == id {
		return i, true
	}
	if i, ok := h.index[id]; ok {
		return i, true
	}
	if h.indexed == len(h.jobs) {
		return 0, false
	}
	for ; h.indexed < len(h.jobs); h.indexed++ {
		h.index[h.idOf(h.indexed)] = h.indexed
	}
	i, ok := h.index[id]
	return i, ok
}

// handles are the handles and ids of jobs from on.
type handles struct {
	from int
	jobs []*sched.Job // a batch's from its event; else nil where unknown
	// ids are those of jobs seen one by one; nil for a batch's, which
	// their handles have.
	ids []string
}

// runOf returns the run that holds job i, which must be in h.
func (h *History) runOf(i int) *handles {
	if k := h.lastRun; k < len(h.runs) {
		if r := &h.runs[k]; r.from <= i && i < r.from+len(r.jobs) {
			return r
		}
	}
	// The last run whose first job is at or before i.
	lo, hi := 0, len(h.runs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h.runs[m].from <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	h.lastRun = lo - 1
	return &h.runs[lo-1]
}

// idOf returns job i's id.
func (h *History) idOf(i int) string {
	r := h.runOf(i)
	if r.ids != nil {
		return r.ids[i-r.from]
	}
	return r.jobs[i-r.from].ID()
}

// add adds a job queued at queued, in state Queued, of batch (0 for
// none), and returns its index.
func (h *History) add(id string, queued time.Time, batch int) int {
	q := h.queuedOffset(queued)
	i := len(h.jobs)
	h.jobs = append(h.jobs, job{batch: batch, ready: unset, starting: unset, done: unset})
	h.phase = append(h.phase, phases{queued: q, starting: q, latest: q})
	h.late = append(h.late, 0)
	if k := len(h.runs) - 1; k >= 0 && h.runs[k].ids != nil {
		r := &h.runs[k]
		r.jobs = append(r.jobs, nil)
		r.ids = append(r.ids, id)
	} else {
		h.runs = append(h.runs, handles{from: i, jobs: []*sched.Job{nil}, ids: []string{id}})
	}
	h.live[sched.Queued]++
	h.place(i, q)
	return i
}

// queuedOffset returns the offset of a new job's queued time, which
// becomes the epoch of the first, and widens the span of times recorded.
func (h *History) queuedOffset(queued time.Time) int64 {
	if len(h.jobs) == 0 {
		h.epoch = queued
		h.first, h.last = 0, 0
	}
	q := h.offset(queued)
	h.first, h.last = min(h.first, q), max(h.last, q)
	return q
}

// place puts job i, queued at q, in h.order. Jobs come nearly in queued
// order, so it moves back a few places at most; past that, it leaves the
// order to be sorted when needed.
func (h *History) place(i int, q int64) {
	k := len(h.order)
	h.order = append(h.order, int32(i))
	if h.unsorted {
		return
	}
	for moves := 0; k > 0 && h.phase[h.order[k-1]].queued > q; moves++ {
		if moves == 64 {
			h.unsorted = true
			break
		}
		h.order[k] = h.order[k-1]
		k--
	}
	h.order[k] = int32(i)
}

// offset returns t as nanoseconds from h.epoch, which must be set.
// Both read from the same clock, so the monotonic readings are compared
// when both have one.
func (h *History) offset(t time.Time) int64 {
	return int64(t.Sub(h.epoch))
}

// at returns the time at offset o, or the zero time for unset.
func (h *History) at(o int64) time.Time {
	if o == unset {
		return time.Time{}
	}
	return h.epoch.Add(time.Duration(o))
}

// Len returns how many jobs h keeps.
func (h *History) Len() int { return len(h.jobs) }

// Span returns the i'th job, in the order of first sight. It panics if i
// is out of range [0, Len()).
//
// Its times are h's first queued time plus the offsets kept: equal, by
// time.Time.Equal, to the recorded ones.
func (h *History) Span(i int) Span {
	j, p := &h.jobs[i], &h.phase[i]
	return Span{
		ID:       h.idOf(i),
		Batch:    j.batch,
		Delay:    j.delay,
		Queued:   h.at(p.queued),
		Ready:    h.at(j.ready),
		Starting: h.at(j.starting),
		Done:     h.at(j.done),
		State:    p.state,
		Lateness: h.late[i],
	}
}

// Index returns the index of the job with the given id, and whether h
// has it.
func (h *History) Index(id string) (int, bool) { return h.lookup(id) }

// First returns the earliest Queued time of the jobs kept, or the zero
// time if there are none.
func (h *History) First() time.Time {
	if len(h.jobs) == 0 {
		return time.Time{}
	}
	return h.at(h.first)
}

// Last returns the latest time recorded in any span (Queued, Ready,
// Starting, Done), or the zero time if there are none.
func (h *History) Last() time.Time {
	if len(h.jobs) == 0 {
		return time.Time{}
	}
	return h.at(h.last)
}

// CountsAt returns how many jobs were in each state at t, indexed by
// sched.State, as [Span.StateAt] gives it; jobs not queued yet at t are
// not counted. It reads every job once and allocates nothing.
func (h *History) CountsAt(t time.Time) [5]int {
	var n [5]int
	if len(h.phase) == 0 {
		return n
	}
	at := h.offset(t)
	for i := range h.phase {
		p := &h.phase[i]
		switch {
		case at < p.queued:
		case at < p.starting:
			n[sched.Queued]++
		case at < p.latest:
			n[sched.Starting]++
		default:
			n[p.state]++
		}
	}
	return n
}

// Recent returns the indexes of up to n jobs queued at or before t, the
// most recently queued, oldest first. Jobs queued at the same instant are
// in the order of first sight. It returns nil when there are none.
func (h *History) Recent(n int, t time.Time) []int {
	if n <= 0 || len(h.jobs) == 0 {
		return nil
	}
	if h.unsorted {
		slices.SortFunc(h.order, func(a, b int32) int {
			if qa, qb := h.phase[a].queued, h.phase[b].queued; qa != qb {
				if qa < qb {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		h.unsorted = false
	}
	at := h.offset(t)
	// end is the number of jobs queued at or before at.
	lo, end := 0, len(h.order)
	for lo < end {
		m := int(uint(lo+end) >> 1)
		if h.phase[h.order[m]].queued <= at {
			lo = m + 1
		} else {
			end = m
		}
	}
	start := max(end-n, 0)
	if start == end {
		return nil
	}
	out := make([]int, end-start)
	for k, i := range h.order[start:end] {
		out[k] = int(i)
	}
	return out
}

// Reset forgets every job and batch, keeping the memory for the next run.
func (h *History) Reset() {
	clear(h.index)
	h.indexed = 0
	h.epoch = time.Time{}
	h.first, h.last = 0, 0
	h.jobs = h.jobs[:0]
	h.phase = h.phase[:0]
	h.late = h.late[:0]
	clear(h.runs) // let the handles go
	h.runs = h.runs[:0]
	h.lastRun = 0
	h.batches = h.batches[:0]
	h.part = nil
	h.live = [5]int{}
	h.order = h.order[:0]
	h.unsorted = false
	h.next = 0
	h.buf = h.buf[:0]
}
