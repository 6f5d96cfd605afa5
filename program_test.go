package gbpf_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// single returns a collection spec with one program.
func single(t progtype.Type, ctxSize int, insns ...isa.Instruction) *gbpf.CollectionSpec {
	return &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{
			"prog": {Name: "prog", Type: t, CtxSize: ctxSize, Instructions: isa.Program{Insns: insns}},
		},
		Maps: map[string]*maps.Spec{},
	}
}

func ins(op isa.Opcode, dst, src isa.Register, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Op: op, Dst: dst, Src: src, Off: off, Imm: imm}
}

var (
	exit    = ins(isa.OpExit, 0, 0, 0, 0)
	movR0R2 = ins(isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceX), isa.R0, isa.R2, 0, 0)
)

func TestRunRawDataOut(t *testing.T) {
	spec := single(progtype.Raw, 2,
		ins(isa.MemOpcode(isa.ClassST, isa.ModeMEM, isa.SizeB), isa.R1, 0, 1, 0x42), // *(u8 *)(r1 + 1) = 0x42
		movR0R2,
		exit,
	)
	for _, opts := range []gbpf.Options{{Checked: true}, {Engine: gbpf.EngineInterpreter}, {}} {
		coll, err := gbpf.NewCollection(spec, &opts)
		if err != nil {
			t.Fatal(err)
		}
		out := []byte{}
		res, err := coll.Programs["prog"].Test(&gbpf.RunOptions{Data: []byte{1, 2, 3, 4}, DataOut: out, Repeat: 100})
		if err != nil {
			t.Fatal(err)
		}
		coll.Close()
		if res.Return != 4 {
			t.Errorf("%+v: return %d, want 4", opts, res.Return)
		}
		if res.Duration <= 0 {
			t.Errorf("%+v: duration %v", opts, res.Duration)
		}
		if _, err := coll.Programs["prog"].Run(nil); err == nil {
			t.Error("a closed program ran")
		}
	}
	// Too short an input for the declared context.
	coll, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	opts := &gbpf.RunOptions{Data: []byte{9, 9, 9}, DataOut: []byte{}}
	if _, err := coll.Programs["prog"].Run(opts); err != nil {
		t.Fatal(err)
	}
	if string(opts.DataOut) != "\x09\x42\x09" {
		t.Errorf("DataOut = %x, want 094209", opts.DataOut)
	}
	if _, err := coll.Programs["prog"].Run(&gbpf.RunOptions{Data: []byte{1}}); err == nil {
		t.Error("ran on 1 byte with a 2-byte context")
	}
}

func TestCheckedFault(t *testing.T) {
	// r0 = *(u64 *)(r1 + 4096): outside the input.
	spec := single(progtype.Raw, 8, ins(isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeDW), isa.R0, isa.R1, 4096, 0), exit)
	if _, err := gbpf.NewCollection(spec, nil); err == nil {
		t.Fatal("the verifier accepted an out-of-bounds load")
	} else if !strings.Contains(err.Error(), "program prog") {
		t.Errorf("the error does not name the program: %v", err)
	}
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	if !coll.Programs["prog"].Checked() || coll.Programs["prog"].Engine() != gbpf.EngineChecked {
		t.Error("a checked program does not run in the checked interpreter")
	}
	_, err = coll.Programs["prog"].Run(&gbpf.RunOptions{Data: make([]byte, 8)})
	var fault *engine.Fault
	if !errors.As(err, &fault) || !errors.Is(err, engine.ErrMemory) || fault.PC != 0 {
		t.Fatalf("Run = %v, want a memory fault at instruction 0", err)
	}
	if _, err := gbpf.NewCollection(spec, &gbpf.Options{Checked: true, Engine: gbpf.EngineJIT}); !errors.Is(err, gbpf.ErrNotSupported) {
		t.Errorf("checked JIT: %v, want ErrNotSupported", err)
	}
}

