//go:build e2e

package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWorksOfflineAfterFirstVisit: once the service worker has cached the
// app, the page loads and schedules with its server gone: for a root
// build, and for a build under basePath served there, as GitHub Pages
// serves a project site. Offline, the page opens as BASE/, with a query
// (shared links carry their settings in one) and as BASE/index.html.
func TestWorksOfflineAfterFirstVisit(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	for _, c := range []struct {
		name, dir string
		args      []string
	}{
		{"root", built.rootDir, nil},
		{basePath, built.baseDir, []string{"-base", basePath}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A server of its own, on its own origin, that the test can stop.
			srv, err := startServer(built.serve, c.dir, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.stop()

			// The first visit opens a shared link, as the visitor did.
			p := newPage(t, testTimeout)
			p.do("opening "+srv.url+"?tab=free", chromedp.Navigate(srv.url+"?tab=free"))
			p.waitForMount()
			// The worker is active once it has cached every file it lists;
			// from then on it answers the scope's visits, these among them.
			if scope := eval[string](p, `navigator.serviceWorker.ready.then(r => r.scope)`, chromedp.EvalAwaitPromise); scope != srv.url {
				t.Fatalf("service worker scope %q, want %q", scope, srv.url)
			}
			srv.stop()
			if resp, err := http.Get(srv.url); err == nil {
				resp.Body.Close()
				t.Fatalf("the server still answers at %s", srv.url)
			}

			p.do("reloading with the server stopped", chromedp.Reload())
			p.waitForMount()
			queueAndStart(t, p)

			for _, v := range []struct{ url, tab string }{
				{srv.url, "await"},
				{srv.url + "?tab=free", "free"},
				{srv.url + "?tab=limit&n=5", "limit"},
				{srv.url + "index.html?tab=gather", "gather"},
				{srv.url + "index.html", "await"},
			} {
				p.do("opening "+v.url+" offline", chromedp.Navigate(v.url))
				p.waitForMount()
				if u := eval[string](p, "location.href"); u != v.url {
					t.Errorf("the page is at %s, want %s", u, v.url)
				}
				if pressed := p.attr("#tab-"+v.tab, "aria-pressed"); pressed != "true" {
					t.Errorf("%s offline: #tab-%s is not the tab shown", v.url, v.tab)
				}
			}

			// A link's settings apply offline too.
			withQuery := srv.url + "?speed=0.5&delay=2ms"
			p.do("opening "+withQuery+" offline", chromedp.Navigate(withQuery))
			p.waitForMount()
			p.freePlay("one")
			if v := eval[string](p, `document.getElementById("delay").value`); v != "2ms" {
				t.Errorf("the delay shows %q offline; want the link's 2ms", v)
			}
			queueAndStart(t, p)
		})
	}
}
