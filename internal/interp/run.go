package interp

import (
	"errors"
	"fmt"
	"math/bits"
	"unsafe"

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
		m.env = engine.Env{}
		env = &m.env
	}
	env.Reset()
	m.maxDepth = 0
	m.lo = m.top - engine.StackSize
	env.Stack = m.stack.Region(true)
	env.CallFunc = m.call
	if p.san != nil {
		m.sanBegin(p, env, r1, r2)
	}
	r0, err := p.exec(m, env, r1, r2)
	env.Stack, env.CallFunc = engine.Region{}, nil
	m.prog, m.envp = nil, nil
	if m.done != nil {
		m.done, m.rest = nil, 0
	}
	putMachine(m, m.maxDepth, p.writes)
	return r0, err
}

// callFunc is engine.Env.CallFunc during a run: it runs the function at
// slot pc on a new frame below the caller's, with the rest of the run's
// budget, and returns when that function exits.
func (m *machine) callFunc(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	p, env := m.prog, m.envp
	if p == nil {
		return 0, errors.New("interp: CallFunc outside a run")
	}
	if pc < 0 || pc >= len(p.code) {
		return 0, &engine.Fault{PC: pc, Err: errBadInsn, Msg: "callback outside the program"}
	}
	if m.depth+1 >= engine.MaxCallDepth {
		return 0, &engine.Fault{PC: pc, Err: engine.ErrCallDepth, Msg: fmt.Sprintf("callback nested beyond %d frames", engine.MaxCallDepth)}
	}
	if err := m.chargeCallback(env); err != nil {
		return 0, err
	}
	base, lo, r10, ret := m.base, m.lo, m.r10, m.ret
	m.depth++
	m.maxDepth = max(m.maxDepth, m.depth)
	m.base = m.depth
	m.lo -= engine.StackSize
	regs := [16]uint64{1: r1, 2: r2, 3: r3, 4: r4, 5: r5, 10: r10 - engine.StackSize}
	r0, err := p.resume(m, env, pc, &regs)
	m.depth--
	m.base, m.lo, m.r10, m.ret = base, lo, r10, ret
	return r0, err
}

// chargeCallback charges the start of a callback, called from the helper
// call at slot m.ret-1, to the budget, and looks for a cancellation.
func (m *machine) chargeCallback(env *engine.Env) error {
	if err := m.canceled(env, m.ret-1); err != nil {
		return err
	}
	if m.budget+m.rest < engine.CallbackCost {
		return m.stop(budgetFault(env, m.ret-1))
	}
	if m.budget >= engine.CallbackCost {
		m.budget -= engine.CallbackCost
	} else {
		m.rest -= engine.CallbackCost - m.budget
		m.budget = 0
	}
	return nil
}

// pollQuantum is the most instructions a run with a Context executes
// between two looks at it: at one to four nanoseconds an instruction, a
// few microseconds, and still well under a millisecond if every other
// instruction is a call of a helper that takes a hundred nanoseconds. A
// look costs a few nanoseconds, a thousandth of the quantum's time.
const pollQuantum = 1 << 12

// quantum returns the most instructions execAt runs between two calls of
// refill, in a run that has quanta (m.done set): pollQuantum, or one for
// a sanitized program, whose sanitizer looks at every instruction before
// it runs.
func (p *Program) quantum() uint64 {
	if p.san != nil {
		return 1
	}
	return pollQuantum
}

// never is m.done of a sanitized run without a Context: a channel never
// closed, so that the run goes in quanta, and that refill need not look
// at.
var never <-chan struct{} = make(chan struct{})

// exec runs p from its first slot with the run's budget. It returns r0 or
// a fault, and leaves the deepest call depth it reached in m.maxDepth.
//
// A run without a Context (or with one that is never done) counts its
// whole budget down in execAt's loop, as one quantum. A run with one
// counts it down pollQuantum at a time: execAt returns at the end of each
// quantum, and resume looks at the Context and enters it again, so that
// the loop itself never does. A sanitized run goes one instruction at a
// time, with or without a Context: resume calls the sanitizer before each.
func (p *Program) exec(m *machine, env *engine.Env, r1, r2 uint64) (uint64, error) {
	m.prog, m.envp, m.base = p, env, 0
	m.budget = env.Budget
	if m.budget == 0 {
		m.budget = engine.DefaultBudget
	}
	regs := [16]uint64{1: r1, 2: r2, 10: m.top}
	if env.Context != nil {
		m.done = env.Context.Done() // nil for a context never done
	}
	if m.done == nil && p.san != nil {
		m.done = never
	}
	if m.done == nil {
		return p.execAt(m, env, 0, &regs)
	}
	if err := env.Canceled(0); err != nil {
		return 0, err
	}
	m.rest = m.budget - min(m.budget, p.quantum())
	m.budget -= m.rest
	return p.resume(m, env, 0, &regs)
}

