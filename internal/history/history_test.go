package history

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// t0 is a time without a monotonic reading, as a fake clock gives.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

func TestSpanStateAt(t *testing.T) {
	type at struct {
		t     time.Time
		state sched.State
		ok    bool
	}
	tests := []struct {
		name string
		span Span
		want []at
	}{
		{
			name: "started without a start function",
			span: Span{Queued: ms(0), Ready: ms(10), Done: ms(10), State: sched.Started},
			want: []at{
				{ms(-1), sched.Queued, false},
				{ms(0), sched.Queued, true},
				{ms(9), sched.Queued, true},
				{ms(10), sched.Started, true},
				{ms(1000), sched.Started, true},
			},
		},
		{
			name: "started with a start function, after waiting for a slot",
			span: Span{Queued: ms(0), Ready: ms(10), Starting: ms(12), Done: ms(20), State: sched.Started},
			want: []at{
				{ms(-1), sched.Queued, false},
				{ms(11), sched.Queued, true},
				{ms(12), sched.Starting, true},
				{ms(19), sched.Starting, true},
				{ms(20), sched.Started, true},
			},
		},
		{
			name: "started with a start function whose begin is unknown",
			span: Span{Queued: ms(0), Ready: ms(10), Done: ms(20), State: sched.Started},
			want: []at{
				{ms(12), sched.Queued, true},
				{ms(20), sched.Started, true},
			},
		},
		{
			name: "cancelled during its delay",
			span: Span{Queued: ms(0), Done: ms(5), State: sched.Cancelled},
			want: []at{
				{ms(-1), sched.Queued, false},
				{ms(4), sched.Queued, true},
				{ms(5), sched.Cancelled, true},
				{ms(100), sched.Cancelled, true},
			},
		},
		{
			name: "cancelled while waiting for a slot",
			span: Span{Queued: ms(0), Ready: ms(10), Done: ms(15), State: sched.Cancelled},
			want: []at{
				{ms(12), sched.Queued, true},
				{ms(15), sched.Cancelled, true},
			},
		},
		{
			name: "failed",
			span: Span{Queued: ms(0), Ready: ms(10), Starting: ms(10), Done: ms(30), State: sched.Failed},
			want: []at{
				{ms(9), sched.Queued, true},
				{ms(10), sched.Starting, true},
				{ms(29), sched.Starting, true},
				{ms(30), sched.Failed, true},
			},
		},
		{
			name: "still waiting for its delay",
			span: Span{Queued: ms(0), State: sched.Queued},
			want: []at{
				{ms(-1), sched.Queued, false},
				{ms(0), sched.Queued, true},
				{ms(1_000_000), sched.Queued, true},
			},
		},
		{
			name: "starting now",
			span: Span{Queued: ms(0), Ready: ms(10), Starting: ms(12), State: sched.Starting},
			want: []at{
				{ms(11), sched.Queued, true},
				{ms(12), sched.Starting, true},
				{ms(1_000_000), sched.Starting, true},
			},
		},
		{
			name: "starting now, its begin unknown: from the end of its delay",
			span: Span{Queued: ms(0), Ready: ms(10), State: sched.Starting},
			want: []at{
				{ms(9), sched.Queued, true},
				{ms(10), sched.Starting, true},
			},
		},
		{
			name: "final with no done time: from the latest time known",
			span: Span{Queued: ms(0), Ready: ms(10), State: sched.Cancelled},
			want: []at{
				{ms(9), sched.Queued, true},
				{ms(10), sched.Cancelled, true},
			},
		},
		{
			name: "no queued time",
			span: Span{},
			want: []at{{ms(0), sched.Queued, false}, {time.Time{}, sched.Queued, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				s, ok := tt.span.StateAt(w.t)
				if s != w.state || ok != w.ok {
					t.Errorf("StateAt(%v) = %v, %v; want %v, %v",
						w.t.Sub(t0), s, ok, w.state, w.ok)
				}
			}
		})
	}
}

// rec makes a record queued at ms(0).
func rec(id string, state sched.State, ready, done int) sched.Record {
	r := sched.Record{ID: id, Delay: 10 * time.Millisecond, QueuedAt: ms(0), State: state}
	if ready >= 0 {
		r.ReadyAt = ms(ready)
	}
	if done >= 0 {
		r.DoneAt = ms(done)
		if state == sched.Started {
			r.StartedAt = r.DoneAt
		}
	}
	return r
}

