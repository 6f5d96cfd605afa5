package bpftool

import (
	"encoding/binary"
	"fmt"
	"math/big"
)

// ValueFormatter writes map keys and values as bpftool's BTF dumper does:
// structs as objects, arrays as arrays (char arrays holding a string as
// that string), enums by name. Plain selects the text of plain output
// (pointers as %p, unprintable chars as hex) over that of JSON output.
type ValueFormatter struct {
	BTF   *BTF
	Plain bool

	budget int             // values still to write, against pathological BTF
	path   map[uint32]bool // composite types being written, against cycles
}

// maxValues bounds the values one Format writes (an array of a billion
// empty structs is valid BTF).
const maxValues = 1 << 20

// Format writes data, a value of type id, to j.
func (f *ValueFormatter) Format(j *JSONWriter, id uint32, data []byte) error {
	f.budget, f.path = maxValues, map[uint32]bool{}
	return f.do(j, id, 0, data, 0)
}

// ResolveSize returns the size in bytes of the type with id.
func (b *BTF) ResolveSize(id uint32) (uint64, error) { return b.resolveSize(id, 0) }

func (b *BTF) resolveSize(id uint32, nested int) (uint64, error) {
	if nested > 32 {
		return 0, fmt.Errorf("btf: type %d: arrays nest too deeply", id)
	}
	for depth := 0; depth < 32; depth++ {
		t := b.TypeByID(id)
		if t == nil {
			return 0, fmt.Errorf("btf: no type %d", id)
		}
		switch t.Kind {
		case KindInt, KindStruct, KindUnion, KindEnum, KindEnum64, KindDatasec, KindFloat:
			return uint64(t.SizeType), nil
		case KindPtr:
			return 8, nil
		case KindArray:
			n, err := b.resolveSize(t.Elem, nested+1)
			if err == nil && n != 0 && uint64(t.Nelems) > (1<<40)/n {
				err = fmt.Errorf("btf: array %d of %d elements of %d bytes is too large", id, t.Nelems, n)
			}
			return n * uint64(t.Nelems), err
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag, KindVar:
			id = t.SizeType
		default:
			return 0, fmt.Errorf("btf: type %d (%s) has no size", id, t.Kind)
		}
	}
	return 0, fmt.Errorf("btf: type %d: too many modifiers", id)
}

func need(data []byte, n uint64, id uint32) error {
	if uint64(len(data)) < n {
		return fmt.Errorf("btf: type %d needs %d bytes of data, have %d", id, n, len(data))
	}
	return nil
}

