package app

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/internal/export"
)

// exportSlice is how long one frame's share of an export may take: the
// rest of the frame is the page's, so that no task holds the thread
// anywhere near 50 ms. exportPart caps the bytes of one frame's share,
// which go into one buffer made once: an export allocates next to
// nothing, and so does not bring on a garbage collection, which on a big
// run's heap holds the thread for 50-100 ms.
const (
	exportSlice = 8 * time.Millisecond
	exportPart  = 2 << 20
)

// onExport exports the run in the format its button names: export-json,
// export-csv or export-trace. One handler for the three keeps the wasm
// smaller than a closure each.
func (sp *sharePanel) onExport(ctx goapp.Context, e goapp.Event) {
	sp.exportAs(strings.TrimPrefix(ctx.JSSrc().Get("id").String(), "export-"))
}

// exportAs exports the run as name: "json", "csv" or "trace", on a
// goroutine of its own (see export).
func (sp *sharePanel) exportAs(name string) {
	f, ok := export.ParseFormat(name)
	switch {
	case !ok || sp.st.ui == nil:
		return
	case sp.exportSt == "running":
		sp.note = "An export is being made: wait for it to finish."
		return
	}
	s := sp.st.sess
	sp.exportSt = "running"
	sp.note = "Exporting as " + strings.ToUpper(name) + "…"
	ls := sp.st.linkState()
	ls.Actions, ls.End, ls.Seed = nil, 0, s.run.Settings.Seed
	q, _ := ls.Encode()
	m := export.Meta{
		Start: s.run.Began, Wall: s.run.Began.Round(0),
		Virtual: s.run.Virtual(), Seed: s.run.Settings.Seed,
		Link: q, Settings: settingsOf(q),
	}
	go sp.export(sp.st.ui, s, f, m)
}

// settingsOf lists a link's settings, in its order.
func settingsOf(q string) []export.Setting {
	var out []export.Setting
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		out = append(out, export.Setting{Name: k, Value: v})
	}
	return out
}

// export writes the run's jobs as f into a file the browser keeps, then
// offers it. The file is of one instant, when it begins: every job queued
// by then, by position, as it was then (history.RecordAt), while the run
// goes on. Its goroutine asks the UI goroutine, once a frame, to write for
// exportSlice: the run's model belongs to the UI goroutine. A virtual
// run's file carries no time of making, so that a run and its replay give
// the same file, byte for byte.
func (sp *sharePanel) export(u *ui, s *session, f export.Format, m export.Meta) {
	// The events of the jobs queued before the click are applied first,
	// so that every one is in the file: the pump applies them within a
	// frame or two.
	for i := 0; i < 100 && s.pump.lag.Load() > 0; i++ {
		<-nextFrame()
	}
	var enc *export.Encoder
	out := newDownload()
	buf := make([]byte, 0, exportPart+64<<10) // a job is at most a few KB
	size, shown := 0, time.Now()
	next, n := 0, -1
	chunk := func() {
		t0 := time.Now()
		if n < 0 {
			m.At = s.run.Now()
			if !s.run.Virtual() {
				m.Made = time.Now()
			}
			enc = export.New(f, m)
			n = s.hist.Len()
			buf = enc.Begin(buf)
		}
		for next < n {
			rec, batch := s.hist.RecordAt(next, m.At)
			buf = enc.Job(buf, export.Job{Pos: next, Batch: batch, Rec: rec})
			next++
			if len(buf) >= exportPart || next%256 == 0 && time.Since(t0) >= exportSlice {
				break
			}
		}
		if next == n {
			buf = enc.End(buf)
		}
		out.write(buf)
		size, buf = size+len(buf), buf[:0]
		if time.Since(shown) >= slowDraw && next < n {
			shown = time.Now()
			sp.note = fmt.Sprintf("Exporting: %s of %s jobs…", count(next), count(n))
			sp.st.dirty = true
		}
	}
	for {
		if !u.call(s.ctx, chunk) {
			return
		}
		if next == n {
			break
		}
		<-nextFrame()
	}
	name := f.FileName(m)
	out.save(name, f.MIME())
	u.call(s.ctx, func() {
		sp.exportSt = "done"
		sp.exports++
		sp.note = fmt.Sprintf("Exported %s as %s (%s).", plural(n, "job"), name, formatBytes(size))
		sp.st.dirty = true
	})
}

// formatBytes writes n bytes for people.
func formatBytes(n int) string {
	switch {
	case n < 1000:
		return plural(n, "byte")
	case n < 1_000_000:
		return trimFloat(float64(n)/1e3) + " kB"
	}
	return trimFloat(float64(n)/1e6) + " MB"
}
