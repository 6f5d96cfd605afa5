package bpftool

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestMutatedBTF runs the printers on corrupted copies of a real blob
// (deterministic mutations, so a failure reproduces): cycles, huge
// counts and offsets must end in errors or bounded output, never a panic
// or a hang.
func TestMutatedBTF(t *testing.T) {
	seed := objectBTF(t, goldenObject("types"))
	r := rand.New(rand.NewSource(1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		raw := append([]byte(nil), seed...)
		for k := 0; k < 1+r.Intn(4); k++ {
			raw[24+r.Intn(len(raw)-24)] = byte(r.Intn(256))
		}
		b, err := ParseBTF(raw, nil)
		if err != nil {
			continue
		}
		var out bytes.Buffer
		DumpRaw(&out, nil, b, nil)
		DumpC(&out, b, nil)
		for id := uint32(1); id <= b.LastID() && id < 100; id++ {
			Signature(b, id)
			(&ValueFormatter{BTF: b, Plain: true}).Format(NewJSONWriter(&out, false), id, raw[:64])
		}
	}
}
