package app

import (
	"math"
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/internal/export"
	"github.com/wasmsched/wasmsched/sched"
)

// store is the page's copy of what the scheduler told it: the latest record
// of every job, in the order the jobs were queued. It holds all jobs, not
// only those on screen, so counts and percentiles stay right for big runs.
// It belongs to the UI goroutine; the scheduler's state lives in sched, and
// the store only mirrors its events.
type store struct {
	byID    map[string]*entry
	order   []*entry // oldest first
	counts  [sched.Failed + 1]int
	late    lateness
	batches []*batch // batch ID i is batches[i-1]
	// batchOf says which batch a job submitted in a batch belongs to, and
	// its position in the run, until its first event makes it an entry.
	// Batch jobs enter the store through their events, a frame's worth at
	// a time, rather than all 10,000 in the click that submits them.
	batchOf map[*sched.Job]placed
	// frozen, while an export is being made, keeps the records it has
	// still to write as they were when it began.
	frozen *frozen
}

// placed is where a job belongs: its batch (0 for none) and its position
// in the run (-1 for a job the run does not list, such as a lesson's).
type placed struct{ batch, pos int }

// entry is one job as the page last saw it.
type entry struct {
	job   *sched.Job
	rec   sched.Record
	batch int    // the batch the job belongs to, 0 for none
	pos   int    // its position in the run, -1 if the run does not list it
	idx   int    // its index in the store's order
	html  string // rec as a row of the records table, written when first shown
}

func newStore() *store {
	return &store{
		byID:    make(map[string]*entry),
		batchOf: make(map[*sched.Job]placed),
	}
}

// add records a job the page just submitted, at position pos of the run,
// so that it shows at once as queued, before its first event arrives. A
// job already known is left as it is.
func (st *store) add(j *sched.Job, pos int) *entry {
	return st.addRecord(j, j.Record(), placed{pos: pos})
}

// addRecord adds job j, whose record is rec, unless it is known already.
func (st *store) addRecord(j *sched.Job, rec sched.Record, at placed) *entry {
	if e, ok := st.byID[rec.ID]; ok {
		return e
	}
	e := &entry{job: j, batch: at.batch, pos: at.pos, idx: len(st.order), rec: sched.Record{ID: rec.ID, State: sched.Queued}}
	st.byID[rec.ID] = e
	st.order = append(st.order, e)
	st.counts[sched.Queued]++
	st.set(e, rec)
	return e
}

// newBatch records a batch of n jobs about to be queued.
func (st *store) newBatch(n int) *batch {
	b := &batch{ID: len(st.batches) + 1, N: n}
	st.batches = append(st.batches, b)
	return b
}

// addToBatch records jobs just queued for b, the first at position from
// of the run. They become entries as their events arrive.
func (st *store) addToBatch(b *batch, jobs []*sched.Job, from int) {
	b.Jobs = append(b.Jobs, jobs...)
	for i, j := range jobs {
		st.batchOf[j] = placed{b.ID, from + i}
	}
}

// apply takes a drained list of events, oldest first. Jobs it has not seen
// (a batch's, and those a lesson queues) are added in event order.
func (st *store) apply(events []sched.Event) {
	for _, ev := range events {
		e, ok := st.byID[ev.Record.ID]
		if !ok {
			at, inBatch := st.batchOf[ev.Job]
			if inBatch {
				delete(st.batchOf, ev.Job)
			} else {
				at.pos = -1 // a lesson's job
			}
			e = st.addRecord(ev.Job, ev.Record, at)
		}
		st.set(e, ev.Record)
	}
}

