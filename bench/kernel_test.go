//go:build linux

package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	gbpfasm "github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
)

// The kernel runs a workload as an XDP program through BPF_PROG_TEST_RUN.
// The workload's buffer cannot come from the test packet: an XDP test run
// puts at most a 4 KiB page less headroom and tailroom (3,520 bytes on
// x86-64) into linear packet data, the rest into fragments that direct
// packet access cannot reach, and the verifier tracks packet ranges only up
// to 0xffff bytes (MAX_PACKET_OFF), while memsum and fnv1a read 65,536
// bytes. So the buffer is the value of a
// one-element array map, after an 8-byte slot where the program leaves the
// workload's whole 64-bit r0 (XDP returns only its low 32 bits):
//
//	main:	r6 = &value[0]         // lddw, BPF_PSEUDO_MAP_VALUE
//		r1 = r6 + 8            // the buffer (r1 = 0 when the workload uses none)
//		r2 = mem-size
//		call workload
//		*(u64 *)(r6 + 0) = r0
//		exit
//	workload:
//		the workload's own instructions, unchanged
//
// The workload is a static subprogram; the functions it calls are global
// (BTF FUNC linkage global), so that the verifier checks each of them once
// instead of at every call.
const (
	kernelMapSymbol  = "mem"      // the reference of the lddw to the buffer
	kernelBodySymbol = "workload" // the workload's first instruction
	kernelResultSize = 8          // the result slot before the buffer
)

// kernelPacket is the XDP test packet: an Ethernet header's worth of zeros,
// the least the kernel accepts. The program does not read it.
var kernelPacket = make([]byte, 14)

// kernelSpec returns w as an XDP program for the kernel, with the lddw of
// its buffer referring to the map kernelMapSymbol.
func kernelSpec(w *Workload) (*ebpf.ProgramSpec, error) {
	body, err := asm.AppendInstructions(nil, bytes.NewReader(w.Program.Encode()), binary.LittleEndian, "linux")
	if err != nil {
		return nil, fmt.Errorf("%s: decoding for the kernel: %w", w.Name, err)
	}
	funcs, err := kernelFuncs(w)
	if err != nil {
		return nil, err
	}
	// Attach each function's BTF to its first instruction, found by its
	// slot (lddw takes two slots, and one asm.Instruction).
	iter := body.Iterate()
	for iter.Next() {
		if fn, ok := funcs[int(iter.Offset)]; ok {
			*iter.Ins = btf.WithFuncMetadata(*iter.Ins, fn)
		}
	}
	body[0] = body[0].WithSymbol(kernelBodySymbol)

	if len(w.Input) > math.MaxInt32 {
		return nil, fmt.Errorf("%s: a %d-byte buffer does not fit an immediate", w.Name, len(w.Input))
	}
	size := int32(len(w.Input))
	args := asm.Instructions{asm.Mov.Imm(asm.R1, 0)}
	if size > 0 {
		args = asm.Instructions{asm.Mov.Reg(asm.R1, asm.R6), asm.Add.Imm(asm.R1, kernelResultSize)}
	}
	ctx := &btf.Pointer{Target: btfXDPMD}
	main := asm.Instructions{
		btf.WithFuncMetadata(asm.LoadMapValue(asm.R6, 0, 0).WithReference(kernelMapSymbol), &btf.Func{
			Name:    "xdp_" + w.Name,
			Type:    &btf.FuncProto{Return: btfInt32, Params: []btf.FuncParam{{Name: "ctx", Type: ctx}}},
			Linkage: btf.GlobalFunc,
		}),
	}
	main = append(main, args...)
	main = append(main,
		asm.Mov.Imm(asm.R2, size),
		asm.Call.Label(kernelBodySymbol),
		asm.StoreMem(asm.R6, 0, asm.R0, asm.DWord),
		asm.Return(),
	)
	return &ebpf.ProgramSpec{
		Name:         w.Name,
		Type:         ebpf.XDP,
		Instructions: append(main, body...),
		License:      "GPL",
	}, nil
}

