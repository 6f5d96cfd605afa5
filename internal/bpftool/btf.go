package bpftool

import (
	"encoding/binary"
	"fmt"
)

// Kind is a BTF type kind.
type Kind uint8

// The BTF kinds.
const (
	KindUnknown Kind = iota
	KindInt
	KindPtr
	KindArray
	KindStruct
	KindUnion
	KindEnum
	KindFwd
	KindTypedef
	KindVolatile
	KindConst
	KindRestrict
	KindFunc
	KindFuncProto
	KindVar
	KindDatasec
	KindFloat
	KindDeclTag
	KindTypeTag
	KindEnum64
)

var kindNames = [...]string{"UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
	"VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"}

// String returns bpftool's name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return kindNames[0]
}

// The encodings of an INT.
const (
	IntSigned = 1 << 0
	IntChar   = 1 << 1
	IntBool   = 1 << 2
)

// Type is one BTF type record as stored, with the fields of every kind.
type Type struct {
	Kind  Kind
	Name  string // "" when anonymous
	KFlag bool
	Vlen  int
	// SizeType is the record's size_or_type word: the size of INT,
	// STRUCT, UNION, ENUM, ENUM64, DATASEC and FLOAT, the referenced type
	// of the others.
	SizeType uint32
	// IntEncoding, IntOffset and IntBits are the INT's extra word.
	IntEncoding, IntOffset, IntBits uint8
	// Elem, Index and Nelems describe an ARRAY.
	Elem, Index, Nelems uint32
	// Members are the members of a STRUCT or UNION, the values of an
	// ENUM or ENUM64, the parameters of a FUNC_PROTO, the variables of a
	// DATASEC.
	Members []Member
	// Linkage is a VAR's linkage; Component a DECL_TAG's component index.
	Linkage   uint32
	Component int32
}

// Member is one entry of a type's list.
type Member struct {
	Name   string
	Type   uint32
	Offset uint32 // in bits for members (kind flag: bitfield size in the top 8 bits); in bytes for DATASEC
	Size   uint32 // DATASEC
	Value  uint64 // ENUM and ENUM64
}

// memberBits decodes a STRUCT or UNION member's offset: the bit offset
// and the bitfield size (0 when not a bitfield).
func (t *Type) memberBits(m Member) (off, size uint32) {
	if t.KFlag {
		return m.Offset & 0xffffff, m.Offset >> 24
	}
	return m.Offset, 0
}

// BTF is a set of BTF types: a whole blob, or split BTF whose IDs follow
// those of its base.
type BTF struct {
	base  *BTF
	start uint32 // ID of types[0]
	types []Type
	strs  *strTable
}

func (b *BTF) strLen() int { return int(b.strs.baseLen) + len(b.strs.own) }

func (b *BTF) str(off uint32) (string, bool) {
	s, err := b.strs.lookup(off)
	return s, err == nil
}

// TypeByID returns the type with id, or nil (id 0 is void).
func (b *BTF) TypeByID(id uint32) *Type {
	if b == nil || id == 0 {
		return nil
	}
	if id < b.start {
		return b.base.TypeByID(id)
	}
	if i := id - b.start; int(i) < len(b.types) {
		return &b.types[i]
	}
	return nil
}

// FirstID is the ID of b's first own type (1, or one past its base's).
func (b *BTF) FirstID() uint32 { return b.start }

// LastID is the ID of b's last type.
func (b *BTF) LastID() uint32 { return b.start + uint32(len(b.types)) - 1 }

