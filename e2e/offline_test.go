//go:build e2e

package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWorksOfflineAfterFirstVisit: once the service worker has cached the
// app, the page loads and schedules with its server gone.
func TestWorksOfflineAfterFirstVisit(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	// A server of its own, on its own origin, that the test can stop.
	srv, err := startServer(built.serve, built.rootDir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()

	p := openApp(t, srv.url, testTimeout)
	// The worker is active once it has cached every file it lists; from
	// then on it answers the scope's navigations, this reload among them.
	if scope := eval[string](p, `navigator.serviceWorker.ready.then(r => r.scope)`, chromedp.EvalAwaitPromise); scope != srv.url {
		t.Fatalf("service worker scope %q, want %q", scope, srv.url)
	}
	srv.stop()
	if resp, err := http.Get(srv.url); err == nil {
		resp.Body.Close()
		t.Fatalf("the server still answers at %s", srv.url)
	}

	p.do("reloading with the server stopped", chromedp.Reload())
	p.waitFor("the wasm app to start offline", `!document.getElementById("app-wasm-loader")`)
	p.do("waiting for #lesson-run offline", chromedp.WaitVisible(chromedp.CSS("#lesson-run")), chromedp.WaitEnabled(chromedp.CSS("#lesson-run")))
	queueAndStart(t, p)

	// A link with a query, as shared links are, opens offline too: the
	// worker's cache lookup ignores the query.
	withQuery := srv.url + "?speed=0.5&delay=2ms"
	p.do("opening "+withQuery+" offline", chromedp.Navigate(withQuery))
	p.waitForApp()
	if u := eval[string](p, "location.href"); u != withQuery {
		t.Errorf("the page is at %s, want %s", u, withQuery)
	}
	p.freePlay("one")
	if v := eval[string](p, `document.getElementById("delay").value`); v != "2ms" {
		t.Errorf("the delay shows %q offline; want the link's 2ms", v)
	}
	queueAndStart(t, p)
}
