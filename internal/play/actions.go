package play

import (
	"errors"
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Kind is what an Action does.
type Kind uint8

const (
	Queue       Kind = iota + 1 // queue one job of Delay
	QueueBatch                  // queue N jobs of Delay as a batch
	Cancel                      // cancel the job at position N (0 for the run's first)
	CancelBatch                 // cancel the waiting jobs of batch N (1 for the run's first)
	CancelAll                   // cancel every waiting job
)

// Action is one thing done to a run, at a time since it began by its
// clock. The same settings (seed included) and the same actions give the
// same virtual run: [Replay].
type Action struct {
	At    time.Duration
	Kind  Kind
	N     int
	Delay time.Duration
}

// ErrBatchOpen refuses a submission while a batch is still being queued:
// its jobs take the positions after the ones queued so far, and time
// stands still until it is, so that a replay, which queues it at once,
// gives the same run.
var ErrBatchOpen = errors.New("a batch is still being queued: wait until it is, or cancel it")

// Batch is a batch being queued a slice at a time, as the page does for a
// big one. It is one action, at the time of its first slice.
type Batch struct {
	r    *Run
	No   int // 1 for the run's first batch
	Want int
	jobs []*sched.Job
	from int // the position of its first job
	act  int // its action's index
	done bool
}

// Queue submits one job and records it.
func (r *Run) Queue(d time.Duration) (*sched.Job, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open != nil {
		return nil, ErrBatchOpen
	}
	j, err := r.S.Submit(d)
	if err != nil {
		return nil, err
	}
	r.jobs = append(r.jobs, j)
	r.recordLocked(Action{Kind: Queue, Delay: d})
	return j, nil
}

// NewBatch opens a batch of n jobs of delay d, queued by [Batch.Queue].
// Until all are queued, or the batch is stopped, time does not move and
// nothing else can be submitted.
func (r *Run) NewBatch(n int, d time.Duration) (*Batch, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("%w (asked for %d)", sched.ErrEmptyBatch, n)
	case d < 0:
		return nil, fmt.Errorf("%w: %v", sched.ErrBadDelay, d)
	}
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open != nil {
		return nil, ErrBatchOpen
	}
	b := &Batch{r: r, No: len(r.batches) + 1, Want: n, from: len(r.jobs), act: len(r.actions)}
	r.batches = append(r.batches, b)
	r.open = b
	r.recordLocked(Action{Kind: QueueBatch, Delay: d}) // N grows with each slice
	return b, nil
}

// Queue submits up to k more of b's jobs, and closes b once all are.
func (b *Batch) Queue(k int) ([]*sched.Job, error) {
	r := b.r
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if b.done {
		return nil, nil
	}
	k = min(k, b.Want-len(b.jobs))
	jobs, err := r.S.SubmitBatch(k, r.actions[b.act].Delay)
	if err != nil {
		b.stopLocked()
		return nil, err
	}
	b.jobs = append(b.jobs, jobs...)
	r.jobs = append(r.jobs, jobs...)
	r.actions[b.act].N = len(b.jobs)
	if len(b.jobs) == b.Want {
		b.stopLocked()
	}
	return jobs, nil
}

// From returns the position of b's first job in its run.
func (b *Batch) From() int { return b.from }

// Open reports whether b still has jobs to queue.
func (b *Batch) Open() bool {
	b.r.mu.Lock()
	defer b.r.mu.Unlock()
	return !b.done
}

// stopLocked closes b: it queues no more. A batch stopped before its first
// slice is no action and no batch: the next one takes its number.
func (b *Batch) stopLocked() {
	if b.done {
		return
	}
	b.done = true
	r := b.r
	if r.open == b {
		r.open = nil
	}
	if len(b.jobs) == 0 && b.act == len(r.actions)-1 && b.No == len(r.batches) {
		r.actions = r.actions[:b.act]
		r.batches = r.batches[:b.No-1]
		b.act, b.No = -1, 0
	}
}

// Cancel cancels the job at position pos if it still waits, and records
// the attempt.
func (r *Run) Cancel(pos int) (bool, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	if pos < 0 || pos >= len(r.jobs) {
		r.mu.Unlock()
		return false, fmt.Errorf("no job at position %d: the run has %d", pos, len(r.jobs))
	}
	j := r.jobs[pos]
	r.recordLocked(Action{Kind: Cancel, N: pos})
	r.mu.Unlock()
	return j.Cancel(nil), nil
}

// CancelBatch stops batch no, if it is still being queued, and cancels
// its jobs that wait; it returns how many it cancelled.
func (r *Run) CancelBatch(no int) (int, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	if no < 1 || no > len(r.batches) {
		r.mu.Unlock()
		return 0, fmt.Errorf("no batch %d: the run has %d", no, len(r.batches))
	}
	b := r.batches[no-1]
	b.stopLocked()
	jobs := b.jobs
	r.recordLocked(Action{Kind: CancelBatch, N: no})
	r.mu.Unlock()
	n := 0
	for _, j := range jobs {
		if j.Cancel(nil) {
			n++
		}
	}
	return n, nil
}

// CancelAll stops a batch being queued and cancels every job that waits;
// it returns how many it cancelled.
func (r *Run) CancelAll() int {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	if r.open != nil {
		r.open.stopLocked()
	}
	r.recordLocked(Action{Kind: CancelAll})
	r.mu.Unlock()
	return r.S.CancelAll(nil)
}

// Busy reports whether a batch is being queued: time stands still.
func (r *Run) Busy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open != nil
}

// Actions returns what was done to the run so far, in order.
func (r *Run) Actions() []Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Action(nil), r.actions...)
}

// Jobs returns the jobs submitted through the run, by position.
func (r *Run) Jobs() []*sched.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[:len(r.jobs):len(r.jobs)]
}

// Since returns how long the run has run, by its clock.
func (r *Run) Since() time.Duration { return r.Now().Sub(r.Began) }

func (r *Run) recordLocked(a Action) {
	a.At = r.Since()
	r.actions = append(r.actions, a)
}

// Do does a, now, as the visitor did: a batch is queued at once.
func (r *Run) Do(a Action) error {
	switch a.Kind {
	case Queue:
		_, err := r.Queue(a.Delay)
		return err
	case QueueBatch:
		b, err := r.NewBatch(a.N, a.Delay)
		if err != nil {
			return err
		}
		_, err = b.Queue(a.N)
		return err
	case Cancel:
		_, err := r.Cancel(a.N)
		return err
	case CancelBatch:
		_, err := r.CancelBatch(a.N)
		return err
	case CancelAll:
		r.CancelAll()
		return nil
	}
	return fmt.Errorf("unknown action %d", a.Kind)
}

// Replay does actions on a new virtual run r, each at its time, then
// moves r to end: the same settings and actions give the same run, ids,
// times and outcomes alike. It stops at the first action that fails.
func Replay(r *Run, actions []Action, end time.Duration) error {
	if r.Clock == nil {
		return errors.New("only a virtual run can be replayed exactly")
	}
	for i, a := range actions {
		if a.At < r.Since() {
			return fmt.Errorf("action %d is at %v, before the one before it", i+1, a.At)
		}
		r.AdvanceTo(r.Began.Add(a.At), 0)
		if err := r.Do(a); err != nil {
			return fmt.Errorf("action %d: %w", i+1, err)
		}
	}
	if end > r.Since() {
		r.AdvanceTo(r.Began.Add(end), 0)
	}
	return nil
}