// ParseBTF parses raw BTF (a .BTF section or the kernel's blob). With
// base not nil, raw is split BTF whose type IDs and string offsets
// continue base's.
func ParseBTF(raw []byte, base *BTF) (*BTF, error) {
	le := binary.LittleEndian
	if len(raw) < 24 {
		return nil, fmt.Errorf("btf: %d bytes is too short for a header", len(raw))
	}
	if m := le.Uint16(raw); m != 0xeb9f {
		return nil, fmt.Errorf("btf: bad magic %#04x at offset 0 (want 0xeb9f, little-endian)", m)
	}
	if raw[2] != 1 {
		return nil, fmt.Errorf("btf: unsupported version %d at offset 2", raw[2])
	}
	hdrLen := le.Uint32(raw[4:])
	typeOff, typeLen := le.Uint32(raw[8:]), le.Uint32(raw[12:])
	strOff, strLen := le.Uint32(raw[16:]), le.Uint32(raw[20:])
	if hdrLen < 24 || uint64(hdrLen) > uint64(len(raw)) {
		return nil, fmt.Errorf("btf: header length %d out of range (blob of %d bytes)", hdrLen, len(raw))
	}
	data := raw[hdrLen:]
	if uint64(typeOff)+uint64(typeLen) > uint64(len(data)) || uint64(strOff)+uint64(strLen) > uint64(len(data)) {
		return nil, fmt.Errorf("btf: type section %d+%d or string section %d+%d past the end (%d bytes)",
			typeOff, typeLen, strOff, strLen, len(data))
	}
	b := &BTF{base: base, start: 1}
	var baseStrs int
	var baseStr func(uint32) (string, bool)
	if base != nil {
		b.start = base.LastID() + 1
		baseStrs = base.strLen()
		baseStr = base.str
	}
	strs := data[strOff : strOff+strLen]
	s := &strTable{own: strs, baseLen: uint32(baseStrs), base: baseStr}
	b.strs = s
	types := data[typeOff : typeOff+typeLen]
	at := func(off int) uint32 { return le.Uint32(types[off:]) }
	for off := 0; off < len(types); {
		start := off
		if off+12 > len(types) {
			return nil, fmt.Errorf("btf: type %d at offset %d: truncated record", b.start+uint32(len(b.types)), int(hdrLen)+int(typeOff)+off)
		}
		info := at(off + 4)
		t := Type{Kind: Kind(info >> 24 & 0x1f), KFlag: info>>31 != 0, Vlen: int(info & 0xffff), SizeType: at(off + 8)}
		var err error
		if t.Name, err = s.lookup(at(off)); err != nil {
			return nil, fmt.Errorf("btf: type %d at offset %d: %w", b.start+uint32(len(b.types)), int(hdrLen)+int(typeOff)+start, err)
		}
		off += 12
		var rec int // bytes of each vlen entry
		var extra int
		switch t.Kind {
		case KindInt, KindVar, KindDeclTag:
			extra = 4
		case KindArray:
			extra = 12
		case KindStruct, KindUnion, KindDatasec:
			rec = 12
		case KindEnum, KindFuncProto:
			rec = 8
		case KindEnum64:
			rec = 12
		case KindPtr, KindFwd, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindFloat, KindTypeTag:
		default:
			return nil, fmt.Errorf("btf: type %d at offset %d: unknown kind %d", b.start+uint32(len(b.types)), int(hdrLen)+int(typeOff)+start, t.Kind)
		}
		need := extra + rec*t.Vlen
		if off+need > len(types) {
			return nil, fmt.Errorf("btf: type %d at offset %d: %s record needs %d more bytes, %d left",
				b.start+uint32(len(b.types)), int(hdrLen)+int(typeOff)+start, t.Kind, need, len(types)-off)
		}
		switch t.Kind {
		case KindInt:
			v := at(off)
			t.IntEncoding, t.IntOffset, t.IntBits = uint8(v>>24&0xf), uint8(v>>16), uint8(v)
		case KindVar:
			t.Linkage = at(off)
		case KindDeclTag:
			t.Component = int32(at(off))
		case KindArray:
			t.Elem, t.Index, t.Nelems = at(off), at(off+4), at(off+8)
		}
		off += extra
		if rec > 0 {
			t.Members = make([]Member, t.Vlen)
		}
		for i := range t.Members {
			m := &t.Members[i]
			switch t.Kind {
			case KindStruct, KindUnion, KindEnum, KindEnum64, KindFuncProto:
				if m.Name, err = s.lookup(at(off)); err != nil {
					return nil, fmt.Errorf("btf: type %d member %d at offset %d: %w", b.start+uint32(len(b.types)), i, int(hdrLen)+int(typeOff)+off, err)
				}
			}
			switch t.Kind {
			case KindStruct, KindUnion:
				m.Type, m.Offset = at(off+4), at(off+8)
			case KindDatasec:
				m.Type, m.Offset, m.Size = at(off), at(off+4), at(off+8)
			case KindEnum:
				m.Value = uint64(at(off + 4))
				if t.KFlag {
					m.Value = uint64(int64(int32(at(off + 4))))
				}
			case KindEnum64:
				m.Value = uint64(at(off+4)) | uint64(at(off+8))<<32
			case KindFuncProto:
				m.Type = at(off + 4)
			}
			off += rec
		}
		b.types = append(b.types, t)
	}
	return b, nil
}

// strTable resolves name offsets, continuing a base's table for split BTF.
type strTable struct {
	own     []byte
	baseLen uint32
	base    func(uint32) (string, bool)
}

func (s *strTable) lookup(off uint32) (string, error) {
	if off < s.baseLen {
		if name, ok := s.base(off); ok {
			return name, nil
		}
		return "", fmt.Errorf("name offset %d is not in the base's strings", off)
	}
	o := off - s.baseLen
	if o >= uint32(len(s.own)) {
		return "", fmt.Errorf("name offset %d past the string section (%d bytes)", off, s.baseLen+uint32(len(s.own)))
	}
	end := o
	for end < uint32(len(s.own)) && s.own[end] != 0 {
		end++
	}
	if end == uint32(len(s.own)) {
		return "", fmt.Errorf("name at offset %d is not NUL-terminated", off)
	}
	return string(s.own[o:end]), nil
}