func TestObserve(t *testing.T) {
	h := New()
	h.Observe(rec("a", sched.Queued, -1, -1), 3, time.Time{})
	h.Observe(rec("a", sched.Starting, 11, -1), 0, ms(12))
	h.Observe(rec("a", sched.Queued, -1, -1), 0, time.Time{}) // stale
	h.Observe(rec("a", sched.Started, 11, 20), 5, time.Time{})
	h.Observe(rec("a", sched.Failed, 11, 25), 0, ms(13))   // after final
	h.Observe(rec("a", sched.Started, 11, 30), 0, ms(13))  // after final, same state
	h.Observe(rec("a", sched.Starting, 11, -1), 0, ms(14)) // stale

	if h.Len() != 1 {
		t.Fatalf("Len() = %d, want 1", h.Len())
	}
	got := h.Span(0)
	want := Span{
		ID: "a", Batch: 3, Delay: 10 * time.Millisecond,
		Queued: ms(0), Ready: ms(11), Starting: ms(12), Done: ms(20),
		State: sched.Started, Lateness: time.Millisecond,
	}
	if got != want {
		t.Errorf("Span(0) = %+v\nwant %+v", got, want)
	}
	if i, ok := h.Index("a"); i != 0 || !ok {
		t.Errorf(`Index("a") = %d, %v; want 0, true`, i, ok)
	}
	if _, ok := h.Index("b"); ok {
		t.Error(`Index("b") found a job never seen`)
	}
	if !h.First().Equal(ms(0)) || !h.Last().Equal(ms(20)) {
		t.Errorf("First, Last = %v, %v; want ms(0), ms(20)", h.First(), h.Last())
	}

	// A start's begin counts only for a job whose start ran.
	h.Observe(rec("c", sched.Cancelled, 11, 15), 0, ms(12))
	if s := h.Span(1); !s.Starting.IsZero() || s.State != sched.Cancelled {
		t.Errorf("cancelled job: Starting %v, State %v; want zero, cancelled", s.Starting, s.State)
	}
	// A record in the state held adds what it knows; the first begin stays.
	h.Observe(rec("d", sched.Queued, -1, -1), 0, time.Time{})
	h.Observe(rec("d", sched.Starting, 10, -1), 0, time.Time{})
	h.Observe(rec("d", sched.Starting, 10, -1), 0, ms(12))
	h.Observe(rec("d", sched.Starting, 10, -1), 0, ms(13))
	if s := h.Span(2); !s.Starting.Equal(ms(12)) {
		t.Errorf("Starting = %v, want ms(12)", s.Starting)
	}
	// Records the scheduler never gives.
	h.Observe(sched.Record{ID: "e", State: sched.Queued}, 0, time.Time{})
	h.Observe(sched.Record{ID: "f", QueuedAt: ms(0), State: sched.Failed + 1}, 0, time.Time{})
	if h.Len() != 3 {
		t.Errorf("Len() = %d after records with no queued time or a bad state, want 3", h.Len())
	}
}

// TestOddTimes: times out of order, which a page could pass (a start's
// begin read late, a clock that jumped), are counted as StateAt shows them.
func TestOddTimes(t *testing.T) {
	h := New()
	h.Observe(rec("begun after done", sched.Started, 10, 20), 0, ms(30))
	h.Observe(rec("begun before queued", sched.Starting, 10, -1), 0, ms(-5))
	r := rec("done before queued", sched.Failed, 5, -1)
	r.QueuedAt, r.DoneAt = ms(10), ms(3)
	h.Observe(r, 0, ms(4))
	for _, at := range []int{-10, -5, 0, 1, 5, 9, 10, 15, 20, 25, 30, 40} {
		if got, want := h.CountsAt(ms(at)), bruteCounts(h, ms(at)); got != want {
			t.Errorf("CountsAt(ms(%d)) = %v, brute force %v", at, got, want)
		}
	}
	series := h.Series(ms(-10), ms(40), 50)
	for k, got := range series {
		if want := bruteCounts(h, ms(k-9)); got != want {
			t.Errorf("Series[%d] = %v, brute force at its end %v", k, got, want)
		}
	}
}

func TestEmpty(t *testing.T) {
	h := New()
	if h.Len() != 0 {
		t.Errorf("Len = %d; want 0", h.Len())
	}
	if !h.First().IsZero() || !h.Last().IsZero() {
		t.Errorf("First, Last = %v, %v; want zero times", h.First(), h.Last())
	}
	if c := h.CountsAt(ms(0)); c != [5]int{} {
		t.Errorf("CountsAt = %v, want zeros", c)
	}
	if s := h.Series(ms(0), ms(10), 3); len(s) != 3 || s[0] != [5]int{} || s[2] != [5]int{} {
		t.Errorf("Series = %v, want 3 zeros", s)
	}
	if r := h.Recent(5, ms(0)); r != nil {
		t.Errorf("Recent = %v, want nil", r)
	}
}

