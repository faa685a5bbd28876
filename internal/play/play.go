// Package play is one run of the playground: a scheduler, the clock it
// runs on (real, or virtual and driven by the page), and the start
// function whose duration and failures the visitor sets. It knows nothing
// of the browser; the page drives a virtual run through [Run.Step],
// [Run.AdvanceTo] and [Run.JumpToNextDue].
package play

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wasmsched/wasmsched/internal/vclock"
	"github.com/wasmsched/wasmsched/sched"
)

// Origin is where every virtual run's clock starts: a fixed instant, so
// that two virtual runs of the same actions give the same times.
var Origin = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Settings is how a run's jobs start. The zero value starts every job at
// the end of its delay, in no time, with no limit.
type Settings struct {
	Virtual   bool          // virtual time: the clock moves only when driven
	StartTime time.Duration // how long a start takes
	Jitter    time.Duration // up to this much more, decided per job
	FailPct   int           // percent of starts that return an error
	PanicPct  int           // percent of starts that panic
	Limit     int           // starts at once; 0 is no limit
	// Seed decides the run's job ids, and each job's start duration and
	// outcome, from the job's position in the run: the same seed and the
	// same actions give the same run. New draws one at random for 0.
	Seed uint64
}

// Limits on the settings, which the page checks before making a run.
const (
	MaxStartTime = time.Hour
	MaxLimit     = 1000
	// MaxDelay is the longest delay the page accepts: longer ones are
	// almost certainly typos, and a hidden tab would not fire them on time
	// anyway.
	MaxDelay = 24 * time.Hour
	// MaxBatch caps a batch: every job lives in one browser tab, whose
	// memory is limited and whose one thread runs the scheduler and the
	// page together.
	MaxBatch = 100_000
)

// Check returns an error, written as a sentence for the page, if s is out
// of range.
func (s Settings) Check() error {
	switch {
	case s.StartTime < 0 || s.StartTime > MaxStartTime:
		return fmt.Errorf("a start takes from 0 to %v", MaxStartTime)
	case s.Jitter < 0 || s.Jitter > MaxStartTime:
		return fmt.Errorf("the jitter is from 0 to %v", MaxStartTime)
	case s.FailPct < 0 || s.PanicPct < 0 || s.FailPct+s.PanicPct > 100:
		return errors.New("the shares of failing and panicking starts are percentages that add up to at most 100")
	case s.Limit < 0 || s.Limit > MaxLimit:
		return fmt.Errorf("the limit is from 0 (none) to %d", MaxLimit)
	}
	return nil
}

// ErrStartFailed is what a start fails with when the settings say it
// fails.
var ErrStartFailed = errors.New("the start failed, as the settings asked")

// Outcome is what a job's start does, decided from the seed and the job's
// position, so that every job decides on its own, whichever goroutine
// runs it and in whatever order the starts run.
type Outcome uint8

const (
	Succeed Outcome = iota
	Fail
	Panic
)

// Decide returns how long the start of the job at position pos (0 for the
// run's first job) takes and how it ends, under seed.
func (s Settings) Decide(seed uint64, pos int) (time.Duration, Outcome) {
	sum := mix(seed ^ mix(uint64(pos)+0x9e3779b97f4a7c15))
	d := s.StartTime
	if s.Jitter > 0 {
		d += time.Duration((sum >> 20) % uint64(s.Jitter+1))
	}
	switch u := int(sum % 100); {
	case u < s.FailPct:
		return d, Fail
	case u < s.FailPct+s.PanicPct:
		return d, Panic
	}
	return d, Succeed
}

// mix is SplitMix64's finalizer: every bit of x moves about half the bits
// of the result.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// HasStart reports whether starts do anything: take time, or fail.
func (s Settings) HasStart() bool {
	return s.StartTime > 0 || s.Jitter > 0 || s.FailPct > 0 || s.PanicPct > 0
}

// Run is one run: a scheduler on its clock, and what was done to it. Its
// methods that move time are for one goroutine, the page's driver; the
// scheduler and the clock are safe for concurrent use, and so are the
// methods that submit and cancel, which record what they did as Actions.
type Run struct {
	S        *sched.Scheduler
	Clock    *vclock.Clock // nil in real time
	Settings Settings
	Began    time.Time // when the run began by its clock: Origin in virtual time

	// move is held while time moves (Step, AdvanceTo, JumpToNextDue) and
	// while an action is done: an action never lands halfway through a
	// move, where the scheduler may be part-way through starting the jobs
	// due at one instant, which a replay would not see. It is taken
	// before mu.
	move sync.Mutex

	mu sync.Mutex
	// The jobs submitted through the run, by position, in groups: a
	// batch's jobs are the slice SubmitBatch returned, not a copy (100,000
	// more pointers for the garbage collector to follow, in a browser on
	// the page's thread), and jobs queued one by one share a group.
	groups  []group
	njobs   int            // jobs in groups
	batches [][]*sched.Job // batch n's jobs are batches[n-1]
	actions []Action
	// The timeouts of jobs queued with one (see QueueTimeout): in a
	// virtual run, the instants at which to cancel them, which the run's
	// moves treat as events; in real time, timers, stopped by Close.
	deadlines []deadline // by time, then position (see deadline.before)
	timers    []*time.Timer

	// binding is held while a batch is bound into a group (QueueGroup),
	// and a start waits for it before it decides anything: no job of a
	// batch can fail before the batch is bound, even one with no delay,
	// whose start the scheduler may begin at once on a goroutine of its
	// own (see QueueGroup).
	binding sync.RWMutex

	// The ids, drawn by the scheduler under its own lock, which it takes
	// while mu is held: idMu is taken last.
	idMu  sync.Mutex
	pos   map[[16]byte]int // positions of jobs whose start has not begun, by id
	drawn int              // ids drawn so far: the next job's position
	rng   *rand.ChaCha8
}

