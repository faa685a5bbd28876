package app

import "github.com/wasmsched/wasmsched/sched"

// stateInfo is how the page shows one job state: the one list that the
// counts, the legend, the timeline, the records' badges and (through the
// class, one set of custom properties in web/app.css) the colours follow.
// Every state has a mark besides its colour, so colour is never the only
// cue.
type stateInfo struct {
	State sched.State
	Class string // CSS class and data-state value: the state's String
	Label string // what the page calls it
	Mark  string // a shape, drawn beside the colour
	Help  string // what it means, for the legend's title
}

var states = [...]stateInfo{
	{sched.Queued, "queued", "waiting", "○", "queued: waiting for its delay, or for a start slot"},
	{sched.Starting, "starting", "starting", "◐", "its start is running"},
	{sched.Started, "started", "started", "●", "started: its record is complete"},
	{sched.Cancelled, "cancelled", "cancelled", "⊘", "cancelled while it waited, as asked: it never starts"},
	{sched.Failed, "failed", "failed", "✕", "its start returned an error or panicked"},
}

// info returns how state s is shown.
func info(s sched.State) stateInfo {
	if int(s) < len(states) {
		return states[s]
	}
	return stateInfo{State: s, Class: "unknown", Label: s.String(), Mark: "?"}
}
