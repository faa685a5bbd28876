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
	// batchOf says which batch a job submitted in a batch belongs to, until
	// its first event makes it an entry. Batch jobs enter the store through
	// their events, a frame's worth at a time, rather than all 10,000 in
	// the click that submits them.
	batchOf map[*sched.Job]int
}

// entry is one job as the page last saw it.
type entry struct {
	job   *sched.Job
	rec   sched.Record
	batch int    // the batch the job belongs to, 0 for none
	html  string // rec as a row of the records table, written when first shown
}

func newStore() *store {
	return &store{
		byID:    make(map[string]*entry),
		batchOf: make(map[*sched.Job]int),
	}
}

// add records jobs the page just submitted, so that they show at once as
// queued, before their first event arrives. A job already known is left as
// it is.
func (st *store) add(j *sched.Job, batchID int) *entry {
	return st.addRecord(j, j.Record(), batchID)
}

// addRecord adds job j, whose record is rec, unless it is known already.
func (st *store) addRecord(j *sched.Job, rec sched.Record, batchID int) *entry {
	if e, ok := st.byID[rec.ID]; ok {
		return e
	}
	e := &entry{job: j, batch: batchID, rec: sched.Record{ID: rec.ID, State: sched.Queued}}
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

// addToBatch records jobs just queued for b. They become entries as their
// events arrive.
func (st *store) addToBatch(b *batch, jobs []*sched.Job) {
	b.Jobs = append(b.Jobs, jobs...)
	for _, j := range jobs {
		st.batchOf[j] = b.ID
	}
}

// apply takes a drained list of events, oldest first. Jobs it has not seen
// (a batch's, and those a lesson queues) are added in event order.
func (st *store) apply(events []sched.Event) {
	for _, ev := range events {
		e, ok := st.byID[ev.Record.ID]
		if !ok {
			b, inBatch := st.batchOf[ev.Job]
			if inBatch {
				delete(st.batchOf, ev.Job)
			}
			e = st.addRecord(ev.Job, ev.Record, b)
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

// snapshot returns every job as the page knows it now, for an export: the
// file is about this instant, while the run goes on. byPos, the run's
// jobs in the order they were submitted, gives their positions; a
// lesson's jobs, which the run does not list, go in the order the page
// saw them.
func (st *store) snapshot(byPos []*sched.Job) []export.Job {
	if len(byPos) == 0 {
		out := make([]export.Job, len(st.order))
		for i, e := range st.order {
			out[i] = export.Job{Pos: i, Batch: e.batch, Rec: e.rec}
		}
		return out
	}
	out := make([]export.Job, len(byPos))
	for i, j := range byPos {
		if e := st.byID[j.ID()]; e != nil {
			out[i] = export.Job{Pos: i, Batch: e.batch, Rec: e.rec}
		} else { // its first event is still on its way
			out[i] = export.Job{Pos: i, Batch: st.batchOf[j], Rec: j.Record()}
		}
	}
	return out
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