// errQuantum is what execAt returns at the end of a quantum of its budget,
// in a run with a context (m.done set).
var errQuantum = errors.New("interp: quantum spent")

// resume runs from slot pc with the registers regs, at call depth m.depth,
// until the function at that depth exits, refilling the budget at the end
// of every quantum (a run without a Context has one, its whole budget).
// In a sanitized run, whose quanta are one instruction, the sanitizer
// updates its shadow state before each and may end the run with a leak.
func (p *Program) resume(m *machine, env *engine.Env, pc int, regs *[16]uint64) (uint64, error) {
	for {
		if m.budget == 0 { // a quantum spent, or taken by a callback's cost
			var err error
			if m.budget, err = m.refill(env, pc); err != nil {
				return 0, err
			}
		}
		if p.san != nil {
			if err := m.san.step(m, env, &p.code[pc], pc, regs); err != nil {
				return 0, err
			}
		}
		r0, err := p.execAt(m, env, pc, regs)
		if err != errQuantum {
			return r0, err
		}
		m.budget, pc = 0, m.ret
	}
}

// refill is called when the loop has spent its quantum, before the
// instruction at slot pc: it ends the run if its Context is done or its
// budget spent, and otherwise returns the next quantum.
func (m *machine) refill(env *engine.Env, pc int) (uint64, error) {
	if err := m.canceled(env, pc); err != nil {
		return 0, err
	}
	if m.rest == 0 {
		return 0, m.stop(budgetFault(env, pc))
	}
	q := min(m.rest, m.prog.quantum())
	m.rest -= q
	return q, nil
}

// canceled returns the fault that ends the run at slot pc if its Context
// is done (m.done closed), and nil otherwise.
func (m *machine) canceled(env *engine.Env, pc int) error {
	if m.done == nil || m.done == never {
		return nil
	}
	select {
	case <-m.done:
		return m.stop(env.Canceled(pc))
	default:
		return nil
	}
}

// stop leaves no budget, so that a caller that goes on after a callback
// ended with err (a helper may) meets the same end at its next
// instruction, and returns err.
func (m *machine) stop(err error) error {
	m.budget, m.rest = 0, 0
	return err
}