// The BTF types of the functions' prototypes: integers and the XDP
// context, struct xdp_md, which the kernel recognizes by name and size.
var (
	btfInt32  = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	btfUint64 = &btf.Int{Name: "unsigned long long", Size: 8, Encoding: btf.Unsigned}
	btfUint32 = &btf.Int{Name: "unsigned int", Size: 4, Encoding: btf.Unsigned}
	btfUint8  = &btf.Int{Name: "unsigned char", Size: 1, Encoding: btf.Unsigned}
	btfXDPMD  = &btf.Struct{Name: "xdp_md", Size: 24, Members: []btf.Member{
		{Name: "data", Type: btfUint32, Offset: 0},
		{Name: "data_end", Type: btfUint32, Offset: 32},
		{Name: "data_meta", Type: btfUint32, Offset: 64},
		{Name: "ingress_ifindex", Type: btfUint32, Offset: 96},
		{Name: "rx_queue_index", Type: btfUint32, Offset: 128},
		{Name: "egress_ifindex", Type: btfUint32, Offset: 160},
	}}
)

// kernelFuncs returns the BTF of each function of w, by the slot where it
// starts: the workload itself (slot 0), static, called with the buffer and
// its size; and each function it calls, global, taking as many u64
// arguments as it reads argument registers.
func kernelFuncs(w *Workload) (map[int]*btf.Func, error) {
	insns := w.Program.Insns
	starts := []int{0}
	for pc, ins := range insns {
		if ins.IsLocalCall() {
			t := ins.JumpTarget(pc)
			if t <= 0 || t >= len(insns) {
				return nil, fmt.Errorf("%s: instruction %d calls slot %d, outside the program", w.Name, pc, t)
			}
			starts = append(starts, t)
		}
	}
	slices.Sort(starts)
	starts = slices.Compact(starts)
	funcs := make(map[int]*btf.Func, len(starts))
	var mem btf.Type = btfUint64 // r1 = 0
	if len(w.Input) > 0 {
		mem = &btf.Pointer{Target: btfUint8}
	}
	funcs[0] = &btf.Func{
		Name: w.Name,
		Type: &btf.FuncProto{Return: btfUint64, Params: []btf.FuncParam{
			{Name: "mem", Type: mem}, {Name: "size", Type: btfUint64},
		}},
		Linkage: btf.StaticFunc,
	}
	for i, start := range starts[1:] {
		end := len(insns)
		if i+2 < len(starts) {
			end = starts[i+2]
		}
		proto := &btf.FuncProto{Return: btfUint64}
		for a := range argsRead(insns[start:end]) {
			proto.Params = append(proto.Params, btf.FuncParam{Name: fmt.Sprintf("arg%d", a+1), Type: btfUint64})
		}
		funcs[start] = &btf.Func{Name: fmt.Sprintf("%s_fn%d", w.Name, i+1), Type: proto, Linkage: btf.GlobalFunc}
	}
	return funcs, nil
}

// argsRead returns how many argument registers (r1 to r5) a function takes,
// judged from its instructions in order: the highest argument register it
// reads before writing it. This is exact for straight-line functions, like
// the suite's, and otherwise errs towards fewer arguments, which the
// verifier then reports as an uninitialized register.
func argsRead(insns []isa.Instruction) int {
	var written uint16
	n := 0
	for _, ins := range insns {
		reads, writes := ins.Regs()
		if ins.Op.Class().IsJump() && ins.Op.JumpOp() == isa.Call {
			reads = 0 // its arguments are set, or read, by earlier instructions
		}
		for r := isa.R1; r <= isa.R5; r++ {
			if reads&(1<<r) != 0 && written&(1<<r) == 0 {
				n = max(n, int(r))
			}
		}
		written |= writes
	}
	return n
}

// kernelWorkload is a workload loaded into the kernel.
type kernelWorkload struct {
	w    *Workload
	prog *ebpf.Program
	mem  *ebpf.Map // one element: the result slot, then the buffer
}

// errKernelRejected marks a workload the kernel's verifier refused.
var errKernelRejected = errors.New("the kernel's verifier rejected the program")

