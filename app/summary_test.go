package app

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestSummarizeBatch(t *testing.T) {
	ids := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = rec(i, 0, 0).ID
		}
		return s
	}
	started := func(n int) []sched.Record {
		r := make([]sched.Record, n)
		for i := range r {
			r[i] = rec(i, sched.Started, 0)
		}
		return r
	}
	withCancelled := started(10)
	be := &sched.BatchError{Errs: make([]error, 10)}
	for i := 7; i < 10; i++ {
		withCancelled[i] = rec(i, sched.Cancelled, 0)
		be.Errs[i] = sched.ErrCancelled
	}
	swapped := started(3)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	invalid := started(2)
	invalid[1].StartedAt = invalid[1].QueuedAt // the seed's check fails
	failed := started(2)
	failed[0] = rec(0, sched.Failed, 0)

	tests := []struct {
		name string
		ids  []string
		recs []sched.Record
		err  error
		want string
		ok   bool
	}{
		{"all valid", ids(10), started(10), nil, "10 records, in order, all valid", true},
		{"one job", ids(1), started(1), nil, "1 record, in order, all valid", true},
		{"cancelled", ids(10), withCancelled, be, "10 records: 3 cancelled, 7 valid", false},
		{"out of order", ids(3), swapped, nil, "3 records: 2 out of order, 3 valid", false},
		{"not valid", ids(2), invalid, nil, "2 records: 1 not valid (queued at the very instant they started), 1 valid", false},
		{"failed", ids(2), failed, &sched.BatchError{Errs: []error{sched.ErrFailed, nil}}, "2 records: 1 failed, 1 valid", false},
		{"missing", ids(3), started(2), nil, "2 records for 3 jobs: 2 valid", false},
		{"gather error", ids(3), nil, errors.New("boom"), "gather failed: boom", false},
	}
	for _, tt := range tests {
		got, ok := summarizeBatch(tt.ids, tt.recs, tt.err)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: summarizeBatch = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

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
