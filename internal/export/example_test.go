package export_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wasmsched/wasmsched/internal/export"
	"github.com/wasmsched/wasmsched/sched"
)

// A page encodes a big run a chunk of jobs at a time, flushing the slice
// between chunks; here each chunk is one job, and the flush prints.
func ExampleEncoder() {
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) // a virtual run's start
	m := export.Meta{Start: start, Wall: start, At: start.Add(time.Second), Virtual: true, Seed: 42}
	jobs := []export.Job{
		{Pos: 0, Rec: sched.Record{
			ID:       "5f0c2a9e8d7b4c3a9e1f0d2c4b6a8e01",
			Delay:    time.Millisecond,
			QueuedAt: start, ReadyAt: start.Add(time.Millisecond),
			StartedAt: start.Add(1500 * time.Microsecond), DoneAt: start.Add(1500 * time.Microsecond),
			State: sched.Started,
		}},
		{Pos: 1, Batch: 1, Rec: sched.Record{
			ID:       "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
			Delay:    time.Hour,
			QueuedAt: start.Add(2 * time.Millisecond), DoneAt: start.Add(3 * time.Millisecond),
			State: sched.Cancelled,
			Err:   errors.New("=cancelled, by you"),
		}},
	}

	flush := func(b []byte) []byte {
		fmt.Print(strings.ReplaceAll(string(b), "\r\n", "\n")) // rows end in CRLF
		return b[:0]
	}
	e := export.New(export.CSV, m)
	b := flush(e.Begin(nil))
	for _, j := range jobs {
		b = flush(e.Job(b, j))
	}
	flush(e.End(b))
	fmt.Println(export.CSV.FileName(m))
	// Output:
	// pos,id,batch,state,delay_ns,queued_ns,queued,ready_ns,ready,started_ns,started,done_ns,done,late_ns,valid,error
	// 0,5f0c2a9e8d7b4c3a9e1f0d2c4b6a8e01,0,started,1000000,0,2026-05-01T12:00:00Z,1000000,2026-05-01T12:00:00.001Z,1500000,2026-05-01T12:00:00.0015Z,1500000,2026-05-01T12:00:00.0015Z,0,true,
	// 1,0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50,1,cancelled,3600000000000,2000000,2026-05-01T12:00:00.002Z,,,,,3000000,2026-05-01T12:00:00.003Z,,false,"'=cancelled, by you"
	// wasmsched-run-42.csv
}
