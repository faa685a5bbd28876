package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wasmsched/wasmsched/sched"
)

// guarded is how a text cell should read back: with a ' before a formula.
func guarded(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func TestCSVHasARowAJob(t *testing.T) {
	m, jobs := fixture(sameWall)
	out := Write(CSV, m, jobs)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !slices.Equal(rows[0], columns) {
		t.Errorf("header = %q, want %q", rows[0], columns)
	}
	if len(rows) != 1+len(jobs) {
		t.Fatalf("%d rows, want a header and %d", len(rows), len(jobs))
	}
	for i, j := range jobs {
		w := want(m, j)
		for c, col := range columns {
			wc := w[col]
			if col == "error" || col == "id" || col == "state" {
				wc = strings.ReplaceAll(guarded(wc), "\r\n", "\n")
			}
			if got := rows[1+i][c]; got != wc {
				t.Errorf("job %d: %s = %q, want %q", i, col, got, wc)
			}
		}
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) || bytes.Count(out, []byte("\r\n")) != 1+len(jobs) {
		t.Errorf("rows do not end in CRLF:\n%q", out)
	}
}

func TestCSVEscapesHostileErrors(t *testing.T) {
	m, _ := fixture(sameWall)
	var jobs []Job
	for i, h := range hostile {
		jobs = append(jobs, Job{Pos: i, Rec: sched.Record{ID: "x", State: sched.Failed, Err: errors.New(h)}})
	}
	out := Write(CSV, m, jobs)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(rows) != 1+len(jobs) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(jobs))
	}
	for i, h := range hostile {
		// encoding/csv reads a CRLF inside a quoted cell as LF.
		w := strings.ReplaceAll(guarded(validUTF8(h)), "\r\n", "\n")
		if got := rows[1+i][len(columns)-1]; got != w {
			t.Errorf("error %q reads back as %q, want %q", h, got, w)
		}
	}
	for _, h := range []string{"=HYPERLINK", "+1", "-1", "@SUM", "\tx", "\rx"} {
		if bytes.Contains(out, []byte(","+h)) || bytes.Contains(out, []byte(",\""+h)) {
			t.Errorf("a cell starts with %q:\n%s", h, out)
		}
	}
}

// validUTF8 returns s with each byte of invalid UTF-8 made U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for _, r := range s { // ranging gives U+FFFD for each invalid byte
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzCSVText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := append(appendCSVText([]byte("a,"), s), ",z\r\n"...)
		rows, err := csv.NewReader(bytes.NewReader(line)).ReadAll()
		if err != nil || len(rows) != 1 || len(rows[0]) != 3 {
			t.Fatalf("%q: %q: %v %q", s, line, err, rows)
		}
		w := strings.ReplaceAll(guarded(validUTF8(s)), "\r\n", "\n")
		if got := rows[0][1]; got != w {
			t.Errorf("%q reads back as %q, want %q", s, got, w)
		}
	})
}