// loadKernelWorkload creates w's buffer map, fills it, and loads w as an
// XDP program. A verifier rejection wraps errKernelRejected and carries
// the end of the verifier's log.
func loadKernelWorkload(w *Workload) (_ *kernelWorkload, err error) {
	spec, err := kernelSpec(w)
	if err != nil {
		return nil, err
	}
	mem, err := ebpf.NewMap(&ebpf.MapSpec{
		Name:       kernelMapSymbol,
		Type:       ebpf.Array,
		KeySize:    4,
		ValueSize:  uint32(kernelResultSize + len(w.Input)),
		MaxEntries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: creating the buffer map: %w", w.Name, err)
	}
	defer func() {
		if err != nil {
			mem.Close()
		}
	}()
	if err := mem.Update(uint32(0), append(make([]byte, kernelResultSize), w.Input...), ebpf.UpdateAny); err != nil {
		return nil, fmt.Errorf("%s: filling the buffer map: %w", w.Name, err)
	}
	if err := spec.Instructions.AssociateMap(kernelMapSymbol, mem); err != nil {
		return nil, fmt.Errorf("%s: %w", w.Name, err)
	}
	// With the statistics log level the kernel verifies once, and reports
	// its reason for a rejection without a log of every instruction.
	prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats})
	if err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("%s: %w (%v): %s", w.Name, errKernelRejected, verr.Cause, verifierReason(verr.Log))
		}
		return nil, fmt.Errorf("%s: loading into the kernel: %w", w.Name, err)
	}
	return &kernelWorkload{w: w, prog: prog, mem: mem}, nil
}

// verifierReason returns the lines of a verifier log that say why it
// rejected a program, with its statistics, on one line.
func verifierReason(log []string) string {
	var reason []string
	for _, l := range log {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "verification time") && !strings.HasPrefix(l, "stack depth") {
			reason = append(reason, l)
		}
	}
	return strings.Join(reason, "; ")
}

// verifierStats returns the verifier's statistics of the load, the last
// line of its log: "processed N insns (limit 1000000) ...".
func (k *kernelWorkload) verifierStats() string {
	lines := strings.Split(strings.TrimSpace(k.prog.VerifierLog), "\n")
	for _, l := range slices.Backward(lines) {
		if strings.HasPrefix(l, "processed ") {
			return l
		}
	}
	return ""
}

// Close unloads the program and frees its map.
func (k *kernelWorkload) Close() {
	k.prog.Close()
	k.mem.Close()
}

// run runs the program once with BPF_PROG_TEST_RUN and returns the time
// the kernel measured. It checks the XDP return value (the low 32 bits of
// r0) against the workload's result.
func (k *kernelWorkload) run() (float64, error) {
	ret, d, err := k.prog.Benchmark(kernelPacket, 1, nil)
	if err != nil {
		return 0, fmt.Errorf("%s in the kernel: %w", k.w.Name, err)
	}
	if ret != uint32(k.w.Result) {
		return 0, fmt.Errorf("%s in the kernel: XDP return value %#x, want %#x (the low 32 bits of %#x)",
			k.w.Name, ret, uint32(k.w.Result), k.w.Result)
	}
	return float64(d.Nanoseconds()) / 1000, nil
}

// result returns the whole 64-bit r0 the last run left in the map.
func (k *kernelWorkload) result() (uint64, error) {
	var v []byte
	if err := k.mem.Lookup(uint32(0), &v); err != nil {
		return 0, fmt.Errorf("%s: reading the result: %w", k.w.Name, err)
	}
	if len(v) != kernelResultSize+len(k.w.Input) {
		return 0, fmt.Errorf("%s: the map value has %d bytes, want %d", k.w.Name, len(v), kernelResultSize+len(k.w.Input))
	}
	return binary.LittleEndian.Uint64(v), nil
}

// kernelLoads is how many times the benchmarks load a workload into the
// kernel. The kernel places each JIT image at a random 4-byte-aligned
// offset (bpf_prog_pack), and a loop's time depends on where it falls
// within a 64-byte fetch block: on the Zen 4 we measured, memsum took 49,
// 71 or 95 µs and sum_loop 81 or 93 µs depending on the load. The best of
// several loads is the kernel's JIT at its best.
const kernelLoads = 6

// kernelBaseline is one workload loaded into the kernel several times.
type kernelBaseline []*kernelWorkload

// loadKernelBaseline loads w into the kernel loads times.
func loadKernelBaseline(w *Workload, loads int) (kernelBaseline, error) {
	var kb kernelBaseline
	for range loads {
		k, err := loadKernelWorkload(w)
		if err != nil {
			kb.Close()
			return nil, err
		}
		kb = append(kb, k)
	}
	return kb, nil
}

// Close unloads every load.
func (kb kernelBaseline) Close() {
	for _, k := range kb {
		k.Close()
	}
}

