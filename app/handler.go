//go:build !wasm

package app

import goapp "github.com/maxence-charriere/go-app/v9/pkg/app"

// This file is left out of the browser build: goapp.Handler is declared in
// go-app's server-side files, which cmd/buildwasm leaves out of app.wasm
// (see its doc).

// Handler describes the app: names, icons, styles and colours. Resources
// and Version are left empty for the site generator to set (the URL prefix,
// and a hash of app.wasm so that the service worker refreshes its cache).
// Every file it names is local, under /web, so the offline cache holds no
// remote URL.
func Handler() *goapp.Handler {
	return &goapp.Handler{
		Name:        "wasmsched",
		ShortName:   "wasmsched",
		Title:       "wasmsched: asyncio's scheduling lessons, in Go, in this page",
		Description: "A job scheduler with delays, cancellation and gather, written in Go and running entirely in the page as WebAssembly.",
		Author:      "wasmsched",
		Keywords:    []string{"go", "webassembly", "wasm", "scheduler", "asyncio", "go-app"},
		Lang:        "en",
		Icon: goapp.Icon{
			Default:    "/web/icon-192.png",
			Large:      "/web/icon-512.png",
			SVG:        "/web/icon.svg",
			AppleTouch: "/web/icon-192.png",
		},
		// go-app caches its other icons for offline use, not the SVG one,
		// which every page loads.
		CacheableResources: []string{"/web/icon.svg"},
		Image:              "/web/icon-512.png",
		Styles:             []string{"/web/app.css"},
		LoadingLabel:       "Loading the scheduler… {progress}%",
		ThemeColor:         "#1d3557",
		BackgroundColor:    "#f6f7f9",
	}
}
