package app

import (
	"html"
	"strconv"
	"strings"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/sched"
)

// The views below are small components whose exported fields are plain
// values: go-app re-renders a child only when its fields change.

// recordsTable is the records table as HTML written here, not as go-app
// elements. Each update of a big batch brings a new set of newest jobs, so
// go-app, which diffs children by index, would rewrite every row through
// tens of JavaScript calls a row; one string costs one call and lets the
// browser's parser build the rows. go-app replaces the table only when the
// string changed. The cancel buttons have no handlers of their own: their
// clicks bubble to the page (see onRecordsClick).
func recordsTable(recent []*entry) goapp.UI {
	var b strings.Builder
	b.WriteString(`<table id="records"><thead><tr>` +
		`<th scope="col">Job</th><th scope="col">State</th><th scope="col">Delay asked</th>` +
		`<th scope="col">Queued at</th><th scope="col">Started at</th><th scope="col">Wait</th>` +
		`<th scope="col">Lateness</th><th scope="col">Valid</th>` +
		`<th scope="col"><span class="visually-hidden">Actions</span></th>` +
		`</tr></thead><tbody>`)
	for _, e := range recent {
		b.WriteString(e.row())
	}
	b.WriteString(`</tbody></table>`)
	return goapp.Raw(b.String())
}

// rowHTML writes r as a row of the records table. A queued job's row has a
// cancel button.
func rowHTML(r sched.Record) string {
	started, wait, late, lateNS := "—", "—", "—", ""
	if r.State == sched.Started {
		lateNS = `" data-late-ns="` + strconv.FormatInt(int64(r.Lateness()), 10)
		started = stamp(r.StartedAt)
		wait = formatDuration(r.Waited())
		late = formatDuration(r.Lateness())
	}
	valid := "no"
	if r.Valid() {
		valid = "yes"
	}
	action := ""
	if r.State == sched.Queued {
		action = `<button type="button" class="cancel" aria-label="Cancel job ` + shortID(r.ID) + `">Cancel</button>`
	}
	id, state := html.EscapeString(r.ID), html.EscapeString(r.State.String())
	return `<tr class="record ` + state + `" data-id="` + id + `" data-state="` + state +
		`" data-valid="` + strconv.FormatBool(r.Valid()) + lateNS + `">` +
		`<td><code title="` + id + `">` + html.EscapeString(shortID(r.ID)) + `</code></td>` +
		`<td><span class="badge ` + state + `">` + state + `</span></td>` +
		`<td class="num">` + formatDuration(r.Delay) + `</td>` +
		`<td class="num">` + stamp(r.QueuedAt) + `</td>` +
		`<td class="num">` + started + `</td>` +
		`<td class="num">` + wait + `</td>` +
		`<td class="num">` + late + `</td>` +
		`<td class="valid-` + valid + `">` + valid + `</td>` +
		`<td>` + action + `</td></tr>`
}

// statsView shows the counts by state and the lateness percentiles.
type statsView struct {
	goapp.Compo
	Queued, Starting, Started, Cancelled, Failed, Total int
	Sample                                              int // started jobs the percentiles are over
	P50, P99                                            string
	Clock                                               string // how fine the page's clock is
	Isolated                                            bool
}

func (c *statsView) Render() goapp.UI {
	// Text only, as HTML (see introHTML).
	var b strings.Builder
	stat := func(id, label, value string) {
		b.WriteString(`<div class="stat"><dt>` + label + `</dt><dd id="` + id + `">` + html.EscapeString(value) + `</dd></div>`)
	}
	b.WriteString(`<section class="card wide" aria-labelledby="stats-h"><h2 id="stats-h">Counts and lateness</h2><dl class="stats">`)
	stat("count-queued", "queued", strconv.Itoa(c.Queued))
	stat("count-starting", "starting", strconv.Itoa(c.Starting))
	stat("count-started", "started", strconv.Itoa(c.Started))
	stat("count-cancelled", "cancelled", strconv.Itoa(c.Cancelled))
	stat("count-failed", "failed", strconv.Itoa(c.Failed))
	stat("count-total", "all jobs", strconv.Itoa(c.Total))
	b.WriteString(`</dl><dl class="stats">`)
	stat("late-p50", "median lateness", c.P50)
	stat("late-p99", "99th percentile", c.P99)
	stat("late-n", "over started jobs", strconv.Itoa(c.Sample))
	b.WriteString(`</dl><p class="explain">` + html.EscapeString(latenessHelp) + `</p>`)
	b.WriteString(`<p class="explain" id="clock-note" data-isolated="` + strconv.FormatBool(c.Isolated) + `">` + html.EscapeString(c.Clock) + `</p></section>`)
	return goapp.Raw(b.String())
}

const latenessHelp = "Why late? A job never starts before its delay, but the browser adds a little: " +
	"HTML timers are clamped to about 4 ms once five are nested, as a stream of " +
	"Go timers in this page soon is; a hidden tab runs timers at most once a second, " +
	"and once a minute after five minutes. " +
	"The page's own drawing shares the same one thread, so a big batch waits longer still. " +
	"So a 1 ms delay usually waits 1 to 5 ms in a visible tab, and much longer in a hidden one."

// clockNote says how fine time.Now is in the page, which decides the
// smallest lateness it can show: browsers coarsen their clock unless the
// host isolates the page from other sites with two headers (cmd/serve and
// _headers hosts send them; GitHub Pages cannot).
func clockNote(isolated bool) string {
	if isolated {
		return "This page's host isolates it from other sites (cross-origin isolation), " +
			"so the browser lets time.Now here step by 5 µs: lateness shows to within 5 µs."
	}
	return "This page's host does not isolate it from other sites (cross-origin isolation), " +
		"so the browser makes time.Now here step by about 100 µs: lateness under 0.1 ms cannot be seen."
}

// timelineView holds the timeline drawing, so that it is swapped only when
// the drawing changed.
type timelineView struct {
	goapp.Compo
	SVG string
}

func (c *timelineView) Render() goapp.UI {
	return goapp.Div().Class("timeline-wrap").Body(goapp.Raw(c.SVG))
}
