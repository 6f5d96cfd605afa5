package verifier

import (
	"testing"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
)

// helpersWithHost returns a Set with only a host helper, id 1000, that
// fills the memory its first argument points to.
func helpersWithHost(t testing.TB) *helpers.Set {
	s := helpers.NewSet()
	p := helpers.Prototype{ID: 1000, Name: "host_fill", Ret: helpers.RetInteger,
		Args: [5]helpers.ArgType{helpers.ArgPtrToUninitMem, helpers.ArgConstSize}, Release: -1}
	fill := func(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
		b := engine.Bytes(r1, r2)
		for i := range b {
			b[i] = byte(i)
		}
		return 0
	}
	if err := s.Register(p, fill); err != nil {
		t.Fatal(err)
	}
	return s
}