func TestEngines(t *testing.T) {
	spec := single(progtype.Raw, 0, movR0R2, exit)
	for _, c := range []struct {
		opts gbpf.Options
		want gbpf.Engine
	}{
		{gbpf.Options{Engine: gbpf.EngineInterpreter}, gbpf.EngineInterpreter},
		{gbpf.Options{Checked: true}, gbpf.EngineChecked},
		{gbpf.Options{Engine: gbpf.EngineChecked}, gbpf.EngineChecked},
		{gbpf.Options{}, map[bool]gbpf.Engine{true: gbpf.EngineJIT, false: gbpf.EngineInterpreter}[runtime.GOARCH == "amd64"]},
	} {
		coll, err := gbpf.NewCollection(spec, &c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := coll.Programs["prog"].Engine(); got != c.want {
			t.Errorf("%+v: engine %v, want %v", c.opts, got, c.want)
		}
		if ret, err := coll.Programs["prog"].Run(&gbpf.RunOptions{Data: make([]byte, 77)}); err != nil || ret != 77 {
			t.Errorf("%+v: run = %d, %v", c.opts, ret, err)
		}
		coll.Close()
	}
	for _, s := range []string{"default", "interpreter", "checked", "jit"} {
		e, err := gbpf.ParseEngine(s)
		if err != nil || e.String() != s {
			t.Errorf("ParseEngine(%q) = %v, %v", s, e, err)
		}
	}
	// The CLI's older names are aliases.
	for alias, want := range map[string]gbpf.Engine{"": gbpf.EngineDefault, "interp": gbpf.EngineInterpreter, "interp-checked": gbpf.EngineChecked, "jit-always": gbpf.EngineJIT} {
		if e, err := gbpf.ParseEngine(alias); err != nil || e != want {
			t.Errorf("ParseEngine(%q) = %v, %v; want %v", alias, e, err, want)
		}
	}
	if _, err := gbpf.ParseEngine("vm"); err == nil {
		t.Error("ParseEngine accepted vm")
	}
}

func TestXDPContext(t *testing.T) {
	// r0 = ctx->ingress_ifindex + ctx->rx_queue_index
	spec := single(progtype.XDP, 0,
		ins(isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeW), isa.R0, isa.R1, progtype.XDPMdIngressIfindex, 0),
		ins(isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeW), isa.R2, isa.R1, progtype.XDPMdRxQueueIndex, 0),
		ins(isa.ALUOpcode(isa.ClassALU64, isa.Add, isa.SourceX), isa.R0, isa.R2, 0, 0),
		exit,
	)
	coll, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	ctx := make([]byte, progtype.XDPMdSize)
	binary.LittleEndian.PutUint32(ctx[progtype.XDPMdIngressIfindex:], 7)
	binary.LittleEndian.PutUint32(ctx[progtype.XDPMdRxQueueIndex:], 3)
	opts := &gbpf.RunOptions{Data: tcpPacket(), Context: ctx, ContextOut: []byte{}}
	if ret, err := coll.Programs["prog"].Run(opts); err != nil || ret != 10 {
		t.Fatalf("run = %d, %v; want 10", ret, err)
	}
	data := binary.LittleEndian.Uint32(opts.ContextOut[progtype.XDPMdData:])
	end := binary.LittleEndian.Uint32(opts.ContextOut[progtype.XDPMdDataEnd:])
	if end-data != uint32(len(tcpPacket())) || data == 0 {
		t.Errorf("xdp_md data %#x data_end %#x for a %d-byte packet", data, end, len(tcpPacket()))
	}
	if _, err := coll.Programs["prog"].Run(&gbpf.RunOptions{Data: tcpPacket(), Context: make([]byte, 100)}); err == nil {
		t.Error("accepted a 100-byte xdp_md")
	}
}

