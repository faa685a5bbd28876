package app

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// rec makes a record of job n in state s, queued at t0+n ms with a 1 ms
// delay, and started (when s is Started) late by late.
func rec(n int, s sched.State, late time.Duration) sched.Record {
	r := sched.Record{
		ID:       fmt.Sprintf("%032x", n),
		Delay:    time.Millisecond,
		QueuedAt: t0.Add(time.Duration(n) * time.Millisecond),
		State:    s,
	}
	if s.Final() {
		r.DoneAt = r.QueuedAt.Add(r.Delay + late)
	}
	if s == sched.Started {
		r.ReadyAt, r.StartedAt = r.DoneAt, r.DoneAt
	}
	return r
}

func events(recs ...sched.Record) []sched.Event {
	evs := make([]sched.Event, len(recs))
	for i, r := range recs {
		evs[i] = sched.Event{Record: r}
	}
	return evs
}

func counts(st *store) [5]int {
	var c [5]int
	for s := sched.Queued; s <= sched.Failed; s++ {
		c[s] = st.count(s)
	}
	return c
}

func TestStoreFollowsEvents(t *testing.T) {
	st := newStore()
	st.apply(events(rec(1, sched.Queued, 0), rec(2, sched.Queued, 0), rec(3, sched.Queued, 0)))
	st.apply(events(rec(1, sched.Started, 2*time.Millisecond), rec(2, sched.Cancelled, 0)))

	if got, want := counts(st), [5]int{1, 0, 1, 1, 0}; got != want {
		t.Errorf("counts = %v; want %v", got, want)
	}
	if st.total() != 3 {
		t.Errorf("total = %d; want 3", st.total())
	}
	if !st.pending() {
		t.Error("pending = false with job 3 queued")
	}
	newest := st.newest(2)
	if len(newest) != 2 || newest[0].rec.ID != rec(3, 0, 0).ID || newest[1].rec.ID != rec(2, 0, 0).ID {
		t.Errorf("newest(2) = %v, %v; want jobs 3, 2", newest[0].rec.ID, newest[1].rec.ID)
	}
	if p, ok := st.late.percentile(50); !ok || p != 2*time.Millisecond {
		t.Errorf("p50 = %v, %v; want 2ms", p, ok)
	}
}

// TestStoreIgnoresStaleRecords: a job's state only moves forward, and a
// final state is final, whatever order snapshots and events arrive in.
func TestStoreIgnoresStaleRecords(t *testing.T) {
	st := newStore()
	st.apply(events(rec(1, sched.Started, 0)))                          // page's snapshot was late
	st.apply(events(rec(1, sched.Queued, 0), rec(1, sched.Started, 0))) // events catch up
	st.apply(events(rec(1, sched.Cancelled, 0)))                        // impossible, but harmless
	if got, want := counts(st), [5]int{0, 0, 1, 0, 0}; got != want {
		t.Errorf("counts = %v; want %v", got, want)
	}
	if n := st.late.len(); n != 1 {
		t.Errorf("lateness counted %d times; want once", n)
	}
	if st.pending() {
		t.Error("pending = true with every job final")
	}
}