func (f *ValueFormatter) do(j *JSONWriter, id uint32, bitOff uint8, data []byte, depth int) error {
	if depth > 64 {
		return fmt.Errorf("btf: type %d nests too deeply", id)
	}
	if f.budget--; f.budget < 0 {
		return fmt.Errorf("btf: value of type %d has more than %d parts", id, maxValues)
	}
	if f.path[id] {
		return fmt.Errorf("btf: type %d contains itself", id)
	}
	t := f.BTF.TypeByID(id)
	if t != nil && (t.Kind == KindStruct || t.Kind == KindUnion || t.Kind == KindArray || t.Kind == KindDatasec) {
		f.path[id] = true
		defer delete(f.path, id)
	}
	if t == nil {
		j.Raw("(unknown)")
		return nil
	}
	switch t.Kind {
	case KindInt:
		return f.int(j, id, t, bitOff, data)
	case KindStruct, KindUnion:
		if err := need(data, uint64(t.SizeType), id); err != nil {
			return err
		}
		j.StartObject()
		defer j.EndObject()
		for _, m := range t.Members {
			off, size := t.memberBits(m)
			j.Name(m.Name)
			if uint64(off/8) > uint64(len(data)) {
				return fmt.Errorf("btf: member %s of type %d at bit %d is past the value", m.Name, id, off)
			}
			d := data[off/8:]
			if size != 0 {
				if err := bitfield(j, d, uint8(off%8), uint32(size), id, f.Plain); err != nil {
					return err
				}
				continue
			}
			if err := f.do(j, m.Type, uint8(off%8), d, depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindArray:
		if f.isString(t, data) {
			n := 0
			for data[n] != 0 {
				n++
			}
			j.String(string(data[:n]))
			return nil
		}
		size, err := f.BTF.ResolveSize(t.Elem)
		if err != nil {
			return err
		}
		if err := need(data, size*uint64(t.Nelems), id); err != nil {
			return err
		}
		j.StartArray()
		defer j.EndArray()
		for i := uint64(0); i < uint64(t.Nelems); i++ {
			if err := f.do(j, t.Elem, 0, data[i*size:], depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindEnum, KindEnum64:
		if err := need(data, uint64(t.SizeType), id); err != nil {
			return err
		}
		var v int64
		switch t.SizeType {
		case 8:
			v = int64(binary.LittleEndian.Uint64(data))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(data)))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(data)))
		case 1:
			v = int64(int8(data[0]))
		default:
			return fmt.Errorf("btf: enum %d has size %d", id, t.SizeType)
		}
		for _, m := range t.Members {
			match := int64(m.Value) == v
			if t.Kind == KindEnum {
				match = int64(int32(m.Value)) == v
			}
			if match {
				j.String(m.Name)
				return nil
			}
		}
		j.Int(v)
		return nil
	case KindPtr:
		if err := need(data, 8, id); err != nil {
			return err
		}
		v := binary.LittleEndian.Uint64(data)
		switch {
		case !f.Plain:
			j.Uint(v)
		case v == 0:
			j.Raw("(nil)")
		default:
			j.Printf("0x%x", v)
		}
		return nil
	case KindFwd:
		j.Raw("(fwd-kind-invalid)")
		return fmt.Errorf("btf: type %d is a forward declaration", id)
	case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return f.do(j, t.SizeType, bitOff, data, depth+1)
	case KindVar:
		j.StartObject()
		defer j.EndObject()
		j.Name(t.Name)
		return f.do(j, t.SizeType, bitOff, data, depth+1)
	case KindDatasec:
		j.StartObject()
		defer j.EndObject()
		j.Name(t.Name)
		j.StartArray()
		defer j.EndArray()
		for _, m := range t.Members {
			if uint64(m.Offset) > uint64(len(data)) {
				return fmt.Errorf("btf: variable %d of section %s at offset %d is past the value", m.Type, t.Name, m.Offset)
			}
			if err := f.do(j, m.Type, 0, data[m.Offset:], depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	j.Raw("(unsupported-kind")
	return fmt.Errorf("btf: type %d: dumping a %s is not supported", id, t.Kind)
}

// isString reports whether an array of chars holds a NUL-terminated
// printable string.
func (f *ValueFormatter) isString(t *Type, data []byte) bool {
	if t.Nelems == 0 {
		return false
	}
	elem := f.BTF.TypeByID(t.Elem)
	for elem != nil && (elem.Kind == KindVolatile || elem.Kind == KindConst || elem.Kind == KindRestrict || elem.Kind == KindTypeTag) {
		elem = f.BTF.TypeByID(elem.SizeType)
	}
	if elem == nil || elem.Kind != KindInt || elem.SizeType != 1 {
		return false
	}
	if elem.IntEncoding&IntChar == 0 && elem.Name != "char" {
		return false
	}
	for i := 0; i < int(t.Nelems) && i < len(data); i++ {
		c := int8(data[i]) // C's signed char: bytes from 0x80 are negative
		if c == 0 {
			return true
		}
		if c <= 0x1f || c == 0x7f {
			return false
		}
	}
	return false
}

func (f *ValueFormatter) int(j *JSONWriter, id uint32, t *Type, bitOff uint8, data []byte) error {
	bits := uint32(t.IntBits)
	if bitOff != 0 || t.IntOffset != 0 || bits%8 != 0 {
		total := uint32(bitOff) + uint32(t.IntOffset)
		if uint64(total/8) > uint64(len(data)) {
			return fmt.Errorf("btf: int %d at bit %d is past the value", id, total)
		}
		return bitfield(j, data[total/8:], uint8(total%8), bits, id, f.Plain)
	}
	if err := need(data, uint64(bits/8), id); err != nil {
		return err
	}
	le := binary.LittleEndian
	if bits == 128 {
		printInt128(j, le.Uint64(data), le.Uint64(data[8:]), f.Plain)
		return nil
	}
	switch t.IntEncoding {
	case 0:
		switch bits {
		case 64:
			j.Uint(le.Uint64(data))
		case 32:
			j.Uint(uint64(le.Uint32(data)))
		case 16:
			j.Uint(uint64(le.Uint16(data)))
		case 8:
			j.Uint(uint64(data[0]))
		default:
			return bitfield(j, data, 0, bits, id, f.Plain)
		}
	case IntSigned:
		switch bits {
		case 64:
			j.Int(int64(le.Uint64(data)))
		case 32:
			j.Int(int64(int32(le.Uint32(data))))
		case 16:
			j.Int(int64(int16(le.Uint16(data))))
		case 8:
			j.Int(int64(int8(data[0])))
		default:
			return bitfield(j, data, 0, bits, id, f.Plain)
		}
	case IntChar:
		c := data[0]
		switch {
		case c >= 0x20 && c < 0x7f:
			j.Raw(`"` + string(rune(c)) + `"`)
		case f.Plain:
			j.Printf("0x%x", c)
		default:
			j.Printf(`"\u00%02x"`, c)
		}
	case IntBool:
		j.Bool(data[0] != 0)
	default:
		return fmt.Errorf("btf: int %d has encoding %d", id, t.IntEncoding)
	}
	return nil
}

// bitfield writes the nbits bits at bit off of data (little-endian) in
// hex, as bpftool does.
func bitfield(j *JSONWriter, data []byte, off uint8, nbits uint32, id uint32, plain bool) error {
	if nbits == 0 || nbits > 128 {
		return fmt.Errorf("btf: bitfield of type %d has %d bits", id, nbits)
	}
	nbytes := (uint32(off) + nbits + 7) / 8
	if uint64(nbytes) > uint64(len(data)) {
		return fmt.Errorf("btf: bitfield of type %d needs %d bytes, have %d", id, nbytes, len(data))
	}
	var buf [16]byte
	copy(buf[:], data[:nbytes])
	v := new(big.Int).SetBytes(reverse(buf[:]))
	v.Rsh(v, uint(off))
	v.And(v, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(nbits)), big.NewInt(1)))
	lo := v.Uint64()
	hi := new(big.Int).Rsh(v, 64).Uint64()
	printInt128(j, lo, hi, plain)
	return nil
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}

// printInt128 writes a 128-bit number in hex, quoted in JSON, as bpftool
// does.
func printInt128(j *JSONWriter, lo, hi uint64, plain bool) {
	s := fmt.Sprintf("0x%x", lo)
	if hi != 0 {
		s = fmt.Sprintf("0x%x%016x", hi, lo)
	}
	if !plain {
		s = `"` + s + `"`
	}
	j.Raw(s)
}
