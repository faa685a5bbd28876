package durable_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/sched"
)

// The seed's delays.
const (
	delaySmall = time.Millisecond
	delayLarge = time.Hour
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func openSQLite(t *testing.T, path string, cfg durable.Config) *durable.Scheduler {
	t.Helper()
	ctx := t.Context()
	s, err := durable.OpenSQLite(ctx, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testCtx bounds a test's waits: River moves a delayed job to available
// on a 5 s tick, so a wait of a minute is far more than any job needs.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestSeedScenarioSQLite is the seed's three checks on a SQLite file:
// one awaited job valid, one cancelled, a batch of 10 valid and in order.
func TestSeedScenarioSQLite(t *testing.T) {
	s := openSQLite(t, filepath.Join(t.TempDir(), "jobs.sqlite"), durable.Config{})
	seedScenario(t, testCtx(t), s)
}

func seedScenario(t *testing.T, ctx context.Context, s *durable.Scheduler) {
	t.Helper()
	// 1. Await one job.
	rec, err := s.Run(ctx, delaySmall)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkStarted(t, rec)
	t.Logf("awaited job: queued %v, started %v later, %v late", rec.QueuedAt.Format(time.StampMicro), rec.Waited(), rec.Lateness())

	// 2. Cancel a queued task; the cause is kept.
	job, err := s.Submit(ctx, delayLarge)
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("not needed any more")
	if ok, err := job.Cancel(ctx, cause); !ok || err != nil {
		t.Fatalf("Cancel = %v, %v; want true, nil", ok, err)
	}
	if ok, err := job.Cancel(ctx, cause); ok || err != nil {
		t.Fatalf("second Cancel = %v, %v; want false, nil", ok, err)
	}
	rec, err = job.Wait(ctx)
	if rec.State != sched.Cancelled || !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, cause) {
		t.Fatalf("cancelled job: %v, %v; want Cancelled with the cause", rec.State, err)
	}
	if rec.Valid() || !rec.StartedAt.IsZero() || rec.DoneAt.Before(rec.QueuedAt) {
		t.Errorf("cancelled job's record %+v: want not valid, not started, done after queued", rec)
	}

	// 3. Gather a batch, in order.
	jobs, err := s.SubmitBatch(ctx, 10, delaySmall)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := durable.Gather(ctx, jobs...)
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for i, r := range recs {
		checkStarted(t, r)
		if r.ID != jobs[i].ID() {
			t.Errorf("record %d is job %s, want %s: not in order", i, r.ID, jobs[i].ID())
		}
		if !r.QueuedAt.Equal(recs[0].QueuedAt) {
			t.Errorf("record %d queued at %v, the batch at %v", i, r.QueuedAt, recs[0].QueuedAt)
		}
	}
}

func checkStarted(t *testing.T, r sched.Record) {
	t.Helper()
	if !hexID.MatchString(r.ID) {
		t.Errorf("id %q is not 32 hex digits", r.ID)
	}
	if r.State != sched.Started || r.Err != nil || !r.Valid() {
		t.Errorf("record %+v: want Started, valid", r)
	}
	if due := r.QueuedAt.Add(r.Delay); r.ReadyAt.Before(due) || r.StartedAt.Before(r.ReadyAt) {
		t.Errorf("record %+v: want due %v ≤ ready ≤ started", r, due)
	}
}
