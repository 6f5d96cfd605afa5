// Package verifier proves eBPF programs safe before they run, the way the
// Linux verifier does: a path-sensitive abstract interpretation of every
// path through the program, tracking for each register and stack slot
// whether it holds a number (with its known bits and signed and unsigned
// ranges) or a pointer (to the context, the stack, a map value, the packet,
// ring buffer memory), with pruning of paths that reach an instruction in a
// state already proven safe.
//
// A program the verifier accepts only touches memory it may touch (its
// stack, its context fields, map values, the packet bytes it checked
// against data_end, memory a helper gave it), calls helpers with arguments
// of the kinds their prototypes ask for, releases every reference it takes,
// and terminates. Engines run accepted programs without per-access checks.
//
// Messages, the log and the statistics line follow the kernel's wording, so
// that what people know of the Linux verifier carries over.
//
// # Two modes
//
// By default a program is checked with the rules Linux applies to a loader
// without CAP_PERFMON (env->allow_ptr_leaks and env->bypass_spec_v1
// false): no pointer may become a value the program can see or hand out.
// It may not return a pointer, store one into a map, the context, the
// packet or ring buffer memory, pass one to a helper as data or let a
// helper read one from the stack, compare one with a number, turn one into
// a number (32-bit moves, negation, byte swaps, partial spills and fills,
// atomic fetches), subtract pointers, or move a stack or map value pointer
// outside its object or to a variable stack offset; it may not read stack
// bytes it has not written, call the helpers Linux offers only to
// CAP_PERFMON, or tail call through two program arrays at one call site.
// Options.Privileged applies the rules Linux
// applies to root instead, which allow all of these but keep every memory
// access in bounds.
//
// The difference of two pointers into one object (data_end - data, two
// pointers into the stack of one frame or into the value one lookup
// returned) is an offset, not an address: gbpf allows it in both modes,
// where Linux allows it only to root.
//
// # Differences from Linux
//
// gbpf does not insert the speculation barriers and masks Linux adds to
// unprivileged programs, nor verify the paths a mispredicted branch would
// take (sanitize_speculative_path), so it accepts some programs Linux
// refuses to unprivileged loaders for that reason alone, and does not
// claim to stop Spectre-style attacks. In unprivileged mode it also
// refuses pointers as the offset of BPF_LD_IND, and, like Linux, the
// helpers that read memory at an address the program chooses
// (bpf_probe_read*, bpf_trace_printk, bpf_snprintf).
//
// Where Linux relies on precision tracking (mark_chain_precision) to prune
// paths whose numbers differ only in values that cannot matter, gbpf
// computes statically which registers may flow into a branch, an address,
// a helper argument or a store, and compares only those exactly. Both are
// sound; they prune differently.
//
// gbpf folds division and modulo by constants and knows the bounds of an
// unsigned division or modulo by a constant, which Linux does not; Linux
// knows that bpf_get_smp_processor_id returns less than the number of
// CPUs, which gbpf does not assume. Packet ranges are learned from
// comparisons of packet pointers with data_end as in Linux; a program that
// compares with "<" gains the byte at the pointer too.
//
// Tail calls are limited to MaxTailCalls at run time, by the runtime.
package verifier