// New makes a run with set, which must pass Check. Its scheduler's fields
// may still be set before its first use: a lesson brings its own start
// function, and may set S.Rand to nil for ids of its own.
func New(set Settings) *Run {
	r := &Run{S: &sched.Scheduler{Limit: set.Limit}, Settings: set, Began: time.Now()}
	if set.Virtual {
		r.Clock = vclock.New(Origin)
		r.S.Clock = r.Clock
		r.Began = Origin
	}
	if set.Seed == 0 {
		r.Settings.Seed = rand.Uint64() | 1
	}
	{
		var key [32]byte
		for i := range 4 {
			binary.LittleEndian.PutUint64(key[8*i:], mix(r.Settings.Seed+uint64(i)))
		}
		r.rng = rand.NewChaCha8(key)
		r.S.Rand = (*idReader)(r)
	}
	if set.HasStart() {
		r.pos = make(map[[16]byte]int)
		r.S.Start = r.start
	}
	return r
}

// idReader is the run as its scheduler's source of ids. The scheduler
// reads 16 bytes a job, in submission order, under its lock: so the run
// knows each job's position before the job exists, and a start, which may
// begin as soon as the submission returns, finds it.
type idReader Run

func (ir *idReader) Read(p []byte) (int, error) {
	r := (*Run)(ir)
	r.idMu.Lock()
	defer r.idMu.Unlock()
	r.rng.Read(p)
	for b := p; len(b) >= 16; b = b[16:] {
		if r.pos != nil {
			r.pos[idKey(b)] = r.drawn
		}
		r.drawn++
	}
	return len(p), nil
}

// idKey is the id the scheduler makes of 16 random bytes, as its bytes:
// a version 4 uuid (uuid.NewRandomFromReader's bits).
func idKey(b []byte) (k [16]byte) {
	copy(k[:], b)
	k[6] = k[6]&0x0f | 0x40
	k[8] = k[8]&0x3f | 0x80
	return k
}

// position returns and forgets the position of the job with this id, or
// -1 if the run did not draw its id.
func (r *Run) position(id string) int {
	var k [16]byte
	if n, err := hex.Decode(k[:], []byte(id)); err != nil || n != 16 {
		return -1
	}
	r.idMu.Lock()
	defer r.idMu.Unlock()
	pos, ok := r.pos[k]
	if !ok {
		return -1
	}
	delete(r.pos, k)
	return pos
}