func TestNoLimit(t *testing.T) {
	h := New()
	for i := range 1000 {
		h.Observe(sched.Record{ID: time.Duration(i).String(), QueuedAt: ms(i)}, 0, time.Time{})
	}
	if h.Len() != 1000 {
		t.Errorf("Len = %d; want 1000", h.Len())
	}
}

// bases are the run's clocks: a fake clock's times, and time.Now's, which
// carry a monotonic reading.
var bases = []struct {
	name string
	t    time.Time
}{{"fake clock", t0}, {"monotonic", time.Now()}}

// instants returns times to look at a run in h: before, after, on every
// time recorded for a few jobs, and just before those.
func instants(rng *rand.Rand, h *History) []time.Time {
	ts := []time.Time{{}, h.First().Add(-1), h.First(), h.Last(), h.Last().Add(time.Hour)}
	for range 20 {
		s := h.Span(rng.IntN(h.Len()))
		for _, t := range []time.Time{s.Queued, s.Ready, s.Starting, s.Done} {
			if !t.IsZero() {
				ts = append(ts, t, t.Add(-1))
			}
		}
	}
	span := h.Last().Sub(h.First())
	for range 20 {
		ts = append(ts, h.First().Add(time.Duration(rng.Int64N(int64(span)))))
	}
	return ts
}

func TestCountsAt(t *testing.T) {
	for _, base := range bases {
		t.Run(base.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			evs := run(rng, base.t, 1000)
			h := New()
			feed(h, evs)
			if h.Len() != 1000 {
				t.Fatalf("Len() = %d, want 1000", h.Len())
			}
			var final [5]int
			for _, tt := range instants(rng, h) {
				got, want := h.CountsAt(tt), bruteCounts(h, tt)
				if got != want {
					t.Errorf("CountsAt(First%+v) = %v, brute force %v", tt.Sub(h.First()), got, want)
				}
				if tt.After(h.Last()) {
					final = got
				}
			}
			// After the end, every job is in its latest state.
			var latest [5]int
			for i := range h.Len() {
				latest[h.Span(i).State]++
			}
			if final != latest {
				t.Errorf("CountsAt after the end = %v, latest states %v", final, latest)
			}
			for s, n := range final {
				if n == 0 {
					t.Errorf("the run has no job %v", sched.State(s))
				}
			}
		})
	}
}

// TestSpanTimes: the times Span gives back are those recorded.
func TestSpanTimes(t *testing.T) {
	for _, base := range bases {
		t.Run(base.name, func(t *testing.T) {
			evs := run(rand.New(rand.NewPCG(3, 4)), base.t, 300)
			h := New()
			feed(h, evs)
			last := map[string]event{}
			for _, e := range evs {
				if old, ok := last[e.rec.ID]; !ok || !old.rec.State.Final() && e.rec.State >= old.rec.State {
					last[e.rec.ID] = e
				}
			}
			for id, e := range last {
				i, ok := h.Index(id)
				if !ok {
					t.Fatalf("job %s not kept", id)
				}
				s := h.Span(i)
				if !s.Queued.Equal(e.rec.QueuedAt) || !s.Ready.Equal(e.rec.ReadyAt) ||
					!s.Done.Equal(e.rec.DoneAt) || s.State != e.rec.State ||
					s.Lateness != e.rec.Lateness() || s.Delay != e.rec.Delay {
					t.Errorf("Span(%d) = %+v, last record %+v", i, s, e.rec)
				}
			}
		})
	}
}

