// Package app is wasmsched's browser UI: a go-app page that runs the
// scheduler of package [sched] inside the page and teaches asyncio's
// scheduling lessons (await a job, cancel a task, gather a batch, and
// starts that take time and fail under a limit) with the Python and the Go
// side by side, in real or virtual time, with a history to step back
// through.
//
// The page composes five components, each with its own state and
// handlers: the lesson, the free-play forms, share and export, the run and
// the records. They draw one stage: the run shown, the settings a link
// holds, and one snapshot of the run's model (internal/history) that every
// figure comes from.
//
// It knows nothing of HTTP: cmd/wasm runs it in the browser, and
// cmd/gensite writes the static site from [Routes] and Handler (handler.go,
// which the browser build leaves out).
package app

import (
	"runtime"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Routes registers every page of the app with go-app. Call it before
// goapp.RunWhenOnBrowser in the browser, and before generating the site.
func Routes() {
	goapp.RouteFunc("/", newPage)
	// The same page opened by its file name, as static hosts and the
	// offline worker also serve it. For the site generator, a pattern, so
	// that it writes no second copy of the page; in the browser, the same
	// path as a plain route, which go-app matches alike: a pattern there
	// links go-app's routeWithRegexp and regexp.MustCompile into the wasm
	// (~5 KB raw), which runtime.GOOS, a constant, leaves out. (regexp's
	// compiler stays: *regexp.Regexp's UnmarshalText keeps it.)
	if runtime.GOOS == "js" {
		goapp.RouteFunc("/index.html", newPage)
	} else {
		goapp.RouteWithRegexpFunc(`^/index\.html$`, newPage)
	}
}
