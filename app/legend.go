package app

// legendHTML is the timeline's key, visible: each state of the list
// states, drawn as its lane is (its colour, its mark, its name), then what
// the other parts of a lane mean: the pale delay, the lateness the timers
// added, the wait for a start slot, the due time and now. Those parts are
// drawn only as lanes, so while the run panel shows the aggregate charts
// instead (#area, #histogram), web/app.css hides them and the states
// remain, which those charts colour too.
//
// Its place is in runPanel.Render, right after the timeline's box and before the
// history slider:
//
//	goapp.Div().ID("timeline-box").Class("timeline-box").Body(goapp.Raw(p.chartHTML(t))),
//	goapp.Raw(legendHTML()),
//	p.renderScrub(t),
//
// Under the timeline it pushes down none of what a click must show in the
// first screen (e2e TestEveryClickShowsItsResult: #say, #counts,
// #timeline-box); above it, on a phone, it would push the timeline out.
// It is the same string on every call, for go-app's Raw to leave alone.
func legendHTML() string { return legend }

// legend is built once: it depends on nothing but states.
var legend = buildLegend()

func buildLegend() string {
	var w htmlw
	w.open("ul", "id", "timeline-legend", "class", "legend", "aria-label", "Timeline key")
	for _, si := range states {
		w.open("li", "class", "key "+si.Class, "title", si.Help)
		swatch(&w, "rect", "class", "seg-start "+si.Class, "x", "0", "y", "1", "width", "16", "height", "10")
		w.elem("span", si.Mark, "class", "mark", "aria-hidden", "true").text(" " + si.Label).close("li")
	}
	part := func(label, help string, attrs ...string) {
		w.open("li", "class", "key lane-part", "title", help)
		swatch(&w, attrs[0], attrs[1:]...)
		w.text(label).close("li")
	}
	part("pale: its delay", "a lane's pale part is the delay asked, in the colour of the job's state",
		"rect", "class", "seg-delay queued", "x", "0.5", "y", "1.5", "width", "15", "height", "9")
	part("late", "how much later than its delay the browser's timers let the job start",
		"rect", "class", "seg-late", "x", "0", "y", "3", "width", "16", "height", "6")
	part("waits for a start slot", "a thin grey line: ready, waiting for one of the scheduler's start slots (its Limit)",
		"rect", "class", "seg-slot", "x", "0", "y", "5", "width", "16", "height", "2")
	part("due", "a waiting job's due time: its delay ends there",
		"line", "class", "due", "x1", "8", "y1", "0", "x2", "8", "y2", "12")
	part("now", "the instant shown: now, or the one the history slider went back to",
		"line", "class", "now", "x1", "8", "y1", "0", "x2", "8", "y2", "12")
	w.close("ul")
	return w.String()
}

// swatch writes a little drawing of one part of a lane, with the classes
// the timeline draws it with, so that the key always looks like the lanes.
func swatch(w *htmlw, tag string, attrs ...string) {
	w.open("svg", "class", "swatch", "xmlns", "http://www.w3.org/2000/svg", "width", "16", "height", "12",
		"viewBox", "0 0 16 12", "aria-hidden", "true", "focusable", "false")
	w.void(tag, attrs...)
	w.close("svg")
}
