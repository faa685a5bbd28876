package play

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Kind is what an Action does.
type Kind uint8

const (
	Queue       Kind = iota + 1 // queue one job of Delay, with Timeout
	QueueBatch                  // queue N jobs of Delay as a batch, a Group or not
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
	// Timeout is a Queue's: the job is cancelled if it is still queued
	// this long after it was queued (see [Run.QueueTimeout]). 0 is none.
	Timeout time.Duration
	// Group is a QueueBatch's: the batch is bound by
	// [sched.CancelOnFailure] as it is queued (see [Run.QueueGroup]).
	Group bool
}

// Queue submits one job and records it.
func (r *Run) Queue(d time.Duration) (*sched.Job, error) { return r.QueueTimeout(d, 0) }

// QueueTimeout submits one job of delay d with a timeout, and records it:
// if the job is still queued (waiting for its delay, or for a start slot)
// timeout after it was queued, it is cancelled then, with
// [context.DeadlineExceeded] as its cause. A job that has begun to start
// by then is untouched. A timeout of 0 is none.
//
// In a virtual run the cancel is exact: the run's moves stop at the
// timeout, an event like a delay's end, and cancel the job at that
// instant once the instant's other events have happened (see Run.to), so
// that its record's DoneAt is its QueuedAt plus timeout and every replay
// does the same. In real time a timer of package time cancels it, as late
// as the browser's timers are.
func (r *Run) QueueTimeout(d, timeout time.Duration) (*sched.Job, error) {
	if timeout < 0 {
		return nil, fmt.Errorf("a timeout cannot be negative (%v): 0 is none", timeout)
	}
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	j, err := r.S.Submit(d)
	if err != nil {
		return nil, err
	}
	pos := r.njobs
	if k := len(r.groups) - 1; k >= 0 && r.groups[k].own {
		r.groups[k].jobs = append(r.groups[k].jobs, j)
	} else {
		r.groups = append(r.groups, group{from: r.njobs, jobs: []*sched.Job{j}, own: true})
	}
	r.njobs++
	switch {
	case timeout == 0:
	case r.Clock != nil:
		r.addDeadlineLocked(deadline{at: j.Record().QueuedAt.Add(timeout), pos: pos, job: j})
	default:
		r.timers = append(r.timers, time.AfterFunc(timeout, func() { j.Cancel(context.DeadlineExceeded) }))
	}
	r.recordLocked(Action{Kind: Queue, Delay: d, Timeout: timeout})
	return j, nil
}

// QueueBatch submits n jobs of delay d as one batch, one
// [sched.Scheduler.SubmitBatch] as in the lesson's code, and records it.
// It returns the batch's number (1 for the run's first) and its jobs.
func (r *Run) QueueBatch(n int, d time.Duration) (int, []*sched.Job, error) {
	return r.queueBatch(n, d, false)
}

// QueueGroup is QueueBatch, and binds the batch into a group at once, in
// the same action, with [sched.CancelOnFailure]: the first of its jobs to
// fail cancels the others still queued, their cause a [sched.GroupFailure]
// that names it and wraps its error. Starts already in progress run to
// their end. No job of the batch fails before it is bound, even one whose
// start the scheduler began at once: the run's starts wait for the
// binding, so that a failure always cancels the others as it happens, as
// in a replay, never when the binding finds it.
//
// In a virtual run a failure cancels the others at its instant, in every
// replay alike, with one limit: natively, starts that end at the same
// instant race for the scheduler's lock, so which of them fails first,
// and whether one hands its slot on before another's failure, may differ
// from run to run. On a browser's one thread they end in the same order
// every time (TestGroupTiesRepeatInTheBrowser), and a jitter makes such
// ties all but impossible.
func (r *Run) QueueGroup(n int, d time.Duration) (int, []*sched.Job, error) {
	return r.queueBatch(n, d, true)
}

func (r *Run) queueBatch(n int, d time.Duration, bind bool) (int, []*sched.Job, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if bind {
		r.binding.Lock()
		defer r.binding.Unlock()
	}
	jobs, err := r.S.SubmitBatch(n, d)
	if err != nil {
		return 0, nil, err
	}
	r.groups = append(r.groups, group{from: r.njobs, jobs: jobs})
	r.njobs += len(jobs)
	r.batches = append(r.batches, jobs)
	r.recordLocked(Action{Kind: QueueBatch, N: n, Delay: d, Group: bind})
	if bind {
		// It fails only for a nil job or none; the batch is queued and
		// recorded all the same, as a replay would do it.
		if _, err := sched.CancelOnFailure(jobs...); err != nil {
			return len(r.batches), jobs, fmt.Errorf("batch %d is queued but not bound: %w", len(r.batches), err)
		}
	}
	return len(r.batches), jobs, nil
}