// micros returns the least time, in µs, of one run over runs runs of each
// load, as BPF_PROG_TEST_RUN measures it (wall time inside the kernel, on
// one CPU with migration disabled): that of the best load and of the worst.
func (kb kernelBaseline) micros(tb testing.TB, runs int) (best, worst float64) {
	tb.Helper()
	best, worst = math.Inf(1), 0
	for _, k := range kb {
		least := math.Inf(1)
		for range runs {
			us, err := k.run()
			if err != nil {
				tb.Fatal(err)
			}
			least = min(least, us)
		}
		best, worst = min(best, least), max(worst, least)
	}
	return best, worst
}

// kernelJITNotes describes what shapes the kernel JIT's code on this
// machine: the kernel release, the JIT's sysctls, and the CPU
// vulnerabilities whose mitigations change the code it emits (with a
// return thunk, as for SRSO's "Safe RET", every BPF-to-BPF call returns
// through it, which dominates the calls workload).
func kernelJITNotes() string {
	var notes []string
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		notes = append(notes, "Linux "+unix.ByteSliceToString(uts.Release[:]))
	}
	for _, f := range []string{
		"/proc/sys/net/core/bpf_jit_enable",
		"/proc/sys/net/core/bpf_jit_harden",
		"/sys/devices/system/cpu/vulnerabilities/spectre_v2",
		"/sys/devices/system/cpu/vulnerabilities/retbleed",
		"/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow",
	} {
		if b, err := os.ReadFile(f); err == nil {
			notes = append(notes, filepath.Base(f)+"="+strings.TrimSpace(string(b)))
		}
	}
	return strings.Join(notes, "; ")
}

// skipWithoutKernel skips tb when the bpf() syscall is unavailable.
func skipWithoutKernel(tb testing.TB) {
	tb.Helper()
	if err := kernel.Supported(); err != nil {
		testutil.SkipWithoutKernel(tb, err.Error())
	}
}

// kernelRejects are the workloads that the kernel's verifier is known to
// reject: sort's data-dependent inner loop takes it past its limit of 1M
// processed instructions.
var kernelRejects = map[string]bool{"sort": true}

