package link_test

import (
	"fmt"
	"time"

	"github.com/wasmsched/wasmsched/internal/link"
	"github.com/wasmsched/wasmsched/internal/play"
)

func ExampleState_Encode() {
	s := link.Default()
	s.Tab, s.Virtual, s.Seed = "free", true, 42
	s.Actions = []play.Action{
		{At: 0, Kind: play.Queue, Delay: time.Millisecond},
		{At: 350 * time.Millisecond, Kind: play.QueueBatch, N: 10},
		{At: 352500 * time.Microsecond, Kind: play.CancelBatch, N: 1},
	}
	s.End = time.Second
	q, full := s.Encode()
	fmt.Println(q, full)
	// Output: tab=free&time=virtual&seed=42&end=1s&acts=q0.lfls-b5sdpq8.10.0-x1hl0g.1 true
}

func ExampleParse() {
	s, notes := link.Parse("?tab=free&speed=7&delay=1h30m&wasm=false")
	fmt.Println(s.Tab, link.Speeds[s.Speed], s.Delay)
	for _, n := range notes {
		fmt.Println(n)
	}
	// Output:
	// free 0.1 1h30m0s
	// The link's speed "7" is not one of 0.01, 0.1, 0.25, 0.5, 1, 2, 10, 100, 1000: it is ignored.
}
