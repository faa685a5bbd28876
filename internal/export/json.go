package export

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wasmsched/wasmsched/sched"
)

// A JSON export is one object, a job a line:
//
//	{"format":"wasmsched-run","version":1,"made":"<RFC 3339>","start":"<RFC 3339>",
//	"at_ns":n,"virtual":bool,"seed":n,"link":"...","settings":{"name":"value",...},"jobs":[
//	{"pos":n,"id":"<32 hex>","batch":n,"state":"started","delay_ns":n,
//	"queued_ns":n,"queued":"<RFC 3339>","ready_ns":n,"ready":"...","started_ns":n,"started":"...",
//	"done_ns":n,"done":"...","late_ns":n,"valid":bool,"error":"..."},
//	...
//	]}
//
// "start" is Meta.Wall; "made" Meta.Made; "at_ns" Meta.At's offset. A job's
// *_ns are offsets from Meta.Start, and its times Wall plus those offsets,
// in UTC with up to nine decimals. Every key is always there: a time not
// reached is null in both forms, late_ns is null until the delay has ended,
// error is null for a job that has none. state is sched.State's name.

// jsonBegin appends the run's fields and opens the list of jobs.
func (e *Encoder) jsonBegin(b []byte) []byte {
	m := &e.m
	b = append(b, `{"format":"wasmsched-run","version":1,"made":`...)
	b = appendJSONTime(b, m.Made)
	b = append(b, `,"start":`...)
	b = appendJSONTime(b, m.Wall)
	b = append(b, `,"at_ns":`...)
	if m.At.IsZero() {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, e.at, 10)
	}
	b = append(b, `,"virtual":`...)
	b = strconv.AppendBool(b, m.Virtual)
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, m.Seed, 10)
	b = append(b, `,"link":`...)
	b = appendString(b, m.Link)
	b = append(b, `,"settings":{`...)
	for i, s := range m.Settings {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s.Name)
		b = append(b, ':')
		b = appendString(b, s.Value)
	}
	return append(b, `},"jobs":[`...)
}

// appendJSONTime appends t in RFC 3339 and UTC, or null if t is zero.
func appendJSONTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// jsonJob appends one job, on a line of its own. Every key is always
// there; a time not reached is null, in both its forms.
func (e *Encoder) jsonJob(b []byte, j *Job) []byte {
	r := &j.Rec
	if e.jobs > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n{\"pos\":"...)
	b = strconv.AppendInt(b, int64(j.Pos), 10)
	b = append(b, `,"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"batch":`...)
	b = strconv.AppendInt(b, int64(j.Batch), 10)
	b = append(b, `,"state":`...)
	b = appendString(b, r.State.String())
	b = append(b, `,"delay_ns":`...)
	b = strconv.AppendInt(b, int64(r.Delay), 10)
	b = e.jsonTime(b, `,"queued_ns":`, `,"queued":`, r.QueuedAt)
	b = e.jsonTime(b, `,"ready_ns":`, `,"ready":`, r.ReadyAt)
	b = e.jsonTime(b, `,"started_ns":`, `,"started":`, r.StartedAt)
	b = e.jsonTime(b, `,"done_ns":`, `,"done":`, r.DoneAt)
	b = append(b, `,"late_ns":`...)
	if r.ReadyAt.IsZero() {
		b = append(b, "null"...) // the delay has not ended: lateness is not known
	} else {
		b = strconv.AppendInt(b, int64(r.Lateness()), 10)
	}
	b = append(b, `,"valid":`...)
	b = strconv.AppendBool(b, r.Valid())
	b = append(b, `,"error":`...)
	b = appendError(b, r)
	return append(b, '}')
}

// jsonTime appends t as two keys: its offset, and its RFC 3339 time.
func (e *Encoder) jsonTime(b []byte, nsKey, key string, t time.Time) []byte {
	b = append(b, nsKey...)
	if t.IsZero() {
		b = append(b, "null"...)
		b = append(b, key...)
		return append(b, "null"...)
	}
	off := e.off(t)
	b = strconv.AppendInt(b, off, 10)
	b = append(b, key...)
	b = append(b, '"')
	b = e.appendStamp(b, off)
	return append(b, '"')
}

// appendError appends r's error as a JSON string, or null.
func appendError(b []byte, r *sched.Record) []byte {
	if r.Err == nil {
		return append(b, "null"...)
	}
	return appendString(b, r.Err.Error())
}

const hexDigits = "0123456789abcdef"

// plain tells the bytes that stand for themselves in a JSON string.
var plain = func() (p [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\'
	}
	return p
}()

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it, HTML characters aside: quotes, backslashes and control
// characters; U+2028 and U+2029, which end lines in JavaScript source; and
// each byte of invalid UTF-8 becomes U+FFFD, so that the file is valid
// UTF-8 whatever an error's text holds.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is still to copy
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
