package helpers

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
)

func TestIDNumbers(t *testing.T) {
	// Numbers from the kernel's enum bpf_func_id.
	tests := []struct {
		id   ID
		want int32
		name string
	}{
		{MapLookupElem, 1, "map_lookup_elem"}, {MapUpdateElem, 2, "map_update_elem"},
		{MapDeleteElem, 3, "map_delete_elem"}, {ProbeRead, 4, "probe_read"},
		{KtimeGetNS, 5, "ktime_get_ns"}, {TracePrintk, 6, "trace_printk"},
		{GetPrandomU32, 7, "get_prandom_u32"}, {GetSmpProcessorID, 8, "get_smp_processor_id"},
		{TailCall, 12, "tail_call"}, {GetCurrentPidTgid, 14, "get_current_pid_tgid"},
		{GetCurrentUidGid, 15, "get_current_uid_gid"}, {GetCurrentComm, 16, "get_current_comm"},
		{PerfEventOutput, 25, "perf_event_output"}, {GetNumaNodeID, 42, "get_numa_node_id"},
		{MapPushElem, 87, "map_push_elem"}, {MapPopElem, 88, "map_pop_elem"},
		{MapPeekElem, 89, "map_peek_elem"}, {SpinLock, 93, "spin_lock"}, {SpinUnlock, 94, "spin_unlock"},
		{ProbeReadUser, 112, "probe_read_user"}, {ProbeReadKernel, 113, "probe_read_kernel"},
		{Jiffies64, 118, "jiffies64"}, {KtimeGetBootNS, 125, "ktime_get_boot_ns"},
		{RingbufOutput, 130, "ringbuf_output"}, {RingbufReserve, 131, "ringbuf_reserve"},
		{RingbufSubmit, 132, "ringbuf_submit"}, {RingbufDiscard, 133, "ringbuf_discard"},
		{RingbufQuery, 134, "ringbuf_query"}, {ForEachMapElem, 164, "for_each_map_elem"},
		{Snprintf, 165, "snprintf"}, {Loop, 181, "loop"}, {Strncmp, 182, "strncmp"},
		{UserRingbufDrain, 209, "user_ringbuf_drain"},
	}
	for _, tt := range tests {
		if int32(tt.id) != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.id, tt.want)
		}
		if got := Name(tt.id); got != tt.name {
			t.Errorf("Name(%d) = %q, want %q", tt.id, got, tt.name)
		}
	}
	if Name(0) != "" || Name(MaxID) != "" || Name(-1) != "" {
		t.Error("Name of an invalid id is not empty")
	}
	if s := ID(9999).String(); s != "helper#9999" {
		t.Errorf("String of unknown id = %q", s)
	}
	if s := MapLookupElem.String(); s != "bpf_map_lookup_elem" {
		t.Errorf("String = %q", s)
	}
}

func TestBuiltinPrototypes(t *testing.T) {
	ids := BuiltinIDs()
	if len(ids) < 30 {
		t.Fatalf("only %d builtin prototypes", len(ids))
	}
	for _, id := range ids {
		p, ok := Builtin(id)
		if !ok {
			t.Fatalf("Builtin(%v) missing", id)
		}
		if err := p.Check(); err != nil {
			t.Errorf("%v: %v", id, err)
		}
		if p.Name != Name(id) {
			t.Errorf("%v: name %q", id, p.Name)
		}
	}
	p, _ := Builtin(RingbufReserve)
	if !p.Acquire || p.Ret != RetPtrToAllocMemOrNull {
		t.Error("ringbuf_reserve does not acquire memory")
	}
	p, _ = Builtin(RingbufSubmit)
	if p.Release != 0 || p.Args[0] != ArgPtrToAllocMem {
		t.Error("ringbuf_submit does not release its first argument")
	}
	p, _ = Builtin(Loop)
	if p.Callback == nil || p.Args[p.Callback.FuncArg] != ArgPtrToFunc {
		t.Error("bpf_loop has no callback")
	}
	p.MapTypes = append(p.MapTypes, 1)
	if q, _ := Builtin(Loop); len(q.MapTypes) != 0 {
		t.Error("Builtin returns shared slices")
	}
}

