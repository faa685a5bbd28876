// Package export writes a run's jobs as a file the visitor can keep: JSON
// (every field, with the run's settings), CSV (a row a job, for a
// spreadsheet) or a Chrome trace (the Trace Event Format, which
// ui.perfetto.dev and Chrome DevTools open).
//
// An [Encoder] appends to a []byte and keeps what it must remember between
// calls itself, so that a page can build the file of 100,000 jobs a few
// thousand jobs a frame, flushing the slice between calls. [Write] makes a
// whole file at once. The per-job path uses no fmt and no reflection; it
// allocates only for a job's error text.
//
// Offsets are nanoseconds from [Meta.Start], taken with [time.Time.Sub], so
// that they come from the monotonic clock when the times have a reading.
// Printed times are [Meta.Wall] plus that offset, not the record's own wall
// time: in a browser the wall clock steps by whole milliseconds while the
// monotonic clock is finer, so a printed time and its offset always agree.
package export

import (
	"strconv"
	"time"

	"github.com/wasmsched/wasmsched/sched"
)

// Format is a kind of export file.
type Format uint8

const (
	JSON  Format = iota // one JSON object: the run, its settings and every job
	CSV                 // a header row, then one row a job (RFC 4180)
	Trace               // a Chrome trace (Trace Event Format, JSON object form)
)

var formatNames = [...]string{"json", "csv", "trace"}

// String returns the format's name, as [ParseFormat] reads it: "json",
// "csv" or "trace".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat returns the Format named s ("json", "csv" or "trace"), and
// false if s names none.
func ParseFormat(s string) (Format, bool) {
	for i, n := range formatNames {
		if s == n {
			return Format(i), true
		}
	}
	return 0, false
}

// Ext returns the file name extension, without the dot: "json", "csv", or
// "json" for a trace (Perfetto and DevTools look for .json). [Format.FileName]
// keeps the names of the two JSON files apart.
func (f Format) Ext() string {
	if f == CSV {
		return "csv"
	}
	return "json"
}

// MIME returns the media type of the file: "text/csv" for CSV, else
// "application/json".
func (f Format) MIME() string {
	if f == CSV {
		return "text/csv"
	}
	return "application/json"
}

// FileName returns the name to save an export of the run m as:
// "wasmsched-run-<seed>.json", "wasmsched-run-<seed>.csv" or
// "wasmsched-run-<seed>-trace.json".
func (f Format) FileName(m Meta) string {
	name := "wasmsched-run-" + strconv.FormatUint(m.Seed, 10)
	if f == Trace {
		name += "-trace"
	}
	return name + "." + f.Ext()
}

// Meta is what an export says about the run.
type Meta struct {
	// Start is when the run began by its clock; offsets count from it. It
	// may carry a monotonic reading.
	Start time.Time
	// Wall is the wall-clock time of Start (for a virtual run, Start
	// itself). Printed times are Wall plus their offset from Start.
	Wall time.Time
	// At is the instant of the export by the run's clock. A trace ends the
	// jobs still open here (zero: where they were queued).
	At      time.Time
	Virtual bool   // the run's clock is virtual
	Seed    uint64 // the run's seed; JSON writes it as a number, exact below 2^53
	// Link is the run's settings as a query string
	// ("time=virtual&seed=42&..."), to rebuild the run.
	Link string
	// Settings are the run's settings as people read them, in the order a
	// JSON export lists them. Names should be distinct: they become the
	// keys of a JSON object.
	Settings []Setting
	// Made is the wall-clock time the export was made: the file's own
	// timestamp. Zero writes null.
	Made time.Time
}

// Setting is one setting of the run, as people read it.
type Setting struct{ Name, Value string }

// Job is one job of the run.
type Job struct {
	Pos   int          // its position in the run, 0 for the first queued
	Batch int          // its batch, 0 for none
	Rec   sched.Record // its latest record
}

