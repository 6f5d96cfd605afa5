package cbpf

import (
	"encoding/binary"
	"math/rand/v2"
)

// op is the internal operation of a decoded instruction.
type op uint8

const (
	opRetK op = iota
	opRetA
	opLdAbsW
	opLdAbsH
	opLdAbsB
	opLdIndW
	opLdIndH
	opLdIndB
	opLdNegW // packet load at a negative offset (SKF_NET_OFF, SKF_LL_OFF)
	opLdNegH
	opLdNegB
	opLdAnc // ancillary load; k is the SKF_AD_* value
	opLdLen
	opLdImm
	opLdMem
	opLdxLen
	opLdxImm
	opLdxMem
	opLdxMsh
	opSt
	opStx
	opTax
	opTxa
	opAddK
	opSubK
	opMulK
	opDivK
	opModK
	opAndK
	opOrK
	opXorK
	opLshK
	opRshK
	opAddX
	opSubX
	opMulX
	opDivX
	opModX
	opAndX
	opOrX
	opXorX
	opLshX
	opRshX
	opNeg
	opJa
	opJeqK
	opJgtK
	opJgeK
	opJsetK
	opJeqX
	opJgtX
	opJgeX
	opJsetX
	// Fused pairs: a packet load followed by a comparison with a
	// constant. The second instruction stays decoded on its own for
	// jumps that land on it.
	opLdHJeq
	opLdBJeq
	opLdWJeq
	opLdHJset
	opLdBJset
	opLdIndHJeq
	opLdIndBJeq
)

// decoded is an instruction in the VM's internal form: jump targets are
// absolute instruction indices.
type decoded struct {
	op     op
	jt, jf uint16 // MaxInstructions fits
	k      uint32
	k2     uint32 // comparison constant of a fused pair
}

// VM runs one classic BPF program. It is safe for concurrent use by
// multiple goroutines.
type VM struct {
	prog  []Instruction
	insns []decoded
}

// VMOptions relax the Linux rules for programs from other sources.
type VMOptions struct {
	// BackwardJumps accepts unconditional jumps to earlier instructions,
	// which libpcap's interpreter runs (libpcap compiles "protochain" to a
	// loop) and Linux rejects. A run that takes more than
	// MaxBackwardJumps of them ends with 0.
	BackwardJumps bool
}

// MaxBackwardJumps bounds the backward jumps of one run.
const MaxBackwardJumps = 1 << 16

// NewVM checks prog with Check and decodes it for running.
func NewVM(prog []Instruction) (*VM, error) { return NewVMOptions(prog, VMOptions{}) }

// NewVMOptions is NewVM with options.
func NewVMOptions(prog []Instruction, opts VMOptions) (*VM, error) {
	if err := check(prog, opts.BackwardJumps); err != nil {
		return nil, err
	}
	vm := &VM{prog: append([]Instruction(nil), prog...), insns: make([]decoded, len(prog))}
	for pc, ins := range prog {
		vm.insns[pc] = decode(pc, ins)
	}
	fuse(vm.insns)
	return vm, nil
}

// fusedOps maps a packet load and the comparison with a constant after
// it to the operation that does both.
var fusedOps = map[[2]op]op{
	{opLdAbsH, opJeqK}: opLdHJeq, {opLdAbsB, opJeqK}: opLdBJeq, {opLdAbsW, opJeqK}: opLdWJeq,
	{opLdAbsH, opJsetK}: opLdHJset, {opLdAbsB, opJsetK}: opLdBJset,
	{opLdIndH, opJeqK}: opLdIndHJeq, {opLdIndB, opJeqK}: opLdIndBJeq,
}

// fuse rewrites a packet load followed by a comparison with a constant
// into one operation.
func fuse(insns []decoded) {
	for i := 0; i+1 < len(insns); i++ {
		ld, j := insns[i], insns[i+1]
		if f, ok := fusedOps[[2]op{ld.op, j.op}]; ok {
			insns[i] = decoded{op: f, k: ld.k, k2: j.k, jt: j.jt, jf: j.jf}
		}
	}
}

