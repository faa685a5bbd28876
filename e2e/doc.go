// Package e2e holds the browser tests of the wasmsched site: they build the
// site, serve it with cmd/serve on a free loopback port and drive Debian's
// Chromium with chromedp through the DOM ids that app/ promises.
//
// They are behind the e2e build tag, so `go test ./...` skips them:
//
//	make test-e2e                          # or: go test -tags e2e ./e2e/
//	WASMSCHED_DIST=dist make test-e2e      # test an existing root build
//
// Without Chromium they skip, loudly, unless CI=true, where they fail.
package e2e
