package gbpf_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// sandboxEngines are the engine choices every sandbox test runs on: the
// checked interpreter, the interpreter, and the JIT where there is one.
func sandboxEngines() []gbpf.Options {
	opts := []gbpf.Options{{Checked: true}, {Engine: gbpf.EngineInterpreter}}
	if runtime.GOARCH == "amd64" {
		opts = append(opts, gbpf.Options{Engine: gbpf.EngineJIT})
	}
	return opts
}

// assembleProg assembles src or fails the test.
func assembleProg(t *testing.T, src string) loader.ProgramSpec {
	t.Helper()
	p, err := asm.Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	return loader.ProgramSpec{Instructions: p}
}

// tailCallSpec is three tracepoint programs with different verified
// contexts: "small" (8 bytes) tail-calls the program at the index its
// context's first word holds, "big" (32 KiB) at 0 or "mid" (2048 bytes) at
// 1, which return the last word of their context.
func tailCallSpec(t *testing.T) *gbpf.CollectionSpec {
	big := assembleProg(t, `
		ldxdw %r0, [%r1+32760]
		exit`)
	big.Name, big.Type, big.CtxSize = "big", progtype.Tracepoint, 32768
	mid := assembleProg(t, `
		ldxdw %r0, [%r1+2040]
		exit`)
	mid.Name, mid.Type, mid.CtxSize = "mid", progtype.Tracepoint, 2048
	small := assembleProg(t, `
		ldxw %r3, [%r1+0]
		lddw %r2, map_idx 0
		call 12
		mov %r0, 7
		exit`)
	small.Name, small.Type, small.CtxSize, small.Maps = "small", progtype.Tracepoint, 8, []string{"progs"}
	return &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"big": &big, "mid": &mid, "small": &small},
		Maps: map[string]*maps.Spec{
			"progs": {Name: "progs", Type: maps.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1},
		},
		References: map[string][]loader.Reference{"progs": {{Key: 0, Program: "big"}, {Key: 1, Program: "mid"}}},
	}
}

// tailCallContext is a context of n bytes for "small" that asks for the
// program at index, and holds 0x1234 in its last word.
func tailCallContext(n int, index uint32) []byte {
	ctx := make([]byte, n)
	binary.LittleEndian.PutUint32(ctx, index)
	if n >= 16 {
		binary.LittleEndian.PutUint64(ctx[n-8:], 0x1234)
	}
	return ctx
}

// TestTailCallContextSize is finding F1: a tail call into a program
// verified for a larger context than the run has must fail like a tail
// call into an empty slot (the caller goes on), on every engine, instead of
// letting the callee read past the context.
func TestTailCallContextSize(t *testing.T) {
	for _, opts := range sandboxEngines() {
		// A runtime of its own, so that the context block has not been
		// grown by an earlier run: past its end lies unmapped memory.
		opts.CPUs = 1
		coll, err := gbpf.NewCollection(tailCallSpec(t), &opts)
		if err != nil {
			t.Fatal(err)
		}
		small := coll.Programs["small"]
		for _, c := range []struct {
			ctx   []byte
			want  uint64
			calls int
		}{
			{tailCallContext(8, 0), 7, 0},    // big needs 32 KiB
			{tailCallContext(8, 1), 7, 0},    // mid needs 2048 bytes
			{tailCallContext(2048, 0), 7, 0}, // still too small for big
			{tailCallContext(2048, 1), 0x1234, 1},
		} {
			res, err := small.Test(&gbpf.RunOptions{Context: c.ctx})
			if err != nil || res.Return != c.want || res.TailCalls != c.calls {
				t.Errorf("%+v: %d-byte context, index %d: return %#x after %d tail calls, %v; want %#x after %d",
					opts, len(c.ctx), c.ctx[0], res.Return, res.TailCalls, err, c.want, c.calls)
			}
		}
		coll.Close()
	}
}