// TestKernelWorkloads loads each workload into the kernel and checks its
// result: the XDP return value (the low 32 bits of r0) and the whole r0
// left in the map. The workloads of kernelRejects must be rejected by the
// verifier (as ../shared/bench says); any other rejection fails.
func TestKernelWorkloads(t *testing.T) {
	skipWithoutKernel(t)
	for _, w := range loadWorkloads(t) {
		t.Run(w.Name, func(t *testing.T) {
			k, err := loadKernelWorkload(w)
			if kernelRejects[w.Name] {
				if !errors.Is(err, errKernelRejected) {
					if err == nil {
						k.Close()
					}
					t.Fatalf("the kernel's verifier was expected to reject %s; got %v", w.Name, err)
				}
				t.Logf("rejected as expected: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			t.Log(k.verifierStats())
			for range 2 {
				if _, err := k.run(); err != nil {
					t.Fatal(err)
				}
				r0, err := k.result()
				if err != nil {
					t.Fatal(err)
				}
				if r0 != w.Result {
					t.Fatalf("r0 = %#x, want %#x", r0, w.Result)
				}
			}
		})
	}
}

// BenchmarkKernel times each workload under the kernel's JIT, loaded
// kernelLoads times: kernel-µs is the best load's least time of one run
// over 20 runs of BPF_PROG_TEST_RUN, kernel-worst-µs the worst load's.
func BenchmarkKernel(b *testing.B) {
	skipWithoutKernel(b)
	b.Log(kernelJITNotes())
	for _, w := range loadWorkloads(b) {
		b.Run(w.Name, func(b *testing.B) {
			kb, err := loadKernelBaseline(w, kernelLoads)
			if errors.Is(err, errKernelRejected) {
				b.Skip(err)
			}
			if err != nil {
				b.Fatal(err)
			}
			defer kb.Close()
			var best, worst float64
			for b.Loop() {
				best, worst = kb.micros(b, 20)
			}
			b.ReportMetric(best, "kernel-µs")
			b.ReportMetric(worst, "kernel-worst-µs")
		})
	}
}

func TestArgsRead(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"mov %r0, %r2\nxor %r0, %r1\nexit", 2},
		{"mov %r0, 0\nexit", 0},
		{"mov %r1, 1\nmov %r0, %r1\nexit", 0},
		{"add %r3, 1\nmov %r0, %r3\nexit", 3},
		{"neg %r4\nmov %r0, 0\nexit", 4},
		{"le32 %r2\nmov %r0, 0\nexit", 2},
		{"lddw %r1, 0x123456789\nmov %r0, %r1\nexit", 0},
		{"ldxdw %r0, [%r5+8]\nexit", 5},
		{"stdw [%r3+0], 1\nmov %r0, 0\nexit", 3},
		{"stxdw [%r10-8], %r4\nmov %r0, 0\nexit", 4},
		{"lock fetch add [%r10-8], %r1\nmov %r0, %r1\nexit", 1},
		{"mov %r2, 0\nlock cmpxchg [%r10-8], %r2\nexit", 0},
		{"call 1\nmov %r0, %r1\nexit", 0},
		{"jeq %r2, 0, +1\nmov %r0, 1\nexit", 2},
		{"jgt %r1, %r3, +1\nmov %r0, 1\nexit", 3},
		{"ja +0\nmov %r0, %r6\nexit", 0},
	}
	for _, tt := range tests {
		p, err := gbpfasm.Assemble(tt.src)
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if got := argsRead(p.Insns); got != tt.want {
			t.Errorf("argsRead(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}

// TestKernelSpec checks the XDP program built around each workload,
// without loading it: the workload's instructions are there unchanged
// after the prologue, which calls them, and every function has BTF: the
// XDP entry and the workload static, the workload's callees global.
func TestKernelSpec(t *testing.T) {
	for _, w := range loadWorkloads(t) {
		t.Run(w.Name, func(t *testing.T) {
			spec, err := kernelSpec(w)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := spec.Instructions.Marshal(&buf, binary.LittleEndian); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			body := w.Program.Encode()
			if !bytes.HasSuffix(raw, body) {
				t.Fatalf("the program does not end with the workload's instructions")
			}
			mainSlots := (len(raw) - len(body)) / isa.InstructionSize
			main, err := isa.Decode(raw[:mainSlots*isa.InstructionSize])
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			for pc, ins := range main.Insns {
				if ins.IsLocalCall() {
					calls++
					if got := ins.JumpTarget(pc); got != mainSlots {
						t.Errorf("the prologue calls slot %d, want %d", got, mainSlots)
					}
				}
			}
			if calls != 1 {
				t.Errorf("the prologue makes %d calls, want 1", calls)
			}

			wantFuncs := map[int]btf.FuncLinkage{0: btf.GlobalFunc, mainSlots: btf.StaticFunc}
			for pc, ins := range w.Program.Insns {
				if ins.IsLocalCall() {
					wantFuncs[mainSlots+ins.JumpTarget(pc)] = btf.GlobalFunc
				}
			}
			iter := spec.Instructions.Iterate()
			for iter.Next() {
				fn := btf.FuncMetadata(iter.Ins)
				want, ok := wantFuncs[int(iter.Offset)]
				switch {
				case fn == nil && ok:
					t.Errorf("slot %d starts a function but has no BTF", iter.Offset)
				case fn != nil && !ok:
					t.Errorf("slot %d has BTF function %s but starts no function", iter.Offset, fn.Name)
				case fn != nil && fn.Linkage != want:
					t.Errorf("function %s at slot %d is %v, want %v", fn.Name, iter.Offset, fn.Linkage, want)
				}
			}
		})
	}
}

// TestKernelSpecCallee checks the prototype given to a global callee: one
// u64 parameter for each argument register it reads.
func TestKernelSpecCallee(t *testing.T) {
	p, err := gbpfasm.Assemble("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\ncall local f\nexit\nf:\nmov %r0, %r3\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	funcs, err := kernelFuncs(&Workload{Name: "t", Program: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(funcs) != 2 {
		t.Fatalf("%d functions, want 2", len(funcs))
	}
	fn := funcs[5]
	if fn == nil || fn.Linkage != btf.GlobalFunc {
		t.Fatalf("callee at slot 5: %v, want a global function", fn)
	}
	if n := len(fn.Type.(*btf.FuncProto).Params); n != 3 {
		t.Errorf("callee takes %d parameters, want 3", n)
	}
}
