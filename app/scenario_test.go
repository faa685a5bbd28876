package app

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/wasmsched/wasmsched/sched"
)

// TestSeedScenarioPasses runs the seed's three steps on a real scheduler,
// with synctest's clock so that the 1 h job and the 1 ms delays cost
// nothing and decide nothing by chance.
func TestSeedScenarioPasses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		var states [numChecks][]checkState
		var texts [numChecks]string
		runSeed(t.Context(), &s, func(i int, st checkState, text string) {
			states[i] = append(states[i], st)
			texts[i] = text
		})
		for i := range numChecks {
			if got := states[i]; len(got) != 2 || got[0] != checkRunning || got[1] != checkPass {
				t.Errorf("check %d went %v (%s); want [running pass]", i, got, texts[i])
			}
		}
		if !strings.Contains(texts[checkGather], "10 records, in order, all valid") {
			t.Errorf("gather check says %q", texts[checkGather])
		}
		if c := s.Counts(); c.Started != 11 || c.Cancelled != 1 {
			t.Errorf("scheduler counts %+v; want 11 started, 1 cancelled", c)
		}
	})
}

// TestSeedScenarioReportsFailures: on a closed scheduler every step fails,
// and says why.
func TestSeedScenarioReportsFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sched.Scheduler
		s.Close()
		var final [numChecks]checkState
		var texts [numChecks]string
		runSeed(t.Context(), &s, func(i int, st checkState, text string) {
			final[i], texts[i] = st, text
		})
		for i, st := range final {
			if st != checkFail || !strings.Contains(texts[i], "closed") {
				t.Errorf("check %d: %s %q; want a failure naming the closed scheduler", i, st, texts[i])
			}
		}
	})
}
