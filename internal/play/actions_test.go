package play

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// live does to r what a visitor might: jobs and a batch queued a slice at
// a time between steps of time, cancels of every kind.
func live(t *testing.T, r *Run) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Queue(5 * time.Millisecond)
	must(err)
	r.Step()
	b, err := r.NewBatch(50, 2*time.Millisecond)
	must(err)
	for b.Open() {
		at := r.Now()
		if _, err := b.Queue(7); err != nil {
			t.Fatal(err)
		}
		// Time stands still while the batch is queued, and nothing else
		// is submitted.
		if r.AdvanceTo(at.Add(time.Millisecond), 0) || r.Step() || !r.Now().Equal(at) {
			if b.Open() {
				t.Fatalf("time moved to %v while the batch was being queued", r.Since())
			}
		}
		if b.Open() {
			if _, err := r.Queue(time.Millisecond); !errors.Is(err, ErrBatchOpen) {
				t.Fatalf("Queue during a batch: %v; want ErrBatchOpen", err)
			}
		}
	}
	_, err = r.Cancel(3)
	must(err)
	r.AdvanceTo(r.Now().Add(1500*time.Microsecond), 0)
	_, err = r.Queue(time.Hour)
	must(err)
	r.Step()
	r.Step()
	b2, err := r.NewBatch(20, 10*time.Millisecond)
	must(err)
	_, err = b2.Queue(5)
	must(err)
	_, err = r.CancelBatch(b2.No) // stopped after 5 of 20
	must(err)
	r.AdvanceTo(r.Now().Add(30*time.Millisecond), 0)
	r.CancelAll()
	r.AdvanceTo(r.Now().Add(time.Second), 0)
}

func describe(r *Run) []string {
	var out []string
	for i, j := range r.Jobs() {
		rec := j.Record()
		out = append(out, fmt.Sprintf("%d %s %v q%v r%v s%v d%v %v", i, rec.ID, rec.State,
			rec.QueuedAt.Sub(r.Began), sinceOr(rec.ReadyAt, r), sinceOr(rec.StartedAt, r), sinceOr(rec.DoneAt, r), rec.Err))
	}
	return out
}

func sinceOr(t time.Time, r *Run) any {
	if t.IsZero() {
		return "-"
	}
	return t.Sub(r.Began)
}

// TestReplayGivesTheSameRun: a run's actions, replayed on a new run with
// the same settings, give the same jobs: ids, every time, every outcome.
func TestReplayGivesTheSameRun(t *testing.T) {
	set := Settings{StartTime: 3 * time.Millisecond, Jitter: 2 * time.Millisecond, FailPct: 20, PanicPct: 10, Limit: 3, Seed: 42}
	a := virtual(t, set)
	live(t, a)
	acts := a.Actions()
	if len(acts) != 7 {
		t.Fatalf("%d actions recorded; want 7: %+v", len(acts), acts)
	}
	if b := acts[1]; b.Kind != QueueBatch || b.N != 50 || b.Delay != 2*time.Millisecond {
		t.Errorf("batch recorded as %+v; want 50 jobs of 2ms", b)
	}
	if b := acts[4]; b.Kind != QueueBatch || b.N != 5 {
		t.Errorf("stopped batch recorded as %+v; want the 5 jobs queued", b)
	}

	b := virtual(t, set)
	if err := Replay(b, acts, a.Since()); err != nil {
		t.Fatal(err)
	}
	want, got := describe(a), describe(b)
	if len(got) != len(want) {
		t.Fatalf("replay has %d jobs; want %d", len(got), len(want))
	}
	var started, failed, cancelled int
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("job %d:\n replay %s\n   live %s", i, got[i], want[i])
		}
		switch a.Jobs()[i].State() {
		case sched.Started:
			started++
		case sched.Failed:
			failed++
		case sched.Cancelled:
			cancelled++
		}
	}
	// The run is worth comparing: every outcome happened.
	if started == 0 || failed == 0 || cancelled == 0 {
		t.Errorf("%d started, %d failed, %d cancelled: the run should have some of each", started, failed, cancelled)
	}
	if b.Since() != a.Since() {
		t.Errorf("replay ended at %v; want %v", b.Since(), a.Since())
	}

	// Another seed is another run.
	set.Seed = 43
	c := virtual(t, set)
	if err := Replay(c, acts, a.Since()); err != nil {
		t.Fatal(err)
	}
	if c.Jobs()[0].ID() == a.Jobs()[0].ID() {
		t.Error("seeds 42 and 43 gave the same first id")
	}
}

func TestReplayRefusesBadActions(t *testing.T) {
	for _, tc := range []struct {
		name string
		acts []Action
	}{
		{"cancel of no job", []Action{{Kind: Cancel, N: 0}}},
		{"cancel of no batch", []Action{{Kind: Queue}, {Kind: CancelBatch, N: 1}}},
		{"time going back", []Action{{At: time.Second, Kind: Queue}, {At: 0, Kind: Queue}}},
		{"empty batch", []Action{{Kind: QueueBatch, N: 0}}},
		{"unknown kind", []Action{{Kind: 99}}},
	} {
		r := virtual(t, Settings{Seed: 1})
		if err := Replay(r, tc.acts, 0); err == nil {
			t.Errorf("%s: replay gave no error", tc.name)
		}
	}
	if err := Replay(New(Settings{Seed: 1}), nil, 0); err == nil {
		t.Error("a real-time run replayed without an error")
	}
}

// TestSeedDecidesIDs: the ids follow the seed, whatever the slicing of
// the submissions.
func TestSeedDecidesIDs(t *testing.T) {
	a, b := virtual(t, Settings{Seed: 9}), virtual(t, Settings{Seed: 9})
	ba, _ := a.NewBatch(10, 0)
	ba.Queue(10)
	bb, _ := b.NewBatch(10, 0)
	for bb.Open() {
		bb.Queue(3)
	}
	for i := range 10 {
		if x, y := a.Jobs()[i].ID(), b.Jobs()[i].ID(); x != y {
			t.Errorf("job %d: %s and %s", i, x, y)
		}
	}
	if len(b.Actions()) != 1 {
		t.Errorf("a batch in 4 slices is %d actions; want 1", len(b.Actions()))
	}
}

// TestBatchThatNeverQueuedIsNoBatch: a batch refused at its first slice
// leaves no action and no number behind, so the numbers of later batches
// match a replay's.
func TestBatchThatNeverQueuedIsNoBatch(t *testing.T) {
	r := virtual(t, Settings{Seed: 3})
	b, err := r.NewBatch(5, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := b.Queue(5); !errors.Is(err, sched.ErrClosed) {
		t.Fatalf("Queue on a closed run: %v; want ErrClosed", err)
	}
	if acts := r.Actions(); len(acts) != 0 || r.Busy() {
		t.Errorf("actions %+v, busy %v; want none, not busy", acts, r.Busy())
	}
	if _, err := r.CancelBatch(1); err == nil {
		t.Error("CancelBatch(1) found a batch that never queued a job")
	}
}
