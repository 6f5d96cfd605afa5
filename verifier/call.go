package verifier

import (
	"math"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

func helperName(id int32) string {
	if n := helpers.Name(helpers.ID(id)); n != "" {
		return n
	}
	return "unknown"
}

// pushFrame enters a function at target with R1-R5 from the caller.
func (v *verifier) pushFrame(pc, target int, callback bool) (*frame, error) {
	s := v.cur
	if len(s.frames) >= maxCallFrames {
		return nil, v.errorf(pc, "the call stack of %d frames is too deep", len(s.frames)+1)
	}
	caller := s.cur()
	f := &frame{callsite: pc, subprog: target, callback: callback, frameno: len(s.frames)}
	for r := 1; r <= 5; r++ {
		f.regs[r] = caller.regs[r]
	}
	f.regs[10].setPtr(ptrToStack)
	f.regs[10].frame = uint8(f.frameno)
	s.frames = append(s.frames, f)
	return f, nil
}

// checkLocalCall enters a bpf-to-bpf call.
func (v *verifier) checkLocalCall(pc int, ins isa.Instruction) error {
	s := v.cur
	if s.lock != 0 {
		return v.errorf(pc, "function calls are not allowed while holding a lock")
	}
	target := ins.JumpTarget(pc)
	if _, err := v.pushFrame(pc, target, false); err != nil {
		return err
	}
	s.insn = target
	return nil
}

// returnFromCall leaves a function (prepare_func_exit).
func (v *verifier) returnFromCall(pc int) error {
	s := v.cur
	callee := s.cur()
	caller := s.frames[len(s.frames)-2]
	r0 := callee.regs[0]
	// Linux refuses every stack pointer, even one into a caller's frame
	// that would stay valid, and checks it before a callback's rules.
	if r0.typ == ptrToStack {
		return v.errorf(pc, "cannot return stack pointer to the caller")
	}
	if callee.callback {
		if r0.typ != scalarValue {
			return v.errorf(pc, "At callback return the register R0 is not a known value (%s)", r0.typeString())
		}
		if r0.smin < callee.cbRetMin || r0.smax > callee.cbRetMax {
			return v.errorf(pc, "At callback return the register R0 has smin=%d smax=%d should have been in [%d, %d]",
				r0.smin, r0.smax, callee.cbRetMin, callee.cbRetMax)
		}
		s.frames = s.frames[:len(s.frames)-1]
		// The helper may call the callback again: go back to the call.
		s.insn = callee.callsite
		return nil
	}
	s.frames = s.frames[:len(s.frames)-1]
	caller.regs[0] = r0
	for r := 1; r <= 5; r++ {
		caller.regs[r].setNotInit()
	}
	s.insn = callee.callsite + 1
	return nil
}

// argMeta collects what the arguments of one helper call tell.
type argMeta struct {
	mapIdx    int
	memReg    int // the register of the last memory argument
	allocSize int64
	release   uint32
	funcInsn  int
	// key is the map key when it is a known constant, keyOK tells.
	key   uint64
	keyOK bool
}

var typeExpectMem = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem"

// checkHelperCall checks a helper call against the helper's prototype and
// sets R0 (check_helper_call).
func (v *verifier) checkHelperCall(pc int, ins isa.Instruction) error {
	s := v.cur
	id := helpers.ID(ins.Imm)
	proto, ok := v.helpers.Prototype(id)
	if !ok {
		if helpers.Name(id) == "" {
			return v.errorf(pc, "invalid func unknown#%d", ins.Imm)
		}
		return v.errorf(pc, "program of this type cannot use helper bpf_%s#%d", helpers.Name(id), ins.Imm)
	}
	if _, builtin := helpers.Builtin(id); builtin && !v.info.Allows(id) {
		return v.errorf(pc, "program of this type cannot use helper bpf_%s#%d", proto.Name, ins.Imm)
	}
	if !v.priv && needsPerfmon(id) {
		return v.errorf(pc, "program of this type cannot use helper bpf_%s#%d without privileges (CAP_PERFMON)", proto.Name, ins.Imm)
	}
	if s.lock != 0 && id != helpers.SpinUnlock && id != helpers.SpinLock {
		return v.errorf(pc, "function calls are not allowed while holding a lock")
	}
	f := s.cur()
	meta := argMeta{mapIdx: -1, memReg: -1, funcInsn: -1}
	for i, at := range proto.Args {
		if at == helpers.ArgDontCare {
			break
		}
		regno := isa.Register(i + 1)
		if err := v.checkArg(pc, proto, regno, at, &meta); err != nil {
			return err
		}
	}
	// Map and helper must go together (check_map_func_compatibility).
	if meta.mapIdx >= 0 {
		if err := v.checkMapFunc(pc, proto, v.maps[meta.mapIdx]); err != nil {
			return err
		}
	}
	switch id {
	case helpers.TailCall:
		if len(s.refs) > 0 {
			return v.errorf(pc, "tail_call would lead to reference leak")
		}
		if !v.priv {
			// Linux masks the index against the one program array a
			// call site uses; unprivileged, a site may not use two.
			if v.tailMaps == nil {
				v.tailMaps = make(map[int]int)
			}
			if m, ok := v.tailMaps[pc]; ok && m != meta.mapIdx {
				return v.errorf(pc, "tail_call abusing map_ptr")
			}
			v.tailMaps[pc] = meta.mapIdx
		}
	case helpers.SpinLock:
		r := &f.regs[1]
		if s.lock != 0 {
			return v.errorf(pc, "Locking two bpf_spin_locks are not allowed")
		}
		s.lock = lockID(r)
		s.lockOff = r.off
	case helpers.SpinUnlock:
		r := &f.regs[1]
		if s.lock == 0 {
			return v.errorf(pc, "bpf_spin_unlock without taking a lock")
		}
		if s.lock != lockID(r) {
			return v.errorf(pc, "bpf_spin_unlock of different lock")
		}
		s.lock, s.lockOff = 0, 0
	}
	if proto.Release >= 0 {
		if !releaseRef(s, meta.release) {
			return v.errorf(pc, "R%d must be referenced when passed to release function", proto.Release+1)
		}
	}
	if cb := proto.Callback; cb != nil {
		if err := v.enterCallback(pc, proto, &meta); err != nil {
			return err
		}
	}
	// The call clobbers R1-R5 and sets R0.
	for r := 1; r <= 5; r++ {
		f.regs[r].setNotInit()
	}
	r0 := &f.regs[0]
	switch proto.Ret {
	case helpers.RetVoid:
		r0.setNotInit()
	case helpers.RetInteger:
		r0.setUnknown()
		if id == helpers.GetPrandomU32 || id == helpers.GetSmpProcessorID || id == helpers.GetNumaNodeID {
			r0.umax = math.MaxUint32
			r0.sync()
		}
	case helpers.RetPtrToMapValueOrNull:
		m := v.maps[meta.mapIdx]
		if (m.Type == maps.ArrayOfMaps || m.Type == maps.HashOfMaps) && v.inner[meta.mapIdx] >= 0 {
			r0.setPtr(constPtrToMap)
			r0.aux = int32(v.inner[meta.mapIdx])
			r0.flags |= flagMaybeNull
		} else {
			r0.setPtr(ptrToMapValue)
			r0.aux = int32(meta.mapIdx)
			// An array lookup of a constant key inside the array
			// cannot fail.
			inArray := (m.Type == maps.Array || m.Type == maps.PerCPUArray) && meta.keyOK && meta.key < uint64(m.MaxEntries)
			if !inArray {
				r0.flags |= flagMaybeNull
			}
		}
		r0.id = v.newID()
	case helpers.RetPtrToAllocMemOrNull:
		r0.setPtr(ptrToMem)
		r0.flags |= flagMaybeNull | flagRingbuf
		r0.aux = int32(meta.allocSize)
		r0.id = v.newID()
		if proto.Acquire {
			r0.ref = v.newID()
			s.refs = append(s.refs, refState{id: r0.ref, insn: pc})
		}
	}
	s.insn = pc + 1
	return nil
}

// needsPerfmon reports whether Linux offers helper id only to loaders with
// CAP_PERFMON (bpf_base_func_proto; CAP_SYS_ADMIN for probe_write_user).
// They read, print or write memory at addresses the program chooses:
// whether an address can be read tells where the runtime's memory is.
func needsPerfmon(id helpers.ID) bool {
	switch id {
	case helpers.ProbeRead, helpers.ProbeReadKernel, helpers.ProbeReadUser, helpers.ProbeReadKernelStr,
		helpers.ProbeReadUserStr, helpers.ProbeWriteUser, helpers.TracePrintk, helpers.TraceVprintk,
		helpers.Snprintf, helpers.GetCurrentTask, helpers.GetCurrentTaskBTF:
		return true
	}
	return false
}

func lockID(r *reg) uint32 {
	if r.id != 0 {
		return r.id
	}
	return 1<<31 | uint32(r.aux)
}

// enterCallback queues the path on which the helper calls the callback;
// the current path continues after the helper.
func (v *verifier) enterCallback(pc int, proto *helpers.Prototype, meta *argMeta) error {
	cb := proto.Callback
	other, err := v.pushState(meta.funcInsn)
	if err != nil {
		return err
	}
	saved := v.cur
	v.cur = other
	caller := other.cur()
	args := caller.regs
	f, err := v.pushFrame(pc, meta.funcInsn, true)
	v.cur = saved
	if err != nil {
		return err
	}
	f.cbRetMin, f.cbRetMax = cb.RetMin, cb.RetMax
	for i, p := range cb.Params {
		r := &f.regs[i+1]
		switch p {
		case helpers.ParamNone:
			r.setNotInit()
		case helpers.ParamScalar:
			r.setUnknown()
			r.umax = math.MaxUint32
			r.sync()
		case helpers.ParamMap:
			r.setPtr(constPtrToMap)
			r.aux = int32(meta.mapIdx)
		case helpers.ParamMapKey:
			r.setPtr(ptrToMapKey)
			r.aux = int32(meta.mapIdx)
		case helpers.ParamMapValue:
			r.setPtr(ptrToMapValue)
			r.aux = int32(meta.mapIdx)
		case helpers.ParamCtx:
			*r = args[cb.CtxArg+1]
		}
	}
	return nil
}

// checkMapFunc checks that the map suits the helper both ways.
func (v *verifier) checkMapFunc(pc int, proto *helpers.Prototype, m *maps.Spec) error {
	bad := func() error {
		return v.errorf(pc, "cannot pass map_type %d into func bpf_%s#%d", uint32(m.Type), proto.Name, proto.ID)
	}
	if proto.MapTypes != nil {
		ok := false
		for _, t := range proto.MapTypes {
			ok = ok || t == uint32(m.Type)
		}
		if !ok {
			return bad()
		}
		return nil
	}
	switch m.Type {
	case maps.RingBuf, maps.PerfEventArray, maps.ProgramArray, maps.Queue, maps.Stack, maps.UserRingbuf:
		if proto.ID != helpers.ForEachMapElem || m.Type == maps.RingBuf || m.Type == maps.UserRingbuf ||
			m.Type == maps.PerfEventArray || m.Type == maps.Queue || m.Type == maps.Stack {
			return bad()
		}
	case maps.ArrayOfMaps, maps.HashOfMaps:
		if proto.ID != helpers.MapLookupElem && proto.ID != helpers.MapUpdateElem && proto.ID != helpers.MapDeleteElem {
			return bad()
		}
	}
	return nil
}

// checkArg checks one helper argument (check_func_arg).
func (v *verifier) checkArg(pc int, proto *helpers.Prototype, regno isa.Register, at helpers.ArgType, meta *argMeta) error {
	r, err := v.regRead(pc, regno)
	if err != nil {
		return err
	}
	typeErr := func(expected string) error {
		return v.errorf(pc, "R%d type=%s expected=%s", regno, r.typeString(), expected)
	}
	switch at {
	case helpers.ArgAnything:
		if v.leaks(r) {
			return v.errorf(pc, "R%d leaks addr into helper function", regno)
		}
		return nil
	case helpers.ArgConstMapPtr:
		if r.typ != constPtrToMap || r.maybeNull() {
			return typeErr("map_ptr")
		}
		meta.mapIdx = int(r.aux)
		return nil
	case helpers.ArgPtrToMapKey, helpers.ArgPtrToMapValue, helpers.ArgPtrToUninitMapValue:
		if meta.mapIdx < 0 {
			return v.errorf(pc, "invalid map_ptr to access map->key")
		}
		m := v.maps[meta.mapIdx]
		size := int64(m.ValueSize)
		if at == helpers.ArgPtrToMapKey {
			size = int64(m.KeySize)
			meta.key, meta.keyOK = v.stackConst(r, int(size))
		}
		return v.checkHelperMem(pc, regno, r, size, size, at == helpers.ArgPtrToUninitMapValue, false)
	case helpers.ArgPtrToMem, helpers.ArgPtrToMemOrNull, helpers.ArgPtrToUninitMem, helpers.ArgPtrToUninitMemOrNull:
		meta.memReg = int(regno)
		if r.isNull() && (at == helpers.ArgPtrToMemOrNull || at == helpers.ArgPtrToUninitMemOrNull) {
			meta.memReg = -2 // NULL: the size must be 0
			return nil
		}
		if !isMemType(r) {
			return typeErr(typeExpectMem)
		}
		return nil
	case helpers.ArgConstSize, helpers.ArgConstSizeOrZero:
		return v.checkMemSize(pc, proto, regno, r, at == helpers.ArgConstSizeOrZero, meta)
	case helpers.ArgConstAllocSizeOrZero:
		if r.typ != scalarValue || !r.varOff.isConst() {
			return v.errorf(pc, "R%d is not a known constant'", regno)
		}
		if r.varOff.v >= maxVarOff {
			return v.errorf(pc, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno)
		}
		meta.allocSize = int64(r.varOff.v)
		return nil
	case helpers.ArgPtrToCtx:
		if r.typ != ptrToCtx {
			return typeErr("ctx")
		}
		if r.off != 0 || !r.varOff.equals(0) {
			return v.errorf(pc, "dereference of modified ctx ptr R%d off=%d disallowed", regno, r.off)
		}
		return nil
	case helpers.ArgPtrToStackOrNull:
		if r.isNull() {
			return nil
		}
		if r.typ != ptrToStack {
			return typeErr("fp")
		}
		return nil
	case helpers.ArgPtrToFunc:
		if r.typ != ptrToFunc {
			return typeErr("func")
		}
		meta.funcInsn = int(r.aux)
		return nil
	case helpers.ArgPtrToConstStr:
		return v.checkConstStr(pc, regno, r)
	case helpers.ArgPtrToAllocMem:
		if r.typ != ptrToMem || r.flags&flagRingbuf == 0 || r.maybeNull() {
			return typeErr("ringbuf_mem")
		}
		if r.off != 0 || !r.varOff.equals(0) {
			return v.errorf(pc, "R%d must have zero offset when passed to release func", regno)
		}
		if r.ref == 0 {
			return v.errorf(pc, "R%d must be referenced when passed to release function", regno)
		}
		meta.release = r.ref
		return nil
	case helpers.ArgPtrToSpinLock:
		if r.typ != ptrToMapValue || r.maybeNull() {
			return typeErr("map_value")
		}
		if !r.varOff.isConst() {
			return v.errorf(pc, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno)
		}
		m := v.maps[r.aux]
		if m.SpinLockOffset < 0 || int(m.ValueSize) < m.SpinLockOffset+4 {
			return v.errorf(pc, "map '%s' has no valid bpf_spin_lock", m.Name)
		}
		if off := int64(r.off) + int64(r.varOff.v); off != int64(m.SpinLockOffset) {
			return v.errorf(pc, "off %d doesn't point to 'struct bpf_spin_lock' that is at %d", off, m.SpinLockOffset)
		}
		return nil
	}
	return v.errorf(pc, "unsupported arg type %v", at)
}

func isMemType(r *reg) bool {
	if r.maybeNull() {
		return false
	}
	switch r.typ {
	case ptrToStack, ptrToPacket, ptrToPacketMeta, ptrToMapKey, ptrToMapValue, ptrToMem:
		return true
	}
	return false
}

// checkMemSize checks a size argument and the memory argument before it.
func (v *verifier) checkMemSize(pc int, proto *helpers.Prototype, regno isa.Register, r *reg, zeroOK bool, meta *argMeta) error {
	if r.typ != scalarValue {
		return v.errorf(pc, "R%d type=%s expected=scalar", regno, r.typeString())
	}
	if r.smin < 0 {
		return v.errorf(pc, "R%d min value is negative, either use unsigned or 'var &= const'", regno)
	}
	if meta.memReg == -2 {
		if !r.varOff.equals(0) {
			return v.errorf(pc, "R%d type=scalar expected=%s", regno-1, typeExpectMem)
		}
		return nil
	}
	if r.umin == 0 && !zeroOK {
		return v.errorf(pc, "R%d invalid zero-sized read: u64=[%d,%d]", regno, r.umin, r.umax)
	}
	if r.umax >= maxVarOff {
		return v.errorf(pc, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno)
	}
	memReg := isa.Register(meta.memReg)
	mem := &v.cur.cur().regs[memReg]
	uninit := proto.Args[memReg-1] == helpers.ArgPtrToUninitMem || proto.Args[memReg-1] == helpers.ArgPtrToUninitMemOrNull
	return v.checkHelperMem(pc, memReg, mem, int64(r.umin), int64(r.umax), uninit, false)
}

// checkHelperMem checks that a helper may read (or, if write, fill) the
// bytes [r, r+maxSize) (check_helper_mem_access).
func (v *verifier) checkHelperMem(pc int, regno isa.Register, r *reg, minSize, maxSize int64, write, zeroOK bool) error {
	if !isMemType(r) {
		return v.errorf(pc, "R%d type=%s expected=%s", regno, r.typeString(), typeExpectMem)
	}
	size := int(maxSize)
	switch r.typ {
	case ptrToStack:
		return v.checkStackRange(pc, regno, r, size, write)
	case ptrToPacket, ptrToPacketMeta:
		if !v.pktAccessOK() {
			return v.errorf(pc, "helper access to the packet is not allowed")
		}
		return v.checkPacketAccess(pc, regno, r, 0, size)
	case ptrToMapValue, ptrToMapKey:
		m := v.maps[r.aux]
		limit := int64(m.ValueSize)
		if r.typ == ptrToMapKey {
			limit = int64(m.KeySize)
			if write {
				return v.errorf(pc, "R%d cannot write into %s", regno, r.typeString())
			}
		} else if write && m.Flags&maps.ReadOnlyProg != 0 {
			return v.errorf(pc, "write into map forbidden, value_size=%d off=%d size=%d", m.ValueSize, r.off, size)
		}
		return v.checkRange(pc, regno, r, 0, size, limit, "map value")
	case ptrToMem:
		if write && r.flags&flagRingbuf == 0 && !v.info.CtxWritable {
			return v.errorf(pc, "R%d cannot write into %s", regno, r.typeString())
		}
		return v.checkRange(pc, regno, r, 0, size, int64(r.aux), "memory")
	}
	return v.errorf(pc, "R%d type=%s expected=%s", regno, r.typeString(), typeExpectMem)
}

// checkStackRange checks size bytes of stack at r for a helper: in bounds,
// and initialized unless the helper writes them (then they become so).
func (v *verifier) checkStackRange(pc int, regno isa.Register, r *reg, size int, write bool) error {
	if int(r.frame) >= len(v.cur.frames) {
		return v.errorf(pc, "R%d points to the stack of a returned function", regno)
	}
	fr := v.cur.frames[r.frame]
	var lo, hi int64
	if r.varOff.isConst() {
		lo = int64(r.off) + int64(r.varOff.v)
		hi = lo + int64(size)
	} else {
		if r.smin == math.MinInt64 || r.smax == math.MaxInt64 {
			return v.errorf(pc, "R%d unbounded indirect variable offset stack access", regno)
		}
		lo = int64(r.off) + r.smin
		hi = int64(r.off) + r.smax + int64(size)
	}
	if lo < -maxStack || hi > 0 || lo >= 0 {
		if size == 0 && r.varOff.isConst() {
			return v.errorf(pc, "invalid read from stack R%d off=%d size=%d", regno, lo, size)
		}
		if r.varOff.isConst() {
			return v.errorf(pc, "invalid indirect access to stack R%d off=%d size=%d", regno, lo, size)
		}
		return v.errorf(pc, "invalid variable-offset indirect access to stack R%d var_off=%s off=%d size=%d", regno, r.varOff.String(), r.off, size)
	}
	if write {
		v.growStack(fr, int(-lo))
		for o := lo; o < hi; o++ {
			if err := v.checkSpillOverwrite(pc, fr, int(o)); err != nil {
				return err
			}
			scrubSlot(fr, int(o))
			fr.stack[-o-1] = stackMisc
		}
		return nil
	}
	if lo < -int64(len(fr.stack)) && r.varOff.isConst() && !v.priv {
		// Below every byte written so far (check_stack_slot_within_bounds).
		return v.errorf(pc, "invalid read from stack R%d off=%d size=%d", regno, r.off, size)
	}
	if v.priv {
		// Root may hand the helper bytes never written, and spilled
		// pointers.
		v.growStack(fr, int(-lo))
		return nil
	}
	for o := lo; o < hi; o++ {
		if fr.hidden(int(o)) {
			if r.varOff.isConst() {
				return v.errorf(pc, "invalid read from stack R%d off %d+%d size %d", regno, lo, o-lo, size)
			}
			return v.errorf(pc, "invalid read from stack R%d var_off %s+%d size %d", regno, r.varOff.String(), r.off, size)
		}
	}
	return nil
}

// checkConstStr checks a pointer to a string known at verification time:
// inside a read-only map's value, NUL-terminated.
func (v *verifier) checkConstStr(pc int, regno isa.Register, r *reg) error {
	if r.typ != ptrToMapValue || r.maybeNull() {
		return v.errorf(pc, "R%d type=%s expected=map_value", regno, r.typeString())
	}
	m := v.maps[r.aux]
	// An inner map's spec is a template: its contents are not those of
	// the maps the outer map holds when the program runs.
	if int(r.aux) >= len(v.opts.Maps) || m.Flags&maps.ReadOnlyProg == 0 || m.Type != maps.Array {
		return v.errorf(pc, "R%d does not point to a readonly map'", regno)
	}
	if !r.varOff.isConst() {
		return v.errorf(pc, "R%d is not a constant address'", regno)
	}
	off := int64(r.off) + int64(r.varOff.v)
	if off < 0 || off >= int64(m.ValueSize) {
		return v.errorf(pc, "invalid access to map value, value_size=%d off=%d size=1", m.ValueSize, off)
	}
	if v.constMaps == nil {
		v.constMaps = make([]bool, len(v.opts.Maps))
	}
	v.constMaps[r.aux] = true
	var val []byte
	for _, kv := range m.Contents {
		if len(kv.Key) == 4 && kv.Key[0]|kv.Key[1]|kv.Key[2]|kv.Key[3] == 0 {
			val = kv.Value
		}
	}
	for i := off; i < int64(m.ValueSize); i++ {
		if i >= int64(len(val)) || val[i] == 0 {
			return nil
		}
	}
	return v.errorf(pc, "string is not zero-terminated")
}

// checkStackDepth checks the stack of every chain of calls against the
// 512-byte limit (check_max_stack_depth).
func (v *verifier) checkStackDepth() error {
	n := len(v.subprogs)
	calls := make([][]int, n)
	for pc := 0; pc < len(v.prog); pc++ {
		ins := v.prog[pc]
		t := -1
		switch {
		case ins.IsLocalCall():
			t = ins.JumpTarget(pc)
		case ins.IsLdImm64() && ins.Src == isa.PseudoFunc:
			t = pc + int(ins.Imm) + 1
		}
		if t >= 0 {
			calls[v.subprogOf[pc]] = append(calls[v.subprogOf[pc]], v.subprogOf[t])
		}
		if ins.IsLdImm64() {
			pc++
		}
	}
	round := func(d int) int { return (d + 15) &^ 15 }
	var walk func(sp, depth, frames int) error
	walk = func(sp, depth, frames int) error {
		depth += round(v.stackDepth[sp])
		if depth > maxStack {
			return v.errorf(v.subprogs[sp], "combined stack size of %d calls is %d. Too large", frames, depth)
		}
		for _, c := range calls[sp] {
			if frames >= maxCallFrames {
				return v.errorf(v.subprogs[c], "the call stack of %d frames is too deep", frames+1)
			}
			if err := walk(c, depth, frames+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(0, 0, 1)
}

// stackConst returns the value of the size-byte map key at stack pointer
// r when Linux knows it (get_constant_map_key): the key's slot, counted
// from the key's first byte down to the slot's end, is zeroed for at least
// size bytes, or is a spilled constant whose spill covers exactly size
// bytes. A key that is part of a wider spill is not known.
func (v *verifier) stackConst(r *reg, size int) (uint64, bool) {
	if r.typ != ptrToStack || !r.varOff.isConst() || size > 8 || size <= 0 || int(r.frame) >= len(v.cur.frames) {
		return 0, false
	}
	fr := v.cur.frames[r.frame]
	off := int(int64(r.off) + int64(r.varOff.v))
	if off < -maxStack || off >= 0 {
		return 0, false
	}
	i := -off - 1
	spi, in := i/8, i%8
	if (spi+1)*8 > len(fr.stack) {
		return 0, false
	}
	slot := fr.stack[spi*8 : spi*8+8]
	count := func(kind byte) int {
		n := 0
		for j := in; j >= 0 && slot[j] == kind; j-- {
			n++
		}
		return n
	}
	if count(stackZero) >= size {
		return 0, true
	}
	sp := &fr.spills[spi]
	if slot[7] != stackSpill || sp.typ != scalarValue || count(stackSpill) != size || !sp.isConst() {
		return 0, false
	}
	return sp.varOff.v, true
}
