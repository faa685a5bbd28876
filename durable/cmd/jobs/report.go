package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// timeLayout is how times are printed: local, with the date, to the
// millisecond (SQLite's precision).
const timeLayout = "2006-01-02 15:04:05.000"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(timeLayout)
}

func fmtDur(d time.Duration) string { return d.Round(time.Millisecond).String() }

// fmtDelay is a delay as it would be typed: 1h, not 1h0m0s.
func fmtDelay(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fmtRange is the range of the jobs' waits.
func fmtRange(recs []sched.Record) string {
	lo, hi := minWaited(recs), maxWaited(recs)
	if fmtDur(lo) == fmtDur(hi) {
		return fmtDur(lo)
	}
	return fmtDur(lo) + " to " + fmtDur(hi)
}

// due is when the job was due.
func due(r sched.Record) time.Time { return r.QueuedAt.Add(r.Delay) }

// fromNow says when t is, seen from now: to the millisecond within a
// minute, else to the second.
func fromNow(t, now time.Time) string {
	d, when := t.Sub(now), "in "
	if d <= 0 {
		d, when = -d, "overdue by "
	}
	if d >= time.Minute {
		return when + d.Round(time.Second).String()
	}
	return when + fmtDur(d)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// rowFormat lays out one record: id, state, queued at, delay, started at,
// waited (queued to started), and a note that depends on the state: how
// late it was fetched (started), when it is due (queued), why it did not
// start (cancelled, failed).
const rowFormat = "%-32s  %-9s  %-23s  %-7s  %-23s  %-8s  %s"

var header = row6("id", "state", "queued at", "delay", "started at", "waited", "note")

func row6(a ...any) string {
	return strings.TrimRight(fmt.Sprintf(rowFormat, a...), " ") + "\n"
}

// formatRow is r as a row under header; now is for a queued job's due time.
func formatRow(r sched.Record, now time.Time) string {
	waited, note := "-", ""
	switch r.State {
	case sched.Queued:
		note = "due " + fmtTime(due(r)) + " (" + fromNow(due(r), now) + ")"
	case sched.Starting:
		note = "starting since " + fmtTime(r.ReadyAt)
	case sched.Started:
		waited = fmtDur(r.Waited())
		note = fmtDur(r.Lateness()) + " late"
	case sched.Cancelled, sched.Failed:
		note = "cause: none"
		if e, ok := r.Err.(*sched.JobError); ok && e.Cause != nil {
			note = "cause: " + e.Cause.Error()
		}
	}
	return row6(r.ID, r.State, fmtTime(r.QueuedAt), fmtDelay(r.Delay), fmtTime(r.StartedAt), waited, note)
}

// batchesOf groups the indexes of recs by queued time, each group in the
// order of recs, the groups in the order of their first record: the jobs
// of one SubmitBatch share a queued time. (Two batches queued in the same
// millisecond are taken for one.)
func batchesOf(recs []sched.Record) [][]int {
	var batches [][]int
	at := make(map[time.Time]int)
	for i, r := range recs {
		k, ok := at[r.QueuedAt.UTC()]
		if !ok {
			k = len(batches)
			at[r.QueuedAt.UTC()] = k
			batches = append(batches, nil)
		}
		batches[k] = append(batches[k], i)
	}
	return batches
}

// count is how many of recs[b] are in state s.
func count(recs []sched.Record, b []int, s sched.State) int {
	n := 0
	for _, i := range b {
		if recs[i].State == s {
			n++
		}
	}
	return n
}

func minWaited(recs []sched.Record) time.Duration {
	m := recs[0].Waited()
	for _, r := range recs[1:] {
		m = min(m, r.Waited())
	}
	return m
}

func maxWaited(recs []sched.Record) time.Duration {
	m := recs[0].Waited()
	for _, r := range recs[1:] {
		m = max(m, r.Waited())
	}
	return m
}