// start is the start function the settings describe. It waits on the
// run's clock, so that in virtual time it takes virtual time.
func (r *Run) start(ctx context.Context, rec sched.Record) error {
	// Wait for a batch's binding into a group to end, if one is under
	// way: nothing to hold after.
	r.binding.RLock()
	r.binding.RUnlock() //lint:ignore SA2001 a barrier: the lock is the wait
	d, out := r.Settings.Decide(r.Settings.Seed, r.position(rec.ID))
	if d > 0 {
		var due <-chan time.Time
		if r.Clock != nil {
			due = r.Clock.After(d)
		} else {
			t := time.NewTimer(d)
			defer t.Stop()
			due = t.C
		}
		select {
		case <-due:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	switch out {
	case Fail:
		return ErrStartFailed
	case Panic:
		panic("the start panicked, as the settings asked")
	}
	return nil
}

// Now returns the run's time.
func (r *Run) Now() time.Time {
	if r.Clock != nil {
		return r.Clock.Now()
	}
	return time.Now()
}

// Virtual reports whether the run is in virtual time.
func (r *Run) Virtual() bool { return r.Clock != nil }

// Close stops the run: jobs still queued are cancelled, starts in
// progress are told to stop.
func (r *Run) Close() {
	r.mu.Lock()
	for _, t := range r.timers {
		t.Stop()
	}
	r.timers = nil
	r.mu.Unlock()
	r.S.Close()
}

// NextEvent returns when the next thing happens in a virtual run: a job's
// delay ends, a start ends, or a job still queued reaches its timeout. ok
// is false when nothing waits, and in real time.
func (r *Run) NextEvent() (t time.Time, ok bool) {
	if r.Clock == nil {
		return time.Time{}, false
	}
	t, ok = r.S.NextDue()
	if c, cok := r.Clock.Next(); cok && (!ok || c.Before(t)) {
		t, ok = c, true
	}
	if d, dok := r.NextTimeout(); dok && (!ok || d.Before(t)) {
		t, ok = d, true
	}
	return t, ok
}

// NextTimeout returns when, in a virtual run, the next job still queued
// reaches its timeout. ok is false when none will, and in real time.
func (r *Run) NextTimeout() (t time.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.deadlines) > 0 {
		d := r.deadlines[0]
		if d.job.State() == sched.Queued {
			return d.at, true
		}
		r.popDeadlineLocked() // it started, or was cancelled: no event
	}
	return time.Time{}, false
}

// Step moves a virtual run to its next event and lets it settle. It
// reports false, moving nothing, when nothing waits.
func (r *Run) Step() bool {
	r.move.Lock()
	defer r.move.Unlock()
	t, ok := r.NextEvent()
	if !ok {
		return false
	}
	r.to(t)
	return true
}

// AdvanceTo moves a virtual run to t, one event at a time, each settled
// before the next, so that every job is stamped with its exact time. It
// stops after max events (0 means no cap) and reports whether it reached t:
// the page caps the work of one frame.
func (r *Run) AdvanceTo(t time.Time, max int) bool {
	if r.Clock == nil {
		return true
	}
	r.move.Lock()
	defer r.move.Unlock()
	for n := 0; max == 0 || n < max; n++ {
		next, ok := r.NextEvent()
		if !ok || next.After(t) {
			r.to(t)
			return true
		}
		r.to(next)
	}
	return false
}

// JumpToNextDue moves a virtual run to when the next job's delay ends,
// through every event before it: an hour-long job starts at once. A
// timeout that comes first stops it there, so that the visitor sees the
// job it cancels: the page says which (see NextTimeout). It reports false
// when no job waits for its delay.
func (r *Run) JumpToNextDue() bool {
	t, ok := r.S.NextDue()
	if !ok || r.Clock == nil {
		return false
	}
	if d, dok := r.NextTimeout(); dok && d.Before(t) {
		t = d
	}
	return r.AdvanceTo(t, 0)
}

// to moves the clock to t and waits until the run is still: the jobs due
// have left the timer queue ([sched.Scheduler.Settled]), and every start
// in progress waits on the clock. That is an exact handshake, not a guess:
// the clock's pending timers must number the starts running, plus the
// scheduler's own timer while a job waits; the wait wakes when a start
// ends ([sched.Scheduler.Running]) and when a timer is added
// ([vclock.Clock.Pending]). A start ends only once its job is stamped, so
// time never moves under a start that has yet to record its end.
//
// Then the jobs still queued whose timeout is t are cancelled, at t: once
// the instant's other events have happened, so that a job whose delay
// ends, or whose start slot frees, at the very instant of its timeout
// starts, in every replay alike. The timeouts are the run's own events,
// not timers of the clock: the handshake counts the clock's timers, and a
// timer left for a job that started would be an event where nothing
// happens.
func (r *Run) to(t time.Time) {
	r.Clock.AdvanceTo(t)
	r.settle()
	r.expire(t)
}

// expire cancels, with [context.DeadlineExceeded] as their cause, the jobs
// still queued whose timeout is at or before t, in the order of their
// timeouts, then of their positions.
func (r *Run) expire(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.deadlines) > 0 && !r.deadlines[0].at.After(t) {
		r.popDeadlineLocked().Cancel(context.DeadlineExceeded)
	}
}

// addDeadlineLocked adds d where it belongs in r.deadlines. They are few,
// one a job the visitor queued with a timeout, and mostly added in order.
func (r *Run) addDeadlineLocked(d deadline) {
	i := len(r.deadlines)
	for i > 0 && d.before(r.deadlines[i-1]) {
		i--
	}
	r.deadlines = append(r.deadlines, deadline{})
	copy(r.deadlines[i+1:], r.deadlines[i:])
	r.deadlines[i] = d
}

// popDeadlineLocked removes the earliest deadline, and returns its job.
func (r *Run) popDeadlineLocked() *sched.Job {
	j := r.deadlines[0].job
	r.deadlines[0] = deadline{}
	r.deadlines = r.deadlines[1:]
	return j
}

// deadline is when a job queued with a timeout is cancelled if it still
// waits.
type deadline struct {
	at  time.Time
	pos int // the job's position, for timeouts at one instant
	job *sched.Job
}

// before reports whether d comes before e: by time, then position.
func (d deadline) before(e deadline) bool {
	return d.at.Before(e.at) || d.at.Equal(e.at) && d.pos < e.pos
}

// settle waits until the run is still (see to).
func (r *Run) settle() {
	for {
		<-r.S.Settled()
		running, ended := r.S.Running()
		want := running
		if _, ok := r.S.NextDue(); ok {
			want++
		}
		pending, added := r.Clock.Pending()
		if pending >= want {
			return
		}
		select {
		case <-ended:
		case <-added:
		}
	}
}