// TestTailCallCompatibility checks the kernel's other rules for tail
// calls: a program array holds programs of one type, all verified or all
// checked. Storing another kind fails, and a program that gets into the
// array anyway (through the maps package) is refused when called.
func TestTailCallCompatibility(t *testing.T) {
	verified, err := gbpf.NewCollection(tailCallSpec(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer verified.Close()
	checked, err := gbpf.NewCollection(tailCallSpec(t), &gbpf.Options{Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	defer checked.Close()
	xdp, err := gbpf.NewCollection(single(progtype.XDP, 0, ins(isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), isa.R0, 0, 0, 2), exit), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer xdp.Close()

	progs := verified.Maps["progs"]
	ctx := tailCallContext(2048, 1)
	for _, other := range []*gbpf.Program{checked.Programs["mid"], xdp.Programs["prog"]} {
		if err := progs.SetProgram(1, other); !errors.Is(err, gbpf.ErrIncompatible) {
			t.Errorf("storing %s (checked %v, %v) in an array of verified tracepoint programs: %v", other.Name(), other.Checked(), other.Type(), err)
		}
		if err := progs.Unwrap().(*maps.ProgArrayMap).SetProgram(1, other); err != nil {
			t.Fatal(err)
		}
		res, err := verified.Programs["small"].Test(&gbpf.RunOptions{Context: ctx})
		if err != nil || res.Return != 7 || res.TailCalls != 0 {
			t.Errorf("tail call into %s (checked %v, %v): return %d after %d tail calls, %v; want 7 after none",
				other.Name(), other.Checked(), other.Type(), res.Return, res.TailCalls, err)
		}
	}
	// A checked program cannot reach a verified one either.
	if err := checked.Maps["progs"].Unwrap().(*maps.ProgArrayMap).SetProgram(1, verified.Programs["mid"]); err != nil {
		t.Fatal(err)
	}
	res, err := checked.Programs["small"].Test(&gbpf.RunOptions{Context: ctx})
	if err != nil || res.Return != 7 || res.TailCalls != 0 {
		t.Errorf("checked into verified: return %d after %d tail calls, %v; want 7 after none", res.Return, res.TailCalls, err)
	}
	// A program of the array's kind is accepted.
	if err := progs.SetProgram(1, verified.Programs["mid"]); err != nil {
		t.Errorf("storing a compatible program: %v", err)
	}
}

// lookupSnprintf is a Raw program that looks up element key of its map 0
// and formats it with bpf_snprintf into a 64-byte buffer.
func lookupSnprintf(t *testing.T, key int) loader.ProgramSpec {
	p := assembleProg(t, fmt.Sprintf(`
		lddw %%r1, map_idx 0
		stw [%%r10-4], %d
		mov %%r2, %%r10
		add %%r2, -4
		call 1
		jeq %%r0, 0, out
		mov %%r3, %%r0
		mov %%r1, %%r10
		add %%r1, -64
		mov %%r2, 64
		mov %%r4, 0
		mov %%r5, 0
		call 165
	out:
		exit`, key))
	p.Type = progtype.Raw
	return p
}

// snprintfSpec is a Raw program that formats the constant string in the
// first element of ".rodata" with bpf_snprintf and another that formats the
// one of "fmt", which it looks up, and a read-only map "cfg" that no
// constant string comes from.
func snprintfSpec(t *testing.T) *gbpf.CollectionSpec {
	rodata := assembleProg(t, `
		mov %r1, %r10
		add %r1, -64
		mov %r2, 64
		lddw %r3, map_idx_value 0, 0
		mov %r4, 0
		mov %r5, 0
		call 165
		exit`)
	rodata.Name, rodata.Type, rodata.Maps = "rodata", progtype.Raw, []string{".rodata"}
	lookup := lookupSnprintf(t, 0)
	lookup.Name, lookup.Maps = "lookup", []string{"fmt"}
	value := func(s string) []maps.KV {
		v := make([]byte, 4096)
		copy(v, s)
		return []maps.KV{{Key: make([]byte, 4), Value: v}}
	}
	ro := func(name, s string) *maps.Spec {
		return &maps.Spec{Name: name, Type: maps.Array, KeySize: 4, ValueSize: 4096, MaxEntries: 1,
			Flags: maps.ReadOnlyProg, SpinLockOffset: -1, Contents: value(s)}
	}
	return &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"rodata": &rodata, "lookup": &lookup},
		Maps:     map[string]*maps.Spec{".rodata": ro(".rodata", "hello"), "fmt": ro("fmt", "hi"), "cfg": ro("cfg", "")},
	}
}

// TestConstStringFrozen is finding F3: the verifier accepts a format
// string after checking that it ends in NUL, so Go must not be able to
// rewrite it afterwards; maps no constant came from stay writable.
func TestConstStringFrozen(t *testing.T) {
	for _, opts := range sandboxEngines() {
		opts.Privileged = true // bpf_snprintf needs CAP_PERFMON in Linux
		coll, err := gbpf.NewCollection(snprintfSpec(t), &opts)
		if err != nil {
			t.Fatal(err)
		}
		as := make([]byte, 4096)
		for i := range as {
			as[i] = 'A'
		}
		for _, name := range []string{".rodata", "fmt"} {
			err := coll.Maps[name].Update(uint32(0), as, gbpf.UpdateAny)
			if opts.Checked && name == "fmt" {
				// Nothing was verified: "fmt" is an ordinary map.
				if err != nil {
					t.Errorf("checked: update of fmt: %v", err)
				}
				continue
			}
			if !errors.Is(err, maps.ErrPermission) || !strings.Contains(err.Error(), "frozen") {
				t.Errorf("%+v: update of %s after load: %v, want a frozen map's error", opts, name, err)
			}
			if err := coll.Maps[name].Freeze(); !errors.Is(err, maps.ErrPermission) {
				t.Errorf("%+v: freezing %s again: %v", opts, name, err)
			}
		}
		if err := coll.Maps["cfg"].Update(uint32(0), as, gbpf.UpdateAny); err != nil {
			t.Errorf("%+v: update of a read-only map no constant came from: %v", opts, err)
		}
		for name, want := range map[string]uint64{"rodata": 6, "lookup": 3} {
			if opts.Checked && name == "lookup" {
				// An unterminated format is refused, not read past.
				want = uint64(1<<64 - 22)
			}
			if ret, err := coll.Programs[name].Run(nil); err != nil || ret != want {
				t.Errorf("%+v: %s returned %d, %v; want %d", opts, name, int64(ret), err, int64(want))
			}
		}
		coll.Close()
	}
	m, err := gbpf.NewMap(&maps.Spec{Name: "m", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(uint32(0), uint32(1), gbpf.UpdateAny); !errors.Is(err, maps.ErrPermission) {
		t.Errorf("update of a frozen map: %v", err)
	}
}

// TestInputLimits is the API side of finding F11: Run refuses a packet or a
// context larger than the program's type takes, as BPF_PROG_TEST_RUN does,
// and MaxInput says where the limit lies.
func TestInputLimits(t *testing.T) {
	movR0 := ins(isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), isa.R0, 0, 0, 0)
	for _, c := range []struct {
		typ       progtype.Type
		ctxSize   int
		data, ctx int // the program's limits
	}{
		{progtype.XDP, 0, 3520, 24},
		{progtype.SocketFilter, 0, 3712, 192},
		{progtype.SchedCLS, 0, 3712, 192},
		{progtype.Tracepoint, 0, 2048, 2048},
		{progtype.Tracepoint, 8, 2048, 2048},
		{progtype.Tracepoint, 32768, 32768, 32768},
		{progtype.Kprobe, 0, 168, 168},
		{progtype.Raw, 0, 1 << 24, 1 << 24},
	} {
		coll, err := gbpf.NewCollection(single(c.typ, c.ctxSize, movR0, exit), nil)
		if err != nil {
			t.Fatal(err)
		}
		p := coll.Programs["prog"]
		if data, ctx := p.MaxInput(); data != c.data || ctx != c.ctx {
			t.Errorf("%v verified for %d bytes: MaxInput = %d, %d; want %d, %d", c.typ, c.ctxSize, data, ctx, c.data, c.ctx)
		}
		if c.ctxSize == 0 {
			if data, ctx := gbpf.MaxInput(c.typ); data != c.data || ctx != c.ctx {
				t.Errorf("MaxInput(%v) = %d, %d; want %d, %d", c.typ, data, ctx, c.data, c.ctx)
			}
		}
		packet := c.typ == progtype.XDP || c.typ == progtype.SocketFilter || c.typ == progtype.SchedCLS
		in := func(data, ctx int) *gbpf.RunOptions {
			o := &gbpf.RunOptions{Data: make([]byte, data)}
			if ctx > 0 || packet {
				o.Context = make([]byte, ctx)
			}
			if c.typ == progtype.Raw && ctx > 0 {
				o.Data = nil
			}
			return o
		}
		okData := c.data
		if !packet {
			okData = 0
		}
		if _, err := p.Run(in(max(okData, 14), c.ctx)); err != nil {
			t.Errorf("%v verified for %d bytes: input at the limits: %v", c.typ, c.ctxSize, err)
		}
		if _, err := p.Run(in(c.data+1, 0)); !errors.Is(err, gbpf.ErrInputTooLarge) {
			t.Errorf("%v verified for %d bytes: %d bytes of data: %v", c.typ, c.ctxSize, c.data+1, err)
		}
		if _, err := p.Run(in(max(okData, 14), c.ctx+1)); !errors.Is(err, gbpf.ErrInputTooLarge) {
			t.Errorf("%v verified for %d bytes: %d bytes of context: %v", c.typ, c.ctxSize, c.ctx+1, err)
		}
		coll.Close()
	}
	if data, ctx := gbpf.MaxInput(progtype.Type(12345)); data != 0 || ctx != 0 {
		t.Errorf("MaxInput of an unknown type = %d, %d", data, ctx)
	}
}

// TestConstStringOtherElement runs bpf_snprintf with a format from element
// 1 of a read-only array, which holds no NUL (element 2 does). Linux
// rejects the program (constant strings come only from single-element
// arrays); should gbpf's verifier accept it, the helper must still stop at
// the end of the value.
func TestConstStringOtherElement(t *testing.T) {
	p := lookupSnprintf(t, 1)
	p.Name, p.Maps = "prog", []string{"fmt"}
	as := make([]byte, 4096)
	for i := range as {
		as[i] = 'A'
	}
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": &p},
		Maps: map[string]*maps.Spec{"fmt": {Name: "fmt", Type: maps.Array, KeySize: 4, ValueSize: 4096, MaxEntries: 3,
			Flags: maps.ReadOnlyProg, SpinLockOffset: -1,
			Contents: []maps.KV{{Key: []byte{0, 0, 0, 0}, Value: make([]byte, 4096)}, {Key: []byte{1, 0, 0, 0}, Value: as}}}},
	}
	for _, opts := range sandboxEngines() {
		coll, err := gbpf.NewCollection(spec, &opts)
		if err != nil {
			t.Logf("%v", err)
			continue // rejected, as Linux does
		}
		if ret, err := coll.Programs["prog"].Run(nil); err != nil || ret != uint64(1<<64-22) {
			t.Errorf("%+v: returned %d, %v; want -EINVAL", opts, int64(ret), err)
		}
		coll.Close()
	}
}
