package durable_test

import (
	"testing"

	"github.com/wasmsched/wasmsched/durable"
	"github.com/wasmsched/wasmsched/durable/internal/pgtest"
)

func openPostgres(t *testing.T, url string, cfg durable.Config) *durable.Scheduler {
	t.Helper()
	s, err := durable.OpenPostgres(t.Context(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSeedScenarioPostgres is the seed's three checks on Postgres.
func TestSeedScenarioPostgres(t *testing.T) {
	s := openPostgres(t, pgtest.DB(t), durable.Config{})
	seedScenario(t, testCtx(t), s)
}
