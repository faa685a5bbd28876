package durable_test

import (
	"os"
	"testing"

	"github.com/wasmsched/wasmsched/durable/internal/pgtest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m))
}
