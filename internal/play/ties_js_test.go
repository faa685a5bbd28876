//go:build js && wasm

package play

import (
	"strings"
	"testing"
	"time"
)

// TestGroupTiesRepeatInTheBrowser: starts that end at one instant, some
// failing, in a group under a limit, give the same run every time on the
// browser's one thread, which the page's replays rely on. Natively they
// race for the scheduler's lock, and which failure comes first, and
// whether a slot is handed on before it, may differ (see Run.QueueGroup).
func TestGroupTiesRepeatInTheBrowser(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13, 14, 15} {
		set := Settings{StartTime: 10 * time.Millisecond, FailPct: 30, Limit: 3, Seed: seed}
		var first string
		for i := range 50 {
			r := virtual(t, set)
			if _, _, err := r.QueueGroup(30, time.Millisecond); err != nil {
				t.Fatal(err)
			}
			r.AdvanceTo(Origin.Add(time.Second), 0)
			got := strings.Join(describe(r), "\n")
			r.Close()
			if i == 0 {
				first = got
			} else if got != first {
				t.Fatalf("seed %d, run %d differs:\n%s\nthe first:\n%s", seed, i, got, first)
			}
		}
	}
}
