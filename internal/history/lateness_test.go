package history

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestBins(t *testing.T) {
	h := LatenessAt(New(), t0)
	want := []Bin{
		{0, time.Millisecond, 0},
		{time.Millisecond, 2 * time.Millisecond, 0},
		{2 * time.Millisecond, 4 * time.Millisecond, 0},
		{4 * time.Millisecond, 8 * time.Millisecond, 0},
		{8 * time.Millisecond, 16 * time.Millisecond, 0},
		{16 * time.Millisecond, 32 * time.Millisecond, 0},
		{32 * time.Millisecond, 64 * time.Millisecond, 0},
		{64 * time.Millisecond, 128 * time.Millisecond, 0},
		{128 * time.Millisecond, 256 * time.Millisecond, 0},
		{256 * time.Millisecond, 512 * time.Millisecond, 0},
		{512 * time.Millisecond, time.Second, 0},
		{time.Second, 0, 0},
	}
	if !slices.Equal(h.Bins, want) {
		t.Errorf("Bins = %v\nwant %v", h.Bins, want)
	}
	if h.N != 0 || h.P50 != 0 || h.P99 != 0 {
		t.Errorf("empty: N, P50, P99 = %d, %v, %v; want zeros", h.N, h.P50, h.P99)
	}
}

// started adds a job that started at ms(1000+i) with the given lateness.
func started(h *History, i int, late time.Duration) {
	q := ms(i)
	r := sched.Record{
		ID: time.Duration(i).String(), QueuedAt: q, Delay: 999 * time.Millisecond,
		ReadyAt: q.Add(999*time.Millisecond + late), State: sched.Started,
	}
	r.StartedAt = ms(1000 + i)
	r.DoneAt = r.StartedAt
	h.Observe(r, 0, time.Time{})
}

func TestLatenessEdges(t *testing.T) {
	tests := []struct {
		late time.Duration
		bin  int
	}{
		{0, 0},
		{time.Microsecond, 0},
		{time.Millisecond - 1, 0},
		{time.Millisecond, 1},
		{2*time.Millisecond - 1, 1},
		{2 * time.Millisecond, 2},
		{3 * time.Millisecond, 2},
		{4 * time.Millisecond, 3},
		{512*time.Millisecond - 1, 9},
		{512 * time.Millisecond, 10},
		{time.Second - 1, 10},
		{time.Second, 11},
		{time.Hour, 11},
	}
	for _, tt := range tests {
		h := New()
		started(h, 0, tt.late)
		hist := LatenessAt(h, ms(1000))
		for k, b := range hist.Bins {
			if want := 0; k == tt.bin {
				want = 1
				if b.Count != want {
					t.Errorf("%v: bin %d [%v, %v) has %d, want 1", tt.late, k, b.From, b.To, b.Count)
				}
			} else if b.Count != want {
				t.Errorf("%v: bin %d [%v, %v) has %d, want 0", tt.late, k, b.From, b.To, b.Count)
			}
		}
		if hist.N != 1 || hist.P50 != tt.late || hist.P99 != tt.late {
			t.Errorf("%v: N, P50, P99 = %d, %v, %v", tt.late, hist.N, hist.P50, hist.P99)
		}
		// Not started yet a nanosecond before.
		if hist := LatenessAt(h, ms(1000).Add(-1)); hist.N != 0 || hist.P99 != 0 {
			t.Errorf("%v: before the start, N, P99 = %d, %v", tt.late, hist.N, hist.P99)
		}
	}
}

// TestLatenessOnlyStarted: jobs queued, starting, cancelled or failed at t
// are not counted.
func TestLatenessOnlyStarted(t *testing.T) {
	h := New()
	feed(h, run(rand.New(rand.NewPCG(9, 10)), t0, 1000))
	for _, at := range instants(rand.New(rand.NewPCG(11, 12)), h) {
		hist := LatenessAt(h, at)
		var want []time.Duration
		for i := range h.Len() {
			if s, ok := h.Span(i).StateAt(at); ok && s == sched.Started {
				want = append(want, h.Span(i).Lateness)
			}
		}
		checkHist(t, hist, want)
	}
}

