package vclock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// at is t0 plus d, for short expectations.
func at(d time.Duration) time.Time { return t0.Add(d) }

// log records what timer functions saw, in order.
type log struct {
	mu  sync.Mutex
	got []string
}

func (l *log) add(name string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, fmt.Sprintf("%s@%v", name, now.Sub(t0)))
}

func (l *log) check(t *testing.T, want ...string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Equal(l.got, want) {
		t.Errorf("fired %q, want %q", l.got, want)
	}
	l.got = nil
}

func TestFireOrder(t *testing.T) {
	c := New(t0)
	var l log
	fn := func(name string) func() { return func() { l.add(name, c.Now()) } }
	c.AfterFunc(3*time.Second, fn("c"))
	c.AfterFunc(time.Second, fn("a1"))
	c.AfterFunc(2*time.Second, fn("b"))
	c.AfterFunc(time.Second, fn("a2")) // same due time: after a1
	c.AfterFunc(time.Second, func() {
		l.add("a3", c.Now())
		// Added while advancing, due before the end: fired in order.
		c.AfterFunc(500*time.Millisecond, fn("half"))
		c.AfterFunc(0, fn("now"))
		c.AfterFunc(time.Hour, fn("later"))
	})
	c.AfterFunc(20*time.Second, fn("far"))

	c.AdvanceTo(at(10 * time.Second))
	l.check(t, "a1@1s", "a2@1s", "a3@1s", "now@1s", "half@1.5s", "b@2s", "c@3s")
	if got := c.Now(); !got.Equal(at(10 * time.Second)) {
		t.Errorf("Now = %v after AdvanceTo, want t0+10s", got.Sub(t0))
	}
	if n := c.Len(); n != 2 {
		t.Errorf("Len = %d, want 2 (far, later)", n)
	}
	if next, ok := c.Next(); !ok || !next.Equal(at(20*time.Second)) {
		t.Errorf("Next = %v, %v; want t0+20s, true", next.Sub(t0), ok)
	}
	c.AdvanceTo(at(2 * time.Hour))
	l.check(t, "far@20s", "later@1h0m1s")
}

// TestCallbackUsesClock checks that a timer's function may use its clock:
// here it resets its own timer, and moves another one.
func TestCallbackUsesClock(t *testing.T) {
	c := New(t0)
	var l log
	other := c.AfterFunc(5*time.Second, func() { l.add("other", c.Now()) })
	var self interface{ Reset(time.Duration) bool }
	n := 0
	self = c.AfterFunc(time.Second, func() {
		l.add("self", c.Now())
		if n++; n < 3 {
			if self.Reset(time.Second) { // again at 2s, 3s
				t.Error("Reset inside its own function = true")
			}
		}
		if n == 2 && !other.Reset(500*time.Millisecond) {
			t.Error("Reset of a pending timer = false")
		}
	})
	c.AdvanceTo(at(time.Minute))
	l.check(t, "self@1s", "self@2s", "other@2.5s", "self@3s")
}

func TestStopBeforeFire(t *testing.T) {
	c := New(t0)
	var l log
	var victim interface{ Stop() bool }
	c.AfterFunc(time.Second, func() {
		l.add("stopper", c.Now())
		if !victim.Stop() {
			t.Error("Stop of a pending timer due at the same time = false")
		}
	})
	victim = c.AfterFunc(time.Second, func() { l.add("victim", c.Now()) })
	c.Advance(time.Second)
	l.check(t, "stopper@1s")
	if victim.Stop() {
		t.Error("second Stop = true")
	}
}

func TestStopReset(t *testing.T) {
	c := New(t0)
	fired := 0
	tm := c.AfterFunc(time.Second, func() { fired++ })
	if tm.Chan() != nil {
		t.Error("AfterFunc timer has a channel")
	}
	if !tm.Stop() {
		t.Error("Stop of a pending timer = false")
	}
	if tm.Stop() {
		t.Error("Stop of a stopped timer = true")
	}
	if c.Len() != 0 {
		t.Errorf("Len = %d after Stop, want 0", c.Len())
	}
	c.Advance(time.Hour)
	if fired != 0 {
		t.Fatal("a stopped timer fired")
	}
	// Reset of a stopped timer: false, and due from now.
	if tm.Reset(time.Second) {
		t.Error("Reset of a stopped timer = true")
	}
	if next, _ := c.Next(); !next.Equal(at(time.Hour + time.Second)) {
		t.Errorf("Next = %v, want 1h1s", next.Sub(t0))
	}
	// Reset of a pending timer: true, and only the new due time counts.
	if !tm.Reset(2 * time.Second) {
		t.Error("Reset of a pending timer = false")
	}
	c.Advance(time.Second)
	if fired != 0 {
		t.Fatal("fired at its old due time")
	}
	c.Advance(time.Second)
	if fired != 1 {
		t.Fatalf("fired %d times at its new due time, want 1", fired)
	}
	// Reset after firing: false, and it fires again.
	if tm.Reset(time.Second) {
		t.Error("Reset of a fired timer = true")
	}
	c.Advance(time.Second)
	if fired != 2 {
		t.Fatalf("fired %d times, want 2", fired)
	}
}

