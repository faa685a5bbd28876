package history

import (
	"math"
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
// (A negative value, which the scheduler never gives, counts in the first.)
//
// P50 and P99 are by nearest rank: the smallest value with at least 50%
// (99%) of the values at or below it. They are found by a radix selection,
// in linear time, on a buffer of the values that h keeps for the next call:
// LatenessAt is a use of h like any other, not to be run concurrently with
// others. It allocates the Bins alone.
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
	// Without a branch on each job's state, which a mixed run makes as
	// good as random: every value is written, and kept if counted.
	buf := slices.Grow(h.buf[:0], len(h.phase))[:len(h.phase)]
	var counts [numBins]int
	n := 0
	for i := range h.phase {
		p := &h.phase[i]
		v := h.late[i]
		buf[n] = v
		c := 0
		if p.latest <= at {
			c = 1
		}
		if p.state != sched.Started {
			c = 0
		}
		n += c
		counts[binOf(v)] += c
	}
	h.buf = buf
	buf = buf[:n]
	for k, c := range counts {
		hist.Bins[k].Count = c
	}
	hist.N = n
	if n == 0 {
		return hist
	}
	lo, hi := buf[0], buf[0]
	for _, v := range buf {
		lo, hi = min(lo, v), max(hi, v)
	}
	// The nearest ranks, 1-based: ceil(p*n/100).
	r50, r99 := (n+1)/2, (99*n+99)/100
	hist.P50, hist.P99 = ranks(buf, lo, hi, r50-1, r99-1)
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
	// Below a second, v fits 32 bits, whose division by a constant is a
	// product also in WebAssembly (which has no 64x64 high product).
	return bits.Len32(uint32(v) / uint32(time.Millisecond))
}

// radixBits is how many bits of the values ranks tells apart in a pass.
const radixBits = 11

// ranks returns the values of ranks i <= j (0-based: the i+1'th smallest)
// of a, whose values all lie in [lo, hi]. It reorders a.
//
// It is a radix selection, most significant digit first: a pass counts the
// values by their top radixBits bits within [lo, hi] (2048 buckets, on the
// stack), which tells the buckets holding ranks i and j; a second pass
// gathers those buckets' values; and what is left is done again within
// their narrower range. Each round divides the range by 2048 at least, and
// usually the number of values too, so that two passes over a and some
// small change are the usual cost: less than quickselect's partitions, and
// nothing when all values are equal, as a fake clock often makes them.
func ranks(a []time.Duration, lo, hi time.Duration, i, j int) (vi, vj time.Duration) {
	for {
		if lo == hi {
			return lo, lo
		}
		if len(a) <= 32 {
			slices.Sort(a)
			return a[i], a[j]
		}
		// Differences from lo are taken as unsigned: they fit even when
		// hi-lo does not.
		shift := uint(max(bits.Len64(uint64(hi)-uint64(lo))-radixBits, 0))
		var counts [1 << radixBits]int
		for _, v := range a {
			counts[(uint64(v)-uint64(lo))>>shift]++
		}
		bi, belowI := bucketOf(&counts, i)
		bj, belowJ := bucketOf(&counts, j)
		if bi != bj {
			f, b, front, back := split(a, lo, shift, bi, bj)
			vi, _ = ranks(a[:f], front.lo, front.hi, i-belowI, i-belowI)
			_, vj = ranks(a[b:], back.lo, back.hi, j-belowJ, j-belowJ)
			return vi, vj
		}
		// Both in bucket bi: keep its values alone, at the front.
		n := 0
		r := span{math.MaxInt64, math.MinInt64}
		for _, v := range a {
			if (uint64(v)-uint64(lo))>>shift == bi {
				a[n] = v
				n++
				r.lo, r.hi = min(r.lo, v), max(r.hi, v)
			}
		}
		a, lo, hi, i, j = a[:n], r.lo, r.hi, i-belowI, j-belowI
	}
}

// span is the range of some values.
type span struct{ lo, hi time.Duration }

// bucketOf returns the bucket of counts that holds rank r, and how many
// values are in the buckets below it.
func bucketOf(counts *[1 << radixBits]int, r int) (b uint64, below int) {
	for k, c := range counts {
		if below+c > r {
			return uint64(k), below
		}
		below += c
	}
	panic("history: rank out of range")
}

// split moves the values of a in bucket bi (by shift from lo) to a[:f], and
// those in bucket bj to a[b:], and returns the range of each.
func split(a []time.Duration, lo time.Duration, shift uint, bi, bj uint64) (f, b int, front, back span) {
	front = span{math.MaxInt64, math.MinInt64}
	back = front
	i, b := 0, len(a)
	for i < b {
		v := a[i]
		switch (uint64(v) - uint64(lo)) >> shift {
		case bi:
			a[i], a[f] = a[f], v
			f++
			i++
			front.lo, front.hi = min(front.lo, v), max(front.hi, v)
		case bj:
			b--
			a[i], a[b] = a[b], v
			back.lo, back.hi = min(back.lo, v), max(back.hi, v)
		default:
			i++
		}
	}
	return f, b, front, back
}
