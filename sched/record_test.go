package sched_test

import (
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

func TestRecordValid(t *testing.T) {
	t0 := time.Now()
	tests := []struct {
		name    string
		queued  time.Time
		started time.Time
		want    bool
	}{
		{"started after queued", t0, t0.Add(time.Nanosecond), true},
		{"started when queued", t0, t0, false},
		{"started before queued", t0, t0.Add(-time.Millisecond), false},
		{"never started", t0, time.Time{}, false},
		{"zero record", time.Time{}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sched.Record{QueuedAt: tt.queued, StartedAt: tt.started}
			if got := r.Valid(); got != tt.want {
				t.Errorf("Valid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecordWaitedAndLateness(t *testing.T) {
	t0 := time.Now()
	r := sched.Record{
		Delay:     10 * time.Millisecond,
		QueuedAt:  t0,
		ReadyAt:   t0.Add(13 * time.Millisecond), // the timer was 3 ms late
		StartedAt: t0.Add(20 * time.Millisecond), // the start took 7 ms
	}
	if got, want := r.Waited(), 20*time.Millisecond; got != want {
		t.Errorf("Waited() = %v, want %v", got, want)
	}
	if got, want := r.Lateness(), 3*time.Millisecond; got != want {
		t.Errorf("Lateness() = %v, want %v: the timer's lateness, without the start's run time", got, want)
	}
	r.StartedAt = time.Time{}
	if r.Waited() != 0 {
		t.Errorf("a job not started: Waited() = %v, want 0", r.Waited())
	}
	r.ReadyAt = time.Time{}
	if r.Lateness() != 0 {
		t.Errorf("a job still in its delay: Lateness() = %v, want 0", r.Lateness())
	}
}

func TestStateStrings(t *testing.T) {
	tests := []struct {
		s     sched.State
		name  string
		final bool
	}{
		{sched.Queued, "queued", false},
		{sched.Starting, "starting", false},
		{sched.Started, "started", true},
		{sched.Cancelled, "cancelled", true},
		{sched.Failed, "failed", true},
		{sched.State(42), "State(42)", false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.name {
			t.Errorf("State(%d).String() = %q, want %q", tt.s, got, tt.name)
		}
		if got := tt.s.Final(); got != tt.final {
			t.Errorf("%v.Final() = %v, want %v", tt.s, got, tt.final)
		}
	}
}
