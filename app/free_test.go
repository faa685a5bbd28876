//go:build !(js && wasm)

package app

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// virtualPage mounts the page in free play, in virtual time, with starts
// as set says, under seed.
func virtualPage(t *testing.T, set play.Settings, seed uint64) *tester {
	t.Helper()
	tt := mountPage(t)
	tt.do(func(ctx goapp.Context) { tt.p.run.onMode(true)(ctx, goapp.Event{}) })
	tt.do(func(goapp.Context) {
		tt.p.st.set.Start, tt.p.st.set.Seed, tt.p.st.seeded = set, seed, true
		tt.p.st.reset()
	})
	return tt
}

func (tt *tester) step() {
	tt.do(func(ctx goapp.Context) { tt.p.run.onStep(ctx, goapp.Event{}) })
	tt.settle(100 * time.Millisecond)
}

// TestTimeoutInTheForm: One job with a timeout queues a job that the
// timeout cancels, at exactly its time, and the form and the status line
// say so.
func TestTimeoutInTheForm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := virtualPage(t, play.Settings{}, 7)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.timeout = "1h", "50ms"; tt.p.free.queueOne() })
		tt.settle(time.Millisecond)
		j := tt.p.st.sess.run.Jobs()[0]
		id := shortID(j.ID())
		tt.wantText("single-note", "Queued job "+id+" to start in 1 h; timeout 50 ms.")
		tt.step()
		rec := j.Record()
		if rec.State != sched.Cancelled || rec.DoneAt.Sub(rec.QueuedAt) != 50*time.Millisecond || !errors.Is(rec.Err, context.DeadlineExceeded) {
			t.Fatalf("the job: %v at +%v, %v; want cancelled at +50ms by its timeout", rec.State, rec.DoneAt.Sub(rec.QueuedAt), rec.Err)
		}
		tt.wantText("single-note", "Job "+id+" was cancelled at its 50 ms timeout: context deadline exceeded.")
		if want := "Job " + id + " was cancelled at its 50 ms timeout."; tt.p.st.say != want {
			t.Errorf("the page says %q; want %q", tt.p.st.say, want)
		}
		if got := tt.p.st.linkState().Timeout; got != 50*time.Millisecond {
			t.Errorf("the link's timeout is %v; want 50ms", got)
		}

		// A job that starts within its timeout says so too.
		tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.timeout = "5ms", "1s"; tt.p.free.queueOne() })
		tt.settle(time.Millisecond)
		id = shortID(tt.p.st.sess.run.Jobs()[1].ID())
		tt.step()
		tt.wantText("single-note", "Job "+id+" started 5 ms after it was queued, within its 1 s timeout.")
	})
}

// TestNextDueStopsAtATimeout: Next due stops at a timeout that comes
// before the next due time, and says so.
func TestNextDueStopsAtATimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := virtualPage(t, play.Settings{}, 9)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.timeout = "1h", "50ms"; tt.p.free.queueOne() })
		tt.settle(time.Millisecond)
		tt.do(func(ctx goapp.Context) { tt.p.run.onNextDue(ctx, goapp.Event{}) })
		if want := "Jumped to +50 ms, where a job's timeout comes before the next due time."; tt.p.st.say != want {
			t.Errorf("Next due says %q; want %q", tt.p.st.say, want)
		}
		tt.settle(100 * time.Millisecond)
		if got := tt.p.st.sess.run.Since(); got != 50*time.Millisecond {
			t.Errorf("Next due went to +%v; want the timeout, at +50ms", got)
		}
		if want := "Job " + shortID(tt.p.st.sess.run.Jobs()[0].ID()) + " was cancelled at its 50 ms timeout."; tt.p.st.say != want {
			t.Errorf("the page says %q; want %q", tt.p.st.say, want)
		}
	})
}

// TestBadTimeoutQueuesNothing: a timeout that is not one says why beside
// its field, which is marked, and queues nothing.
func TestBadTimeoutQueuesNothing(t *testing.T) {
	for in, says := range map[string]string{
		"-5ms": `"-5ms" is negative: a timeout is 0 (none) or more.`,
		"soon": `"soon" is not a number: enter a timeout such as 250ms, 2s, 1min or 1h.`,
		"25h":  "25h is too long: the longest timeout is 24h.",
	} {
		synctest.Test(t, func(t *testing.T) {
			tt := mountPage(t)
			tt.freePlay("one")
			tt.do(func(goapp.Context) { tt.p.free.timeout = in; tt.p.free.queueOne() })
			tt.settle(time.Millisecond)
			if got := html.UnescapeString(tt.byID("timeout-error").text); got != says {
				t.Errorf("#timeout-error says %q; want %q", got, says)
			}
			if tt.byID("timeout").attrs["aria-invalid"] != "true" {
				t.Errorf("%q: #timeout not marked aria-invalid", in)
			}
			if n := len(tt.p.st.sess.run.Jobs()); n != 0 {
				t.Errorf("%q: %d jobs queued", in, n)
			}
		})
	}
}

