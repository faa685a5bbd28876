package app

import (
	"fmt"
	"strconv"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/sched"
)

// recordsPanel shows the newest jobs' records of the stage's view, and
// cancels a job or copies its id when its row's button is pressed.
type recordsPanel struct {
	goapp.Compo
	st *stage
}

// Render shows the records. The table is HTML written as one string, not
// go-app elements: each update of a big batch brings a new set of newest
// jobs, and go-app, which diffs children by index, would rewrite every row
// through tens of JavaScript calls a row; one string is one call. The
// buttons have no handlers of their own: their clicks bubble to the
// table's box (see onClick).
func (r *recordsPanel) Render() goapp.UI {
	snap := &r.st.view.snap
	total, shown := snap.Total, len(snap.Recent)
	summary := "Showing all " + plural(total, "job") + "."
	if total > shown {
		summary = "Showing the newest " + count(shown) + " of " + count(total) + " jobs."
	}
	return goapp.Div().Role("region").ID("records-card").Class("panel wide records-card").Aria("labelledby", "records-h").Body(
		goapp.Raw(`<h2 id="records-h">Records</h2>`),
		goapp.P().Class("explain").Text("Newest first. Wait is started minus queued; lateness is how much longer than its delay a job waited for its timer. Valid: queued strictly before started; pending until the job ends."),
		goapp.P().ID("records-total").DataSet("total", total).DataSet("shown", shown).Text(summary),
		goapp.Div().ID("records-box").Class("table-scroll").TabIndex(0).Aria("labelledby", "records-h").
			OnClick(r.onClick).Body(goapp.Raw(r.st.view.rows)),
	)
}

// onClick handles the buttons of the records table, whose clicks bubble
// up to here.
func (r *recordsPanel) onClick(ctx goapp.Context, e goapp.Event) {
	if btn := e.Get("target").Call("closest", "button.copy"); btn.Truthy() {
		r.copyID(btn.Call("closest", "tr").Get("dataset").Get("id").String())
		return
	}
	btn := e.Get("target").Call("closest", "button.cancel")
	if !btn.Truthy() || !r.st.live() {
		r.st.acted()
		return
	}
	keepFocus(ctx)
	r.cancel(btn.Call("closest", "tr").Get("dataset").Get("id").String())
	r.st.acted()
}

// copyID puts a job's whole id on the clipboard.
func (r *recordsPanel) copyID(id string) {
	st := r.st
	u, ctx := st.ui, st.sess.ctx
	copyText(id, func(err error) {
		if u == nil {
			return
		}
		u.call(ctx, func() {
			if err != nil {
				st.tell("The browser did not let the page copy the id: " + id + ".")
			} else {
				st.tell("Copied job " + shortID(id) + "'s whole id: " + id + ".")
			}
		})
	})
}

// cancel cancels the job with this id, if it still waits, and says what
// Cancel returned.
func (r *recordsPanel) cancel(id string) {
	j, cancelled := r.st.sess.cancel(id)
	switch {
	case j == nil:
	case cancelled:
		r.st.tell(fmt.Sprintf("Cancelled job %s, as asked: it will never start.", shortID(id)))
	default:
		r.st.tell(fmt.Sprintf("Job %s no longer waits: it is %s, and Cancel returned false.", shortID(id), info(j.State()).Label))
	}
}

// cancel cancels the job of s with this id, if it still waits: through
// the run, which records it for a replay, or for a lesson's job, through
// its handle. It returns the job, nil for none, and what Cancel returned.
func (s *session) cancel(id string) (j *sched.Job, cancelled bool) {
	i, ok := s.hist.Index(id)
	if !ok {
		return nil, false
	}
	if j = s.hist.Job(i); j == nil {
		return nil, false
	}
	if s.lesson != nil {
		return j, j.Cancel(nil)
	}
	cancelled, _ = s.run.Cancel(i)
	return j, cancelled
}

// recordsHTML is the records table of the jobs recent. Its elements carry
// their table roles: under a width the style sheet shows each row as a
// card (display: grid), and some browsers drop the table semantics of
// elements whose display changes unless the roles are explicit. The
// cards label their cells with the column headers (app/css_test.go checks
// that web/app.css names them as the header row does, in order); the last
// column, the row's actions, has a header for screen readers only.
func recordsHTML(recent []*entry) string {
	columns := []string{"Job", "Batch", "State", "Delay asked", "Queued at", "Started at", "Wait", "Lateness", "Valid", "Actions"}
	var w htmlw
	w.open("table", "id", "records", "role", "table")
	w.open("caption", "class", "visually-hidden").text("Job records, newest first").close("caption")
	w.open("thead", "role", "rowgroup").open("tr", "role", "row")
	last := len(columns) - 1
	for _, h := range columns[:last] {
		w.elem("th", h, "scope", "col", "role", "columnheader")
	}
	w.open("th", "scope", "col", "role", "columnheader").elem("span", columns[last], "class", "visually-hidden").close("th")
	w.close("tr").close("thead").open("tbody", "role", "rowgroup")
	for _, e := range recent {
		w.b.WriteString(e.row())
	}
	w.close("tbody").close("table")
	return w.String()
}

// rowHTML writes r, of batch b (0 for none), as a row of the records
// table. A queued job's row has a cancel button.
func rowHTML(r sched.Record, b int) string {
	si := info(r.State)
	started, wait, late := "—", "—", "—"
	lateNS := ""
	if r.State == sched.Started {
		started = stamp(r.StartedAt)
		wait = formatDuration(r.Waited())
		late = formatDuration(r.Lateness())
		lateNS = strconv.FormatInt(int64(r.Lateness()), 10)
	}
	valid := "pending"
	switch {
	case r.Valid():
		valid = "yes"
	case r.State.Final():
		valid = "no"
	}
	batch := "—"
	if b > 0 {
		batch = count(b)
	}
	var w htmlw
	attrs := []string{"class", "record " + si.Class, "role", "row", "tabindex", "-1", "data-id", r.ID, "data-state", si.Class,
		"data-valid", strconv.FormatBool(r.Valid())}
	if lateNS != "" {
		attrs = append(attrs, "data-late-ns", lateNS)
	}
	w.open("tr", attrs...)
	// The id's button copies the whole id: the row shows its first 8 digits.
	w.open("td", "role", "cell").open("button", "type", "button", "class", "copy", "title", "Copy "+r.ID, "aria-label", "Copy job id "+shortID(r.ID)).
		elem("code", shortID(r.ID)).close("button").close("td")
	w.elem("td", batch, "class", "num", "role", "cell")
	w.open("td", "role", "cell").open("span", "class", "badge "+si.Class).elem("span", si.Mark, "aria-hidden", "true").text(" " + si.Label).close("span").close("td")
	w.elem("td", formatDuration(r.Delay), "class", "num", "role", "cell")
	w.elem("td", stamp(r.QueuedAt), "class", "num", "role", "cell")
	w.elem("td", started, "class", "num", "role", "cell")
	w.elem("td", wait, "class", "num", "role", "cell")
	w.elem("td", late, "class", "num", "role", "cell")
	w.elem("td", valid, "class", "valid-"+valid, "role", "cell")
	w.open("td", "role", "cell")
	if r.State == sched.Queued {
		w.elem("button", "Cancel", "type", "button", "class", "cancel", "aria-label", "Cancel job "+shortID(r.ID))
	}
	w.close("td").close("tr")
	return w.String()
}
