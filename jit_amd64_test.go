//go:build amd64

package gbpf

import (
	"testing"
)

// TestJITCallbacksProbe: the JIT sets engine.Env.CallFunc, so programs
// that use bpf_loop or bpf_for_each_map_elem run on it.
func TestJITCallbacksProbe(t *testing.T) {
	if !jitCallbacks() {
		t.Fatal("the JIT does not set engine.Env.CallFunc during a run")
	}
}

// TestJITEngine checks that every program of the examples that need
// callbacks (bpf_loop, bpf_for_each_map_elem) or make tail calls is
// compiled to machine code, by default and when the JIT is asked for.
func TestJITEngine(t *testing.T) {
	for _, name := range []string{"loop", "for_each", "tail_call"} {
		for _, opts := range []Options{{}, {Engine: EngineJIT}} {
			coll, err := LoadCollection("examples/bpf/"+name+".o", &opts)
			if err != nil {
				t.Fatalf("%s, engine %v: %v", name, opts.Engine, err)
			}
			for pname, p := range coll.Programs {
				if p.Engine() != EngineJIT {
					t.Errorf("%s/%s, engine %v: runs on %v", name, pname, opts.Engine, p.Engine())
				}
			}
			coll.Close()
		}
	}
}

// TestJITTailCall runs tail_call's chain program on the JIT: it tail-calls
// itself until the 34th call fails. A tail call needs no jump inside the
// machine code: bpf_tail_call stops the run (engine.Env.Stop) and the
// runtime runs the next program on the same context.
func TestJITTailCall(t *testing.T) {
	coll, err := LoadCollection("examples/bpf/tail_call.o", &Options{Engine: EngineJIT})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	const xdpTx = 3
	for run := 1; run <= 3; run++ {
		res, err := coll.Programs["chain"].Test(&RunOptions{Data: make([]byte, 64)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Return != xdpTx || res.TailCalls != 33 {
			t.Errorf("run %d: return %d after %d tail calls, want %d after 33", run, res.Return, res.TailCalls, xdpTx)
		}
		var chained, fell uint64
		if err := coll.Maps["calls"].Lookup(uint32(2), &chained); err != nil {
			t.Fatal(err)
		}
		if err := coll.Maps["calls"].Lookup(uint32(3), &fell); err != nil {
			t.Fatal(err)
		}
		if chained != uint64(34*run) || fell != uint64(run) {
			t.Errorf("run %d: chain ran %d times and fell through %d times, want %d and %d", run, chained, fell, 34*run, run)
		}
	}
}
