package history

import (
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Series returns how many jobs were in each state at the end of each of
// bins equal intervals over [from, to]: its k'th element is
// CountsAt(from + (to-from)*(k+1)/bins), the product taken without overflow
// and the quotient truncated, so that the last is CountsAt(to).
// It returns nil when bins < 1 or to is before from.
//
// It costs one pass over the jobs and one over the bins, not a pass a bin:
// each job counts its state changes in the first bin whose end sees them,
// and running sums make the counts. It allocates the result alone.
func (h *History) Series(from, to time.Time, bins int) [][5]int {
	if bins < 1 || to.Before(from) {
		return nil
	}
	// Bin k here is the first whose end sees a change; bin number bins is
	// for changes after the last end. out[k] counts first the jobs that
	// enter their latest state in bin k, by state; in h.tally, begins[k]
	// those that leave Queued in bin k (to Starting or their latest state),
	// and queues[k] those queued in bin k. Running sums of these give the
	// counts: a job is Queued from its queued bin to the bin it leaves
	// Queued, and Starting from there to its latest state's bin. Three
	// counts a job; runs of jobs queued in one bin are counted in a
	// register.
	out := make([][5]int, bins+1)
	if len(h.phase) == 0 {
		return out[:bins:bins]
	}
	e := newEnds(h.offset(from), h.offset(to), bins, h.ends)
	h.ends = e.at
	h.tally = slices.Grow(h.tally[:0], 2*(bins+1))[:2*(bins+1)]
	clear(h.tally)
	queues, begins := h.tally[:bins+1], h.tally[bins+1:]
	runK, runN := 0, 0
	for i := range h.phase {
		p := &h.phase[i]
		kq, ks, kl := e.guess(p.queued), e.guess(p.starting), e.guess(p.latest)
		if kq|ks|kl < 0 { // rare
			kq, ks, kl = e.first(p.queued), e.first(p.starting), e.first(p.latest)
		}
		if kq != runK {
			queues[runK] += runN
			runK, runN = kq, 0
		}
		runN++
		begins[ks]++
		out[kl][p.state]++
	}
	queues[runK] += runN
	var queued, begun int // jobs queued, and past Queued, by the end of bin k
	var latest [5]int     // jobs in their latest state by then, by state
	for k := range bins {
		queued += queues[k]
		begun += begins[k]
		n := 0
		for s := range latest {
			latest[s] += out[k][s]
			n += latest[s]
		}
		out[k] = latest
		out[k][sched.Queued] += queued - begun
		out[k][sched.Starting] += begun - n
	}
	return out[:bins:bins]
}

// ends are the ends of bins equal intervals of span nanoseconds from from:
// the k'th is at[k+1] = from + span*(k+1)/bins. at[0] is before all times
// and at[bins+1] after all, so that every guess has two ends to check.
type ends struct {
	at    []int64
	bins  int
	from  float64
	scale float64 // bins/span: (x-from)*scale is about the bin of x
}

// newEnds returns the ends of bins intervals over [from, to], computed
// exactly into buf.
func newEnds(from, to int64, bins int, buf []int64) ends {
	span := uint64(to) - uint64(from) // to >= from: fits, even if to-from does not
	e := ends{at: slices.Grow(buf[:0], bins+2)[:bins+2], bins: bins, from: float64(from)}
	n := uint64(bins)
	fast := math.MaxUint64/n >= span // span*n fits in 64 bits
	e.at[0] = math.MinInt64
	for k := range bins {
		var d uint64
		if fast {
			d = span * uint64(k+1) / n
		} else {
			hi, lo := bits.Mul64(span, uint64(k+1))
			d, _ = bits.Div64(hi, lo, n) // hi < n, as k+1 <= n
		}
		e.at[k+1] = int64(uint64(from) + d)
	}
	e.at[bins+1] = math.MaxInt64
	if span > 0 {
		e.scale = float64(bins) / float64(span)
	}
	return e
}

// first returns the first k whose end is at or after x, or bins if x is
// after the last: a job that changes state at x shows the change at the
// ends of bins k and later.
func (e *ends) first(x int64) int {
	if k := e.guess(x); k >= 0 {
		return k
	}
	return e.search(x)
}

// guess is first, or -1 if it guessed wrong. Most of Series' time is here,
// so it is small enough to be inlined (a call costs much in WebAssembly),
// and it guesses with a product, not a division, then checks the guess
// against the exact ends: (x-from)*bins/span is where the ends pass x, and
// rounding makes it wrong only when that is within a hair of an end. For a
// range of one instant, it guesses 0.
func (e *ends) guess(x int64) int {
	k := min(max(int((float64(x)-e.from)*e.scale), 0), e.bins)
	if e.at[k+1] < x || e.at[k] >= x {
		return -1
	}
	return k
}

// search is first by binary search.
func (e *ends) search(x int64) int {
	lo, hi := 0, e.bins // end hi is at or after x
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.at[m+1] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