// Encoder writes one export:
//
//	b = e.Begin(b)
//	for _, j := range jobs {
//		b = e.Job(b, j)
//	}
//	b = e.End(b)
//
// Between any two calls the caller may flush b (copy it out and reuse
// b[:0]): the Encoder keeps whatever it needs to remember itself. An
// Encoder is made by [New], writes one export, and is not safe for
// concurrent use.
type Encoder struct {
	f    Format
	m    Meta
	wall time.Time // m.Wall in UTC
	at   int64     // m.At's offset
	jobs int       // jobs written so far

	// The date and time to the second of the last time printed, which the
	// next is likely to share: formatting it is most of the cost of a time.
	sec     int64
	secText []byte
	idq     []byte // scratch: a trace's job id, quoted
}

// New returns an Encoder of an export of the run m in format f. It panics
// if f is not one of the Formats.
func New(f Format, m Meta) *Encoder {
	if f > Trace {
		panic("export: unknown " + f.String())
	}
	e := &Encoder{f: f, m: m, wall: m.Wall.UTC()}
	e.at = e.off(m.At)
	return e
}

// Begin appends what comes before the jobs.
func (e *Encoder) Begin(b []byte) []byte {
	switch e.f {
	case JSON:
		return e.jsonBegin(b)
	case CSV:
		return append(b, csvHeader...)
	default:
		return e.traceBegin(b)
	}
}

// Job appends job j.
func (e *Encoder) Job(b []byte, j Job) []byte {
	switch e.f {
	case JSON:
		b = e.jsonJob(b, &j)
	case CSV:
		b = e.csvJob(b, &j)
	default:
		b = e.traceJob(b, &j)
	}
	e.jobs++
	return b
}

// End appends what comes after the jobs.
func (e *Encoder) End(b []byte) []byte {
	switch e.f {
	case JSON:
		if e.jobs > 0 {
			b = append(b, '\n')
		}
		return append(b, "]}\n"...)
	case CSV:
		return b
	default:
		return append(b, "\n]}\n"...)
	}
}

// Write returns the whole export of jobs in format f.
func Write(f Format, m Meta, jobs []Job) []byte {
	e := New(f, m)
	b := e.Begin(make([]byte, 0, 512+len(jobs)*f.bytesPerJob()))
	for _, j := range jobs {
		b = e.Job(b, j)
	}
	return e.End(b)
}

// bytesPerJob is about what a job takes (measured: see the benchmarks).
func (f Format) bytesPerJob() int {
	switch f {
	case CSV:
		return 260
	case Trace:
		return 650
	}
	return 450
}

// off returns t's offset from the run's start in nanoseconds.
func (e *Encoder) off(t time.Time) int64 { return int64(t.Sub(e.m.Start)) }

// appendStamp appends the RFC 3339 time at offset off: Wall + off, in UTC,
// as time.RFC3339Nano formats it.
func (e *Encoder) appendStamp(b []byte, off int64) []byte {
	t := e.wall.Add(time.Duration(off))
	if sec := t.Unix(); sec != e.sec || len(e.secText) == 0 {
		e.sec = sec
		e.secText = t.AppendFormat(e.secText[:0], "2006-01-02T15:04:05")
	}
	b = append(b, e.secText...)
	b = appendFraction(b, uint64(t.Nanosecond()), 9)
	return append(b, 'Z')
}

// appendDecimal appends n / 10^places as a decimal number, with no more
// fractional digits than it needs: appendDecimal(b, 1500, 3) is "1.5".
// It turns nanoseconds into microseconds (3) or milliseconds (6) exactly,
// with no float rounding.
func appendDecimal(b []byte, n int64, places int) []byte {
	u := uint64(n)
	if n < 0 {
		b = append(b, '-')
		u = -u
	}
	pow := uint64(1)
	for range places {
		pow *= 10
	}
	b = strconv.AppendUint(b, u/pow, 10)
	return appendFraction(b, u%pow, places)
}

// appendFraction appends frac / 10^places, which is less than 1, as a dot
// and the digits it needs; nothing if frac is 0.
func appendFraction(b []byte, frac uint64, places int) []byte {
	if frac == 0 {
		return b
	}
	var d [19]byte
	d[0] = '.'
	for i := places; i > 0; i-- {
		d[i] = '0' + byte(frac%10)
		frac /= 10
	}
	end := places + 1
	for d[end-1] == '0' {
		end--
	}
	return append(b, d[:end]...)
}
