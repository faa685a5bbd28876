// Package vclock is a virtual clock: time that moves only when told to,
// for the playground's "virtual time" (pause, play at a speed, step to the
// next event).
//
// A [Clock] implements clockwork.Clock, so that a sched.Scheduler can run
// on it, and differs from clockwork's FakeClock in two ways that matter to
// the scheduler. Its timers wait in a binary heap, so that adding, stopping
// or firing one costs O(log n) with thousands pending, where FakeClock sorts
// a slice on every insert. And it fires them one at a time, each at exactly
// its due time, calling AfterFunc functions synchronously: a function that
// reads the clock reads its own due time, so that records stamped with
// Now inside timer functions are exact even when one advance passes many
// due times. (FakeClock calls each on a new goroutine while its Advance
// holds the clock's lock, so such a function reads the end of the
// advance.) No goroutine is started per timer: in a browser, with one
// thread, the functions an advance made due have run when it returns.
package vclock

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Clock is a virtual clock, safe for concurrent use. Its time moves only by
// [Clock.Advance] and [Clock.AdvanceTo], which fire the timers that become
// due. A Clock must be made with [New].
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64    // timers created, for ties between due times
	timers timerHeap // pending timers, earliest first
	// added, once asked for by BlockUntilContext, is closed when a timer
	// is added.
	added chan struct{}
}

var _ clockwork.Clock = (*Clock)(nil)

// New returns a clock whose time is start, with no timers. Virtual times
// carry no monotonic clock reading: start's is stripped, so that times
// compare by their wall-clock values alone.
func New(start time.Time) *Clock {
	return &Clock{now: start.Round(0)}
}

// Now returns the clock's time. Inside a timer's function, or just after
// a channel timer fired, it is that timer's due time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Since returns the time elapsed on the clock since t.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until returns the clock's duration until t.
func (c *Clock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Len returns how many timers are pending, counting each running ticker's
// next tick.
func (c *Clock) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Pending returns how many timers are pending, as Len does, and a channel
// that is closed when a timer is next added. A driver that waits for
// goroutines to reach their wait on the clock reads both at once, and
// waits on the channel while too few are pending.
func (c *Clock) Pending() (n int, added <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.added == nil {
		c.added = make(chan struct{})
	}
	return len(c.timers), c.added
}

// Next returns the due time of the earliest pending timer, and false when
// no timer is pending. It is never before Now. A driver that advances to
// it in turn steps from one event to the next.
func (c *Clock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	return c.timers[0].due, true
}

// Advance moves the clock forward by d, as AdvanceTo(Now().Add(d)) does.
// Advance(0) fires the timers due now; a negative d does nothing.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	t := c.now.Add(d)
	c.mu.Unlock()
	c.AdvanceTo(t)
}

// AdvanceTo moves the clock to t, firing every timer due at or before t,
// one at a time, earliest first, and timers due at the same time in the
// order they were created. Before each fires, the clock's time is set to
// its due time; once none is left, to t. A timer added while AdvanceTo
// runs (by a timer's function, say) fires in the same call if it is due by
// t. Time never goes backwards: a t before Now does nothing.
//
// AfterFunc functions run on the goroutine calling AdvanceTo, without the
// clock's lock held, so that they may use the clock; AdvanceTo returns
// once they have. Channel timers and tickers send their due time without
// blocking, and a ticker's next tick is due one period after the tick.
func (c *Clock) AdvanceTo(t time.Time) {
	t = t.Round(0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		return
	}
	for len(c.timers) > 0 && !c.timers[0].due.After(t) {
		tm := c.timers[0]
		due := tm.due
		if due.After(c.now) {
			c.now = due
		}
		if tm.period > 0 {
			tm.due = due.Add(tm.period)
			heap.Fix(&c.timers, 0)
		} else {
			heap.Pop(&c.timers)
		}
		if tm.fn == nil {
			select {
			case tm.ch <- due:
			default: // the last value is still unread, as with package time
			}
			continue
		}
		c.mu.Unlock()
		tm.fn()
		c.mu.Lock()
	}
	if t.After(c.now) {
		c.now = t
	}
}

// BlockUntilContext blocks until at least n timers are pending (see
// [Clock.Len]), and returns nil, or ctx's error if ctx ends first. It
// tells a driver that goroutines it woke are waiting on the clock again,
// without polling: it wakes when timers are added.
func (c *Clock) BlockUntilContext(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		if len(c.timers) >= n {
			c.mu.Unlock()
			return nil
		}
		if c.added == nil {
			c.added = make(chan struct{})
		}
		added := c.added
		c.mu.Unlock()
		select {
		case <-added:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AfterFunc waits for d to pass on the clock, then calls f on the
// goroutine advancing the clock (see [Clock.AdvanceTo]). A d of zero or
// less makes f due now: it runs at the next Advance or AdvanceTo, even
// AdvanceTo(Now()), never from inside AfterFunc. The timer's Chan is nil.
func (c *Clock) AfterFunc(d time.Duration, f func()) clockwork.Timer {
	tm := &timer{c: c, fn: f}
	c.schedule(tm, d)
	return tm
}

// NewTimer returns a timer that sends its due time on its channel, which
// has a buffer of one, once d has passed on the clock. A d of zero or less
// makes it due now: it fires at the next advance.
func (c *Clock) NewTimer(d time.Duration) clockwork.Timer {
	tm := &timer{c: c, ch: make(chan time.Time, 1)}
	c.schedule(tm, d)
	return tm
}

// After waits for d to pass on the clock, then sends the due time on the
// returned channel, as NewTimer(d).Chan() does. After(0) fires at the next
// advance.
func (c *Clock) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).Chan() }