// firstFailingJob returns a seed under which, of n jobs from position 0,
// the first that fails under set is at from to to, and its position.
func firstFailingJob(t *testing.T, set play.Settings, n, from, to int) (uint64, int) {
	t.Helper()
	for seed := uint64(1); seed < 10000; seed++ {
		for pos := range n {
			if _, out := set.Decide(seed, pos); out != play.Succeed {
				if pos >= from && pos <= to {
					return seed, pos
				}
				break
			}
		}
	}
	t.Fatal("no seed found")
	return 0, 0
}

// TestGroupInTheForm: A batch with Cancel others on failure binds the
// batch as a group; its first failure cancels those still queued, and the
// gather says which job failed, how many it cancelled and how many had
// started.
func TestGroupInTheForm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set := play.Settings{StartTime: 10 * time.Millisecond, FailPct: 25, Limit: 1}
		seed, f := firstFailingJob(t, set, 10, 2, 6)
		tt := virtualPage(t, set, seed)
		tt.freePlay("batch")
		if tt.byID("batch-group").attrs["checked"] == "true" {
			t.Fatal("Cancel others on failure is checked before any click")
		}
		tt.do(func(goapp.Context) {
			tt.p.free.batchGroup = true
			tt.p.free.batchSize, tt.p.free.batchDelay = "10", "1ms"
			tt.p.free.batchStart()
		})
		tt.settle(time.Millisecond)
		if a := tt.p.st.sess.run.Actions(); len(a) != 1 || !a[0].Group {
			t.Fatalf("actions %+v; want one batch as a group", a)
		}
		for range f + 2 {
			tt.step()
		}
		jobs := tt.p.st.sess.run.Jobs()
		status := tt.byID("batch-status").text
		want := fmt.Sprintf("Batch 1: job %s failed, so the %d others still queued were cancelled; %d had started", shortID(jobs[f].ID()), 10-f-1, f)
		if status != want {
			t.Errorf("#batch-status says %q; want %q", status, want)
		}
		if tt.p.st.say != "Gathered b"+strings.TrimPrefix(want, "B")+"." {
			t.Errorf("the page says %q", tt.p.st.say)
		}
		for i, j := range jobs[f+1:] {
			if err := j.Err(); !errors.Is(err, sched.ErrCancelled) || !errors.Is(err, play.ErrStartFailed) || errors.Is(err, sched.ErrFailed) {
				t.Errorf("job %d: %v; want cancelled by the failure", f+1+i, err)
			}
		}
		if got := tt.p.st.linkState(); !got.BatchGroup || !got.Actions[0].Group {
			t.Errorf("the link holds the group as %v, %+v", got.BatchGroup, got.Actions)
		}
	})
}

// TestLinkOpensWithTimeoutAndGroup: a link's timeout and group reach the
// forms, and the page writes the same link back.
func TestLinkOpensWithTimeoutAndGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := link.Default()
		st.Tab, st.Timeout, st.BatchGroup = freeTab, 1500*time.Millisecond, true
		q, _ := st.Encode()
		if q != "tab=free&timeout=1.5s&group=1" {
			t.Fatalf("the link is %q", q)
		}
		tt := mountPageAt(t, q)
		tt.freePlay("one")
		if got := tt.byID("timeout").attrs["value"]; got != "1500ms" {
			t.Errorf("#timeout shows %q; want 1500ms", got)
		}
		tt.freePlay("batch")
		if tt.byID("batch-group").attrs["checked"] != "true" {
			t.Error("Cancel others on failure is not checked")
		}
		if got, _ := tt.p.st.linkState().Encode(); got != q {
			t.Errorf("the page writes %q; want %q", got, q)
		}
		// Unchecked and emptied, the link is plain again.
		tt.do(func(goapp.Context) { tt.p.free.batchGroup, tt.p.free.timeout = false, ""; tt.p.free.keep() })
		if got, _ := tt.p.st.linkState().Encode(); got != "tab=free" {
			t.Errorf("with no timeout and no group the page writes %q", got)
		}
	})
}

