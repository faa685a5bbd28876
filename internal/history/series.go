package history

import (
	"math"
	"math/bits"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Series returns how many jobs were in each state at the end of each of
// bins equal intervals over [from, to]: its k'th element is
// CountsAt(from + (to-from)*(k+1)/bins), the product taken without overflow
// and the quotient truncated, so that the last is CountsAt(to).
// It returns nil when bins < 1 or to is before from.
//
// It costs one pass over the jobs and one over the bins, not one pass a
// bin: each job adds its state changes to the bin at whose end they are
// first seen, and a running sum makes the counts. It allocates the result
// alone.
func (h *History) Series(from, to time.Time, bins int) [][5]int {
	if bins < 1 || to.Before(from) {
		return nil
	}
	// One more for changes after the last end: written, never read.
	out := make([][5]int, bins+1)
	if len(h.phase) == 0 {
		return out[:bins:bins]
	}
	e := newEnds(h.offset(from), h.offset(to), bins)
	// Jobs of a batch share times: look each up once for a run of them.
	var mq, ms, ml memo
	for i := range h.phase {
		p := &h.phase[i]
		kq := mq.first(&e, p.queued)
		if kq == bins {
			continue // not queued yet at the last end
		}
		ks := kq
		if p.starting != p.queued {
			ks = ms.first(&e, p.starting)
		}
		kl := ks
		if p.latest != p.starting {
			kl = ml.first(&e, p.latest)
		}
		out[kq][sched.Queued]++
		out[ks][sched.Queued]--
		out[ks][sched.Starting]++
		out[kl][sched.Starting]--
		out[kl][p.state]++
	}
	var run [5]int
	for k := range bins {
		for s := range run {
			run[s] += out[k][s]
		}
		out[k] = run
	}
	return out[:bins:bins]
}

// ends are the ends of bins equal intervals of span nanoseconds from from:
// the k'th is from + span*(k+1)/bins.
type ends struct {
	from, to int64
	span     uint64
	bins     uint64
	fast     uint64 // below it, d*bins fits in 64 bits
}

func newEnds(from, to int64, bins int) ends {
	return ends{
		from: from,
		to:   to,
		span: uint64(to) - uint64(from), // to >= from: fits, even if to-from does not
		bins: uint64(bins),
		fast: math.MaxUint64 / uint64(bins),
	}
}

// first returns the first k whose end is at or after x, or bins if x is
// after the last. A job that changes state at x shows the change at the
// ends of bins k and later.
func (e *ends) first(x int64) int {
	if x <= e.from {
		return 0 // the first end is at from or after
	}
	if x > e.to {
		return int(e.bins)
	}
	// from + floor(span*(k+1)/bins) >= x  <=>  span*(k+1) >= d*bins,
	// d = x-from in (0, span]: so k+1 = ceil(d*bins/span).
	d := uint64(x) - uint64(e.from)
	var q, r uint64
	if d < e.fast {
		p := d * e.bins
		q, r = p/e.span, p%e.span
	} else {
		hi, lo := bits.Mul64(d, e.bins)
		q, r = bits.Div64(hi, lo, e.span) // hi < span, as d*bins/span <= bins
	}
	if r != 0 {
		q++
	}
	return int(q) - 1
}

// memo remembers the last answer of ends.first.
type memo struct {
	x  int64
	k  int
	ok bool
}

func (m *memo) first(e *ends, x int64) int {
	if !m.ok || m.x != x {
		m.x, m.k, m.ok = x, e.first(x), true
	}
	return m.k
}