// set moves e to rec, keeping counts, batch progress and lateness in step.
// A record older than the one held (a state earlier in a job's life, which
// can come from an event queued before the page's own snapshot) is ignored:
// states only move forward, and a final state never changes.
func (st *store) set(e *entry, rec sched.Record) {
	from, to := e.rec.State, rec.State
	if from.Final() || to < from || int(to) >= len(st.counts) {
		return
	}
	if f := st.frozen; f != nil && e.idx >= f.next && e.idx < f.n {
		if _, ok := f.old[e]; !ok {
			f.old[e] = e.rec
		}
	}
	e.rec, e.html = rec, ""
	if from == to {
		return
	}
	st.counts[from]--
	st.counts[to]++
	if to.Final() {
		if e.batch > 0 {
			b := st.batches[e.batch-1]
			b.Final++
			if to == sched.Started {
				b.Started++
			}
		}
	}
	if to == sched.Started {
		st.late.add(rec.Lateness())
	}
}

// frozen is the store as an export in progress sees it: its first n jobs,
// with the records they had when the export began. The export writes them
// in order; next is the first not written yet.
type frozen struct {
	n, next int
	old     map[*entry]sched.Record // records changed since, as they were
}

// freeze begins an export of every job known now. The export owns the
// frozen view until it calls thaw.
func (st *store) freeze() *frozen {
	st.frozen = &frozen{n: len(st.order), old: make(map[*entry]sched.Record)}
	return st.frozen
}

func (st *store) thaw() { st.frozen = nil }

// job returns the export's next job, as it was when the export began.
func (f *frozen) job(st *store) export.Job {
	e := st.order[f.next]
	rec, ok := f.old[e]
	if ok {
		delete(f.old, e)
	} else {
		rec = e.rec
	}
	pos := e.pos
	if pos < 0 {
		pos = e.idx
	}
	f.next++
	return export.Job{Pos: pos, Batch: e.batch, Rec: rec}
}

// batchID returns the batch of the job with this id, 0 for none.
func (st *store) batchID(id string) int {
	if e, ok := st.byID[id]; ok {
		return e.batch
	}
	return 0
}

// count returns how many jobs are in state s.
func (st *store) count(s sched.State) int {
	if int(s) >= len(st.counts) {
		return 0
	}
	return st.counts[s]
}

// total returns how many jobs the page has seen.
func (st *store) total() int { return len(st.order) }

// pending reports whether some job is still queued or starting.
func (st *store) pending() bool {
	return st.counts[sched.Queued]+st.counts[sched.Starting] > 0
}

// newest returns up to n entries, newest first.
func (st *store) newest(n int) []*entry {
	n = min(n, len(st.order))
	out := make([]*entry, n)
	for i := range out {
		out[i] = st.order[len(st.order)-1-i]
	}
	return out
}

// lateness keeps the lateness of every started job, sorted, so that any
// percentile is one index away. New values are sorted on their own and
// merged in when asked for, which costs O(n) per frame rather than a full
// sort of every value each time.
type lateness struct {
	sorted []time.Duration
	fresh  []time.Duration
}

func (l *lateness) add(d time.Duration) { l.fresh = append(l.fresh, d) }

func (l *lateness) len() int { return len(l.sorted) + len(l.fresh) }

// percentile returns the p-th percentile (0 < p <= 100) by nearest rank, and
// false if there are no values.
func (l *lateness) percentile(p float64) (time.Duration, bool) {
	l.merge()
	return percentile(l.sorted, p)
}

func (l *lateness) merge() {
	if len(l.fresh) == 0 {
		return
	}
	slices.Sort(l.fresh)
	l.sorted = mergeSorted(l.sorted, l.fresh)
	l.fresh = l.fresh[:0]
}

// mergeSorted returns the sorted union of a and b, both sorted.
func mergeSorted(a, b []time.Duration) []time.Duration {
	out := make([]time.Duration, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j] < a[i] {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// percentile returns the nearest-rank p-th percentile of sorted values:
// the smallest value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) (time.Duration, bool) {
	if len(sorted) == 0 || !(p > 0 && p <= 100) {
		return 0, false
	}
	// p*n/100 rather than p/100*n: 99*100/100 is exactly 99 in floating
	// point, 0.99*100 is not.
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1], true
}

// row returns e as a row of the records table. A row is written again
// each update while it is among the newest, so it is formatted once per
// change of its record.
func (e *entry) row() string {
	if e.html == "" {
		e.html = rowHTML(e.rec, e.batch)
	}
	return e.html
}
