package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The run and the records are components of their own, so that the
// pump's updates, one a frame while jobs change, redraw them and not the
// whole page: the controls, the lesson and the forms are redrawn only when
// they change. Each holds the page; Rev is how many times the page was
// rendered, so that a render of the page redraws them too.

// runPanel shows the run: see page.renderRun.
type runPanel struct {
	goapp.Compo
	p   *page
	Rev int
}

func (c *runPanel) OnMount(ctx goapp.Context) { c.p.runCtx = ctx }
func (c *runPanel) OnDismount()               { c.p.runCtx = nil }
func (c *runPanel) Render() goapp.UI          { return c.p.renderRun() }

// sharePanel is free play's Share form: see page.renderShare. Its clicks
// and an export's progress redraw it alone; on a page with 100,000 jobs,
// a redraw of the whole page redraws the run's charts, which takes
// longer than a frame.
type sharePanel struct {
	goapp.Compo
	p   *page
	Rev int
}

func (c *sharePanel) OnMount(ctx goapp.Context) { c.p.shareCtx = ctx }
func (c *sharePanel) OnDismount()               { c.p.shareCtx = nil }
func (c *sharePanel) Render() goapp.UI          { return c.p.renderShare() }

// dispatchShare runs fn on the UI goroutine and redraws the Share form,
// if it shows, and nothing else. It waits for fn: call it from another
// goroutine, never from the UI goroutine.
func (p *page) dispatchShare(fn func()) {
	p.onUI(func() bool {
		fn()
		if p.shareCtx != nil {
			p.shareCtx.Dispatch(func(goapp.Context) {})
		}
		return true
	})
}

// recordsPanel shows the records: see page.renderRecords.
type recordsPanel struct {
	goapp.Compo
	p   *page
	Rev int
}

func (c *recordsPanel) OnMount(ctx goapp.Context) { c.p.recordsCtx = ctx }
func (c *recordsPanel) OnDismount()               { c.p.recordsCtx = nil }
func (c *recordsPanel) Render() goapp.UI          { return c.p.renderRecords() }

// dispatchRun runs fn, which applies the scheduler's events, on the UI
// goroutine, and redraws the run and the records. The rest of the page is
// redrawn when fn says it changed (a lesson's step, a gather's result: see
// session.after), and while a batch is being gathered at most every
// slowDraw, for its progress.
func (p *page) dispatchRun(fn func()) {
	if p.runCtx == nil {
		p.dispatch(fn)
		return
	}
	// While a big run is busy, the events are applied as they come, a
	// frame's worth at a time, but the panels are drawn every slowDraw:
	// the browser then lays the page out four times a second rather than
	// sixty, and the jobs get the thread. go-app's Defer runs a function
	// on the UI goroutine at its next frame without drawing anything.
	if p.busy() && time.Since(p.runDrawn) < slowDraw {
		p.runCtx.Defer(func(ctx goapp.Context) {
			p.pageDirty = false
			fn()
			if p.pageDirty {
				p.redraw()
			}
			if !p.drawSoon {
				p.drawSoon = true
				p.runCtx.After(slowDraw, func(ctx goapp.Context) { p.drawRun() })
			}
		})
		return
	}
	p.runCtx.Dispatch(func(ctx goapp.Context) {
		keepFocus(ctx)
		p.pageDirty = false
		fn()
		p.drawRun()
		gathering := p.free.latest != nil && !p.free.latest.Done && p.tab == freeTab
		if p.pageDirty || gathering && time.Since(p.pageDrawn) >= slowDraw {
			p.redraw()
		}
	})
}

// busy reports whether a big run is changing: see slowDraw.
func (p *page) busy() bool {
	return p.scrubAt.IsZero() && p.waiting.Load() && p.sess.store.total() >= bigRun
}

// drawRun marks the run and the records for drawing at the next frame, on
// the UI goroutine. Called from the run panel's own dispatch, that panel
// is drawn in any case.
func (p *page) drawRun() {
	p.drawSoon = false
	p.runDrawn = time.Now()
	if p.runCtx != nil {
		p.runCtx.Dispatch(func(goapp.Context) {})
	}
	if p.recordsCtx != nil {
		p.recordsCtx.Dispatch(func(goapp.Context) {})
	}
}

// redraw marks the whole page for drawing in the next frame.
func (p *page) redraw() {
	if p.mountCtx != nil {
		p.mountCtx.Dispatch(func(ctx goapp.Context) { p.scrollCodeIfMoved(ctx) })
	}
}
