//go:build !(js && wasm)

package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/export"
	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
	"github.com/wasmsched/wasmsched/sched"
)

// TestLinkOpensWithItsSettings: every setting a link holds reaches the
// page and the run; an unknown parameter is ignored with a note; nothing
// runs; and the page writes the same link back.
func TestLinkOpensWithItsSettings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := link.Default()
		st.Tab, st.Virtual, st.Speed = freeTab, true, 6
		st.Delay, st.BatchN, st.BatchDelay = 250*time.Millisecond, 25, 2*time.Second
		st.Start = play.Settings{StartTime: 200 * time.Millisecond, Jitter: 1500 * time.Microsecond, FailPct: 10, PanicPct: 5, Limit: 3}
		st.Seed = 12345
		q, full := st.Encode()
		if !full {
			t.Fatal("a link without actions is not full")
		}
		tt := mountPageAt(t, q+"&bogus=1")

		p, f := tt.p, tt.p.free
		if p.st.set.Tab != freeTab || !p.st.set.Virtual || p.st.set.Speed != 6 {
			t.Errorf("tab %q, virtual %v, speed %d; want free, true, 6", p.st.set.Tab, p.st.set.Virtual, p.st.set.Speed)
		}
		for _, c := range []struct{ got, want string }{
			{f.delay, "250ms"}, {f.batchSize, "25"}, {f.batchDelay, "2s"},
			{f.startTime, "200ms"}, {f.jitter, "1.5ms"}, {f.failPct, "10"}, {f.panicPct, "5"}, {f.limit, "3"}, {tt.p.share.seed, "12345"},
		} {
			if c.got != c.want {
				t.Errorf("a field shows %q; want %q", c.got, c.want)
			}
		}
		if got, want := p.st.sess.run.Settings, st.Settings(); got != want {
			t.Errorf("the run's settings are %+v; want %+v", got, want)
		}
		if !strings.Contains(p.st.say, "ignored") || !strings.Contains(p.st.say, "bogus") {
			t.Errorf("the page says %q; want a note that bogus was ignored", p.st.say)
		}
		tt.wantText("count-total", "0")
		if got, _ := p.st.linkState().Encode(); got != q {
			t.Errorf("the page writes the link\n %s\nwant\n %s", got, q)
		}
	})
}

// TestDelayTextReadsBack: the text the page writes into a delay field
// reads back as the very same duration.
func TestDelayTextReadsBack(t *testing.T) {
	ds := []time.Duration{0, 1, time.Microsecond, 1500 * time.Microsecond, time.Millisecond, 90 * time.Second, time.Hour, maxDelay, maxDelay - 1}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		ds = append(ds, time.Duration(r.Int64N(int64(maxDelay)+1)))
	}
	for _, d := range ds {
		if got, err := parseDelay(delayText(d)); err != nil || got != d {
			t.Fatalf("delayText(%d) = %q reads back as %d, %v", d, delayText(d), got, err)
		}
	}
}

// jobsOf describes the run's jobs by position: ids, states and times.
func jobsOf(s *session) []string {
	var out []string
	for _, j := range s.run.Jobs() {
		r := j.Record()
		out = append(out, strings.Join([]string{r.ID, r.State.String(), r.QueuedAt.Sub(s.run.Began).String(),
			r.DoneAt.Sub(s.run.Began).String(), errText(r.Err)}, " "))
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return "-"
	}
	return err.Error()
}