// AfterAt returns a channel on which the clock sends t once it reaches t.
// A t not after Now is due now and fires at the next advance. Waiting for
// an absolute time, rather than a duration from a Now read earlier, does
// not drift when the clock moves in between.
func (c *Clock) AfterAt(t time.Time) <-chan time.Time {
	tm := &timer{c: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	tm.seq = c.seq
	c.pushLocked(tm, t.Round(0))
	return tm.ch
}

// Sleep blocks until the clock has been advanced by d from now. A d of zero
// or less returns at once.
func (c *Clock) Sleep(d time.Duration) {
	if d > 0 {
		<-c.After(d)
	}
}

// NewTicker returns a ticker that sends its due time on its channel every
// period d of the clock's time, dropping ticks its reader is not ready
// for, as a time.Ticker does. It panics if d is not positive.
func (c *Clock) NewTicker(d time.Duration) clockwork.Ticker {
	if d <= 0 {
		panic(errors.New("vclock: non-positive interval for NewTicker"))
	}
	tm := &timer{c: c, ch: make(chan time.Time, 1), period: d}
	c.schedule(tm, d)
	return ticker{tm}
}

// schedule gives tm a creation sequence number and makes it due d from now.
func (c *Clock) schedule(tm *timer, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	tm.seq = c.seq
	c.pushLocked(tm, c.now.Add(d))
}

// pushLocked adds tm, not pending, to the heap, due at due or now if that
// is later, and wakes BlockUntilContext.
func (c *Clock) pushLocked(tm *timer, due time.Time) {
	if due.Before(c.now) {
		due = c.now
	}
	tm.due = due
	heap.Push(&c.timers, tm)
	if c.added != nil {
		close(c.added)
		c.added = nil
	}
}

// timer is a pending or stopped timer of a Clock: an AfterFunc timer (fn
// set), a channel timer, or a ticker (period set).
type timer struct {
	c      *Clock
	due    time.Time
	seq    uint64 // creation order, for timers due at the same time
	idx    int    // index in c.timers; -1 when not pending
	fn     func()
	ch     chan time.Time
	period time.Duration
}

// Chan returns the timer's channel; nil for an AfterFunc timer.
func (tm *timer) Chan() <-chan time.Time { return tm.ch }

// Stop stops the timer, and reports whether it was pending. As with
// package time since Go 1.23, no stale value is received after Stop: a due
// time sent but not yet received is removed, and Stop then reports true.
func (tm *timer) Stop() bool {
	c := tm.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return tm.stopLocked()
}

func (tm *timer) stopLocked() bool {
	was := tm.idx >= 0
	if was {
		heap.Remove(&tm.c.timers, tm.idx)
	}
	select {
	case <-tm.ch: // a nil channel is never ready
		was = true
	default:
	}
	return was
}

// Reset makes the timer due d from now, whether it was pending, stopped or
// fired, and reports whether it was pending, as Stop does. It keeps its
// place among timers due at the same time: its creation order.
func (tm *timer) Reset(d time.Duration) bool {
	c := tm.c
	c.mu.Lock()
	defer c.mu.Unlock()
	was := tm.stopLocked()
	c.pushLocked(tm, c.now.Add(d))
	return was
}

// ticker is a timer with a period, with the methods of a clockwork.Ticker.
type ticker struct{ *timer }

// Reset stops the ticker and starts it again with period d from now. It
// panics if d is not positive.
func (tk ticker) Reset(d time.Duration) {
	if d <= 0 {
		panic(errors.New("vclock: non-positive interval for Ticker.Reset"))
	}
	c := tk.c
	c.mu.Lock()
	defer c.mu.Unlock()
	tk.stopLocked()
	tk.period = d
	c.pushLocked(tk.timer, c.now.Add(d))
}

// Stop stops the ticker: no more ticks are sent.
func (tk ticker) Stop() { tk.timer.Stop() }

// timerHeap is a binary min-heap of timers by due time, then creation, for
// container/heap. Each timer knows its index, so that Stop and Reset cost
// O(log n).
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}

func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}

func (h *timerHeap) Push(x any) {
	tm := x.(*timer)
	tm.idx = len(*h)
	*h = append(*h, tm)
}

func (h *timerHeap) Pop() any {
	old := *h
	tm := old[len(old)-1]
	old[len(old)-1] = nil
	tm.idx = -1
	*h = old[:len(old)-1]
	return tm
}