import (
	"fmt"
	"io"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// Limits, as in Linux.
const (
	// MaxProcessedInsns is BPF_COMPLEXITY_LIMIT_INSNS: the most
	// instructions the verifier walks over all paths.
	MaxProcessedInsns = 1000000
	// MaxPendingBranches is BPF_COMPLEXITY_LIMIT_JMP_SEQ: the most paths
	// waiting to be explored at once.
	MaxPendingBranches = 8192
	// MaxCallFrames is the deepest nesting of bpf-to-bpf calls.
	MaxCallFrames = maxCallFrames
	// MaxStackSize is the stack of one frame and of a whole call chain.
	MaxStackSize = maxStack
	// MaxTailCalls is how many tail calls a chain of programs may make
	// (MAX_TAIL_CALL_CNT); the runtime enforces it.
	MaxTailCalls = 33
	// MaxInsns is the longest program accepted (BPF_COMPLEXITY_LIMIT_INSNS
	// also bounds the length of a privileged program).
	MaxInsns = 1000000
)

// Options say what a program is checked against.
type Options struct {
	// Type is the program type; it decides the context and the helpers.
	Type progtype.Type
	// CtxSize is the size of a variable-sized context: the tracepoint
	// record, the Raw input. 0 means the type's default.
	CtxSize int
	// Maps are the program's maps. An lddw with source PseudoMapIdx or
	// PseudoMapIdxValue (or PseudoMapFD and PseudoMapValue, which gbpf
	// reads the same way) names Maps[Imm].
	Maps []*maps.Spec
	// Helpers are the helpers the program may call. nil means every
	// helper of Linux (helpers.Linux), each with the kernel's prototype.
	Helpers *helpers.Set
	// LogLevel 1 writes the path that failed (or the statistics of
	// success) to Log; 2 writes every instruction processed with the
	// register state.
	LogLevel int
	Log      io.Writer
	// Source, if set, gives the C source line of an instruction slot
	// ("text @ file:line", from the object's BTF line information); the
	// log shows it before the instructions of each new line, as the
	// kernel's does.
	Source func(insn int) (string, bool)
	// MaxInsns bounds the instructions processed; 0 means
	// MaxProcessedInsns.
	MaxInsns int
	// Privileged applies the rules Linux applies to a loader with
	// CAP_PERFMON (allow_ptr_leaks, bypass_spec_v1) instead of the default
	// unprivileged ones, under which no pointer may become data.
	Privileged bool
}

// Stats are the verifier's statistics, as in the kernel's log.
type Stats struct {
	// Processed is the number of instructions walked over all paths.
	Processed int
	// TotalStates is the number of states remembered for pruning;
	// PeakStates the most remembered at once; MaxStatesPerInsn the most
	// at one instruction.
	TotalStates, PeakStates, MaxStatesPerInsn int
	// Pruned counts paths cut because a remembered state covered them.
	Pruned int
	// MarkRead is reported for the kernel's statistics line; gbpf's
	// register liveness is computed statically, so it is always 0.
	MarkRead int
	// Time is how long verification took.
	Time time.Duration
}

// MemKind is the kind of memory a load or store instruction touches.
type MemKind uint8

// Memory kinds recorded in InsnInfo.
const (
	MemNone MemKind = iota
	MemStack
	MemCtx
	MemMapValue
	MemPacket
	MemMem   // ring buffer or Raw input memory
	MemMixed // different kinds on different paths
)

// InsnInfo is what the verifier learned about one instruction slot.
type InsnInfo struct {
	// Seen: some path reaches the instruction.
	Seen bool
	// Mem is the memory a load, store or atomic touches.
	Mem MemKind
}

// Result is what the verifier learned about an accepted program.
type Result struct {
	Stats
	// Insns has one entry per instruction slot.
	Insns []InsnInfo
	// Subprogs are the first slots of the functions, Subprogs[0] == 0.
	Subprogs []int
	// StackDepth is the stack each function uses, in bytes.
	StackDepth []int
	// ConstMaps are the indices in Options.Maps of the maps whose
	// contents the proof read (the constant strings of bpf_snprintf's
	// format and bpf_strncmp), in increasing order. The proof holds only
	// while their values do not change: the caller must freeze them, as
	// the kernel only reads constants from frozen maps.
	ConstMaps []int
}

// Error is a rejection: the instruction and the reason, worded like the
// kernel's, and the verifier log up to that point.
type Error struct {
	Insn int
	Msg  string
	Log  string
}

func (e *Error) Error() string {
	if e.Insn < 0 {
		return "verifier: " + e.Msg
	}
	return fmt.Sprintf("verifier: insn %d: %s", e.Insn, e.Msg)
}

// Verify checks p against opts and returns what it learned, or an *Error
// saying why p is unsafe.
func Verify(p isa.Program, opts Options) (*Result, error) {
	start := time.Now()
	v, err := newVerifier(p, opts)
	if err != nil {
		return nil, err
	}
	err = v.run()
	v.stats.Time = time.Since(start)
	if err == nil {
		err = v.checkStackDepth()
	}
	v.printStats(err == nil)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Log = v.log.String()
			return nil, e
		}
		return nil, err
	}
	v.flushLog()
	res := &Result{
		Stats:      v.stats,
		Insns:      v.insnInfo,
		Subprogs:   v.subprogs,
		StackDepth: v.stackDepth,
	}
	for i, c := range v.constMaps {
		if c {
			res.ConstMaps = append(res.ConstMaps, i)
		}
	}
	return res, nil
}
