package sched

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestDueQueueKeepsItsOrder pushes batches in random order, removes some
// from anywhere, and checks that the rest come out by due time, then by
// submission, with every index kept right along the way.
func TestDueQueueKeepsItsOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q dueQueue
	var all []*batch
	for i := range 2000 {
		b := &batch{dueAt: time.Duration(r.IntN(50)), seq: uint64(i), heapIdx: -1}
		all = append(all, b)
		q.push(b)
		checkHeap(t, q)
	}
	removed := map[*batch]bool{}
	for _, b := range all {
		if r.IntN(3) == 0 {
			q.remove(b)
			removed[b] = true
			if b.heapIdx != -1 {
				t.Fatalf("a removed batch keeps index %d", b.heapIdx)
			}
			checkHeap(t, q)
		}
	}
	var last *batch
	n := 0
	for q.head() != nil {
		b := q.head()
		if removed[b] {
			t.Fatal("a removed batch came out")
		}
		if last != nil && (b.dueAt < last.dueAt || (b.dueAt == last.dueAt && b.seq < last.seq)) {
			t.Fatalf("(%v, %d) came out after (%v, %d)", b.dueAt, b.seq, last.dueAt, last.seq)
		}
		last = b
		q.remove(b)
		n++
	}
	if want := len(all) - len(removed); n != want {
		t.Errorf("%d batches came out, want %d", n, want)
	}
	if q != nil {
		t.Errorf("an emptied queue keeps an array of %d", cap(q))
	}
}

func checkHeap(t *testing.T, q dueQueue) {
	t.Helper()
	for i, b := range q {
		if int(b.heapIdx) != i {
			t.Fatalf("batch at %d says it is at %d", i, b.heapIdx)
		}
		if i > 0 && q.less(i, (i-1)/2) {
			t.Fatalf("batch at %d sorts before its parent", i)
		}
	}
}
