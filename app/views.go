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
	started, wait, late := "—", "—", "—"
	if r.State == sched.Started {
		started = stamp(r.StartedAt)
		wait = formatDuration(r.Wait())
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
		`" data-valid="` + strconv.FormatBool(r.Valid()) + `">` +
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
}

func (c *statsView) Render() goapp.UI {
	count := func(id, label string, n int) goapp.UI {
		return goapp.Div().Class("stat").Body(
			goapp.Dt().Text(label),
			goapp.Dd().ID(id).Text(strconv.Itoa(n)),
		)
	}
	return goapp.Section().Class("card wide").Aria("labelledby", "stats-h").Body(
		goapp.H2().ID("stats-h").Text("Counts and lateness"),
		goapp.Dl().Class("stats").Body(
			count("count-queued", "queued", c.Queued),
			count("count-starting", "starting", c.Starting),
			count("count-started", "started", c.Started),
			count("count-cancelled", "cancelled", c.Cancelled),
			count("count-failed", "failed", c.Failed),
			count("count-total", "all jobs", c.Total),
		),
		goapp.Dl().Class("stats").Body(
			goapp.Div().Class("stat").Body(
				goapp.Dt().Text("median lateness"),
				goapp.Dd().ID("late-p50").Text(c.P50),
			),
			goapp.Div().Class("stat").Body(
				goapp.Dt().Text("99th percentile"),
				goapp.Dd().ID("late-p99").Text(c.P99),
			),
			goapp.Div().Class("stat").Body(
				goapp.Dt().Text("over started jobs"),
				goapp.Dd().ID("late-n").Text(strconv.Itoa(c.Sample)),
			),
		),
		goapp.P().Class("explain").Text(
			"Why late? A job never starts before its delay, but the browser adds a little: "+
				"HTML timers are clamped to about 4 ms once five are nested, as a stream of "+
				"Go timers in this page soon is; a hidden tab runs timers at most once a second, "+
				"and once a minute after five minutes; and time.Now here steps by about 100 µs. "+
				"The page's own drawing shares the same one thread, so a big batch waits longer still. "+
				"So a 1 ms delay usually waits 1 to 5 ms in a visible tab, and much longer in a hidden one.",
		),
	)
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