func TestSeries(t *testing.T) {
	for _, base := range bases {
		t.Run(base.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			h := New()
			feed(h, run(rng, base.t, 1000))
			first, last := h.First(), h.Last()
			ranges := []struct {
				name     string
				from, to time.Time
			}{
				{"whole run", first, last},
				{"wider than the run", first.Add(-time.Second), last.Add(time.Second)},
				{"inside the run", first.Add(100 * time.Millisecond), last.Add(-300 * time.Millisecond)},
				{"one instant", first.Add(500 * time.Millisecond), first.Add(500 * time.Millisecond)},
				{"one nanosecond", first.Add(500 * time.Millisecond), first.Add(500*time.Millisecond + 1)},
				{"before the run", first.Add(-time.Hour), first.Add(-time.Minute)},
				{"after the run", last.Add(time.Minute), last.Add(time.Hour)},
			}
			for _, r := range ranges {
				for _, bins := range []int{1, 2, 7, 200, 1000, 4999} {
					got := h.Series(r.from, r.to, bins)
					if len(got) != bins {
						t.Fatalf("%s: len(Series(%d)) = %d", r.name, bins, len(got))
					}
					span := r.to.Sub(r.from)
					for k := range bins {
						end := r.from.Add(span * time.Duration(k+1) / time.Duration(bins))
						if want := h.CountsAt(end); got[k] != want {
							t.Fatalf("%s: Series(%d)[%d] = %v, CountsAt its end %v", r.name, bins, k, got[k], want)
						}
					}
					if want := bruteCounts(h, r.to); got[bins-1] != want {
						t.Errorf("%s: Series(%d) ends with %v, brute force at to %v", r.name, bins, got[bins-1], want)
					}
				}
			}
			if s := h.Series(last, first, 10); s != nil {
				t.Errorf("Series backwards = %v, want nil", s)
			}
			if s := h.Series(first, last, 0); s != nil {
				t.Errorf("Series of 0 bins = %v, want nil", s)
			}
		})
	}
}

// TestSeriesLong: a range so long that span*bins overflows 64 bits.
func TestSeriesLong(t *testing.T) {
	h := New()
	for i := range 100 {
		q := t0.Add(time.Duration(i) * 24 * time.Hour * 365)
		h.Observe(sched.Record{ID: time.Duration(i).String(), QueuedAt: q, State: sched.Queued}, 0, time.Time{})
	}
	from, to := h.First(), h.Last().Add(50*365*24*time.Hour) // 150 years
	const bins = 1000
	got := h.Series(from, to, bins)
	span := uint64(to.Sub(from))
	for k := range bins {
		// span*(k+1)/bins without overflow: span/bins*(k+1) + span%bins*(k+1)/bins.
		d := span/bins*uint64(k+1) + span%bins*uint64(k+1)/bins
		end := from.Add(time.Duration(d))
		if want := h.CountsAt(end); got[k] != want {
			t.Fatalf("Series[%d] = %v, CountsAt its end %v", k, got[k], want)
		}
	}
	if got[bins-1][sched.Queued] != 100 {
		t.Errorf("Series ends with %v, want 100 queued", got[bins-1])
	}
}

func TestRecent(t *testing.T) {
	h := New()
	// Queued at ms 0, 10, 10, 20, ... but seen a little out of order.
	queued := []int{0, 10, 20, 10, 30, 40, 50}
	for i, q := range queued {
		h.Observe(sched.Record{ID: string(rune('a' + i)), QueuedAt: ms(q)}, 0, time.Time{})
	}
	tests := []struct {
		n    int
		t    time.Time
		want []int
	}{
		{3, ms(-1), nil},
		{3, ms(0), []int{0}},
		{3, ms(9), []int{0}},
		{3, ms(10), []int{0, 1, 3}},
		{2, ms(10), []int{1, 3}},
		{2, ms(25), []int{3, 2}},
		{3, ms(100), []int{4, 5, 6}},
		{100, ms(100), []int{0, 1, 3, 2, 4, 5, 6}},
		{0, ms(100), nil},
		{-1, ms(100), nil},
	}
	for _, tt := range tests {
		if got := h.Recent(tt.n, tt.t); !slices.Equal(got, tt.want) {
			t.Errorf("Recent(%d, ms(%d)) = %v, want %v", tt.n, tt.t.Sub(t0)/time.Millisecond, got, tt.want)
		}
	}
}

// TestRecentUnsorted: jobs seen far out of queued order are sorted when
// asked for, and stay right as more come.
func TestRecentUnsorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	h := New()
	var qs []int
	check := func() {
		t.Helper()
		for range 20 {
			n, at := 1+rng.IntN(50), rng.IntN(1200)
			var want []int // brute force: sort all queued by (time, index)
			idx := make([]int, len(qs))
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int { return qs[a] - qs[b] })
			for _, i := range idx {
				if qs[i] <= at {
					want = append(want, i)
				}
			}
			want = want[max(len(want)-n, 0):]
			if len(want) == 0 {
				want = nil
			}
			if got := h.Recent(n, ms(at)); !slices.Equal(got, want) {
				t.Fatalf("Recent(%d, ms(%d)) = %v, want %v", n, at, got, want)
			}
		}
	}
	for round := range 3 {
		for range 500 {
			q := rng.IntN(1000)
			if round == 2 {
				q = 1000 + len(qs) // in order again
			}
			h.Observe(sched.Record{ID: time.Duration(len(qs)).String(), QueuedAt: ms(q)}, 0, time.Time{})
			qs = append(qs, q)
		}
		check()
	}
}