// Cancel cancels the job at position pos if it still waits, and records
// the attempt.
func (r *Run) Cancel(pos int) (bool, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	if pos < 0 || pos >= r.njobs {
		r.mu.Unlock()
		return false, fmt.Errorf("no job at position %d: the run has %d", pos, r.njobs)
	}
	j := r.jobLocked(pos)
	r.recordLocked(Action{Kind: Cancel, N: pos})
	r.mu.Unlock()
	return j.Cancel(nil), nil
}

// CancelBatch cancels the jobs of batch no that wait, and returns how
// many it cancelled.
func (r *Run) CancelBatch(no int) (int, error) {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	if no < 1 || no > len(r.batches) {
		r.mu.Unlock()
		return 0, fmt.Errorf("no batch %d: the run has %d", no, len(r.batches))
	}
	jobs := r.batches[no-1]
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

// CancelAll cancels every job that waits, and returns how many it
// cancelled.
func (r *Run) CancelAll() int {
	r.move.Lock()
	defer r.move.Unlock()
	r.mu.Lock()
	r.recordLocked(Action{Kind: CancelAll})
	r.mu.Unlock()
	return r.S.CancelAll(nil)
}

// Actions returns what was done to the run so far, in order.
func (r *Run) Actions() []Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Action(nil), r.actions...)
}

// Jobs returns the jobs submitted through the run, by position, in a new
// slice.
func (r *Run) Jobs() []*sched.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*sched.Job, 0, r.njobs)
	for _, g := range r.groups {
		out = append(out, g.jobs...)
	}
	return out
}

// group is jobs at positions from on: a batch's, or jobs queued one by
// one (own: the run's own slice, which grows).
type group struct {
	from int
	jobs []*sched.Job
	own  bool
}

// jobLocked returns the job at position pos, in [0, r.njobs).
func (r *Run) jobLocked(pos int) *sched.Job {
	// The last group whose first job is at or before pos.
	lo, hi := 0, len(r.groups)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.groups[m].from <= pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	g := &r.groups[lo-1]
	return g.jobs[pos-g.from]
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
		_, err := r.QueueTimeout(a.Delay, a.Timeout)
		return err
	case QueueBatch:
		_, _, err := r.queueBatch(a.N, a.Delay, a.Group)
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
// times and outcomes alike. It stops at the first action that fails. It
// is a [Replayer] run to its end at once; the page runs one a frame.
func Replay(r *Run, actions []Action, end time.Duration) error {
	if r.Clock == nil {
		return errors.New("only a virtual run can be replayed exactly")
	}
	rp := NewReplayer(r, actions, end)
	for {
		done, err := rp.Step(0)
		if done || err != nil {
			return err
		}
	}
}

// Replayer does a run's actions again, in steps that a caller can spread
// over time: [Replay] takes them all at once, the page one a frame so that
// it stays responsive, and can stop between any two.
type Replayer struct {
	r    *Run
	acts []Action
	end  time.Duration
	next int // acts[:next] are done
}

// NewReplayer returns a replayer of actions on r, a new run with the
// settings of the one that made them, then of the time up to end.
func NewReplayer(r *Run, actions []Action, end time.Duration) *Replayer {
	return &Replayer{r: r, acts: actions, end: end}
}

// Due returns when, by r's clock, the replay's next step is due: its next
// action's time, or its end. A real-time run must be at that time before
// Step does anything; a virtual run is moved there by Step.
func (rp *Replayer) Due() time.Time {
	at := rp.end
	if rp.next < len(rp.acts) {
		at = rp.acts[rp.next].At
	}
	return rp.r.Began.Add(at)
}

// Done returns how many actions are done, of how many.
func (rp *Replayer) Done() (done, of int) { return rp.next, len(rp.acts) }

// Step moves a virtual run toward its next action, through at most max
// events (0 for no cap), and does the action once its time is reached;
// after the last action, it moves the run to the end. It reports done
// once the run is at its end, and stops at an action that fails. In real
// time, it does the next action if its time has come, and reports done
// once no action is left and the end has passed.
func (rp *Replayer) Step(max int) (done bool, err error) {
	r := rp.r
	if rp.next < len(rp.acts) {
		a := rp.acts[rp.next]
		if a.At < r.Since() && r.Virtual() {
			return true, fmt.Errorf("action %d is at %v, before the one before it", rp.next+1, a.At)
		}
		if !r.AdvanceTo(r.Began.Add(a.At), max) || r.Since() < a.At {
			return false, nil
		}
		if err := r.Do(a); err != nil {
			return true, fmt.Errorf("action %d: %w", rp.next+1, err)
		}
		rp.next++
		return false, nil
	}
	if r.Since() < rp.end {
		return r.AdvanceTo(r.Began.Add(rp.end), max) && r.Virtual(), nil
	}
	return true, nil
}
