package export

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// csvHeader names the columns. Rows end in CRLF, as RFC 4180 says; line
// breaks inside a quoted error text are kept as they are.
const csvHeader = "pos,id,batch,state,delay_ns,queued_ns,queued,ready_ns,ready," +
	"started_ns,started,done_ns,done,late_ns,valid,error\r\n"

// csvJob appends one row. A time not reached, and the lateness of a job
// whose delay has not ended, are empty cells, as is a missing error.
func (e *Encoder) csvJob(b []byte, j *Job) []byte {
	r := &j.Rec
	b = strconv.AppendInt(b, int64(j.Pos), 10)
	b = append(b, ',')
	b = appendCSVText(b, r.ID)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(j.Batch), 10)
	b = append(b, ',')
	b = appendCSVText(b, r.State.String())
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Delay), 10)
	b = e.csvTime(b, r.QueuedAt)
	b = e.csvTime(b, r.ReadyAt)
	b = e.csvTime(b, r.StartedAt)
	b = e.csvTime(b, r.DoneAt)
	b = append(b, ',')
	if !r.ReadyAt.IsZero() {
		b = strconv.AppendInt(b, int64(r.Lateness()), 10)
	}
	b = append(b, ',')
	b = strconv.AppendBool(b, r.Valid())
	b = append(b, ',')
	if r.Err != nil {
		b = appendCSVText(b, r.Err.Error())
	}
	return append(b, '\r', '\n')
}

// csvTime appends ",offset,time", or "," twice for a zero t.
func (e *Encoder) csvTime(b []byte, t time.Time) []byte {
	b = append(b, ',')
	if t.IsZero() {
		return append(b, ',')
	}
	off := e.off(t)
	b = strconv.AppendInt(b, off, 10)
	b = append(b, ',')
	mark := len(b)
	b = e.appendStamp(b, off)
	if formulaStart(b[mark]) { // a year before 0 would start with '-'
		b = append(b[:mark+1], b[mark:]...)
		b[mark] = '\''
	}
	return b
}

// formulaStart reports whether a cell starting with c could be read by a
// spreadsheet as a formula: OWASP's list for CSV injection.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// appendCSVText appends a text cell. It is quoted if it holds a comma, a
// quote or a line break, its quotes doubled (RFC 4180); it gets a leading
// ' if it starts like a formula (OWASP's advice against CSV injection, so
// that a spreadsheet shows "=HYPERLINK(...)" as text); and invalid UTF-8
// becomes U+FFFD, as in the JSON exports.
//
// Numbers are not text and are not guarded: a cell of digits, perhaps
// after a minus sign, is a number to a spreadsheet, not a formula. Only
// the error is free text. Not handled: a spreadsheet that splits cells on
// ';' (as Excel does in some locales) may find a cell starting with '='
// after a ';' inside an error's text.
func appendCSVText(b []byte, s string) []byte {
	quote, plain := false, true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ',' || c == '\r' || c == '\n':
			quote = true
		case c == '"':
			quote, plain = true, false
		case c >= utf8.RuneSelf:
			plain = false // to check that it is valid UTF-8
		}
	}
	if quote {
		b = append(b, '"')
	}
	if s != "" && formulaStart(s[0]) {
		b = append(b, '\'')
	}
	if plain {
		b = append(b, s...)
	} else {
		for i := 0; i < len(s); {
			c := s[i]
			if c < utf8.RuneSelf {
				if c == '"' {
					b = append(b, '"')
				}
				b = append(b, c)
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	if quote {
		b = append(b, '"')
	}
	return b
}
