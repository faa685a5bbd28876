package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wasmsched/wasmsched/sched"
)

// summarizeBatch says what a gather returned, checked as the seed checks it:
// one record per job, in the jobs' order, each valid. ok is true only then,
// and the text is "N records, in order, all valid"; otherwise the text says
// exactly what was not, e.g. "10 records: 3 cancelled, 7 valid".
func summarizeBatch(ids []string, recs []sched.Record, err error) (text string, ok bool) {
	// errors.AsType, not errors.As: As is the wasm's only user of
	// internal/reflectlite (46 KB).
	_, batch := errors.AsType[*sched.BatchError](err)
	if err != nil && !batch && len(recs) == 0 {
		return fmt.Sprintf("gather failed: %v", err), false
	}
	var valid, invalid, cancelled, failed, unordered int
	for i, r := range recs {
		switch {
		case r.State == sched.Cancelled:
			cancelled++
		case r.State == sched.Failed:
			failed++
		case r.Valid():
			valid++
		default:
			invalid++
		}
		if i >= len(ids) || r.ID != ids[i] {
			unordered++
		}
	}
	head := plural(len(recs), "record")
	if len(recs) != len(ids) {
		head = fmt.Sprintf("%s for %s", head, plural(len(ids), "job"))
	}
	if err == nil && len(recs) == len(ids) && valid == len(recs) && unordered == 0 {
		return head + ", in order, all valid", true
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, count(n)+" "+what)
		}
	}
	add(cancelled, "cancelled")
	add(failed, "failed")
	add(invalid, "not valid (queued at the very instant they started)")
	add(unordered, "out of order")
	add(valid, "valid")
	if err != nil && !batch {
		parts = append(parts, "error: "+err.Error())
	}
	return head + ": " + strings.Join(parts, ", "), false
}
