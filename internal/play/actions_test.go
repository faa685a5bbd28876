package play

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// live does to r what a visitor might: jobs and batches queued between
// steps of time, cancels of every kind.
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
	no, jobs, err := r.QueueBatch(50, 2*time.Millisecond)
	must(err)
	if no != 1 || len(jobs) != 50 {
		t.Fatalf("first batch: number %d, %d jobs; want 1, 50", no, len(jobs))
	}
	_, err = r.Cancel(3)
	must(err)
	r.AdvanceTo(r.Now().Add(1500*time.Microsecond), 0)
	_, err = r.Queue(time.Hour)
	must(err)
	r.Step()
	r.Step()
	no, _, err = r.QueueBatch(20, 10*time.Millisecond)
	must(err)
	r.Step()
	_, err = r.CancelBatch(no)
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
	if b := acts[4]; b.Kind != QueueBatch || b.N != 20 {
		t.Errorf("second batch recorded as %+v; want 20 jobs", b)
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

// TestSeedDecidesIDs: the ids follow the seed and the positions alone,
// whether the jobs come one by one or as a batch.
func TestSeedDecidesIDs(t *testing.T) {
	a, b := virtual(t, Settings{Seed: 9}), virtual(t, Settings{Seed: 9})
	a.QueueBatch(10, 0)
	for range 10 {
		b.Queue(0)
	}
	for i := range 10 {
		if x, y := a.Jobs()[i].ID(), b.Jobs()[i].ID(); x != y {
			t.Errorf("job %d: %s and %s", i, x, y)
		}
	}
}

// TestBatchRefusedIsNoBatch: a batch the scheduler refuses leaves no
// action and no number behind, so the numbers of later batches match a
// replay's.
func TestBatchRefusedIsNoBatch(t *testing.T) {
	r := virtual(t, Settings{Seed: 3})
	r.Close()
	if _, _, err := r.QueueBatch(5, 0); !errors.Is(err, sched.ErrClosed) {
		t.Fatalf("QueueBatch on a closed run: %v; want ErrClosed", err)
	}
	if acts := r.Actions(); len(acts) != 0 {
		t.Errorf("actions %+v; want none", acts)
	}
	if _, err := r.CancelBatch(1); err == nil {
		t.Error("CancelBatch(1) found a batch that was refused")
	}
}

// TestReplayerStepsAcrossCalls: a replay capped at a few events a step
// gives the same run as one at once, and says how far it is.
func TestReplayerStepsAcrossCalls(t *testing.T) {
	set := Settings{StartTime: time.Millisecond, Limit: 2, Seed: 5}
	a := virtual(t, set)
	live(t, a)
	b := virtual(t, set)
	rp := NewReplayer(b, a.Actions(), a.Since())
	steps := 0
	for {
		done, err := rp.Step(3)
		if err != nil {
			t.Fatal(err)
		}
		if n, of := rp.Done(); n > of || of != len(a.Actions()) {
			t.Fatalf("Done() = %d of %d", n, of)
		}
		steps++
		if done {
			break
		}
	}
	if n, of := rp.Done(); n != of {
		t.Errorf("done with %d of %d actions", n, of)
	}
	if steps <= len(a.Actions()) {
		t.Errorf("%d steps for %d actions: the cap of 3 events a step did not split the work", steps, len(a.Actions()))
	}
	want, got := describe(a), describe(b)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stepped replay differs:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCancelFindsThePosition: Cancel(pos) cancels the job at pos whether
// it was queued alone or in a batch, among groups of both; Jobs lists them
// all by position; a position past the end is refused.
func TestCancelFindsThePosition(t *testing.T) {
	r := New(Settings{Virtual: true, Seed: 3})
	defer r.Close()
	var want []*sched.Job
	queue := func() {
		j, err := r.Queue(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, j)
	}
	queue()
	queue()
	_, b1, _ := r.QueueBatch(3, time.Hour)
	want = append(want, b1...)
	queue()
	_, b2, _ := r.QueueBatch(2, time.Hour)
	want = append(want, b2...)
	queue()
	got := r.Jobs()
	if len(got) != len(want) {
		t.Fatalf("Jobs has %d jobs; want %d", len(got), len(want))
	}
	for pos, j := range want {
		if got[pos] != j {
			t.Fatalf("Jobs()[%d] is not the job queued at %d", pos, pos)
		}
		if ok, err := r.Cancel(pos); !ok || err != nil || j.State() != sched.Cancelled {
			t.Fatalf("Cancel(%d) = %v, %v; the job there is %v", pos, ok, err, j.State())
		}
	}
	if _, err := r.Cancel(len(want)); err == nil {
		t.Errorf("Cancel(%d) past the end: no error", len(want))
	}
}