// Program returns a copy of the program the VM runs.
func (vm *VM) Program() []Instruction { return append([]Instruction(nil), vm.prog...) }

var aluOps = map[uint16][2]op{
	AluADD: {opAddK, opAddX}, AluSUB: {opSubK, opSubX}, AluMUL: {opMulK, opMulX},
	AluDIV: {opDivK, opDivX}, AluMOD: {opModK, opModX}, AluAND: {opAndK, opAndX},
	AluOR: {opOrK, opOrX}, AluXOR: {opXorK, opXorX}, AluLSH: {opLshK, opLshX},
	AluRSH: {opRshK, opRshX},
}

var jmpOps = map[uint16][2]op{
	JmpJEQ: {opJeqK, opJeqX}, JmpJGT: {opJgtK, opJgtX},
	JmpJGE: {opJgeK, opJgeX}, JmpJSET: {opJsetK, opJsetX},
}

// decode turns an instruction that check accepted into the VM's form.
func decode(pc int, ins Instruction) decoded {
	d := decoded{k: ins.K}
	next := uint16(pc + 1)
	switch Class(ins.Op) {
	case ClassRET:
		d.op = opRetK
		if RVal(ins.Op) == SrcA {
			d.op = opRetA
		}
	case ClassLD:
		sz := op(Size(ins.Op) >> 3) // W, H, B: 0, 1, 2
		switch Mode(ins.Op) {
		case ModeABS:
			k := int32(ins.K)
			switch {
			case k >= AdOff && k < 0 && isAncillary(uint32(k-AdOff)):
				d.op, d.k = opLdAnc, uint32(k-AdOff)
			case k < 0:
				d.op = opLdNegW + sz
			default:
				d.op = opLdAbsW + sz
			}
		case ModeIND:
			d.op = opLdIndW + sz
		case ModeLEN:
			d.op = opLdLen
		case ModeIMM:
			d.op = opLdImm
		case ModeMEM:
			d.op = opLdMem
		}
	case ClassLDX:
		switch Mode(ins.Op) {
		case ModeLEN:
			d.op = opLdxLen
		case ModeIMM:
			d.op = opLdxImm
		case ModeMEM:
			d.op = opLdxMem
		case ModeMSH:
			d.op = opLdxMsh
		}
	case ClassST:
		d.op = opSt
	case ClassSTX:
		d.op = opStx
	case ClassMISC:
		d.op = opTax
		if MiscOp(ins.Op) == MiscTXA {
			d.op = opTxa
		}
	case ClassALU:
		if Op(ins.Op) == AluNEG {
			d.op = opNeg
			break
		}
		d.op = aluOps[Op(ins.Op)][Src(ins.Op)>>3]
	case ClassJMP:
		if Op(ins.Op) == JmpJA {
			d.op = opJa
			d.jt = uint16(int(next) + int(int32(ins.K)))
			break
		}
		d.op = jmpOps[Op(ins.Op)][Src(ins.Op)>>3]
		d.jt, d.jf = next+uint16(ins.Jt), next+uint16(ins.Jf)
	}
	return d
}

func isAncillary(ad uint32) bool {
	return ad < AdMax && ad%4 == 0
}

// Run runs the program on pkt, whose first byte is the start of the
// link-layer header, with md as the packet metadata (nil reads as zeros),
// and returns the filter's return value: the number of bytes to keep, 0 to
// drop the packet.
func (vm *VM) Run(pkt []byte, md *Metadata) uint32 {
	return vm.RunWire(pkt, uint32(len(pkt)), md)
}

