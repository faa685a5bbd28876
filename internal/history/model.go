package history

import (
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Batch is one batch of a run: jobs submitted together by one
// [sched.Scheduler.SubmitBatch], as the lesson's code and the page's form
// do. Batches are numbered from 1 in the order they were queued.
type Batch struct {
	No     int
	From   int       // the index of its first job
	N      int       // its jobs
	Queued time.Time // when it was queued: its jobs share the instant
	Delay  time.Duration
}

// Apply applies events, oldest first, and returns how many it applied
// whole. limit caps the jobs' worth of work (0: no cap): an event counts
// as the jobs it stands for, so a batch's one Queued event
// ([sched.Event.Jobs]) of 100,000 jobs is added over several calls, limit
// jobs a call, with no lookups. The events not applied, the one begun
// first, are for the next call, which must pass them again. An event of
// the starts of many jobs is applied whole.
func (h *History) Apply(events []sched.Event, limit int) int {
	budget := limit
	for k := range events {
		ev := &events[k]
		switch jobs := ev.Jobs(); {
		case jobs != nil && ev.Record.State == sched.Queued:
			if !h.addBatch(ev, jobs, budget) {
				return k
			}
			budget -= len(jobs)
		case jobs != nil:
			h.applyRun(ev, jobs)
			budget -= len(jobs)
		default:
			h.applyOne(ev)
			budget--
		}
		if limit > 0 && budget <= 0 {
			return k + 1
		}
	}
	return len(events)
}

// applyOne applies one job's event, and keeps the job's handle.
func (h *History) applyOne(ev *sched.Event) {
	var starting time.Time
	if ev.Record.State == sched.Starting {
		starting = ev.At
	}
	if i := h.observe(ev.Record, 0, starting); i >= 0 {
		h.keepHandle(i, ev.Job)
	}
}

// keepHandle keeps j as job i's handle, if it has none.
func (h *History) keepHandle(i int, j *sched.Job) {
	if r := h.runOf(i); r.jobs[i-r.from] == nil {
		r.jobs[i-r.from] = j
	}
}

// applyRun applies an event that stands for jobs, which share its record
// but for their ids (see sched.Event.Jobs): the offsets of its times are
// taken once, and the jobs, added in this order by their batch's event,
// are found by their handles, next to each other, with no lookup by id.
func (h *History) applyRun(ev *sched.Event, jobs []*sched.Job) {
	var starting time.Time
	if ev.Record.State == sched.Starting {
		starting = ev.At
	}
	c := h.changeOf(ev.Record, 0, starting)
	i := -1
	var run *handles
	for _, j := range jobs {
		if run != nil && i+1 < run.from+len(run.jobs) && run.jobs[i+1-run.from] == j {
			i++
		} else if k, ok := h.lookup(j.ID()); ok {
			i, run = k, h.runOf(k)
		} else {
			// Not seen before: added as Observe adds a job.
			r := ev.Record
			r.ID = j.ID()
			if i = h.observe(r, 0, starting); i >= 0 {
				h.keepHandle(i, j)
			}
			run = nil
			continue
		}
		h.change(i, c)
	}
	if i >= 0 {
		h.next = i + 1
	}
}

// addBatch adds up to limit (0: all) more jobs of a batch's Queued event,
// and reports whether it has added them all. The first call numbers the
// batch; the next ones, for the same event, go on where it stopped.
func (h *History) addBatch(ev *sched.Event, all []*sched.Job, limit int) bool {
	n := len(all)
	if n == 0 {
		return true
	}
	b := h.part
	if b == nil || b.first != all[0] {
		q := h.queuedOffset(ev.Record.QueuedAt)
		b = &partial{first: all[0], q: q, batch: Batch{No: len(h.batches) + 1, From: len(h.jobs), N: n, Queued: ev.Record.QueuedAt, Delay: ev.Record.Delay}}
		h.batches = append(h.batches, b.batch)
		h.part = b
	}
	k := n - b.added
	if limit > 0 {
		k = min(k, limit)
	}
	from := len(h.jobs)
	h.jobs = slices.Grow(h.jobs, k)[:from+k]
	h.phase = slices.Grow(h.phase, k)[:from+k]
	h.late = slices.Grow(h.late, k)[:from+k]
	if b.added == 0 {
		h.runs = append(h.runs, handles{from: from, jobs: all[:k]})
	} else { // the batch's run is the last: nothing comes in between
		h.runs[len(h.runs)-1].jobs = all[:b.added+k]
	}
	for i := range k {
		h.jobs[from+i] = job{batch: b.batch.No, delay: b.batch.Delay, ready: unset, starting: unset, done: unset}
		h.phase[from+i] = phases{queued: b.q, starting: b.q, latest: b.q}
	}
	h.live[sched.Queued] += k
	// The batch's jobs share one queued time: the first finds its place,
	// the others follow it (a later part follows the part before it:
	// nothing comes in between).
	start := from
	if b.added == 0 {
		h.place(from, b.q)
		if !h.unsorted && h.order[len(h.order)-1] != int32(from) {
			h.unsorted = true
		}
		start++
		h.next = from
	}
	for i := start; i < from+k; i++ {
		h.order = append(h.order, int32(i))
	}
	b.added += k
	if b.added < n {
		return false
	}
	h.part = nil
	return true
}

// partial is a batch whose jobs are being added, over several calls of
// Apply.
type partial struct {
	first *sched.Job // the event's first job: which event it is
	q     int64      // its queued offset
	batch Batch
	added int
}

// Job returns the handle of job i, or nil if its events did not carry it.
func (h *History) Job(i int) *sched.Job {
	if i < 0 || i >= len(h.jobs) {
		return nil
	}
	r := h.runOf(i)
	return r.jobs[i-r.from]
}

// Waiting reports whether some job is still queued or starting now: the
// run still moves.
func (h *History) Waiting() bool {
	return h.live[sched.Queued]+h.live[sched.Starting] > 0
}

// Batches returns the run's batches, in the order they were queued: a
// view, not to be changed.
func (h *History) Batches() []Batch { return h.batches }

// Progress is how far a batch was at an instant.
type Progress struct {
	Batch
	Counts [5]int // its jobs in each state, by sched.State
}

// Started returns how many of the batch's jobs had started.
func (p Progress) Started() int { return p.Counts[sched.Started] }

// Final returns how many of the batch's jobs were in a final state.
func (p Progress) Final() int {
	return p.Counts[sched.Started] + p.Counts[sched.Cancelled] + p.Counts[sched.Failed]
}

// Snapshot is every figure of a run at one instant, computed once, so
// that the figures a page shows together agree: the counts, the batches'
// progress, the lateness and the rows all count the same jobs in the same
// states.
type Snapshot struct {
	At     time.Time
	Counts [5]int // jobs in each state at At, by sched.State
	Total  int    // jobs queued by At
	Late   Histogram
	// Batch is the progress of the latest batch queued by At, if any.
	Batch    Progress
	HasBatch bool
	Recent   []int // the newest jobs queued by At, oldest first (see Recent)
}

// Snapshot returns the run's figures at t, with the indexes of its recent
// newest jobs.
func (h *History) Snapshot(t time.Time, recent int) Snapshot {
	s := Snapshot{At: t, Counts: h.CountsAt(t), Late: LatenessAt(h, t), Recent: h.Recent(recent, t)}
	for _, n := range s.Counts {
		s.Total += n
	}
	for k := len(h.batches) - 1; k >= 0; k-- {
		if b := h.batches[k]; !b.Queued.After(t) {
			s.Batch, s.HasBatch = h.progressAt(b, t), true
			break
		}
	}
	return s
}

// progressAt returns batch b's progress at t, reckoned as CountsAt does.
func (h *History) progressAt(b Batch, t time.Time) Progress {
	p := Progress{Batch: b}
	at := h.offset(t)
	end := b.From + b.N
	if end > len(h.phase) { // being added: the rest wait, queued
		if !b.Queued.After(t) {
			p.Counts[sched.Queued] = end - len(h.phase)
		}
		end = len(h.phase)
	}
	for i := b.From; i < end; i++ {
		ph := &h.phase[i]
		switch {
		case at < ph.queued:
		case at < ph.starting:
			p.Counts[sched.Queued]++
		case at < ph.latest:
			p.Counts[sched.Starting]++
		default:
			p.Counts[ph.state]++
		}
	}
	return p
}

// RecordAt returns job i's record as it was at t, and its batch (0 for
// none): its state then, the times known by then, and, for a final state,
// the error its handle gives (a final record never changes). Exports and
// the records table read the run through it, so that a view of the past
// and a file begun at t are of that instant.
func (h *History) RecordAt(i int, t time.Time) (sched.Record, int) {
	sp := h.Span(i)
	state, _ := sp.StateAt(t)
	r := sched.Record{ID: sp.ID, Delay: sp.Delay, QueuedAt: sp.Queued, State: state}
	if !sp.Ready.IsZero() && !sp.Ready.After(t) {
		r.ReadyAt = sp.Ready
	}
	if state.Final() {
		r.DoneAt = sp.Done
		if state == sched.Started {
			r.StartedAt = sp.Done
		}
		if j := h.Job(i); j != nil {
			r.Err = j.Err()
		}
	}
	return r, sp.Batch
}
