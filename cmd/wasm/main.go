// Command wasm is wasmsched's browser main, built with GOOS=js GOARCH=wasm
// into web/app.wasm. It registers the app's routes and hands the page to
// go-app; everything else lives in package app.
//
// It must stay free of net/http: a client that serves HTTP as well is
// more than twice the size (see main_test.go).
package main

import (
	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/wasmsched/wasmsched/app"
)

func main() {
	app.Routes()
	goapp.RunWhenOnBrowser()
}