// RunWire is Run for a packet of which only pkt was captured: wireLen is
// its length on the wire, which BPF_LEN loads return (as libpcap's
// bpf_filter does for truncated captures), while packet loads are bounded
// by len(pkt).
func (vm *VM) RunWire(pkt []byte, wireLen uint32, md *Metadata) uint32 {
	var a, x uint32
	var mem [MemWords]uint32
	insns := vm.insns
	plen := uint64(len(pkt))
	pc := uint16(0)
	back := 0
	for {
		in := &insns[pc]
		pc++
		switch in.op {
		case opRetK:
			return in.k
		case opRetA:
			return a
		case opLdHJeq:
			k := uint64(in.k)
			if k+2 > plen {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(pkt[k:]))
			pc = cond(a == in.k2, in)
		case opLdBJeq:
			k := uint64(in.k)
			if k >= plen {
				return 0
			}
			a = uint32(pkt[k])
			pc = cond(a == in.k2, in)
		case opLdWJeq:
			k := uint64(in.k)
			if k+4 > plen {
				return 0
			}
			a = binary.BigEndian.Uint32(pkt[k:])
			pc = cond(a == in.k2, in)
		case opLdHJset:
			k := uint64(in.k)
			if k+2 > plen {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(pkt[k:]))
			pc = cond(a&in.k2 != 0, in)
		case opLdIndHJeq:
			off := int32(x + in.k)
			if off < 0 || int64(off)+2 > int64(plen) {
				v, ok := load(pkt, off, 2, md)
				if !ok {
					return 0
				}
				a = v
			} else {
				a = uint32(binary.BigEndian.Uint16(pkt[off:]))
			}
			pc = cond(a == in.k2, in)
		case opLdIndBJeq:
			off := int32(x + in.k)
			if off < 0 || int64(off) >= int64(plen) {
				v, ok := load(pkt, off, 1, md)
				if !ok {
					return 0
				}
				a = v
			} else {
				a = uint32(pkt[off])
			}
			pc = cond(a == in.k2, in)
		case opLdBJset:
			k := uint64(in.k)
			if k >= plen {
				return 0
			}
			a = uint32(pkt[k])
			pc = cond(a&in.k2 != 0, in)
		case opLdAbsW:
			k := uint64(in.k)
			if k+4 > plen {
				return 0
			}
			a = binary.BigEndian.Uint32(pkt[k:])
		case opLdAbsH:
			k := uint64(in.k)
			if k+2 > plen {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(pkt[k:]))
		case opLdAbsB:
			k := uint64(in.k)
			if k >= plen {
				return 0
			}
			a = uint32(pkt[k])
		case opLdIndW, opLdIndH, opLdIndB:
			v, ok := load(pkt, int32(x+in.k), 4>>(in.op-opLdIndW), md)
			if !ok {
				return 0
			}
			a = v
		case opLdNegW, opLdNegH, opLdNegB:
			v, ok := load(pkt, int32(in.k), 4>>(in.op-opLdNegW), md)
			if !ok {
				return 0
			}
			a = v
		case opLdAnc:
			a = ancillary(in.k, a, x, pkt, md)
		case opLdLen:
			a = wireLen
		case opLdImm:
			a = in.k
		case opLdMem:
			a = mem[in.k&15]
		case opLdxLen:
			x = wireLen
		case opLdxImm:
			x = in.k
		case opLdxMem:
			x = mem[in.k&15]
		case opLdxMsh:
			k := uint64(in.k)
			if k >= plen {
				return 0
			}
			x = uint32(pkt[k]&0xf) << 2
		case opSt:
			mem[in.k&15] = a
		case opStx:
			mem[in.k&15] = x
		case opTax:
			x = a
		case opTxa:
			a = x
		case opAddK:
			a += in.k
		case opSubK:
			a -= in.k
		case opMulK:
			a *= in.k
		case opDivK:
			a /= in.k
		case opModK:
			a %= in.k
		case opAndK:
			a &= in.k
		case opOrK:
			a |= in.k
		case opXorK:
			a ^= in.k
		case opLshK:
			a <<= in.k & 31
		case opRshK:
			a >>= in.k & 31
		case opAddX:
			a += x
		case opSubX:
			a -= x
		case opMulX:
			a *= x
		case opDivX:
			if x == 0 {
				return 0
			}
			a /= x
		case opModX:
			if x == 0 {
				return 0
			}
			a %= x
		case opAndX:
			a &= x
		case opOrX:
			a |= x
		case opXorX:
			a ^= x
		case opLshX:
			a <<= x & 31
		case opRshX:
			a >>= x & 31
		case opNeg:
			a = -a
		case opJa:
			if in.jt < pc {
				if back++; back > MaxBackwardJumps {
					return 0
				}
			}
			pc = in.jt
		case opJeqK:
			pc = cond(a == in.k, in)
		case opJgtK:
			pc = cond(a > in.k, in)
		case opJgeK:
			pc = cond(a >= in.k, in)
		case opJsetK:
			pc = cond(a&in.k != 0, in)
		case opJeqX:
			pc = cond(a == x, in)
		case opJgtX:
			pc = cond(a > x, in)
		case opJgeX:
			pc = cond(a >= x, in)
		case opJsetX:
			pc = cond(a&x != 0, in)
		default:
			return 0 // unreachable: decode produces only the ops above
		}
	}
}