func TestChannelTimers(t *testing.T) {
	c := New(t0)
	a := c.After(time.Second)
	b := c.AfterAt(at(2 * time.Second))
	past := c.AfterAt(at(-time.Hour)) // due now
	zero := c.After(0)                // due now
	if n := c.Len(); n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
	if next, _ := c.Next(); !next.Equal(t0) {
		t.Errorf("Next = %v, want t0: a time in the past is due now", next.Sub(t0))
	}
	select {
	case <-past:
		t.Fatal("AfterAt(past) fired before any advance")
	case <-zero:
		t.Fatal("After(0) fired before any advance")
	default:
	}
	c.AdvanceTo(t0) // fires what is due now, moves nothing
	for name, ch := range map[string]<-chan time.Time{"past": past, "zero": zero} {
		select {
		case v := <-ch:
			if !v.Equal(t0) {
				t.Errorf("%s sent %v, want t0", name, v.Sub(t0))
			}
		default:
			t.Errorf("%s did not fire at AdvanceTo(Now())", name)
		}
	}
	c.Advance(5 * time.Second) // both fire; their buffers keep the values
	if v := <-a; !v.Equal(at(time.Second)) {
		t.Errorf("After(1s) sent %v", v.Sub(t0))
	}
	if v := <-b; !v.Equal(at(2 * time.Second)) {
		t.Errorf("AfterAt(2s) sent %v", v.Sub(t0))
	}

	// A fired but unread timer: Stop removes the stale value and says so,
	// as time.Timer does since Go 1.23.
	tm := c.NewTimer(time.Second)
	c.Advance(time.Second)
	if !tm.Stop() {
		t.Error("Stop of a fired, unread timer = false")
	}
	select {
	case v := <-tm.Chan():
		t.Errorf("received stale %v after Stop", v.Sub(t0))
	default:
	}
	// Same for Reset: the value received is the new one.
	tm.Reset(time.Second)
	c.Advance(time.Second) // fires at 7s, unread
	if !tm.Reset(time.Second) {
		t.Error("Reset of a fired, unread timer = false")
	}
	c.Advance(time.Second)
	if v := <-tm.Chan(); !v.Equal(at(8 * time.Second)) {
		t.Errorf("after Reset got %v, want 8s", v.Sub(t0))
	}
}