// execAt runs from slot pc with the registers regs, at call depth m.depth,
// until the function at that depth exits or the budget's quantum is spent:
// then it leaves the registers in regs and the slot to go on at in m.ret,
// and returns errQuantum.
//
// The loop keeps few values live so that they stay in registers: ip points
// at the next instruction with no bounds check (Compile proved every jump
// target and the end of the program), the call depth lives in m, and the
// few cases that call out of the loop (helpers, atomics) save ip and the
// budget in m and reload them, so that they are not spilled on every
// instruction. Slot indexes (for faults and return addresses) are computed
// from ip only when needed.
func (p *Program) execAt(m *machine, env *engine.Env, pc int, regs *[16]uint64) (uint64, error) {
	base := unsafe.Pointer(unsafe.SliceData(p.code))
	ip := unsafe.Add(base, uintptr(pc)*insnSize)
	budget := m.budget
	r := *regs
	for {
		if budget == 0 {
			if m.done == nil {
				// One quantum: the whole budget.
				return 0, m.stop(budgetFault(env, slot(base, ip)))
			}
			*regs, m.ret = r, slot(base, ip)
			return 0, errQuantum
		}
		budget--
		in := (*insn)(ip)
		ip = unsafe.Add(ip, insnSize)
		switch in.op {
		case opInvalid:
			return 0, &engine.Fault{PC: slot(base, ip) - 1, Err: errBadInsn}
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
			ip = unsafe.Add(ip, insnSize)

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
			// A verified program's atomics are aligned, but Go's atomics
			// on arm64 die of SIGBUS when they are not: a misaligned one
			// is a fault in every mode, never a crash.
			n := uint64(8)
			if in.op == opAtomic32 {
				n = 4
			}
			if a := r[in.dst&15] + uint64(in.off); a%n != 0 {
				return 0, misalignedAtomic(slot(base, ip)-1, a, n)
			}
			m.budget, m.ret = budget, slot(base, ip)
			atomicOp(in.op, in, &r)
			budget, ip = m.budget, unsafe.Add(base, uintptr(m.ret)*insnSize)

		// Memory, checked mode.
		case opLdxBC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 1, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 1, false)
			}
			r[in.dst&15] = engine.Load8(a)
		case opLdxHC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 2, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 2, false)
			}
			r[in.dst&15] = engine.Load16(a)
		case opLdxWC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 4, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 4, false)
			}
			r[in.dst&15] = engine.Load32(a)
		case opLdxDWC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 8, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 8, false)
			}
			r[in.dst&15] = engine.Load64(a)
		case opLdxSBC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 1, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 1, false)
			}
			r[in.dst&15] = uint64(int64(int8(engine.Load8(a))))
		case opLdxSHC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 2, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 2, false)
			}
			r[in.dst&15] = uint64(int64(int16(engine.Load16(a))))
		case opLdxSWC:
			a := r[in.src&15] + uint64(in.off)
			if !m.allowed(env, a, 4, false) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 4, false)
			}
			r[in.dst&15] = uint64(int64(int32(engine.Load32(a))))
		case opStBC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 1, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 1, true)
			}
			engine.Store8(a, in.k)
		case opStHC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 2, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 2, true)
			}
			engine.Store16(a, in.k)
		case opStWC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 4, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 4, true)
			}
			engine.Store32(a, in.k)
		case opStDWC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 8, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 8, true)
			}
			engine.Store64(a, in.k)
		case opStxBC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 1, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 1, true)
			}
			engine.Store8(a, r[in.src&15])
		case opStxHC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 2, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 2, true)
			}
			engine.Store16(a, r[in.src&15])
		case opStxWC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 4, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 4, true)
			}
			engine.Store32(a, r[in.src&15])
		case opStxDWC:
			a := r[in.dst&15] + uint64(in.off)
			if !m.allowed(env, a, 8, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, 8, true)
			}
			engine.Store64(a, r[in.src&15])
		case opChecked:
			a := r[in.dst&15] + uint64(in.off)
			n := uint64(4)
			if in.sub == opAtomic64 {
				n = 8
			}
			if a%n != 0 || !m.allowed(env, a, n, true) {
				return 0, m.memFault(env, slot(base, ip)-1, a, n, true)
			}
			m.budget, m.ret = budget, slot(base, ip)
			atomicOp(in.sub, in, &r)
			budget, ip = m.budget, unsafe.Add(base, uintptr(m.ret)*insnSize)

		// Jumps.
		case opJa:
			ip = unsafe.Add(base, uintptr(in.off)*insnSize)

		case opJeq64K:
			if r[in.dst&15] == in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJne64K:
			if r[in.dst&15] != in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJgt64K:
			if r[in.dst&15] > in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJge64K:
			if r[in.dst&15] >= in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJlt64K:
			if r[in.dst&15] < in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJle64K:
			if r[in.dst&15] <= in.k {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsgt64K:
			if int64(r[in.dst&15]) > int64(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsge64K:
			if int64(r[in.dst&15]) >= int64(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJslt64K:
			if int64(r[in.dst&15]) < int64(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsle64K:
			if int64(r[in.dst&15]) <= int64(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJset64K:
			if r[in.dst&15]&in.k != 0 {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}

		case opJeq64X:
			if r[in.dst&15] == r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJne64X:
			if r[in.dst&15] != r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJgt64X:
			if r[in.dst&15] > r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJge64X:
			if r[in.dst&15] >= r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJlt64X:
			if r[in.dst&15] < r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJle64X:
			if r[in.dst&15] <= r[in.src&15] {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsgt64X:
			if int64(r[in.dst&15]) > int64(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsge64X:
			if int64(r[in.dst&15]) >= int64(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJslt64X:
			if int64(r[in.dst&15]) < int64(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsle64X:
			if int64(r[in.dst&15]) <= int64(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJset64X:
			if r[in.dst&15]&r[in.src&15] != 0 {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}

		case opJeq32K:
			if uint32(r[in.dst&15]) == uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJne32K:
			if uint32(r[in.dst&15]) != uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJgt32K:
			if uint32(r[in.dst&15]) > uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJge32K:
			if uint32(r[in.dst&15]) >= uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJlt32K:
			if uint32(r[in.dst&15]) < uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJle32K:
			if uint32(r[in.dst&15]) <= uint32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsgt32K:
			if int32(r[in.dst&15]) > int32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsge32K:
			if int32(r[in.dst&15]) >= int32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJslt32K:
			if int32(r[in.dst&15]) < int32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsle32K:
			if int32(r[in.dst&15]) <= int32(in.k) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJset32K:
			if uint32(r[in.dst&15])&uint32(in.k) != 0 {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}

		case opJeq32X:
			if uint32(r[in.dst&15]) == uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJne32X:
			if uint32(r[in.dst&15]) != uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJgt32X:
			if uint32(r[in.dst&15]) > uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJge32X:
			if uint32(r[in.dst&15]) >= uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJlt32X:
			if uint32(r[in.dst&15]) < uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJle32X:
			if uint32(r[in.dst&15]) <= uint32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsgt32X:
			if int32(r[in.dst&15]) > int32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsge32X:
			if int32(r[in.dst&15]) >= int32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJslt32X:
			if int32(r[in.dst&15]) < int32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJsle32X:
			if int32(r[in.dst&15]) <= int32(r[in.src&15]) {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}
		case opJset32X:
			if uint32(r[in.dst&15])&uint32(r[in.src&15]) != 0 {
				ip = unsafe.Add(base, uintptr(in.off)*insnSize)
			}

		// Calls.
		case opCallHelper, opCallX:
			id := in.k
			if in.op == opCallX {
				id = r[in.dst&15]
			}
			h := env.Helper(int64(id))
			if h == nil {
				return 0, &engine.Fault{PC: slot(base, ip) - 1, Err: engine.ErrUnknownHelper, Msg: fmt.Sprintf("helper %d", int64(id))}
			}
			m.budget, m.r10, m.ret = budget, r[10], slot(base, ip)
			r[0] = h(env, r[1], r[2], r[3], r[4], r[5])
			budget, ip = m.budget, unsafe.Add(base, uintptr(m.ret)*insnSize)
			if stopped, r0 := env.Stopped(); stopped {
				return r0, nil
			}
		case opCallLocal:
			if m.depth+1 >= engine.MaxCallDepth {
				return 0, &engine.Fault{PC: slot(base, ip) - 1, Err: engine.ErrCallDepth, Msg: fmt.Sprintf("more than %d frames", engine.MaxCallDepth)}
			}
			f := &m.frames[m.depth]
			f.saved = [4]uint64{r[6], r[7], r[8], r[9]}
			f.ret = slot(base, ip)
			m.depth++
			m.maxDepth = max(m.maxDepth, m.depth)
			r[10] -= engine.StackSize
			m.lo -= engine.StackSize
			ip = unsafe.Add(base, uintptr(in.off)*insnSize)
		case opExit:
			if m.depth == m.base {
				m.budget = budget
				return r[0], nil
			}
			m.depth--
			f := &m.frames[m.depth]
			r[6], r[7], r[8], r[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
			r[10] += engine.StackSize
			m.lo += engine.StackSize
			ip = unsafe.Add(base, uintptr(f.ret)*insnSize)

		case opLdAbs, opLdInd:
			off := in.off
			if in.op == opLdInd {
				off = int32(uint32(r[in.src&15]) + uint32(in.off))
			}
			v, ok := engine.LoadPacket(&env.Packet, off, int(in.k))
			if !ok {
				if env.Packet.End == 0 {
					return 0, &engine.Fault{PC: slot(base, ip) - 1, Err: errLegacyPacket}
				}
				// Out of the packet: the program ends with r0 = 0, as on Linux.
				m.budget = budget
				return 0, nil
			}
			r[0] = v
		default:
			return 0, &engine.Fault{PC: slot(base, ip) - 1, Err: errBadInsn}
		}
	}
}

// insnSize is the size of one compiled instruction.
const insnSize = unsafe.Sizeof(insn{})

// budgetFault is the fault of a run that used up its budget at slot pc.
func budgetFault(env *engine.Env, pc int) error {
	limit := env.Budget
	if limit == 0 {
		limit = engine.DefaultBudget
	}
	return &engine.Fault{PC: pc, Err: engine.ErrBudget, Msg: fmt.Sprintf("budget %d spent", limit)}
}

// slot returns the slot index of the instruction at ip.
func slot(base, ip unsafe.Pointer) int { return int((uintptr(ip) - uintptr(base)) / insnSize) }