// TestReplayInThePageWithTimeoutAndGroup: a virtual run with jobs that
// time out and a group that a failure cancels, made with the page's own
// controls, replays the same, from the page and from its link.
func TestReplayInThePageWithTimeoutAndGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set := play.Settings{StartTime: 3 * time.Millisecond, Jitter: 2 * time.Millisecond, FailPct: 20, Limit: 2}
		seed, _ := firstFailingJob(t, set, 31, 4, 12)
		tt := virtualPage(t, set, seed)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.timeout = "1h", "20ms"; tt.p.free.queueOne() })
		tt.do(func(goapp.Context) {
			tt.p.free.batchGroup, tt.p.free.batchSize, tt.p.free.batchDelay = true, "30", "2ms"
			tt.p.free.batchStart()
		})
		tt.do(func(goapp.Context) { tt.p.free.delay, tt.p.free.timeout = "2ms", "9ms"; tt.p.free.queueOne() }) // waits for a slot
		tt.settle(time.Millisecond)
		for range 60 {
			tt.step()
		}
		var timedOut, byFailure int
		for _, j := range tt.p.st.sess.run.Jobs() {
			switch err := j.Err(); {
			case errors.Is(err, context.DeadlineExceeded):
				timedOut++
			case errors.Is(err, sched.ErrCancelled):
				byFailure++
			}
		}
		if timedOut != 2 || byFailure == 0 {
			t.Fatalf("%d timed out, %d cancelled by a failure; want 2 and some", timedOut, byFailure)
		}
		want := jobsOf(tt.p.st.sess)
		wantEnd := tt.p.st.linkEnd(tt.p.st.sess.run.Actions())
		q, full := tt.p.st.linkState().Encode()
		if !full || !strings.Contains(q, "group=1") || !strings.Contains(q, "-g") {
			t.Fatalf("the link %q does not hold the run", q)
		}
		replay := func(what string) {
			t.Helper()
			tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
			for i := 0; i < 100 && tt.p.st.sess.replay != nil; i++ {
				tt.settle(time.Second)
			}
			if !strings.HasPrefix(tt.p.share.note, "Replayed") {
				t.Fatalf("%s did not end: %q", what, tt.p.share.note)
			}
			if got := jobsOf(tt.p.st.sess); !slices.Equal(got, want) {
				t.Errorf("%s differs:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if end := tt.p.st.sess.run.Since(); end != wantEnd {
				t.Errorf("%s ends at %v; want %v", what, end, wantEnd)
			}
		}
		replay("the replay")
		tt = mountPageAt(t, q)
		replay("the link's replay")
	})
}

func TestSummarizeGroup(t *testing.T) {
	at := func(ms int) time.Time { return play.Origin.Add(time.Duration(ms) * time.Millisecond) }
	failed := &sched.JobError{State: sched.Failed, Cause: play.ErrStartFailed}
	// d failed first, at 7 ms, and cancelled e and f; c failed after, in a
	// start already in progress; b was cancelled before, by the visitor.
	byFailure := &sched.JobError{State: sched.Cancelled, Cause: &sched.GroupFailure{ID: "d0000000", Err: play.ErrStartFailed}}
	byVisitor := &sched.JobError{State: sched.Cancelled, Cause: sched.ErrCancelled}
	recs := []sched.Record{
		{ID: "a0000000", State: sched.Started, DoneAt: at(5)},
		{ID: "b0000000", State: sched.Cancelled, DoneAt: at(2), Err: byVisitor},
		{ID: "c0000000", State: sched.Failed, DoneAt: at(9), Err: failed},
		{ID: "d0000000", State: sched.Failed, DoneAt: at(7), Err: failed},
		{ID: "e0000000", State: sched.Cancelled, DoneAt: at(7), Err: byFailure},
		{ID: "f0000000", State: sched.Cancelled, DoneAt: at(7), Err: byFailure},
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	for _, c := range []struct {
		n    int // of recs
		want string
	}{
		{6, "job d0000000 failed, so the 2 others still queued were cancelled; 1 had started, 1 more failed, 1 was cancelled otherwise"},
		{5, "job d0000000 failed, so the 1 other still queued was cancelled; 1 had started, 1 more failed, 1 was cancelled otherwise"},
		{4, "job d0000000 failed, and no other was still queued to cancel; 1 had started, 1 more failed, 1 was cancelled otherwise"},
		{3, "job c0000000 failed, and no other was still queued to cancel; 1 had started, 1 was cancelled otherwise"},
	} {
		if got, ok := summarizeGroup(ids[:c.n], recs[:c.n], nil); ok || got != c.want {
			t.Errorf("%d records: %q, %v\nwant %q, false", c.n, got, ok, c.want)
		}
	}
	// The job a failure names is the first, whatever the order of the
	// records' times.
	late := slices.Clone(recs)
	late[3].DoneAt = at(100)
	if got, _ := summarizeGroup(ids, late, nil); !strings.HasPrefix(got, "job d0000000 failed, so the 2 others") {
		t.Errorf("the failure named by the cancelled jobs is not the first: %q", got)
	}
	// With no failure, a group's gather is any batch's.
	ok := []sched.Record{{ID: "a0000000", State: sched.Started, QueuedAt: at(0), StartedAt: at(5), DoneAt: at(5)}}
	if got, good := summarizeGroup(ids[:1], ok, nil); !good || got != "1 record, in order, all valid" {
		t.Errorf("no failure: %q, %v", got, good)
	}
}