// TestReplayInThePage: a virtual run made by the page's own controls (a
// job, a batch queued over several frames, a cancel from a row, steps of
// time), replayed, is the same run; so is a run opened from its link.
func TestReplayInThePage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.run.onMode(true)(ctx, goapp.Event{}) })
		tt.do(func(goapp.Context) {
			tt.p.st.set.Start.StartTime, tt.p.st.set.Start.FailPct = time.Millisecond, 30
			tt.p.st.reset()
		})
		tt.freePlay("one")
		step := func() {
			tt.do(func(ctx goapp.Context) { tt.p.run.onStep(ctx, goapp.Event{}) })
			tt.settle(100 * time.Millisecond)
		}
		tt.do(func(goapp.Context) { tt.p.free.delay = "5ms"; tt.p.free.queueOne() })
		step()
		tt.do(func(goapp.Context) { tt.p.free.batchSize, tt.p.free.batchDelay = "700", "2ms"; tt.p.free.batchStart() })
		tt.settle(time.Second)
		if n := len(tt.p.st.sess.run.Jobs()); n != 701 {
			t.Fatalf("%d jobs queued; want 701", n)
		}
		id := tt.p.st.sess.run.Jobs()[3].ID()
		tt.do(func(goapp.Context) { tt.p.records.cancel(id) })
		step()
		step()
		tt.do(func(ctx goapp.Context) { tt.p.run.onNextDue(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		want := jobsOf(tt.p.st.sess)
		wantEnd := tt.p.st.linkEnd(tt.p.st.sess.run.Actions())
		exports := func() map[string][]byte {
			t.Helper()
			files := map[string][]byte{}
			for _, name := range []string{"json", "csv", "trace"} {
				tt.do(func(ctx goapp.Context) { tt.p.share.exportAs(name) })
				for i := 0; i < 100 && tt.p.share.exportSt == "running"; i++ {
					tt.settle(100 * time.Millisecond)
				}
				f, _ := export.ParseFormat(name)
				outMu.Lock()
				files[name] = saved[f.FileName(export.Meta{Seed: tt.p.st.sess.run.Settings.Seed})]
				outMu.Unlock()
			}
			return files
		}
		wantFiles := exports()
		q, full := tt.p.st.linkState().Encode()
		if !full {
			t.Fatal("the run's actions did not fit in its link")
		}

		replay := func(what string) {
			t.Helper()
			tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
			for i := 0; i < 100 && (tt.p.st.sess.replay != nil); i++ {
				tt.settle(time.Second)
			}
			if (tt.p.st.sess.replay != nil) || !strings.HasPrefix(tt.p.share.note, "Replayed") {
				t.Fatalf("%s: the replay did not end: %q", what, tt.p.share.note)
			}
			got := jobsOf(tt.p.st.sess)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %d jobs; want %d", what, len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("%s: job %d is\n %s\nwant\n %s", what, i, got[i], want[i])
					}
				}
			}
			if end := tt.p.st.sess.run.Since(); end != wantEnd {
				t.Errorf("%s: ends at %v; want %v", what, end, wantEnd)
			}
			// The files of a virtual run and of its replay are the same,
			// byte for byte.
			for name, file := range exports() {
				if len(file) == 0 || !bytes.Equal(file, wantFiles[name]) {
					t.Errorf("%s: its %s export (%d bytes) differs from the run's (%d bytes)", what, name, len(file), len(wantFiles[name]))
				}
			}
		}
		replay("a replay of the run")

		// A new page opened from the link: nothing runs until Replay.
		tt2 := mountPageAt(t, q)
		if n := len(tt2.p.st.sess.run.Jobs()); n != 0 || !strings.Contains(tt2.p.st.say, "press Replay") {
			t.Fatalf("the link's page has %d jobs and says %q; want none yet, and to press Replay", n, tt2.p.st.say)
		}
		tt = tt2
		replay("the link's run")
	})
}

// TestExportsHoldEveryJob: each export has every job of the run, not only
// the rows shown, with whole ids.
func TestExportsHoldEveryJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("batch")
		tt.do(func(goapp.Context) { tt.p.free.batchSize = "600"; tt.p.free.batchStart() })
		tt.settle(time.Second)
		tt.wantText("count-started", "600")
		ids := map[string]bool{}
		for _, j := range tt.p.st.sess.run.Jobs() {
			ids[j.ID()] = true
		}
		for _, name := range []string{"json", "csv", "trace"} {
			tt.do(func(ctx goapp.Context) { tt.p.share.exportAs(name) })
			for i := 0; i < 100 && tt.p.share.exportSt == "running"; i++ {
				tt.settle(100 * time.Millisecond)
			}
			if tt.p.share.exportSt != "done" {
				t.Fatalf("%s: export state %q, note %q", name, tt.p.share.exportSt, tt.p.share.note)
			}
			f, _ := export.ParseFormat(name)
			outMu.Lock()
			file := saved[f.FileName(export.Meta{Seed: tt.p.st.sess.run.Settings.Seed})]
			outMu.Unlock()
			found := map[string]bool{}
			switch name {
			case "json":
				var doc struct{ Jobs []struct{ ID string } }
				if err := json.Unmarshal(file, &doc); err != nil {
					t.Fatalf("json: %v", err)
				}
				for _, j := range doc.Jobs {
					found[j.ID] = true
				}
			case "csv":
				rows, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
				if err != nil || len(rows) != 601 {
					t.Fatalf("csv: %d rows, %v; want a header and 600", len(rows), err)
				}
				for _, r := range rows[1:] {
					found[r[1]] = true
				}
			case "trace":
				var doc struct {
					TraceEvents []struct {
						Ph   string
						Args map[string]any
					}
				}
				if err := json.Unmarshal(file, &doc); err != nil {
					t.Fatalf("trace: %v", err)
				}
				for _, ev := range doc.TraceEvents {
					if id, ok := ev.Args["id"].(string); ok && ev.Ph == "b" {
						found[id] = true
					}
				}
			}
			if len(found) != len(ids) {
				t.Errorf("%s: %d jobs; want %d", name, len(found), len(ids))
			}
			for id := range found {
				if !ids[id] {
					t.Errorf("%s: id %q is not one of the run's", name, id)
					break
				}
			}
		}
	})
}