func cond(b bool, in *decoded) uint16 {
	if b {
		return in.jt
	}
	return in.jf
}

// load reads size bytes at a signed offset: non-negative offsets index the
// packet, offsets from NetOff the network header and offsets from LLOff the
// link-layer header, like the kernel's bpf_internal_load_pointer_neg_helper.
func load(pkt []byte, off int32, size int, md *Metadata) (uint32, bool) {
	var start int64
	switch {
	case off >= 0:
		start = int64(off)
	case off >= NetOff:
		var net uint32
		if md != nil {
			net = md.NetOffset
		}
		start = int64(net) + int64(off-NetOff)
	case off >= LLOff:
		start = int64(off - LLOff)
	default:
		return 0, false
	}
	if start+int64(size) > int64(len(pkt)) {
		return 0, false
	}
	switch size {
	case 4:
		return binary.BigEndian.Uint32(pkt[start:]), true
	case 2:
		return uint32(binary.BigEndian.Uint16(pkt[start:])), true
	default:
		return uint32(pkt[start]), true
	}
}

// ancillary returns the value of the Linux ancillary load SKF_AD_OFF+ad.
func ancillary(ad, a, x uint32, pkt []byte, md *Metadata) uint32 {
	switch ad {
	case AdALUXorX:
		return a ^ x
	case AdNLAttr:
		return nlattr(pkt, a, x, false)
	case AdNLAttrNest:
		return nlattr(pkt, a, x, true)
	}
	if md == nil {
		if ad == AdRandom {
			return rand.Uint32()
		}
		return 0
	}
	switch ad {
	case AdProtocol:
		return uint32(md.Protocol)
	case AdPktType:
		return md.PktType
	case AdIfindex:
		return md.Ifindex
	case AdMark:
		return md.Mark
	case AdQueue:
		return md.Queue
	case AdHatype:
		return md.Hatype
	case AdRXHash:
		return md.RXHash
	case AdCPU:
		return md.CPU
	case AdVLANTag:
		return uint32(md.VLANTCI)
	case AdVLANTagPresent:
		if md.VLANPresent {
			return 1
		}
		return 0
	case AdVLANTPID:
		return uint32(md.VLANTPID)
	case AdPayOffset:
		return md.PayOffset
	case AdRandom:
		if md.Random != nil {
			return md.Random()
		}
		return rand.Uint32()
	}
	return 0
}

// nlattr searches netlink attributes (host byte order, as the kernel's
// nla_find) for type x starting at packet offset a, and returns the offset
// of the attribute found or 0. With nest, the attribute at a is a nested
// attribute and the search runs over its payload.
func nlattr(pkt []byte, a, x uint32, nest bool) uint32 {
	n := uint64(len(pkt))
	if n < 4 || uint64(a) > n-4 {
		return 0
	}
	pos, rem := int64(a), int64(n)-int64(a)
	if nest {
		l := int64(binary.NativeEndian.Uint16(pkt[pos:]))
		if l > rem {
			return 0
		}
		pos, rem = pos+4, l-4
	}
	for rem >= 4 {
		l := int64(binary.NativeEndian.Uint16(pkt[pos:]))
		typ := binary.NativeEndian.Uint16(pkt[pos+2:]) & 0x3fff
		if l < 4 || l > rem {
			break
		}
		if uint32(typ) == x {
			return uint32(pos)
		}
		step := (l + 3) &^ 3
		pos, rem = pos+step, rem-step
	}
	return 0
}