func TestPrototypeCheck(t *testing.T) {
	tests := []struct {
		name string
		p    Prototype
		ok   bool
	}{
		{"fine", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgPtrToMem, ArgConstSize}, Release: -1}, true},
		{"no id", Prototype{Name: "x", Release: -1}, false},
		{"no name", Prototype{ID: 300, Release: -1}, false},
		{"mem without size", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgPtrToMem}, Release: -1}, false},
		{"size without mem", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgAnything, ArgConstSize}, Release: -1}, false},
		{"key without map", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgPtrToMapKey}, Release: -1}, false},
		{"gap", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgAnything, ArgDontCare, ArgAnything}, Release: -1}, false},
		{"release of non-alloc", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgAnything}, Release: 0}, false},
		{"callback without func", Prototype{ID: 300, Name: "x", Args: [5]ArgType{ArgAnything}, Release: -1, Callback: &Callback{}}, false},
		{"map value return without map", Prototype{ID: 300, Name: "x", Ret: RetPtrToMapValueOrNull, Release: -1}, false},
	}
	for _, tt := range tests {
		err := tt.p.Check()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Check() = %v", tt.name, err)
		}
	}
}

func TestSet(t *testing.T) {
	s := NewSet()
	called := false
	fn := engine.Helper(func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 { called = true; return 7 })
	p := Prototype{ID: MaxID + 5, Name: "host_helper", Args: [5]ArgType{ArgAnything}, Release: -1}
	if err := s.Register(p, fn); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(p, fn); !errors.Is(err, ErrExists) {
		t.Errorf("second Register: %v, want ErrExists", err)
	}
	if err := s.Register(Prototype{ID: MaxSetID, Name: "big", Release: -1}, nil); err == nil {
		t.Error("Register accepted an id past MaxSetID")
	}
	got, ok := s.Prototype(MaxID + 5)
	if !ok || got.Name != "host_helper" {
		t.Fatalf("Prototype = %v, %v", got, ok)
	}
	if _, ok := s.Prototype(MapLookupElem); ok {
		t.Error("empty set has map_lookup_elem")
	}
	tab := s.Table()
	if len(tab) != int(MaxID)+6 || tab[MaxID+5] == nil {
		t.Fatalf("Table has %d entries", len(tab))
	}
	if r := s.Func(MaxID+5)(nil, 0, 0, 0, 0, 0); r != 7 || !called {
		t.Error("Func does not return the implementation")
	}
	if ids := s.IDs(); len(ids) != 1 || ids[0] != MaxID+5 {
		t.Errorf("IDs = %v", ids)
	}
	var nilSet *Set
	if _, ok := nilSet.Prototype(1); ok || nilSet.Func(1) != nil || nilSet.Table() != nil {
		t.Error("nil Set is not empty")
	}
	b := BuiltinSet()
	if _, ok := b.Prototype(MapLookupElem); !ok {
		t.Error("BuiltinSet lacks map_lookup_elem")
	}
}

func TestSetImplement(t *testing.T) {
	s := BuiltinSet()
	if s.Func(KtimeGetNS) != nil {
		t.Fatal("BuiltinSet has implementations")
	}
	fn := func(*abi.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return 42 }
	if err := s.Implement("ktime_get_ns", fn); err != nil {
		t.Fatal(err)
	}
	if f := s.Func(KtimeGetNS); f == nil || f(nil, 0, 0, 0, 0, 0) != 42 {
		t.Error("Implement did not set ktime_get_ns")
	}
	if p, ok := s.Prototype(KtimeGetNS); !ok || p.Name != "ktime_get_ns" {
		t.Errorf("Implement changed the prototype: %v, %v", p, ok)
	}
	if err := s.Implement("no_such_helper", fn); err == nil {
		t.Error("Implement accepted a helper the set lacks")
	}
	if err := s.Implement("ktime_get_ns", nil); err == nil {
		t.Error("Implement accepted a nil function")
	}
	if err := NewSet().Implement("ktime_get_ns", fn); err == nil {
		t.Error("Implement on an empty set succeeded")
	}
}
