package history

import (
	"math/bits"
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Bin is one bin of a [Histogram]: the values in [From, To), or at or
// above From when To is 0 (the last bin, open above).
type Bin struct {
	From, To time.Duration
	Count    int
}

// Histogram is a distribution of lateness: how many values fell in each
// bin, how many there were, and two percentiles.
type Histogram struct {
	Bins     []Bin
	N        int           // values counted
	P50, P99 time.Duration // zero when N is 0
}

// numBins is the number of bins of LatenessAt's histograms.
const numBins = 12

// LatenessAt returns the histogram of the lateness ([sched.Record.Lateness])
// of the jobs of h that were Started at t, as [Span.StateAt] gives it: those
// that started at or before t.
//
// Its bins are log-scaled in milliseconds: [0, 1ms), [1ms, 2ms), [2ms, 4ms),
// doubling up to [256ms, 512ms), then [512ms, 1s) and an open last bin,
// 1s and more. A value exactly on a bound goes to the bin it begins. Below
// 1 ms is one bin: no bound needs a resolution finer than a millisecond.
//
// P50 and P99 are by nearest rank: the smallest value with at least 50%
// (99%) of the values at or below it. They are found by selection, in
// linear time on average, on a buffer that h keeps for the next call, which
// makes LatenessAt a use of h like any other: not concurrent with others.
// It allocates the Bins alone.
func LatenessAt(h *History, t time.Time) Histogram {
	hist := Histogram{Bins: make([]Bin, numBins)}
	for k := range hist.Bins {
		hist.Bins[k].From, hist.Bins[k].To = binFrom(k), binFrom(k+1)
	}
	hist.Bins[numBins-1].To = 0
	if len(h.phase) == 0 {
		return hist
	}
	at := h.offset(t)
	buf := h.buf[:0]
	for i := range h.phase {
		p := &h.phase[i]
		if p.state == sched.Started && p.latest <= at {
			v := h.late[i]
			buf = append(buf, v)
			hist.Bins[binOf(v)].Count++
		}
	}
	h.buf = buf
	n := len(buf)
	hist.N = n
	if n == 0 {
		return hist
	}
	// The nearest ranks, 1-based: ceil(p*n/100).
	r50, r99 := (n+1)/2, (99*n+99)/100
	h.selectNth(buf, r99-1)
	hist.P99 = buf[r99-1]
	h.selectNth(buf[:r99], r50-1) // buf[:r99-1] holds the smaller values
	hist.P50 = buf[r50-1]
	return hist
}

// binFrom returns where bin k begins; binFrom(numBins-1) is 1s.
func binFrom(k int) time.Duration {
	switch {
	case k <= 0:
		return 0
	case k >= numBins-1:
		return time.Second
	}
	return time.Millisecond << (k - 1)
}

// binOf returns the bin of v: bits.Len of its whole milliseconds is the
// doubling bin, from 0 for [0, 1ms) to 10 for [512ms, 1024ms), which is cut
// at 1s.
func binOf(v time.Duration) int {
	switch {
	case v < time.Millisecond:
		return 0
	case v >= time.Second:
		return numBins - 1
	}
	return bits.Len64(uint64(v / time.Millisecond))
}

// selectNth reorders a so that a[k] holds the value it would hold if a
// were sorted, with none greater before it and none smaller after it:
// quickselect with random pivots and a three-way partition, so that many
// equal values (a fake clock makes them) cost no more than distinct ones.
// Should its pivots be unlucky for long, it sorts what is left.
func (h *History) selectNth(a []time.Duration, k int) {
	lo, hi := 0, len(a)
	budget := 2*bits.Len(uint(len(a))) + 8
	for hi-lo > 16 {
		if budget == 0 {
			slices.Sort(a[lo:hi])
			return
		}
		budget--
		// xorshift64: fast, and good enough to pick a pivot.
		h.rng ^= h.rng << 13
		h.rng ^= h.rng >> 7
		h.rng ^= h.rng << 17
		pivot := a[lo+int(h.rng%uint64(hi-lo))]
		// [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch v := a[i]; {
			case v < pivot:
				a[i], a[lt] = a[lt], v
				lt++
				i++
			case v > pivot:
				gt--
				a[i], a[gt] = a[gt], v
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return
		}
	}
	// Insertion sort of the few left.
	for i := lo + 1; i < hi; i++ {
		for j := i; j > lo && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
