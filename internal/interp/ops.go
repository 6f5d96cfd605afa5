package interp

// op is the interpreter's own operation code: one value per combination of
// instruction class, operation, operand source and width, so that the run
// loop dispatches once per instruction with no further decoding.
type op uint8

const (
	opInvalid op = iota // the second slot of an lddw; never executed

	// 64-bit ALU, immediate operand (k holds the sign-extended immediate).
	opAdd64K
	opSub64K
	opMul64K
	opDiv64K
	opSDiv64K
	opOr64K
	opAnd64K
	opLsh64K
	opRsh64K
	opMod64K
	opSMod64K
	opXor64K
	opMov64K
	opArsh64K

	// 64-bit ALU, register operand.
	opAdd64X
	opSub64X
	opMul64X
	opDiv64X
	opSDiv64X
	opOr64X
	opAnd64X
	opLsh64X
	opRsh64X
	opMod64X
	opSMod64X
	opXor64X
	opMov64X
	opArsh64X
	opMovSX8To64
	opMovSX16To64
	opMovSX32To64
	opNeg64

	// 32-bit ALU, immediate operand (k holds the immediate as uint32).
	opAdd32K
	opSub32K
	opMul32K
	opDiv32K
	opSDiv32K
	opOr32K
	opAnd32K
	opLsh32K
	opRsh32K
	opMod32K
	opSMod32K
	opXor32K
	opMov32K
	opArsh32K

	// 32-bit ALU, register operand.
	opAdd32X
	opSub32X
	opMul32X
	opDiv32X
	opSDiv32X
	opOr32X
	opAnd32X
	opLsh32X
	opRsh32X
	opMod32X
	opSMod32X
	opXor32X
	opMov32X
	opArsh32X
	opMovSX8To32
	opMovSX16To32
	opNeg32

	// Byte order: truncation (le on this little-endian machine) and swaps.
	opLE16
	opLE32
	opBSwap16
	opBSwap32
	opBSwap64

	// lddw: k holds the 64-bit constant.
	opLdImm64

	// Loads: dst = *(src + off).
	opLdxB
	opLdxH
	opLdxW
	opLdxDW
	opLdxSB
	opLdxSH
	opLdxSW

	// Stores of an immediate: *(dst + off) = k.
	opStB
	opStH
	opStW
	opStDW

	// Stores of a register: *(dst + off) = src.
	opStxB
	opStxH
	opStxW
	opStxDW

	// Atomics: *(dst + off) op= src, as in the kernel.
	opAtomic32
	opAtomic64

	// Checked loads and stores: the same operations, in the same order,
	// after a check of the address against the live stack frames and
	// env.Regions.
	opLdxBC
	opLdxHC
	opLdxWC
	opLdxDWC
	opLdxSBC
	opLdxSHC
	opLdxSWC
	opStBC
	opStHC
	opStWC
	opStDWC
	opStxBC
	opStxHC
	opStxWC
	opStxDWC

	// opChecked guards the atomic operation in insn.sub with a check of
	// the address against the live stack frames and env.Regions.
	opChecked

	// Jumps: off holds the target slot.
	opJa

	opJeq64K
	opJne64K
	opJgt64K
	opJge64K
	opJlt64K
	opJle64K
	opJsgt64K
	opJsge64K
	opJslt64K
	opJsle64K
	opJset64K

	opJeq64X
	opJne64X
	opJgt64X
	opJge64X
	opJlt64X
	opJle64X
	opJsgt64X
	opJsge64X
	opJslt64X
	opJsle64X
	opJset64X

	opJeq32K
	opJne32K
	opJgt32K
	opJge32K
	opJlt32K
	opJle32K
	opJsgt32K
	opJsge32K
	opJslt32K
	opJsle32K
	opJset32K

	opJeq32X
	opJne32X
	opJgt32X
	opJge32X
	opJlt32X
	opJle32X
	opJsgt32X
	opJsge32X
	opJslt32X
	opJsle32X
	opJset32X

	// Calls and exit.
	opCallHelper // k: helper id
	opCallX      // helper id in dst
	opCallLocal  // off: target slot
	opExit

	// Legacy packet loads of socket filters (engine.LoadPacket): off is
	// the constant offset, k the size in bytes; opLdInd adds src.
	opLdAbs
	opLdInd

	numOps
)

// insn is one compiled instruction slot. Slot i of the isa.Program is
// insn i, so jump targets and fault positions need no translation.
type insn struct {
	op  op
	dst uint8
	src uint8
	sub op    // for opChecked: the memory operation it guards
	off int32 // memory offset, or the target slot of a jump or local call
	k   uint64
}
