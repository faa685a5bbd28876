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
// anywhere near 50 ms.
const exportSlice = 8 * time.Millisecond

// onExport exports the run in the format its button names: export-json,
// export-csv or export-trace. One handler for the three keeps the wasm
// smaller than a closure each.
func (p *page) onExport(ctx goapp.Context, e goapp.Event) {
	p.exportAs(strings.TrimPrefix(ctx.JSSrc().Get("id").String(), "export-"))
}

// exportAs exports the run as name: "json", "csv" or "trace".
func (p *page) exportAs(name string) {
	f, ok := export.ParseFormat(name)
	switch {
	case !ok:
		return
	case p.share.exporting:
		p.share.note = "An export is being made: wait for it to finish."
		return
	}
	s := p.sess
	jobs := s.store.snapshot(s.run.Jobs())
	st := p.linkState()
	st.Actions, st.End = nil, 0
	q, _ := st.Encode()
	m := export.Meta{
		Start: s.run.Began, Wall: s.run.Began.Round(0), At: s.run.Now(),
		Virtual: s.run.Virtual(), Seed: s.run.Settings.Seed,
		Link: q, Settings: settingsOf(q), Made: time.Now(),
	}
	p.share.exporting, p.share.exportSt = true, "running"
	p.share.note = fmt.Sprintf("Exporting %s as %s…", plural(len(jobs), "job"), strings.ToUpper(name))
	p.say = p.share.note
	go p.export(f, m, jobs)
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

// export writes jobs as f, a slice of exportSlice a frame, into a file the
// browser keeps, then offers it. It runs on its own goroutine.
func (p *page) export(f export.Format, m export.Meta, jobs []export.Job) {
	enc := export.New(f, m)
	out := newDownload()
	buf := enc.Begin(make([]byte, 0, 1<<20))
	size, shown := 0, time.Now()
	for i := 0; i < len(jobs); {
		t0 := time.Now()
		for i < len(jobs) {
			buf = enc.Job(buf, jobs[i])
			i++
			if i%256 == 0 && time.Since(t0) >= exportSlice {
				break
			}
		}
		out.write(buf)
		size, buf = size+len(buf), buf[:0]
		if i < len(jobs) {
			if time.Since(shown) >= slowDraw {
				shown = time.Now()
				p.dispatch(func() { p.share.note = fmt.Sprintf("Exporting: %s of %s jobs…", count(i), count(len(jobs))) })
			}
			<-nextFrame()
		}
	}
	buf = enc.End(buf)
	out.write(buf)
	size += len(buf)
	name := f.FileName(m)
	out.save(name, f.MIME())
	p.dispatch(func() {
		p.share.exporting, p.share.exportSt = false, "done"
		p.share.note = fmt.Sprintf("Exported %s as %s (%s).", plural(len(jobs), "job"), name, formatBytes(size))
		p.say = p.share.note
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
