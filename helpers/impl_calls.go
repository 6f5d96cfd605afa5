package helpers

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

// maxLoops is the most iterations of bpf_loop (BPF_MAX_LOOPS).
const maxLoops = 1 << 23

// tailCall is bpf_tail_call(ctx, prog_array, index): when the slot holds a
// program that the State's TailPolicy lets the run enter, and the run
// has made fewer than MaxTailCalls tail calls, the current program ends and
// the runtime runs the slot's program on the same context
// (State.TailCall). Otherwise it returns a negative error and the program
// goes on, as in Linux.
func tailCall(env *engine.Env, _, r2, r3, _, _ uint64) uint64 {
	s := state(env)
	pa, ok := maps.FromHandle(r2).(*maps.ProgArrayMap)
	if s == nil || !ok {
		return errnoEINVAL
	}
	if s.tailCalls >= MaxTailCalls || r3 > 0xffffffff {
		return errnoENOENT
	}
	next := pa.Program(uint32(r3))
	if next == nil {
		return errnoENOENT
	}
	if s.TailPolicy == nil || !s.TailPolicy.AllowTailCall(next) {
		return errnoEINVAL
	}
	s.tailCalls++
	s.tailNext = next
	env.Stop(0)
	return 0
}

// loop is bpf_loop(nr_loops, callback, ctx, flags): it calls
// callback(i, ctx) for i from 0 until nr_loops or until the callback
// returns 1, and returns the number of calls. A callback that fails (the
// budget is spent, the run canceled) or ends the run (a helper it calls
// stops it) ends the loop and the run.
func loop(env *engine.Env, r1, r2, r3, r4, _ uint64) uint64 {
	if r4 != 0 || env.CallFunc == nil {
		return errnoEINVAL
	}
	if r1 > maxLoops {
		return errnoE2BIG
	}
	for i := uint64(0); i < r1; i++ {
		ret, err := env.CallFunc(int(r2), i, r3, 0, 0, 0)
		if err != nil {
			if s := state(env); s != nil {
				s.fail(env, err)
			} else {
				env.Stop(0)
			}
			return 0
		}
		if stopped, _ := env.Stopped(); stopped {
			return 0 // the callback ended the run
		}
		if ret != 0 {
			return i + 1
		}
	}
	return r1
}
