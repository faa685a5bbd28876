package sched

import (
	"testing"
	"unsafe"
)

// TestJobSizes keeps what a waiting job costs: a Job is 40 bytes, and what
// only some jobs need (a cause, a done channel, watchers) is in a jobMore
// of 32, made only for them.
func TestJobSizes(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the sizes are those of 64-bit pointers")
	}
	if n := unsafe.Sizeof(Job{}); n != 40 {
		t.Errorf("a Job is %d bytes, want 40", n)
	}
	if n := unsafe.Sizeof(jobMore{}); n != 32 {
		t.Errorf("a jobMore is %d bytes, want 32", n)
	}
}
