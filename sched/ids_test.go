package sched

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
)

// TestSetIDsIsUUIDv4: setIDs makes of each job's 16 bytes the uuid that
// uuid.NewRandomFromReader makes of them: version 4, RFC 4122 variant.
func TestSetIDsIsUUIDv4(t *testing.T) {
	const n = 1000
	raw := make([]byte, 16*n)
	rand.NewChaCha8([32]byte{1}).Read(raw)
	raw[6], raw[8] = 0xff, 0xff // bits the version and variant must clear
	b := newBatch(nil, n, 0)
	b.setIDs(raw)
	jobs := b.jobs
	r := bytes.NewReader(raw)
	for i := range jobs {
		want, err := uuid.NewRandomFromReader(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := jobs[i].ID(); got != hex.EncodeToString(want[:]) {
			t.Fatalf("job %d: id %s; uuid gives %s", i, got, hex.EncodeToString(want[:]))
		}
		if u, err := uuid.Parse(jobs[i].ID()); err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("job %d: %s parses as version %d, variant %v (%v)", i, jobs[i].ID(), u.Version(), u.Variant(), err)
		}
	}
}
