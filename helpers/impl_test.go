package helpers

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

func newMap(t testing.TB, spec maps.Spec) maps.Map {
	t.Helper()
	spec.SpinLockOffset = -1
	m, err := maps.New(&spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMapHelpers(t *testing.T) {
	m := newTestMem(t, true)
	h := newMap(t, maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	hd := maps.Handle(h)
	key := m.put([]byte{1, 0, 0, 0})
	key2 := m.put([]byte{2, 0, 0, 0})
	key3 := m.put([]byte{3, 0, 0, 0})
	val := m.put([]byte{7, 0, 0, 0, 0, 0, 0, 0})
	regions := len(m.env.Regions)

	if r := mapLookupElem(m.env, hd, key, 0, 0, 0); r != 0 {
		t.Fatalf("lookup of a missing key = %#x", r)
	}
	if r := mapUpdateElem(m.env, hd, key, val, maps.UpdateNoExist, 0); r != 0 {
		t.Fatalf("update = %d", int64(r))
	}
	if r := mapUpdateElem(m.env, hd, key, val, maps.UpdateNoExist, 0); int64(r) != -17 {
		t.Errorf("second NOEXIST update = %d, want -EEXIST", int64(r))
	}
	mapUpdateElem(m.env, hd, key2, val, maps.UpdateAny, 0)
	if r := mapUpdateElem(m.env, hd, key3, val, maps.UpdateAny, 0); int64(r) != -7 {
		t.Errorf("update of a full map = %d, want -E2BIG", int64(r))
	}
	addr := mapLookupElem(m.env, hd, key, 0, 0, 0)
	if addr == 0 || engine.Load64(addr) != 7 {
		t.Fatalf("lookup = %#x", addr)
	}
	// A checked run may now use the value.
	if len(m.env.Regions) != regions+1 || !m.env.Regions[regions].Contains(addr, 8, true) {
		t.Errorf("the value was not granted to the run: %v", m.env.Regions)
	}
	mapLookupElem(m.env, hd, key, 0, 0, 0)
	if len(m.env.Regions) != regions+1 {
		t.Error("a second lookup granted the value again")
	}
	if r := mapDeleteElem(m.env, hd, key, 0, 0, 0); r != 0 {
		t.Errorf("delete = %d", int64(r))
	}
	if r := mapDeleteElem(m.env, hd, key, 0, 0, 0); int64(r) != -2 {
		t.Errorf("second delete = %d, want -ENOENT", int64(r))
	}
	// Pointers outside the run's memory are refused in checked runs.
	if r := mapLookupElem(m.env, hd, 0x1000, 0, 0, 0); r != 0 {
		t.Errorf("lookup with a wild key = %#x", r)
	}
	if r := mapUpdateElem(m.env, hd, key, 0x1000, 0, 0); r != errnoEFAULT {
		t.Errorf("update with a wild value = %d", int64(r))
	}
	if r := mapDeleteElem(m.env, hd, 0x1000, 0, 0, 0); r != errnoEFAULT {
		t.Errorf("delete with a wild key = %d", int64(r))
	}
	// Not a map.
	if r := mapLookupElem(m.env, 12345, key, 0, 0, 0); r != 0 {
		t.Errorf("lookup in a non-map = %#x", r)
	}
	if r := mapUpdateElem(m.env, 12345, key, val, 0, 0); r != errnoEINVAL {
		t.Errorf("update of a non-map = %d", int64(r))
	}

	// Verified runs allocate nothing.
	m.state.Checked = false
	if allocs := testing.AllocsPerRun(1000, func() {
		mapUpdateElem(m.env, hd, key, val, 0, 0)
		mapLookupElem(m.env, hd, key, 0, 0, 0)
	}); allocs != 0 {
		t.Errorf("lookup and update allocate %v times", allocs)
	}
}

func TestQueueHelpers(t *testing.T) {
	m := newTestMem(t, true)
	q := newMap(t, maps.Spec{Type: maps.Queue, ValueSize: 4, MaxEntries: 2})
	hd := maps.Handle(q)
	v := m.put([]byte{1, 0, 0, 0})
	out := m.alloc(4)
	if r := mapPeekElem(m.env, hd, out, 0, 0, 0); int64(r) != -2 {
		t.Errorf("peek of an empty queue = %d", int64(r))
	}
	for i := range 2 {
		engine.Store32(v, uint64(i+1))
		if r := mapPushElem(m.env, hd, v, 0, 0, 0); r != 0 {
			t.Fatalf("push = %d", int64(r))
		}
	}
	if r := mapPushElem(m.env, hd, v, 0, 0, 0); int64(r) != -7 {
		t.Errorf("push onto a full queue = %d, want -E2BIG", int64(r))
	}
	if r := mapPeekElem(m.env, hd, out, 0, 0, 0); r != 0 || engine.Load32(out) != 1 {
		t.Errorf("peek = %d, %d", int64(r), engine.Load32(out))
	}
	if r := mapPopElem(m.env, hd, out, 0, 0, 0); r != 0 || engine.Load32(out) != 1 {
		t.Errorf("pop = %d, %d", int64(r), engine.Load32(out))
	}
	if r := mapPopElem(m.env, hd, 0x1000, 0, 0, 0); r != errnoEFAULT {
		t.Errorf("pop into a wild pointer = %d", int64(r))
	}
}

func TestProbeReadHelpers(t *testing.T) {
	for _, checked := range []bool{true, false} {
		m := newTestMem(t, checked)
		src := m.put([]byte("0123456789abcdef"))
		dst := m.alloc(16)
		if r := probeRead(m.env, dst, 16, src, 0, 0); r != 0 || string(m.bytes(dst, 16)) != "0123456789abcdef" {
			t.Errorf("probe_read = %d, %q", int64(r), m.bytes(dst, 16))
		}
		// Outside the run's memory: -EFAULT and zeros, even unchecked.
		if r := probeRead(m.env, dst, 16, 0xdead0000, 0, 0); r != errnoEFAULT || string(m.bytes(dst, 16)) != string(make([]byte, 16)) {
			t.Errorf("wild probe_read = %d, %q", int64(r), m.bytes(dst, 16))
		}
		end := m.block.Addr() + uint64(m.block.Len()) - 4
		if r := probeRead(m.env, dst, 16, end, 0, 0); r != errnoEFAULT {
			t.Errorf("probe_read across the end of a region = %d", int64(r))
		}
		if r := probeReadStr(m.env, dst, 8, src, 0, 0); r != 8 || string(m.bytes(dst, 8)) != "0123456\x00" {
			t.Errorf("probe_read_str = %d, %q", int64(r), m.bytes(dst, 8))
		}
		short := m.put([]byte("hi\x00"))
		if r := probeReadStr(m.env, dst, 8, short, 0, 0); r != 3 || string(m.bytes(dst, 3)) != "hi\x00" {
			t.Errorf("short probe_read_str = %d, %q", int64(r), m.bytes(dst, 3))
		}
		if r := probeReadStr(m.env, dst, 8, 0xdead0000, 0, 0); r != errnoEFAULT {
			t.Errorf("wild probe_read_str = %d", int64(r))
		}
		// strncmp
		a := m.put([]byte("GET /x"))
		get := m.put([]byte("GET \x00"))
		post := m.put([]byte("POST\x00"))
		if r := strncmp(m.env, a, 4, get, 0, 0); r != 0 {
			t.Errorf("strncmp(GET , GET ) = %d", int64(r))
		}
		if r := strncmp(m.env, a, 5, get, 0, 0); int64(r) != 1 {
			t.Errorf("strncmp(GET /, GET ) = %d, want 1", int64(r))
		}
		if r := strncmp(m.env, a, 4, post, 0, 0); int64(r) != -1 {
			t.Errorf("strncmp(GET , POST) = %d, want -1", int64(r))
		}
	}
}

func TestTaskHelpers(t *testing.T) {
	m := newTestMem(t, true)
	m.state.Task = Task{PID: 10, TGID: 20, UID: 30, GID: 40}
	copy(m.state.Task.Comm[:], "a-very-long-command-name")
	m.state.CPU, m.state.NUMANode = 3, 1
	if r := getCurrentPidTgid(m.env, 0, 0, 0, 0, 0); r != 20<<32|10 {
		t.Errorf("pid_tgid = %#x", r)
	}
	if r := getCurrentUidGid(m.env, 0, 0, 0, 0, 0); r != 40<<32|30 {
		t.Errorf("uid_gid = %#x", r)
	}
	buf := m.put([]byte("XXXXXXXXXXXXXXXXXXXX"))
	if r := getCurrentComm(m.env, buf, 8, 0, 0, 0); r != 0 || string(m.bytes(buf, 9)) != "a-very-\x00X" {
		t.Errorf("comm = %d, %q", int64(r), m.bytes(buf, 9))
	}
	if r := getCurrentComm(m.env, 0x1000, 8, 0, 0, 0); r != errnoEFAULT {
		t.Errorf("comm into a wild pointer = %d", int64(r))
	}
	if getSmpProcessorID(m.env, 0, 0, 0, 0, 0) != 3 || getNumaNodeID(m.env, 0, 0, 0, 0, 0) != 1 {
		t.Error("cpu or node id")
	}
	noState := &engine.Env{}
	if r := getCurrentPidTgid(noState, 0, 0, 0, 0, 0); r != errnoEINVAL {
		t.Errorf("pid_tgid without a State = %#x", r)
	}
}

func TestLoopHelper(t *testing.T) {
	m := newTestMem(t, false)
	var calls []uint64
	m.env.CallFunc = func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
		if pc != 17 || r2 != 99 {
			t.Fatalf("callback at %d with ctx %d", pc, r2)
		}
		calls = append(calls, r1)
		if r1 == 4 {
			return 1, nil
		}
		return 0, nil
	}
	if r := loop(m.env, 3, 17, 99, 0, 0); r != 3 || len(calls) != 3 {
		t.Errorf("loop(3) = %d after %d calls", r, len(calls))
	}
	calls = nil
	if r := loop(m.env, 10, 17, 99, 0, 0); r != 5 || len(calls) != 5 {
		t.Errorf("loop stopped at 4 = %d after %d calls, want 5", r, len(calls))
	}
	if r := loop(m.env, 1<<24, 17, 99, 0, 0); r != errnoE2BIG {
		t.Errorf("loop of 2^24 = %d", int64(r))
	}
	if r := loop(m.env, 1, 17, 99, 1, 0); r != errnoEINVAL {
		t.Errorf("loop with flags = %d", int64(r))
	}
	boom := errors.New("fault in callback")
	m.env.CallFunc = func(int, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, boom }
	loop(m.env, 5, 17, 99, 0, 0)
	if stopped, _ := m.env.Stopped(); !stopped || !errors.Is(m.state.Err(), boom) {
		t.Errorf("a faulting callback did not end the run: %v", m.state.Err())
	}
	// A callback that ends the run (a helper it called stopped it, as a
	// callback's failing bpf_loop does) ends the loop: no more calls.
	m.env.Reset()
	calls = nil
	m.env.CallFunc = func(_ int, r1, _, _, _, _ uint64) (uint64, error) {
		calls = append(calls, r1)
		if r1 == 1 {
			m.env.Stop(0)
		}
		return 0, nil
	}
	if loop(m.env, 1000, 17, 99, 0, 0); len(calls) != 2 {
		t.Errorf("a callback stopped the run, and the loop made %d calls, want 2", len(calls))
	}
	m.env.CallFunc = nil
	if r := loop(m.env, 1, 17, 99, 0, 0); r != errnoEINVAL {
		t.Errorf("loop on an engine without callbacks = %d", int64(r))
	}
}

func TestTailCallHelper(t *testing.T) {
	m := newTestMem(t, false)
	pa := newMap(t, maps.Spec{Type: maps.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	target := "the next program"
	if err := pa.(*maps.ProgArrayMap).SetProgram(1, target); err != nil {
		t.Fatal(err)
	}
	if err := pa.(*maps.ProgArrayMap).SetProgram(0, "a program the run may not enter"); err != nil {
		t.Fatal(err)
	}
	hd := maps.Handle(pa)
	if r := tailCall(m.env, 0, hd, 1, 0, 0); r != errnoEINVAL {
		t.Errorf("tail call without a policy = %d, want -EINVAL", int64(r))
	}
	m.state.TailPolicy = onlyPolicy{target}
	if r := tailCall(m.env, 0, hd, 0, 0, 0); r != errnoEINVAL {
		t.Errorf("tail call the policy refuses = %d, want -EINVAL", int64(r))
	}
	if stopped, _ := m.env.Stopped(); stopped || m.state.TailCall() != nil || m.state.TailCalls() != 0 {
		t.Errorf("a refused tail call stopped the program or counted")
	}
	if err := pa.(*maps.ProgArrayMap).SetProgram(0, nil); err != nil {
		t.Fatal(err)
	}
	if r := tailCall(m.env, 0, hd, 0, 0, 0); int64(r) != -2 {
		t.Errorf("tail call into an empty slot = %d", int64(r))
	}
	if r := tailCall(m.env, 0, hd, 5, 0, 0); int64(r) != -2 {
		t.Errorf("tail call past the end = %d", int64(r))
	}
	for i := range MaxTailCalls {
		m.env.Reset()
		if r := tailCall(m.env, 0, hd, 1, 0, 0); r != 0 {
			t.Fatalf("tail call %d = %d", i, int64(r))
		}
		if stopped, _ := m.env.Stopped(); !stopped || m.state.TailCall() != target {
			t.Fatalf("tail call %d did not stop the program", i)
		}
	}
	if r := tailCall(m.env, 0, hd, 1, 0, 0); int64(r) != -2 || m.state.TailCalls() != MaxTailCalls {
		t.Errorf("tail call %d = %d", MaxTailCalls+1, int64(r))
	}
	other := newMap(t, maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if r := tailCall(m.env, 0, maps.Handle(other), 1, 0, 0); r != errnoEINVAL {
		t.Errorf("tail call through an array = %d", int64(r))
	}
}

// onlyPolicy lets a run tail-call into one program.
type onlyPolicy struct{ prog any }

func (p onlyPolicy) AllowTailCall(prog any) bool { return prog == p.prog }

func TestRingbufHelpers(t *testing.T) {
	m := newTestMem(t, true)
	rb := newMap(t, maps.Spec{Type: maps.RingBuf, MaxEntries: 4096})
	hd := maps.Handle(rb)
	a := ringbufReserve(m.env, hd, 16, 0, 0, 0)
	if a == 0 || !m.env.Contains(a, 16, true) {
		t.Fatalf("reserve = %#x, granted %v", a, m.env.Contains(a, 16, true))
	}
	if r := ringbufReserve(m.env, hd, 16, 1, 0, 0); r != 0 {
		t.Error("reserve with flags succeeded")
	}
	if r := ringbufReserve(m.env, hd, 1<<20, 0, 0, 0); r != 0 {
		t.Error("reserve larger than the ring succeeded")
	}
	// A record that was never reserved is ignored.
	ringbufSubmit(m.env, a+8, 0, 0, 0, 0)
	if q := ringbufQuery(m.env, hd, 0, 0, 0, 0); q != 24 {
		t.Errorf("avail = %d, want 24", q)
	}
	ringbufSubmit(m.env, a, 0, 0, 0, 0)
	if len(m.state.reserved) != 0 {
		t.Error("the reservation was not released")
	}
	data := m.put([]byte("payload!"))
	if r := ringbufOutput(m.env, hd, data, 8, 0, 0); r != 0 {
		t.Errorf("output = %d", int64(r))
	}
	if r := ringbufOutput(m.env, hd, 0x1000, 8, 0, 0); r != errnoEFAULT {
		t.Errorf("output of a wild pointer = %d", int64(r))
	}
	// A record left open is discarded at the end of the run.
	b := ringbufReserve(m.env, hd, 8, 0, 0, 0)
	if b == 0 {
		t.Fatal("reserve failed")
	}
	m.state.End()
	if len(m.state.reserved) != 0 {
		t.Error("End left a reservation open")
	}
}

func TestLinuxSet(t *testing.T) {
	s := Linux()
	for id, fn := range implementations {
		if fn == nil {
			t.Errorf("%s: nil implementation", Name(id))
		}
		p, ok := s.Prototype(id)
		if !ok || p.ID != id || s.Func(id) == nil {
			t.Errorf("%s: not in the Linux set", Name(id))
		}
		if Implementation(id) == nil {
			t.Errorf("%s: Implementation is nil", Name(id))
		}
	}
	if p, _ := s.Prototype(TracePrintk); p.Args[2] != ArgDontCare {
		t.Error("trace_printk's variadic arguments must not need to be set")
	}
	// Hosts add their own helpers from MaxID on.
	custom := Prototype{ID: MaxID, Name: "host_answer", Ret: RetInteger, Release: -1}
	if err := s.Register(custom, func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return 42 }); err != nil {
		t.Fatal(err)
	}
	if s.Table()[MaxID](nil, 0, 0, 0, 0, 0) != 42 {
		t.Error("the host helper is not in the table")
	}
}

// TestVerifiedRunMemory: in verified runs the helpers still read only
// memory of the run, and the map values the run was handed.
func TestVerifiedRunMemory(t *testing.T) {
	m := newTestMem(t, false)
	stack, err := engine.Alloc(512)
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Free()
	m.env.Stack = stack.Region(true) // an engine that reports its stack
	h := newMap(t, maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1})
	key := m.put([]byte{0, 0, 0, 0})
	if r := mapUpdateElem(m.env, maps.Handle(h), key, m.put([]byte("map value\x00\x00\x00\x00\x00\x00\x00")), 0, 0); r != 0 {
		t.Fatal(int64(r))
	}
	// Before the program looks the value up, it is not the run's.
	v := h.LookupElem([]byte{0, 0, 0, 0}, 0)
	if out, _ := bprintf(m.env, nil, []byte("%s"), []uint64{v}); string(out) != "" {
		t.Errorf("%%s of a value the run was not given = %q", out)
	}
	if got := mapLookupElem(m.env, maps.Handle(h), key, 0, 0, 0); got != v {
		t.Fatalf("lookup = %#x, want %#x", got, v)
	}
	if out, _ := bprintf(m.env, nil, []byte("%s"), []uint64{v}); string(out) != "map value" {
		t.Errorf("%%s of a looked-up value = %q", out)
	}
	dst := m.alloc(8)
	if r := probeRead(m.env, dst, 8, v, 0, 0); r != 0 || string(m.bytes(dst, 8)) != "map valu" {
		t.Errorf("probe_read of a looked-up value = %d, %q", int64(r), m.bytes(dst, 8))
	}
	// A wild pointer prints as an empty string instead of crashing.
	if out, err := bprintf(m.env, nil, []byte("[%s]"), []uint64{0xdead0000}); err != 0 || string(out) != "[]" {
		t.Errorf("%%s of a wild pointer = %q, %d", out, int64(err))
	}
	copy(stack.Bytes()[100:], "on the stack\x00")
	if out, _ := bprintf(m.env, nil, []byte("%s"), []uint64{stack.Addr() + 100}); string(out) != "on the stack" {
		t.Errorf("%%s of a stack string = %q", out)
	}
}
