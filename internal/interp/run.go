package interp

import (
	"fmt"
	"math/bits"

	"github.com/gbpf/gbpf/internal/engine"
)

// Run executes the program with r1 and r2 set and r10 at the top of a fresh
// stack, and returns r0. A run-time error is an *engine.Fault. A nil env
// runs with no helpers, no regions and the default budget.
func (p *Program) Run(env *engine.Env, r1, r2 uint64) (uint64, error) {
	m, err := getMachine()
	if err != nil {
		return 0, &engine.Fault{PC: 0, Err: err, Msg: "no stack"}
	}
	if env == nil {
		env = &m.env
	}
	env.Reset()
	r0, depth, err := p.exec(m, env, r1, r2)
	putMachine(m, depth)
	return r0, err
}

// exec is the run loop. It returns r0, the deepest call depth reached (for
// clearing the stack) and a fault, if any.
func (p *Program) exec(m *machine, env *engine.Env, r1, r2 uint64) (uint64, int, error) {
	code := p.code
	limit := env.Budget
	if limit == 0 {
		limit = engine.DefaultBudget
	}
	budget := limit
	var r [16]uint64
	r[1], r[2], r[10] = r1, r2, m.top
	depth, maxDepth := 0, 0
	pc := 0
	for {
		if budget == 0 {
			return 0, maxDepth, &engine.Fault{PC: pc, Err: engine.ErrBudget, Msg: fmt.Sprintf("%d instructions executed", limit)}
		}
		budget--
		in := &code[pc]
		pc++
		switch in.op {
		// 64-bit ALU, immediate.
		case opAdd64K:
			r[in.dst&15] += in.k
		case opSub64K:
			r[in.dst&15] -= in.k
		case opMul64K:
			r[in.dst&15] *= in.k
		case opDiv64K:
			r[in.dst&15] = div64(r[in.dst&15], in.k)
		case opSDiv64K:
			r[in.dst&15] = sdiv64(r[in.dst&15], in.k)
		case opOr64K:
			r[in.dst&15] |= in.k
		case opAnd64K:
			r[in.dst&15] &= in.k
		case opLsh64K:
			r[in.dst&15] <<= in.k & 63
		case opRsh64K:
			r[in.dst&15] >>= in.k & 63
		case opMod64K:
			r[in.dst&15] = mod64(r[in.dst&15], in.k)
		case opSMod64K:
			r[in.dst&15] = smod64(r[in.dst&15], in.k)
		case opXor64K:
			r[in.dst&15] ^= in.k
		case opMov64K:
			r[in.dst&15] = in.k
		case opArsh64K:
			r[in.dst&15] = uint64(int64(r[in.dst&15]) >> (in.k & 63))

		// 64-bit ALU, register.
		case opAdd64X:
			r[in.dst&15] += r[in.src&15]
		case opSub64X:
			r[in.dst&15] -= r[in.src&15]
		case opMul64X:
			r[in.dst&15] *= r[in.src&15]
		case opDiv64X:
			r[in.dst&15] = div64(r[in.dst&15], r[in.src&15])
		case opSDiv64X:
			r[in.dst&15] = sdiv64(r[in.dst&15], r[in.src&15])
		case opOr64X:
			r[in.dst&15] |= r[in.src&15]
		case opAnd64X:
			r[in.dst&15] &= r[in.src&15]
		case opLsh64X:
			r[in.dst&15] <<= r[in.src&15] & 63
		case opRsh64X:
			r[in.dst&15] >>= r[in.src&15] & 63
		case opMod64X:
			r[in.dst&15] = mod64(r[in.dst&15], r[in.src&15])
		case opSMod64X:
			r[in.dst&15] = smod64(r[in.dst&15], r[in.src&15])
		case opXor64X:
			r[in.dst&15] ^= r[in.src&15]
		case opMov64X:
			r[in.dst&15] = r[in.src&15]
		case opArsh64X:
			r[in.dst&15] = uint64(int64(r[in.dst&15]) >> (r[in.src&15] & 63))
		case opMovSX8To64:
			r[in.dst&15] = uint64(int64(int8(r[in.src&15])))
		case opMovSX16To64:
			r[in.dst&15] = uint64(int64(int16(r[in.src&15])))
		case opMovSX32To64:
			r[in.dst&15] = uint64(int64(int32(r[in.src&15])))
		case opNeg64:
			r[in.dst&15] = -r[in.dst&15]

		// 32-bit ALU, immediate: results are zero-extended.
		case opAdd32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) + uint32(in.k))
		case opSub32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) - uint32(in.k))
		case opMul32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) * uint32(in.k))
		case opDiv32K:
			r[in.dst&15] = div32(r[in.dst&15], in.k)
		case opSDiv32K:
			r[in.dst&15] = sdiv32(r[in.dst&15], in.k)
		case opOr32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) | uint32(in.k))
		case opAnd32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) & uint32(in.k))
		case opLsh32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) << (in.k & 31))
		case opRsh32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) >> (in.k & 31))
		case opMod32K:
			r[in.dst&15] = mod32(r[in.dst&15], in.k)
		case opSMod32K:
			r[in.dst&15] = smod32(r[in.dst&15], in.k)
		case opXor32K:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) ^ uint32(in.k))
		case opMov32K:
			r[in.dst&15] = in.k
		case opArsh32K:
			r[in.dst&15] = uint64(uint32(int32(r[in.dst&15]) >> (in.k & 31)))

		// 32-bit ALU, register.
		case opAdd32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) + uint32(r[in.src&15]))
		case opSub32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) - uint32(r[in.src&15]))
		case opMul32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) * uint32(r[in.src&15]))
		case opDiv32X:
			r[in.dst&15] = div32(r[in.dst&15], r[in.src&15])
		case opSDiv32X:
			r[in.dst&15] = sdiv32(r[in.dst&15], r[in.src&15])
		case opOr32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) | uint32(r[in.src&15]))
		case opAnd32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) & uint32(r[in.src&15]))
		case opLsh32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) << (r[in.src&15] & 31))
		case opRsh32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) >> (r[in.src&15] & 31))
		case opMod32X:
			r[in.dst&15] = mod32(r[in.dst&15], r[in.src&15])
		case opSMod32X:
			r[in.dst&15] = smod32(r[in.dst&15], r[in.src&15])
		case opXor32X:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]) ^ uint32(r[in.src&15]))
		case opMov32X:
			r[in.dst&15] = uint64(uint32(r[in.src&15]))
		case opArsh32X:
			r[in.dst&15] = uint64(uint32(int32(r[in.dst&15]) >> (r[in.src&15] & 31)))
		case opMovSX8To32:
			r[in.dst&15] = uint64(uint32(int32(int8(r[in.src&15]))))
		case opMovSX16To32:
			r[in.dst&15] = uint64(uint32(int32(int16(r[in.src&15]))))
		case opNeg32:
			r[in.dst&15] = uint64(-uint32(r[in.dst&15]))

		// Byte order.
		case opLE16:
			r[in.dst&15] = uint64(uint16(r[in.dst&15]))
		case opLE32:
			r[in.dst&15] = uint64(uint32(r[in.dst&15]))
		case opBSwap16:
			r[in.dst&15] = uint64(bits.ReverseBytes16(uint16(r[in.dst&15])))
		case opBSwap32:
			r[in.dst&15] = uint64(bits.ReverseBytes32(uint32(r[in.dst&15])))
		case opBSwap64:
			r[in.dst&15] = bits.ReverseBytes64(r[in.dst&15])

		case opLdImm64:
			r[in.dst&15] = in.k
			pc++

		// Memory, verified mode: raw access.
		case opLdxB:
			r[in.dst&15] = engine.Load8(r[in.src&15] + uint64(in.off))
		case opLdxH:
			r[in.dst&15] = engine.Load16(r[in.src&15] + uint64(in.off))
		case opLdxW:
			r[in.dst&15] = engine.Load32(r[in.src&15] + uint64(in.off))
		case opLdxDW:
			r[in.dst&15] = engine.Load64(r[in.src&15] + uint64(in.off))
		case opLdxSB:
			r[in.dst&15] = uint64(int64(int8(engine.Load8(r[in.src&15] + uint64(in.off)))))
		case opLdxSH:
			r[in.dst&15] = uint64(int64(int16(engine.Load16(r[in.src&15] + uint64(in.off)))))
		case opLdxSW:
			r[in.dst&15] = uint64(int64(int32(engine.Load32(r[in.src&15] + uint64(in.off)))))
		case opStB:
			engine.Store8(r[in.dst&15]+uint64(in.off), in.k)
		case opStH:
			engine.Store16(r[in.dst&15]+uint64(in.off), in.k)
		case opStW:
			engine.Store32(r[in.dst&15]+uint64(in.off), in.k)
		case opStDW:
			engine.Store64(r[in.dst&15]+uint64(in.off), in.k)
		case opStxB:
			engine.Store8(r[in.dst&15]+uint64(in.off), r[in.src&15])
		case opStxH:
			engine.Store16(r[in.dst&15]+uint64(in.off), r[in.src&15])
		case opStxW:
			engine.Store32(r[in.dst&15]+uint64(in.off), r[in.src&15])
		case opStxDW:
			engine.Store64(r[in.dst&15]+uint64(in.off), r[in.src&15])
		case opAtomic32, opAtomic64:
			atomicOp(in, &r)

		// Memory, checked mode.
		case opChecked:
			lo := m.top - uint64(depth+1)*engine.StackSize
			if err := checkAccess(in, &r, env, lo, m.top); err != nil {
				err.PC = pc - 1
				return 0, maxDepth, err
			}
			memOp(in, &r)

		// Jumps.
		case opJa:
			pc = int(in.off)

		case opJeq64K:
			if r[in.dst&15] == in.k {
				pc = int(in.off)
			}
		case opJne64K:
			if r[in.dst&15] != in.k {
				pc = int(in.off)
			}
		case opJgt64K:
			if r[in.dst&15] > in.k {
				pc = int(in.off)
			}
		case opJge64K:
			if r[in.dst&15] >= in.k {
				pc = int(in.off)
			}
		case opJlt64K:
			if r[in.dst&15] < in.k {
				pc = int(in.off)
			}
		case opJle64K:
			if r[in.dst&15] <= in.k {
				pc = int(in.off)
			}
		case opJsgt64K:
			if int64(r[in.dst&15]) > int64(in.k) {
				pc = int(in.off)
			}
		case opJsge64K:
			if int64(r[in.dst&15]) >= int64(in.k) {
				pc = int(in.off)
			}
		case opJslt64K:
			if int64(r[in.dst&15]) < int64(in.k) {
				pc = int(in.off)
			}
		case opJsle64K:
			if int64(r[in.dst&15]) <= int64(in.k) {
				pc = int(in.off)
			}
		case opJset64K:
			if r[in.dst&15]&in.k != 0 {
				pc = int(in.off)
			}

		case opJeq64X:
			if r[in.dst&15] == r[in.src&15] {
				pc = int(in.off)
			}
		case opJne64X:
			if r[in.dst&15] != r[in.src&15] {
				pc = int(in.off)
			}
		case opJgt64X:
			if r[in.dst&15] > r[in.src&15] {
				pc = int(in.off)
			}
		case opJge64X:
			if r[in.dst&15] >= r[in.src&15] {
				pc = int(in.off)
			}
		case opJlt64X:
			if r[in.dst&15] < r[in.src&15] {
				pc = int(in.off)
			}
		case opJle64X:
			if r[in.dst&15] <= r[in.src&15] {
				pc = int(in.off)
			}
		case opJsgt64X:
			if int64(r[in.dst&15]) > int64(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJsge64X:
			if int64(r[in.dst&15]) >= int64(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJslt64X:
			if int64(r[in.dst&15]) < int64(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJsle64X:
			if int64(r[in.dst&15]) <= int64(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJset64X:
			if r[in.dst&15]&r[in.src&15] != 0 {
				pc = int(in.off)
			}

		case opJeq32K:
			if uint32(r[in.dst&15]) == uint32(in.k) {
				pc = int(in.off)
			}
		case opJne32K:
			if uint32(r[in.dst&15]) != uint32(in.k) {
				pc = int(in.off)
			}
		case opJgt32K:
			if uint32(r[in.dst&15]) > uint32(in.k) {
				pc = int(in.off)
			}
		case opJge32K:
			if uint32(r[in.dst&15]) >= uint32(in.k) {
				pc = int(in.off)
			}
		case opJlt32K:
			if uint32(r[in.dst&15]) < uint32(in.k) {
				pc = int(in.off)
			}
		case opJle32K:
			if uint32(r[in.dst&15]) <= uint32(in.k) {
				pc = int(in.off)
			}
		case opJsgt32K:
			if int32(r[in.dst&15]) > int32(in.k) {
				pc = int(in.off)
			}
		case opJsge32K:
			if int32(r[in.dst&15]) >= int32(in.k) {
				pc = int(in.off)
			}
		case opJslt32K:
			if int32(r[in.dst&15]) < int32(in.k) {
				pc = int(in.off)
			}
		case opJsle32K:
			if int32(r[in.dst&15]) <= int32(in.k) {
				pc = int(in.off)
			}
		case opJset32K:
			if uint32(r[in.dst&15])&uint32(in.k) != 0 {
				pc = int(in.off)
			}

		case opJeq32X:
			if uint32(r[in.dst&15]) == uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJne32X:
			if uint32(r[in.dst&15]) != uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJgt32X:
			if uint32(r[in.dst&15]) > uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJge32X:
			if uint32(r[in.dst&15]) >= uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJlt32X:
			if uint32(r[in.dst&15]) < uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJle32X:
			if uint32(r[in.dst&15]) <= uint32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJsgt32X:
			if int32(r[in.dst&15]) > int32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJsge32X:
			if int32(r[in.dst&15]) >= int32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJslt32X:
			if int32(r[in.dst&15]) < int32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJsle32X:
			if int32(r[in.dst&15]) <= int32(r[in.src&15]) {
				pc = int(in.off)
			}
		case opJset32X:
			if uint32(r[in.dst&15])&uint32(r[in.src&15]) != 0 {
				pc = int(in.off)
			}

		// Calls.
		case opCallHelper, opCallX:
			id := in.k
			if in.op == opCallX {
				id = r[in.dst&15]
			}
			h := env.Helper(int64(id))
			if h == nil {
				return 0, maxDepth, &engine.Fault{PC: pc - 1, Err: engine.ErrUnknownHelper, Msg: fmt.Sprintf("helper %d", int64(id))}
			}
			r[0] = h(env, r[1], r[2], r[3], r[4], r[5])
			if stopped, r0 := env.Stopped(); stopped {
				return r0, maxDepth, nil
			}
		case opCallLocal:
			if depth+1 >= engine.MaxCallDepth {
				return 0, maxDepth, &engine.Fault{PC: pc - 1, Err: engine.ErrCallDepth, Msg: fmt.Sprintf("more than %d frames", engine.MaxCallDepth)}
			}
			f := &m.frames[depth]
			f.saved = [4]uint64{r[6], r[7], r[8], r[9]}
			f.ret = pc
			depth++
			maxDepth = max(maxDepth, depth)
			r[10] -= engine.StackSize
			pc = int(in.off)
		case opExit:
			if depth == 0 {
				return r[0], maxDepth, nil
			}
			depth--
			f := &m.frames[depth]
			r[6], r[7], r[8], r[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
			r[10] += engine.StackSize
			pc = f.ret

		case opLegacyPacket:
			return 0, maxDepth, &engine.Fault{PC: pc - 1, Err: errLegacyPacket}
		default:
			return 0, maxDepth, &engine.Fault{PC: pc - 1, Err: errBadInsn}
		}
	}
}
