package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

type fakeHandle struct {
	id      string
	riverID int64
}

func (h fakeHandle) ID() string     { return h.id }
func (h fakeHandle) RiverID() int64 { return h.riverID }

// TestCheckBatches: the batch check passes a good batch and fails each
// way a batch can be wrong, saying how.
func TestCheckBatches(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	id := func(i int) string { return strings.Repeat(string("0123456789abcdef"[i]), 32) }
	// good is a batch of 3 queued at t0 with a 1 s delay, each fetched
	// 100 ms late, and a batch of 1 queued a second later.
	good := func() ([]handle, []sched.Record) {
		var hs []handle
		var recs []sched.Record
		for i := range 4 {
			q := t0
			if i == 3 {
				q = t0.Add(time.Second)
			}
			ready := q.Add(1100 * time.Millisecond)
			hs = append(hs, fakeHandle{id(i), int64(10 + i)})
			recs = append(recs, sched.Record{ID: id(i), Delay: time.Second, QueuedAt: q, ReadyAt: ready,
				StartedAt: ready.Add(time.Millisecond), DoneAt: ready.Add(time.Millisecond), State: sched.Started})
		}
		return hs, recs
	}
	var out strings.Builder
	hs, recs := good()
	if failed := checkBatches(&out, hs, recs); failed != 0 || strings.Count(out.String(), ": ok: ") != 2 {
		t.Errorf("a good pair of batches: %d failed:\n%s", failed, &out)
	}

	for _, tc := range []struct {
		name  string
		spoil func(hs []handle, recs []sched.Record)
		want  string
	}{
		{"not started", func(_ []handle, r []sched.Record) {
			r[1].State, r[1].StartedAt, r[1].Err = sched.Cancelled, time.Time{}, &sched.JobError{ID: r[1].ID, State: sched.Cancelled, Cause: errors.New("why not")}
		}, "job 1, " + id(1) + ": it is cancelled, not started: sched: job " + id(1) + " cancelled: why not"},
		{"not valid", func(_ []handle, r []sched.Record) {
			r[0].Delay, r[0].ReadyAt, r[0].StartedAt = 0, r[0].QueuedAt, r[0].QueuedAt
		}, "job 0, " + id(0) + ": not valid: queued at"},
		{"early", func(_ []handle, r []sched.Record) { r[2].ReadyAt = r[2].QueuedAt.Add(999 * time.Millisecond) },
			"job 2, " + id(2) + ": started before it was due"},
		{"gathered out of order", func(_ []handle, r []sched.Record) { r[0], r[1] = r[1], r[0] },
			"record 0 is job " + id(1) + ", not " + id(0) + ": not in order"},
		{"queued out of order", func(h []handle, _ []sched.Record) { h[2] = fakeHandle{id(2), 5} },
			"job 2, " + id(2) + ", was queued before job 1: not in order"},
		{"bad id", func(h []handle, r []sched.Record) { r[1].ID, h[1] = "x", fakeHandle{"x", 11} },
			`job 1, x: id "x" is not 32 hex digits`},
	} {
		hs, recs := good()
		tc.spoil(hs, recs)
		out.Reset()
		if failed := checkBatches(&out, hs, recs); failed != 1 || !strings.Contains(out.String(), ": FAILED: ") ||
			!strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: %d failed:\n%s\nwant 1, saying %q", tc.name, failed, &out, tc.want)
		}
	}
}
