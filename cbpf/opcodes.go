package cbpf

// Instruction classes (the low three bits of an opcode).
const (
	ClassLD   = 0x00
	ClassLDX  = 0x01
	ClassST   = 0x02
	ClassSTX  = 0x03
	ClassALU  = 0x04
	ClassJMP  = 0x05
	ClassRET  = 0x06
	ClassMISC = 0x07
)

// Load sizes.
const (
	SizeW = 0x00
	SizeH = 0x08
	SizeB = 0x10
)

// Load modes.
const (
	ModeIMM = 0x00
	ModeABS = 0x20
	ModeIND = 0x40
	ModeMEM = 0x60
	ModeLEN = 0x80
	ModeMSH = 0xa0
)

// ALU operations and jump conditions.
const (
	AluADD = 0x00
	AluSUB = 0x10
	AluMUL = 0x20
	AluDIV = 0x30
	AluOR  = 0x40
	AluAND = 0x50
	AluLSH = 0x60
	AluRSH = 0x70
	AluNEG = 0x80
	AluMOD = 0x90
	AluXOR = 0xa0

	JmpJA   = 0x00
	JmpJEQ  = 0x10
	JmpJGT  = 0x20
	JmpJGE  = 0x30
	JmpJSET = 0x40
)

// Operand sources: the constant K or the X register. For RET, SrcA returns
// the accumulator.
const (
	SrcK = 0x00
	SrcX = 0x08
	SrcA = 0x10
)

// MISC operations.
const (
	MiscTAX = 0x00
	MiscTXA = 0x80
)

// MemWords is the number of scratch memory words (BPF_MEMWORDS).
const MemWords = 16

// MaxInstructions is the largest program the kernel accepts (BPF_MAXINSNS).
const MaxInstructions = 4096

// Linux ancillary data: a BPF_LD|BPF_ABS load whose offset is AdOff plus one
// of the Ad* values reads packet metadata instead of packet bytes
// (SKF_AD_OFF and SKF_AD_* in linux/filter.h).
const AdOff int32 = -0x1000

// The ancillary data offsets, added to AdOff.
const (
	AdProtocol       = 0
	AdPktType        = 4
	AdIfindex        = 8
	AdNLAttr         = 12
	AdNLAttrNest     = 16
	AdMark           = 20
	AdQueue          = 24
	AdHatype         = 28
	AdRXHash         = 32
	AdCPU            = 36
	AdALUXorX        = 40
	AdVLANTag        = 44
	AdVLANTagPresent = 48
	AdPayOffset      = 52
	AdRandom         = 56
	AdVLANTPID       = 60
	AdMax            = 64
)

// Negative load offsets relative to the network header (SKF_NET_OFF) and the
// link-layer header (SKF_LL_OFF).
const (
	NetOff int32 = -0x100000
	LLOff  int32 = -0x200000
)

// Class returns the instruction class of an opcode.
func Class(op uint16) uint16 { return op & 0x07 }

// Size returns the load size bits of an opcode.
func Size(op uint16) uint16 { return op & 0x18 }

// Mode returns the load mode bits of an opcode.
func Mode(op uint16) uint16 { return op & 0xe0 }

// Op returns the ALU operation or jump condition bits of an opcode.
func Op(op uint16) uint16 { return op & 0xf0 }

// Src returns the operand source bit of an opcode.
func Src(op uint16) uint16 { return op & 0x08 }

// RVal returns the return value source bits of a RET opcode.
func RVal(op uint16) uint16 { return op & 0x18 }

// MiscOp returns the operation bits of a MISC opcode.
func MiscOp(op uint16) uint16 { return op & 0xf8 }

// AncillaryK returns the K operand of a load of the ancillary value ad
// (one of the Ad* constants): SKF_AD_OFF + ad as an unsigned constant.
func AncillaryK(ad int32) uint32 { return uint32(AdOff + ad) }