// TestStoreTracksBatchProgress: a batch's jobs join the store with their
// first event, and count towards the batch, while other jobs do not.
func TestStoreTracksBatchProgress(t *testing.T) {
	st := newStore()
	jobs := []*sched.Job{new(sched.Job), new(sched.Job), new(sched.Job), new(sched.Job)}
	b := st.newBatch(len(jobs))
	st.addToBatch(b, jobs, 0)
	if st.total() != 0 {
		t.Errorf("total = %d before any event; want 0", st.total())
	}
	evs := events(rec(1, sched.Queued, 0), rec(2, sched.Queued, 0), rec(3, sched.Queued, 0), rec(4, sched.Queued, 0), rec(5, sched.Queued, 0))
	for i, j := range jobs {
		evs[i].Job = j
	}
	st.apply(evs) // job 5 is not in the batch
	st.apply(events(rec(1, sched.Started, 0), rec(2, sched.Started, 0), rec(3, sched.Cancelled, 0), rec(5, sched.Started, 0)))
	if b.Started != 2 || b.Final != 3 {
		t.Errorf("batch started %d, final %d; want 2, 3", b.Started, b.Final)
	}
	st.apply(events(rec(4, sched.Started, 0)))
	if b.Started != 3 || b.Final != 4 {
		t.Errorf("batch started %d, final %d; want 3, 4", b.Started, b.Final)
	}
	if st.total() != 5 || len(st.batchOf) != 0 {
		t.Errorf("total %d, %d jobs still waiting to join; want 5, 0", st.total(), len(st.batchOf))
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		d := make([]time.Duration, len(v))
		for i, x := range v {
			d[i] = time.Duration(x) * time.Millisecond
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
		ok     bool
	}{
		{nil, 50, 0, false},
		{ms(7), 50, 7 * time.Millisecond, true},
		{ms(7), 99, 7 * time.Millisecond, true},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond, true},
		{ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond, true},
		{ms(hundred...), 99, 99 * time.Millisecond, true},
		{ms(hundred...), 100, 100 * time.Millisecond, true},
		{ms(1, 2), 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := percentile(tt.sorted, tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("percentile(%v, %v) = %v, %v; want %v, %v", tt.sorted, tt.p, got, ok, tt.want, tt.ok)
		}
	}
}

// TestLatenessMergesIncrementally: values added between reads are merged
// into the sorted list, whatever order they come in.
func TestLatenessMergesIncrementally(t *testing.T) {
	var l lateness
	for _, batch := range [][]int{{5, 1, 9}, {3}, {}, {8, 2, 2}} {
		for _, v := range batch {
			l.add(time.Duration(v))
		}
		l.merge()
	}
	want := []time.Duration{1, 2, 2, 3, 5, 8, 9}
	if fmt.Sprint(l.sorted) != fmt.Sprint(want) {
		t.Errorf("sorted = %v; want %v", l.sorted, want)
	}
	if p, _ := l.percentile(50); p != 3 {
		t.Errorf("p50 = %v; want 3", p)
	}
}

// BenchmarkStoreApply10k is the cost of a 10,000-job batch's events and a
// percentile read, in one go: the page spreads it over a few frames.
func BenchmarkStoreApply10k(b *testing.B) {
	queued := make([]sched.Record, 10_000)
	started := make([]sched.Record, 10_000)
	for i := range queued {
		queued[i] = rec(i, sched.Queued, 0)
		started[i] = rec(i, sched.Started, time.Duration(i%97)*time.Microsecond)
	}
	evq, evs := events(queued...), events(started...)
	for b.Loop() {
		st := newStore()
		st.apply(evq)
		st.apply(evs)
		st.late.percentile(99)
	}
}

// TestFrozenKeepsRecordsAsTheyWere: an export sees every job known when it
// began, each as it was then, though the run goes on meanwhile; a job
// that joins later is not in it; and after thaw nothing more is kept.
func TestFrozenKeepsRecordsAsTheyWere(t *testing.T) {
	st := newStore()
	st.apply(events(rec(1, sched.Queued, 0), rec(2, sched.Queued, 0), rec(3, sched.Queued, 0)))
	f := st.freeze()
	first := f.job(st) // written before the change: its change is not kept
	st.apply(events(rec(1, sched.Started, 0), rec(2, sched.Started, 0), rec(4, sched.Queued, 0)))
	if first.Rec.State != sched.Queued || first.Pos != 0 {
		t.Errorf("job 1 exported as %v at %d; want queued at 0", first.Rec.State, first.Pos)
	}
	var got []sched.State
	for f.next < f.n {
		got = append(got, f.job(st).Rec.State)
	}
	if want := []sched.State{sched.Queued, sched.Queued}; !slices.Equal(got, want) {
		t.Errorf("jobs 2 and 3 exported as %v; want %v, as at the freeze", got, want)
	}
	if len(f.old) != 0 {
		t.Errorf("%d old records kept after they were written", len(f.old))
	}
	st.thaw()
	st.apply(events(rec(3, sched.Started, 0)))
	if len(f.old) != 0 {
		t.Error("a record was kept after thaw")
	}
}