// TestCopyIDCopiesTheWholeID: a row's id is a button that copies the whole
// id, which the row shows only the start of.
func TestCopyIDCopiesTheWholeID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.queueOne() })
		tt.settle(time.Second)
		j := tt.p.st.sess.run.Jobs()[0]
		if want := `title="Copy ` + j.ID() + `"`; !strings.Contains(tt.html(), want) {
			t.Fatalf("no copy button with %s in the records", want)
		}
		tt.do(func(goapp.Context) { tt.p.records.copyID(j.ID()) })
		tt.settle(time.Millisecond)
		outMu.Lock()
		got := clipboard
		outMu.Unlock()
		if got != j.ID() || !strings.Contains(tt.p.st.say, j.ID()) {
			t.Errorf("clipboard %q, page says %q; want the id %s", got, tt.p.st.say, j.ID())
		}
		if j.State() != sched.Started {
			t.Errorf("the job is %v", j.State())
		}
	})
}

// TestSeedSurvivesTheOtherSettings: applying the start settings, or
// opening a link's run and then changing a setting, keeps the seed; a
// link's run stays in the address until a new run replaces it.
func TestSeedSurvivesTheOtherSettings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := link.Default()
		st.Tab, st.Virtual, st.Seed = freeTab, true, 4242
		st.Actions, st.End = []play.Action{{Kind: play.Queue, Delay: time.Millisecond}}, time.Millisecond
		q, _ := st.Encode()
		tt := mountPageAt(t, q)
		if got, _ := tt.p.st.linkState().Encode(); got != q {
			t.Errorf("before Replay the page's link is\n %s\nwant the link's run\n %s", got, q)
		}
		tt.do(func(goapp.Context) { tt.p.free.failPct = "30"; tt.p.free.applyStart() })
		if got := tt.p.st.sess.run.Settings.Seed; got != 4242 {
			t.Errorf("after Apply the run's seed is %d; want 4242", got)
		}
		if got := tt.p.st.linkState(); got.Seed != 4242 || len(got.Actions) != 0 {
			t.Errorf("after Apply the link has seed %d and %d actions; want 4242 and none: a new run", got.Seed, len(got.Actions))
		}
	})
}

// TestLessonEndsAReplay: a lesson run during a replay ends the replay's
// session, and the page is not left refusing actions.
func TestLessonEndsAReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay = "1h"; tt.p.free.queueOne() })
		tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
		if !(tt.p.st.sess.replay != nil) {
			t.Fatal("the replay did not begin")
		}
		tt.do(func(ctx goapp.Context) { tt.p.onTab("await")(ctx, goapp.Event{}) })
		tt.do(func(ctx goapp.Context) { tt.p.lesson.onRunLesson(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		if (tt.p.st.sess.replay != nil) || !tt.p.st.live() {
			t.Errorf("after a lesson, replaying=%v and the page says %q", (tt.p.st.sess.replay != nil), tt.p.st.say)
		}
	})
}