func TestUnsupportedProgramType(t *testing.T) {
	spec := single(progtype.Type(999), 0, movR0R2, exit)
	if _, err := gbpf.NewCollection(spec, &gbpf.Options{Checked: true}); !errors.Is(err, gbpf.ErrNotSupported) {
		t.Errorf("NewCollection = %v, want ErrNotSupported", err)
	}
}

func TestMapAccess(t *testing.T) {
	type value struct {
		A uint32
		B uint16
		C [2]byte
	}
	m, err := gbpf.NewMap(&maps.Spec{Name: "h", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4, SpinLockOffset: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Name() != "h" || m.Type() != maps.Hash || m.KeySize() != 4 || m.ValueSize() != 8 || m.MaxEntries() != 4 {
		t.Errorf("map describes itself as %v %d %d %d", m, m.KeySize(), m.ValueSize(), m.MaxEntries())
	}
	var v value
	if err := m.Lookup(uint32(1), &v); !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("lookup of a missing key: %v", err)
	}
	want := value{A: 1, B: 2, C: [2]byte{3, 4}}
	if err := m.Update(uint32(1), want, gbpf.UpdateNoExist); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(uint32(1), want, gbpf.UpdateNoExist); err == nil {
		t.Error("UpdateNoExist replaced an element")
	}
	if err := m.Update(uint32(2), want, gbpf.UpdateExist); err == nil {
		t.Error("UpdateExist created an element")
	}
	if err := m.Lookup(uint32(1), &v); err != nil || v != want {
		t.Errorf("lookup = %+v, %v", v, err)
	}
	raw := make([]byte, 8)
	if err := m.Lookup([]byte{1, 0, 0, 0}, raw); err != nil || binary.LittleEndian.Uint32(raw) != 1 {
		t.Errorf("lookup into bytes = %x, %v", raw, err)
	}
	for _, bad := range []struct {
		key, value any
	}{
		{uint64(1), want},      // key too long
		{uint32(1), uint32(0)}, // value too short
		{"a", want},            // not fixed-size
		{uint32(1), []int{1}},  // not fixed-size
	} {
		if err := m.Update(bad.key, bad.value, gbpf.UpdateAny); err == nil {
			t.Errorf("Update(%T, %T) succeeded", bad.key, bad.value)
		}
	}
	if err := m.Update(uint32(3), value{A: 3}, gbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	seen := map[uint32]value{}
	var k uint32
	it := m.Iterate()
	for it.Next(&k, &v) {
		seen[k] = v
	}
	if it.Err() != nil || len(seen) != 2 || seen[1] != want || seen[3] != (value{A: 3}) {
		t.Errorf("iterate: %v, %v", seen, it.Err())
	}
	if err := m.LookupAndDelete(uint32(3), &v); err != nil || v.A != 3 {
		t.Errorf("LookupAndDelete = %+v, %v", v, err)
	}
	if err := m.Delete(uint32(3)); !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("second delete: %v", err)
	}

	pc, err := gbpf.NewMap(&maps.Spec{Name: "pc", Type: maps.PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	vals := make([]uint32, maps.NumCPU())
	for i := range vals {
		vals[i] = uint32(10 + i)
	}
	if err := pc.Update(uint32(1), vals, gbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	var got []uint32
	if err := pc.Lookup(uint32(1), &got); err != nil || len(got) != len(vals) || got[0] != 10 {
		t.Errorf("per-CPU lookup = %v, %v", got, err)
	}
	if err := pc.Update(uint32(1), vals[:1], gbpf.UpdateAny); len(vals) > 1 && err == nil {
		t.Error("per-CPU update with one value succeeded")
	}
	if err := pc.Lookup(uint32(1), &v); err == nil {
		t.Error("per-CPU lookup into a single value succeeded")
	}
}

func TestHostHelper(t *testing.T) {
	hs := helpers.Linux()
	const id = helpers.MaxID + 7
	proto := helpers.Prototype{ID: id, Name: "host_scale", Ret: helpers.RetInteger,
		Args: [5]helpers.ArgType{helpers.ArgAnything}, Release: -1}
	if err := hs.Register(proto, func(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
		st := env.Host.(*helpers.State)
		return r1*10 + uint64(st.Task.PID)
	}); err != nil {
		t.Fatal(err)
	}
	// r1 = r2 (the input length); r0 = host_scale(r1); exit
	spec := single(progtype.Raw, 0,
		ins(isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceX), isa.R1, isa.R2, 0, 0),
		ins(isa.OpCall, 0, isa.PseudoCallHelper, 0, int32(id)),
		exit,
	)
	for _, opts := range []gbpf.Options{{Helpers: hs}, {Helpers: hs, Checked: true}, {Helpers: hs, Engine: gbpf.EngineInterpreter}} {
		coll, err := gbpf.NewCollection(spec, &opts)
		if err != nil {
			t.Fatal(err)
		}
		ret, err := coll.Programs["prog"].Run(&gbpf.RunOptions{Data: make([]byte, 4), Task: &helpers.Task{PID: 3}})
		coll.Close()
		if err != nil || ret != 43 {
			t.Errorf("%+v: host helper returned %d, %v; want 43", opts, ret, err)
		}
	}
	// Without it, the verifier refuses the call.
	if _, err := gbpf.NewCollection(spec, nil); err == nil {
		t.Error("a call to an unknown helper was accepted")
	}
}

func TestOptionsRuntime(t *testing.T) {
	var trace strings.Builder
	// The program passes a stack address to bpf_snprintf as data: only
	// root may (in Linux, snprintf needs CAP_PERFMON anyway).
	coll, err := gbpf.LoadCollection("examples/bpf/printk.o", &gbpf.Options{Trace: &trace, CPUs: 1, Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	if _, err := coll.Programs["format"].Run(&gbpf.RunOptions{Data: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trace.String(), "a=0 b=0 c=0\n") {
		t.Errorf("trace = %q", trace.String())
	}
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gbpf.LoadCollection("examples/bpf/printk.o", &gbpf.Options{Runtime: rt, CPUs: 1}); err == nil {
		t.Error("Runtime and CPUs together were accepted")
	}
	if _, err := gbpf.NewRuntime(&gbpf.RuntimeOptions{CPUs: maps.NumCPU() + 1}); err == nil {
		t.Error("a runtime with more CPUs than per-CPU maps have was created")
	}
}

func TestOptionsPrivileged(t *testing.T) {
	// r0 = *(u64 *)(r10 - 512): a stack byte never written; then
	// r0 = r10 - r10 + r0 through a pointer subtraction only root may do.
	spec := single(progtype.Raw, 0,
		ins(isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeDW), isa.R0, isa.R10, -512, 0),
		ins(isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceX), isa.R1, isa.R10, 0, 0),
		ins(isa.ALUOpcode(isa.ClassALU64, isa.Sub, isa.SourceX), isa.R1, isa.R10, 0, 0),
		ins(isa.ALUOpcode(isa.ClassALU64, isa.Add, isa.SourceX), isa.R0, isa.R1, 0, 0),
		exit,
	)
	if _, err := gbpf.NewCollection(spec, nil); err == nil || !strings.Contains(err.Error(), "invalid read from stack") {
		t.Errorf("unprivileged: %v, want an uninitialized stack read rejected", err)
	}
	engines := []gbpf.Engine{gbpf.EngineInterpreter}
	if runtime.GOARCH == "amd64" {
		engines = append(engines, gbpf.EngineJIT)
	}
	for _, e := range engines {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Engine: e, Privileged: true})
		if err != nil {
			t.Fatalf("%v, privileged: %v", e, err)
		}
		if _, err := coll.Programs["prog"].Run(&gbpf.RunOptions{}); err != nil {
			t.Errorf("%v: %v", e, err)
		}
		coll.Close()
	}
}
