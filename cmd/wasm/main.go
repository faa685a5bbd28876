// Command wasm is wasmsched's browser main, built with GOOS=js GOARCH=wasm
// into web/app.wasm. It registers the app's routes and hands the page to
// go-app; everything else lives in package app.
//
// It must stay free of net/http: a client that serves HTTP as well is
// more than twice the size (see main_test.go).
package main

import (
	"runtime/debug"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/app"
)

func main() {
	// In the browser a collection holds the page's one thread for as long
	// as it marks: with 100,000 jobs live, tasks of 50-150 ms. Collect
	// when the heap has grown fivefold rather than doubled, but before it
	// passes 192 MiB, since wasm memory is never given back: a
	// 100,000-job batch then holds the thread over 50 ms 3-6 times
	// rather than 10-14 (make bench-browser).
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(192 << 20)
	app.Routes()
	goapp.RunWhenOnBrowser()
}
