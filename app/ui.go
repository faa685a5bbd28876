package app

import (
	"context"

	goapp "github.com/maxence-charriere/go-app/v9/pkg/app"
)

// ui is the one way onto go-app's UI goroutine for the page's own
// goroutines: the pump, the virtual clock's driver, a batch's gather, a
// replay, an export and the clipboard's answers. The page makes it when it
// mounts and closes gone when it dismounts.
type ui struct {
	st   *stage
	ctx  goapp.Context // the page's, from OnMount
	gone chan struct{}
}

// call runs fn on the UI goroutine, draws the page if fn changed what it
// shows, and waits until it has. It reports false if ctx ends or the page
// dismounts first: fn may then not run at all, so it must check that the
// session it is about is still the page's. It never blocks once the page
// is gone.
func (u *ui) call(ctx context.Context, fn func()) bool {
	done := make(chan struct{})
	u.ctx.Defer(func(goapp.Context) {
		fn()
		u.st.acted()
		close(done)
	})
	select {
	case <-done:
		return true
	case <-ctx.Done():
	case <-u.gone:
	}
	return false
}
