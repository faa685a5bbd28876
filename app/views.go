package app

import (
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/sched"
)

// The views below are small components whose exported fields are plain
// values. go-app re-renders a child only when its fields change, so a frame
// in which 10 of 200 rows changed redraws about 10 rows, not the table.

// rowView is one records-table row, formatted.
type rowView struct {
	ID      string
	State   string
	Delay   string
	Queued  string
	Started string
	Wait    string
	Late    string
	Valid   bool
}

func rowOf(r sched.Record) rowView {
	v := rowView{
		ID:      r.ID,
		State:   r.State.String(),
		Delay:   formatDuration(r.Delay),
		Queued:  stamp(r.QueuedAt),
		Started: "—",
		Wait:    "—",
		Late:    "—",
		Valid:   r.Valid(),
	}
	if r.State == sched.Started {
		v.Started = stamp(r.StartedAt)
		v.Wait = formatDuration(r.Wait())
		v.Late = formatDuration(r.Lateness())
	}
	return v
}

// recordRow is one row of the records table.
type recordRow struct {
	goapp.Compo
	Row rowView
}

func (c *recordRow) Render() goapp.UI {
	r := c.Row
	valid := "no"
	if r.Valid {
		valid = "yes"
	}
	var action goapp.UI = goapp.Text("")
	if r.State == sched.Queued.String() {
		action = goapp.Button().Type("button").Class("cancel").
			Aria("label", "Cancel job "+shortID(r.ID)).
			OnClick(c.onCancel).Text("Cancel")
	}
	return goapp.Tr().Class("record", r.State).
		DataSet("id", r.ID).DataSet("state", r.State).DataSet("valid", r.Valid).
		Body(
			goapp.Td().Body(goapp.Code().Title(r.ID).Text(shortID(r.ID))),
			goapp.Td().Body(goapp.Span().Class("badge", r.State).Text(r.State)),
			goapp.Td().Class("num").Text(r.Delay),
			goapp.Td().Class("num").Text(r.Queued),
			goapp.Td().Class("num").Text(r.Started),
			goapp.Td().Class("num").Text(r.Wait),
			goapp.Td().Class("num").Text(r.Late),
			goapp.Td().Class("valid-"+valid).Text(valid),
			goapp.Td().Body(action),
		)
}

// onCancel asks the page to cancel this row's job. The row knows only the
// id; the page holds the job.
func (c *recordRow) onCancel(ctx goapp.Context, e goapp.Event) {
	ctx.NewActionWithValue(actionCancelJob, c.Row.ID)
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
