package gbpf

import (
	"encoding/binary"
	"math"
	"reflect"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// inlineArrayLookups replaces the bpf_map_lookup_elem calls of a verified
// program whose map is an array by the instructions that compute the
// value's address, as Linux's array_map_gen_lookup does: with r2 pointing
// at the 4-byte index, r0 becomes base + index*stride, or 0 past the last
// element. r1 to r5 are undefined after a call, so the code may use r1.
// A call is replaced only when its map is certain: r1 is set by an lddw of
// the map in the same straight-line code, with no jump into the stretch
// between the two. The result is the same as the helper's on every engine;
// the run no longer leaves the engine for it, and a program whose only
// calls were such lookups becomes a JIT leaf. The arrays' values are added
// to p's regions, as the lookup would have handed them to the run.
//
// It runs before resolve, on the map indices of the lddw instructions,
// and returns insns unchanged if there is nothing to replace or a jump
// would not fit its offset afterwards.
func (p *Program) inlineArrayLookups(insns []isa.Instruction, hs *helpers.Set) []isa.Instruction {
	if !sameHelper(hs.Func(helpers.MapLookupElem), defaultHelpers().Func(helpers.MapLookupElem)) {
		return insns
	}
	second := make([]bool, len(insns)) // second slots of lddw
	target := make([]bool, len(insns)+1)
	for pc := 0; pc < len(insns); pc++ {
		in := insns[pc]
		if t, ok := relativeTarget(in, pc); ok && t >= 0 && t <= len(insns) {
			target[t] = true
		}
		if in.IsLdImm64() && pc+1 < len(insns) {
			second[pc+1] = true
			pc++
		}
	}
	// The code each replaced call becomes, by slot.
	repl := map[int][]isa.Instruction{}
	for pc, in := range insns {
		if second[pc] || !in.IsHelperCall() || in.Imm != int32(helpers.MapLookupElem) {
			continue
		}
		m := p.lookupMap(insns, second, target, pc)
		if m == nil {
			continue
		}
		code, region, ok := arrayLookup(m)
		if !ok {
			continue
		}
		repl[pc] = code
		p.addRegion(region)
	}
	if len(repl) == 0 {
		return insns
	}
	// newPC[i] is where old slot i lands; newPC[len] the end.
	newPC := make([]int, len(insns)+1)
	n := 0
	for pc := range insns {
		newPC[pc] = n
		if code, ok := repl[pc]; ok {
			n += len(code)
		} else {
			n++
		}
	}
	newPC[len(insns)] = n
	out := make([]isa.Instruction, 0, n)
	for pc, in := range insns {
		if code, ok := repl[pc]; ok {
			out = append(out, code...)
			continue
		}
		if !second[pc] {
			if t, ok := relativeTarget(in, pc); ok && t >= 0 && t <= len(insns) {
				off := newPC[t] - newPC[pc] - 1
				if usesImm(in) {
					in.Imm = int32(off)
				} else if off < math.MinInt16 || off > math.MaxInt16 {
					return insns
				} else {
					in.Off = int16(off)
				}
			}
		}
		out = append(out, in)
	}
	return out
}

// sameHelper reports whether a and b are the same function.
func sameHelper(a, b engine.Helper) bool {
	return a != nil && b != nil && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// usesImm reports whether in's jump offset is its Imm: gotol, a local
// call, an lddw of a function.
func usesImm(in isa.Instruction) bool {
	return in.Op == isa.OpJa32 || in.IsLocalCall() || in.IsLdImm64() && in.Src == isa.PseudoFunc
}

// relativeTarget returns the slot that the instruction at pc refers to by
// an offset (a jump, a local call, an lddw of a function), if it does.
func relativeTarget(in isa.Instruction, pc int) (int, bool) {
	switch {
	case in.IsLdImm64():
		if in.Src != isa.PseudoFunc {
			return 0, false
		}
	case in.Op.Class().IsJump():
		if in.Op == isa.OpExit || in.Op == isa.OpCallX || in.Op == isa.OpCall && !in.IsLocalCall() {
			return 0, false
		}
	default:
		return 0, false
	}
	return in.JumpTarget(pc), true
}

// lookupMap returns the map whose lookup the call at pc makes for certain
// (see inlineArrayLookups), or nil.
func (p *Program) lookupMap(insns []isa.Instruction, second, target []bool, pc int) *Map {
	const r1 = 1 << isa.R1
	for j := pc - 1; j >= 0; j-- {
		if target[j+1] {
			return nil // control may reach j+1 with another r1
		}
		if second[j] {
			continue
		}
		in := insns[j]
		if _, w := in.Regs(); w&r1 == 0 {
			if in.Op == isa.OpJa || in.Op == isa.OpJa32 {
				return nil // an unconditional jump: j+1 is reached only by jumps
			}
			if in.Op == isa.OpExit {
				return nil
			}
			continue
		}
		if !in.IsLdImm64() || in.Dst != isa.R1 || in.Src != isa.PseudoMapIdx || in.Imm < 0 || int(in.Imm) >= len(p.maps) {
			return nil
		}
		return p.maps[in.Imm]
	}
	return nil
}

// arrayLookup returns the code that looks up an index in the array m, and
// the region of m's values, or false if m is not an array whose lookup can
// be computed.
func arrayLookup(m *Map) ([]isa.Instruction, engine.Region, bool) {
	sp := m.m.Spec()
	if sp.Type != maps.Array || sp.KeySize != 4 || sp.MaxEntries == 0 || sp.MaxEntries > math.MaxInt32 {
		return nil, engine.Region{}, false
	}
	var key [4]byte
	base := m.m.LookupElem(key[:], 0)
	if base == 0 {
		return nil, engine.Region{}, false
	}
	stride := uint64(sp.ValueSize)
	if sp.MaxEntries > 1 {
		binary.NativeEndian.PutUint32(key[:], 1)
		stride = m.m.LookupElem(key[:], 0) - base
	}
	if stride == 0 || stride > math.MaxInt32 {
		return nil, engine.Region{}, false
	}
	ld := isa.LdImm64(isa.R1, base)
	code := []isa.Instruction{
		{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeW), Dst: isa.R0, Src: isa.R2},
		{Op: isa.JumpOpcode(isa.ClassJMP, isa.JGE, isa.SourceK), Dst: isa.R0, Off: 5, Imm: int32(sp.MaxEntries)},
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mul, isa.SourceK), Dst: isa.R0, Imm: int32(stride)},
		ld[0], ld[1],
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Add, isa.SourceX), Dst: isa.R0, Src: isa.R1},
		{Op: isa.OpJa, Off: 1},
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: isa.R0},
	}
	end := base + uint64(sp.MaxEntries-1)*stride + uint64(sp.ValueSize)
	return code, engine.Region{Start: base, End: end, Writable: sp.Flags&maps.ReadOnlyProg == 0}, true
}
