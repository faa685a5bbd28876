package export

import (
	"strconv"
)

// A trace is the Trace Event Format's JSON object form:
//
//	{"displayTimeUnit":"ms","otherData":{...},"traceEvents":[
//	{"name":"process_name","ph":"M",...},
//	{"name":"thread_name","ph":"M",...},
//	... four events or two a job ...
//	]}
//
// Each job is a nestable async slice, a "b" event at QueuedAt and an "e"
// at its end, and inside it, when the delay has ended (ReadyAt is set), a
// second slice "start" from ReadyAt to the same end: the wait for a start
// slot and the start function. So the delay and the start show as
// distinct parts. All four share cat "job" and the job's id, which is what
// ties them together. A job's end is its DoneAt, or Meta.At for a job not
// final at the export (Queued or Starting), whose "e" says open:true.
// Times are clamped so that no "e" comes before its "b". A job's events
// are written in the order b, b, e, e: Perfetto sorts events by ts and keeps
// the file's order between equal ones, so a job with no delay, or a start
// of no length, still nests.
//
// Why async events and not complete ("X") events: the jobs of a run
// overlap in time, and Perfetto does not draw overlapping X events of one
// thread (it expects them to nest); async events with an id per job each
// get a track, however many overlap.
//
// Why the slice of a job is named by its state ("job started", "job
// cancelled", ...) and not by its id: Perfetto gives each async id its own
// track, named after the track's first slice, and merges the tracks of a
// process that have the same name into one, stacking their slices without
// overlap. Named by state, the jobs of 100,000 make at most five tracks,
// one a state, each coloured by its name; named by id, they would be
// 100,000 tracks. The id is in the slice's args.
//
// "ts" is in microseconds from Meta.Start, with up to three decimals, so
// that it keeps nanoseconds (a reader's double keeps them for weeks).
// displayTimeUnit must not be "ns": Perfetto then reads every ts as
// nanoseconds.

// traceBegin appends the trace's metadata, the names of its process and
// thread, and opens the events.
func (e *Encoder) traceBegin(b []byte) []byte {
	m := &e.m
	b = append(b, `{"displayTimeUnit":"ms","otherData":{"format":"wasmsched-run","version":"1","seed":"`...)
	b = strconv.AppendUint(b, m.Seed, 10)
	b = append(b, `","virtual":"`...)
	b = strconv.AppendBool(b, m.Virtual)
	b = append(b, '"')
	if !m.Wall.IsZero() {
		b = append(b, `,"start":`...)
		b = appendJSONTime(b, m.Wall)
	}
	if !m.Made.IsZero() {
		b = append(b, `,"made":`...)
		b = appendJSONTime(b, m.Made)
	}
	b = append(b, `,"link":`...)
	b = appendString(b, m.Link)
	b = append(b, `},"traceEvents":[`+
		"\n"+`{"name":"process_name","ph":"M","ts":0,"pid":1,"tid":1,"args":{"name":"wasmsched run"}},`+
		"\n"+`{"name":"thread_name","ph":"M","ts":0,"pid":1,"tid":1,"args":{"name":"jobs"}}`...)
	return b
}

// traceJob appends a job's two or four events.
func (e *Encoder) traceJob(b []byte, j *Job) []byte {
	r := &j.Rec
	if r.ID != "" {
		e.idq = appendString(e.idq[:0], r.ID)
	} else { // ids must differ: fall back on the position
		e.idq = strconv.AppendInt(append(e.idq[:0], `"#`...), int64(j.Pos), 10)
		e.idq = append(e.idq, '"')
	}
	id := e.idq
	state := r.State.String()
	queued := e.off(r.QueuedAt)
	end := e.at
	open := !r.State.Final()
	if !open && !r.DoneAt.IsZero() {
		end = e.off(r.DoneAt)
	}
	end = max(end, queued)

	b = appendTraceEvent(b, state, 'b', queued, id)
	b = append(b, `,"args":{"id":`...)
	b = append(b, id...)
	b = append(b, `,"pos":`...)
	b = strconv.AppendInt(b, int64(j.Pos), 10)
	b = append(b, `,"batch":`...)
	b = strconv.AppendInt(b, int64(j.Batch), 10)
	b = append(b, `,"delay_ms":`...)
	b = appendDecimal(b, int64(r.Delay), 6)
	b = append(b, "}}"...)

	if !r.ReadyAt.IsZero() {
		ready := min(max(e.off(r.ReadyAt), queued), end)
		b = appendTraceEvent(b, "", 'b', ready, id)
		b = append(b, '}')
		b = appendTraceEvent(b, "", 'e', end, id)
		b = append(b, '}')
	}

	b = appendTraceEvent(b, state, 'e', end, id)
	b = append(b, `,"args":{"state":`...)
	b = appendString(b, state)
	b = append(b, `,"valid":`...)
	b = strconv.AppendBool(b, r.Valid())
	if !r.ReadyAt.IsZero() {
		b = append(b, `,"late_ms":`...)
		b = appendDecimal(b, int64(r.Lateness()), 6)
	}
	if r.Err != nil {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Err.Error())
	}
	if open {
		b = append(b, `,"open":true`...)
	}
	return append(b, "}}"...)
}

// appendTraceEvent appends the start of an async event of a job, up to its
// id, given quoted: named "job <state>", or "start" if state is "".
func appendTraceEvent(b []byte, state string, ph byte, ts int64, id []byte) []byte {
	b = append(b, ",\n"+`{"name":"`...)
	if state == "" {
		b = append(b, "start"...)
	} else {
		b = append(b, "job "...)
		b = append(b, state...) // a State's name: lower-case letters
	}
	b = append(b, `","cat":"job","ph":"`...)
	b = append(b, ph)
	b = append(b, `","ts":`...)
	b = appendDecimal(b, ts, 3)
	b = append(b, `,"pid":1,"tid":1,"id":`...)
	return append(b, id...)
}