// checkHist checks hist against values by brute force: bins by linear
// search, percentiles by sorting.
func checkHist(t *testing.T, hist Histogram, values []time.Duration) {
	t.Helper()
	if hist.N != len(values) {
		t.Fatalf("N = %d, want %d", hist.N, len(values))
	}
	counts := make([]int, len(hist.Bins))
	for _, v := range values {
		for k, b := range hist.Bins {
			if v >= b.From && (b.To == 0 || v < b.To) {
				counts[k]++
				break
			}
		}
	}
	for k, b := range hist.Bins {
		if b.Count != counts[k] {
			t.Errorf("bin %d [%v, %v) has %d, want %d", k, b.From, b.To, b.Count, counts[k])
		}
	}
	var p50, p99 time.Duration
	if n := len(values); n > 0 {
		sorted := slices.Sorted(slices.Values(values))
		// Nearest rank: the smallest value with at least p% at or below it.
		rank := func(p int) time.Duration {
			for i, v := range sorted {
				if 100*(i+1) >= p*n {
					return v
				}
			}
			panic("unreachable")
		}
		p50, p99 = rank(50), rank(99)
	}
	if hist.P50 != p50 || hist.P99 != p99 {
		t.Errorf("P50, P99 = %v, %v; want %v, %v (n %d)", hist.P50, hist.P99, p50, p99, len(values))
	}
}

func TestLatenessPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	dists := []struct {
		name string
		v    func() time.Duration
	}{
		{"spread", func() time.Duration { return time.Duration(rng.Int64N(int64(2 * time.Second))) }},
		{"log-spread", func() time.Duration { return time.Duration(1) << rng.IntN(32) }},
		{"all equal", func() time.Duration { return 3 * time.Millisecond }},
		{"few values", func() time.Duration { return time.Duration(rng.IntN(3)) * time.Millisecond }},
		{"all zero", func() time.Duration { return 0 }},
	}
	for _, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			for _, n := range []int{1, 2, 3, 17, 99, 100, 101, 1000, 20_000} {
				h := New()
				values := make([]time.Duration, n)
				for i := range values {
					values[i] = d.v()
					started(h, i, values[i])
				}
				checkHist(t, LatenessAt(h, ms(1000+n)), values)
				// Only the first half started by then.
				checkHist(t, LatenessAt(h, ms(1000+n/2)), values[:n/2+1])
			}
		})
	}
}

// TestRanks against sorting: sizes around the cutoff to sorting, values
// with many repeats, narrow and wide ranges, negative values and the
// widest range of all.
func TestRanks(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for range 3000 {
		n := 1 + rng.IntN(100)
		if rng.IntN(10) == 0 {
			n = 1 + rng.IntN(20_000)
		}
		spread := 1 + rng.Int64N(1<<uint(rng.IntN(63)))
		a := make([]time.Duration, n)
		for i := range a {
			a[i] = time.Duration(rng.Int64N(spread))
			switch rng.IntN(50) {
			case 0:
				a[i] = -a[i]
			case 1:
				a[i] = math.MaxInt64
			case 2:
				a[i] = math.MinInt64
			}
		}
		sorted := slices.Sorted(slices.Values(a))
		i, j := rng.IntN(n), rng.IntN(n)
		i, j = min(i, j), max(i, j)
		vi, vj := ranks(a, sorted[0], sorted[n-1], i, j)
		if vi != sorted[i] || vj != sorted[j] {
			t.Fatalf("n %d, spread %d: ranks %d, %d = %v, %v; want %v, %v",
				n, spread, i, j, vi, vj, sorted[i], sorted[j])
		}
	}
}