func TestTicker(t *testing.T) {
	c := New(t0)
	tk := c.NewTicker(time.Second)
	for i := 1; i <= 5; i++ {
		if n := c.Len(); n != 1 {
			t.Fatalf("Len = %d with a ticker, want 1", n)
		}
		next, _ := c.Next()
		c.AdvanceTo(next)
		if v := <-tk.Chan(); !v.Equal(at(time.Duration(i) * time.Second)) {
			t.Fatalf("tick %d at %v", i, v.Sub(t0))
		}
	}
	// One advance over three ticks: the buffer keeps the first, as with
	// time.Ticker, and the next is one period after the last.
	c.Advance(3*time.Second + time.Second/2)
	if v := <-tk.Chan(); !v.Equal(at(6 * time.Second)) {
		t.Errorf("kept tick %v, want 6s", v.Sub(t0))
	}
	if next, _ := c.Next(); !next.Equal(at(9 * time.Second)) {
		t.Errorf("Next = %v, want 9s", next.Sub(t0))
	}
	tk.Reset(100 * time.Millisecond)
	c.Advance(200 * time.Millisecond)
	if v := <-tk.Chan(); !v.Equal(at(8600 * time.Millisecond)) {
		t.Errorf("tick after Reset at %v, want 8.6s", v.Sub(t0))
	}
	tk.Stop()
	if c.Len() != 0 {
		t.Errorf("Len = %d after Stop", c.Len())
	}
	c.Advance(time.Hour)
	select {
	case v := <-tk.Chan():
		t.Errorf("stopped ticker ticked at %v", v.Sub(t0))
	default:
	}

	for name, f := range map[string]func(){
		"NewTicker(0)": func() { c.NewTicker(0) },
		"Reset(-1)":    func() { c.NewTicker(time.Second).Reset(-1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSleep(t *testing.T) {
	c := New(t0)
	woke := make(chan time.Time)
	go func() {
		c.Sleep(time.Second)
		woke <- c.Now()
	}()
	ctx := context.Background()
	if err := c.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	c.Advance(999 * time.Millisecond)
	if c.Len() != 1 {
		t.Fatal("the sleeper's timer fired early")
	}
	select {
	case <-woke:
		t.Fatal("woke before its time")
	default:
	}
	c.Advance(time.Millisecond)
	if v := <-woke; !v.Equal(at(time.Second)) {
		t.Errorf("woke at %v, want 1s", v.Sub(t0))
	}
	c.Sleep(0) // returns at once
	c.Sleep(-time.Second)
}

func TestAdvanceBackwards(t *testing.T) {
	c := New(t0)
	fired := false
	c.AfterFunc(0, func() { fired = true })
	c.AdvanceTo(at(-time.Second))
	c.Advance(-time.Second)
	if !c.Now().Equal(t0) || fired {
		t.Errorf("backwards: Now = %v, fired = %v; want t0, false", c.Now().Sub(t0), fired)
	}
	c.Advance(0)
	if !fired {
		t.Error("a timer due now did not fire at Advance(0)")
	}
	if _, ok := c.Next(); ok {
		t.Error("Next reports a timer on an empty clock")
	}
}

func TestNextAndLen(t *testing.T) {
	c := New(t0)
	if _, ok := c.Next(); ok || c.Len() != 0 {
		t.Fatal("a new clock has timers")
	}
	a := c.AfterFunc(3*time.Second, func() {})
	b := c.AfterFunc(time.Second, func() {})
	c.NewTicker(2 * time.Second)
	if next, _ := c.Next(); !next.Equal(at(time.Second)) || c.Len() != 3 {
		t.Errorf("Next, Len = %v, %d; want 1s, 3", next.Sub(t0), c.Len())
	}
	b.Stop()
	if next, _ := c.Next(); !next.Equal(at(2 * time.Second)) {
		t.Errorf("Next = %v after Stop, want 2s", next.Sub(t0))
	}
	a.Reset(time.Millisecond)
	if next, _ := c.Next(); !next.Equal(at(time.Millisecond)) {
		t.Errorf("Next = %v after Reset, want 1ms", next.Sub(t0))
	}
}

func TestBlockUntilContext(t *testing.T) {
	c := New(t0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.BlockUntilContext(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("BlockUntilContext on an ended ctx = %v", err)
	}
	if err := c.BlockUntilContext(ctx, 0); err != nil {
		t.Errorf("BlockUntilContext(0) = %v", err)
	}
	done := make(chan error)
	go func() { done <- c.BlockUntilContext(context.Background(), 3) }()
	for range 3 {
		c.After(time.Second)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// TestConcurrent adds, stops and resets timers from many goroutines while
// others advance, for the race detector. A timer fires once, none if Stop
// stopped it, twice if Reset re-armed it after it fired.
func TestConcurrent(t *testing.T) {
	c := New(t0)
	const workers, each = 8, 200
	var mu sync.Mutex
	fired := map[int]int{}
	want := map[int]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := w*each + i
				tm := c.AfterFunc(time.Duration(i%7)*time.Millisecond, func() {
					mu.Lock()
					fired[id]++
					mu.Unlock()
				})
				n := 1
				switch i % 3 {
				case 0:
					if tm.Stop() {
						n = 0
					}
				case 1:
					if !tm.Reset(time.Millisecond) {
						n = 2
					}
				}
				mu.Lock()
				want[id] = n
				mu.Unlock()
				c.Now()
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
			}
		})
	}
	wg.Wait()
	c.Advance(time.Hour)
	for id := range workers * each {
		if fired[id] != want[id] {
			t.Fatalf("timer %d fired %d times, want %d", id, fired[id], want[id])
		}
	}
}