// TestLinkSaysWhereItOpens: a link to free play or to a lesson says what
// that tab does, not what the first lesson does.
func TestLinkSaysWhereItOpens(t *testing.T) {
	for q, want := range map[string]string{
		"":          "Start with lesson 1",
		"tab=free":  "Free play:",
		"tab=limit": "Lesson: ",
	} {
		p := &page{query: q}
		p.OnInit()
		if !strings.HasPrefix(p.st.say, want) {
			t.Errorf("a link %q says %q; want it to begin %q", q, p.st.say, want)
		}
	}
}

// TestReplayCanBeStopped: Replay pressed again during a replay stops it
// where it is, and says how far it got.
func TestReplayCanBeStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(ctx goapp.Context) { tt.p.run.onMode(true)(ctx, goapp.Event{}) })
		tt.freePlay("one")
		for range 20 {
			tt.do(func(goapp.Context) { tt.p.free.delay = "5ms"; tt.p.free.queueOne() })
			tt.do(func(ctx goapp.Context) { tt.p.run.onStep(ctx, goapp.Event{}) })
			tt.settle(50 * time.Millisecond)
		}
		tt.freePlay("share")
		tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
		if got := tt.byID("replay").text; got != "Stop replay" {
			t.Errorf("during a replay the button says %q", got)
		}
		tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
		tt.settle(time.Second)
		if tt.p.st.sess.replay != nil || !strings.HasPrefix(tt.p.share.note, "Replay stopped after") {
			t.Fatalf("after Stop replay: running %v, note %q", tt.p.st.sess.replay != nil, tt.p.share.note)
		}
		if n := len(tt.p.st.sess.run.Actions()); n >= 20 {
			t.Errorf("the stopped replay did all %d actions", n)
		}
		if got := tt.byID("replay").text; got != "Replay" {
			t.Errorf("after the replay the button says %q", got)
		}
	})
}

// TestRealTimeReplayExportsTheSameJobs: a real-time run replayed in real
// time exports the same ids, in the same states and the same order, as
// the run it replays: its files are ordered by position.
func TestRealTimeReplayExportsTheSameJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt := mountPage(t)
		tt.do(func(goapp.Context) {
			tt.p.st.set.Start.FailPct = 30
			tt.p.st.set.Start.StartTime = time.Millisecond
			tt.p.st.reset()
		})
		tt.freePlay("one")
		tt.do(func(goapp.Context) { tt.p.free.delay = "5ms"; tt.p.free.queueOne() })
		tt.settle(20 * time.Millisecond)
		tt.do(func(goapp.Context) { tt.p.free.batchSize, tt.p.free.batchDelay = "40", "2ms"; tt.p.free.batchStart() })
		tt.settle(20 * time.Millisecond)
		tt.do(func(goapp.Context) { tt.p.free.delay = "1h"; tt.p.free.queueOne() })
		tt.frame()
		id := tt.p.st.sess.run.Jobs()[41].ID()
		tt.do(func(goapp.Context) { tt.p.records.cancel(id) })
		tt.settle(time.Second)
		jobs := func() []string {
			t.Helper()
			tt.do(func(ctx goapp.Context) { tt.p.share.exportAs("json") })
			for i := 0; i < 100 && tt.p.share.exportSt == "running"; i++ {
				tt.settle(100 * time.Millisecond)
			}
			f, _ := export.ParseFormat("json")
			outMu.Lock()
			file := saved[f.FileName(export.Meta{Seed: tt.p.st.sess.run.Settings.Seed})]
			outMu.Unlock()
			var doc struct{ Jobs []struct{ ID, State string } }
			if err := json.Unmarshal(file, &doc); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, j := range doc.Jobs {
				out = append(out, j.ID+" "+j.State)
			}
			return out
		}
		want := jobs()
		if len(want) != 42 {
			t.Fatalf("the run's export has %d jobs; want 42", len(want))
		}
		tt.freePlay("share")
		tt.do(func(ctx goapp.Context) { tt.p.share.onReplay(ctx, goapp.Event{}) })
		for i := 0; i < 100 && tt.p.st.sess.replay != nil; i++ {
			tt.settle(time.Second)
		}
		if !strings.HasPrefix(tt.p.share.note, "Replayed") {
			t.Fatalf("the replay did not end: %q", tt.p.share.note)
		}
		if got := jobs(); !slices.Equal(got, want) {
			t.Errorf("the replay's export:\n%v\nthe run's:\n%v", got, want)
		}
	})
}
