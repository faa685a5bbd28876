package export

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

type traceFile struct {
	DisplayTimeUnit string            `json:"displayTimeUnit"`
	OtherData       map[string]string `json:"otherData"`
	TraceEvents     []event           `json:"traceEvents"`
}

type event struct {
	Name string         `json:"name"`
	Cat  *string        `json:"cat"`
	Ph   string         `json:"ph"`
	TS   *json.Number   `json:"ts"`
	PID  *int           `json:"pid"`
	TID  *int           `json:"tid"`
	ID   *string        `json:"id"`
	Args map[string]any `json:"args"`
}

// ns returns e's ts in nanoseconds.
func (e event) ns(t *testing.T) int64 {
	t.Helper()
	f, err := e.TS.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return int64(f*1000 + 0.5*sign(f))
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func readTrace(t *testing.T, out []byte) traceFile {
	t.Helper()
	var tr traceFile
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	if err := d.Decode(&tr); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	for i, e := range tr.TraceEvents {
		if e.Name == "" || e.Ph == "" || e.TS == nil || e.PID == nil || e.TID == nil {
			t.Errorf("event %d lacks name, ph, ts, pid or tid: %+v", i, e)
		}
		if e.Ph == "X" {
			t.Errorf("event %d is a complete event", i)
		}
		if (e.Ph == "b" || e.Ph == "e") && (e.Cat == nil || e.ID == nil) {
			t.Errorf("async event %d lacks cat or id: %+v", i, e)
		}
	}
	return tr
}

// slice is a b/e pair of events.
type slice struct{ b, e event }

// pairs returns the trace's async slices, by id and name, as a viewer
// pairs them: it sorts the events by ts (ties in file order, as Perfetto's
// sorter keeps them) and matches each "e" with the innermost open slice of
// its cat and id, which must have its name.
func pairs(t *testing.T, tr traceFile) map[[2]string]slice {
	t.Helper()
	evs := slices.Clone(tr.TraceEvents)
	slices.SortStableFunc(evs, func(a, b event) int {
		an, bn := a.ns(t), b.ns(t)
		if an < bn {
			return -1
		}
		if an > bn {
			return 1
		}
		return 0
	})
	open := map[[2]string][]event{} // by cat and id
	got := map[[2]string]slice{}    // by id and name
	for _, e := range evs {
		if e.Ph != "b" && e.Ph != "e" {
			continue
		}
		track := [2]string{*e.Cat, *e.ID}
		if e.Ph == "b" {
			open[track] = append(open[track], e)
			continue
		}
		stack := open[track]
		if len(stack) == 0 {
			t.Errorf("%q %q ends at %v before it begins", *e.ID, e.Name, e.TS)
			continue
		}
		b := stack[len(stack)-1]
		open[track] = stack[:len(stack)-1]
		if b.Name != e.Name {
			t.Errorf("%q: %q ends while %q is open", *e.ID, e.Name, b.Name)
		}
		key := [2]string{*e.ID, e.Name}
		if _, dup := got[key]; dup {
			t.Errorf("%q has two %q slices", *e.ID, e.Name)
		}
		got[key] = slice{b, e}
	}
	for track, stack := range open {
		if len(stack) > 0 {
			t.Errorf("%q: %d slices never end", track[1], len(stack))
		}
	}
	return got
}

func TestTraceHasAnAsyncSliceAJob(t *testing.T) {
	m, jobs := fixture(sameWall)
	tr := readTrace(t, Write(Trace, m, jobs))
	if tr.DisplayTimeUnit != "ms" {
		t.Errorf("displayTimeUnit = %q", tr.DisplayTimeUnit)
	}
	if o := tr.OtherData; o["seed"] != "42" || o["link"] != m.Link || o["virtual"] != "false" {
		t.Errorf("otherData = %v", o)
	}
	var meta []string
	for _, e := range tr.TraceEvents {
		if e.Ph == "M" {
			meta = append(meta, e.Name+"="+e.Args["name"].(string))
		}
	}
	if !slices.Equal(meta, []string{"process_name=wasmsched run", "thread_name=jobs"}) {
		t.Errorf("metadata events: %q", meta)
	}

	got := pairs(t, tr)
	us := func(t time.Time) string { // microseconds, independently of appendDecimal
		return strconv.FormatFloat(float64(t.Sub(m.Start))/1e3, 'f', -1, 64)
	}
	for i, j := range jobs {
		r := j.Rec
		name := "job " + r.State.String()
		job, ok := got[[2]string{r.ID, name}]
		if !ok {
			t.Errorf("job %d: no slice %q", i, name)
			continue
		}
		if *job.b.Cat != "job" {
			t.Errorf("job %d: cat %q", i, *job.b.Cat)
		}
		end := r.DoneAt
		if !r.State.Final() {
			end = m.At
		}
		if job.b.TS.String() != us(r.QueuedAt) || job.e.TS.String() != us(end) {
			t.Errorf("job %d: from %v to %v µs, want %v to %v", i, job.b.TS, job.e.TS, us(r.QueuedAt), us(end))
		}
		if open, _ := job.e.Args["open"].(bool); open == r.State.Final() {
			t.Errorf("job %d (%v): open = %v", i, r.State, job.e.Args["open"])
		}
		if job.b.Args["id"] != r.ID || job.e.Args["state"] != r.State.String() {
			t.Errorf("job %d: args %v, %v", i, job.b.Args, job.e.Args)
		}
		if w := want(m, j)["error"]; r.Err != nil && job.e.Args["error"] != w {
			t.Errorf("job %d: error %q, want %q", i, job.e.Args["error"], w)
		}

		start, ok := got[[2]string{r.ID, "start"}]
		if ok != !r.ReadyAt.IsZero() {
			t.Errorf("job %d: has a start slice: %v, ReadyAt %v", i, ok, r.ReadyAt)
		}
		if !ok {
			continue
		}
		if start.b.TS.String() != us(r.ReadyAt) || start.e.TS.String() != us(end) {
			t.Errorf("job %d: start from %v to %v µs, want %v to %v", i, start.b.TS, start.e.TS, us(r.ReadyAt), us(end))
		}
		if start.b.ns(t) < job.b.ns(t) || start.e.ns(t) > job.e.ns(t) {
			t.Errorf("job %d: start [%v, %v] is not inside its job [%v, %v]", i, start.b.TS, start.e.TS, job.b.TS, job.e.TS)
		}
	}

	// The brief's figures, as text: a job queued at +1 µs + 1 ns and one at
	// +1.5 ms.
	if ts := got[[2]string{jobs[0].Rec.ID, "job started"}].b.TS.String(); ts != "1.001" {
		t.Errorf("job 0 queued at ts %s, want 1.001", ts)
	}
	if ts := got[[2]string{jobs[1].Rec.ID, "job cancelled"}].b.TS.String(); ts != "1500" {
		t.Errorf("job 1 queued at ts %s, want 1500", ts)
	}
}

func TestTraceNeverEndsBeforeItBegins(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) // no monotonic reading, as a virtual clock's
	at := func(d time.Duration) time.Time { return start.Add(d) }
	m := Meta{Start: start, Wall: start, At: at(5 * ms), Virtual: true}
	jobs := []Job{
		// Open, queued after the export's instant.
		{Pos: 0, Rec: sched.Record{ID: "a", QueuedAt: at(9 * ms), State: sched.Queued}},
		// Starting, ready after the export's instant.
		{Pos: 1, Rec: sched.Record{ID: "b", QueuedAt: at(1 * ms), ReadyAt: at(7 * ms), State: sched.Starting}},
		// Done before queued: a record no scheduler makes.
		{Pos: 2, Rec: sched.Record{ID: "c", QueuedAt: at(3 * ms), ReadyAt: at(2 * ms), DoneAt: at(1 * ms), State: sched.Started}},
		// No id: the position stands in.
		{Pos: 3, Rec: sched.Record{QueuedAt: at(1 * ms), DoneAt: at(2 * ms), State: sched.Cancelled}},
		{Pos: 4, Rec: sched.Record{QueuedAt: at(1 * ms), DoneAt: at(2 * ms), State: sched.Cancelled}},
	}
	tr := readTrace(t, Write(Trace, m, jobs))
	got := pairs(t, tr)
	if len(got) != 7 {
		t.Errorf("%d slices, want 7: %v", len(got), got)
	}
	for k, s := range got {
		if s.b.ns(t) > s.e.ns(t) {
			t.Errorf("%q ends at %v before it begins at %v", k, s.e.TS, s.b.TS)
		}
	}
}
