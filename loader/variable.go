package loader

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// VariableSpec is a global variable of the object: Size bytes at Offset in
// the value of its data section map. Set changes its initial value; for
// variables in .rodata that is the only way to change them, like
// cilium/ebpf's VariableSpec.
type VariableSpec struct {
	Name string
	// MapName is the data section map holding the variable (".data",
	// ".rodata", ".bss", ...).
	MapName string
	// Offset and Size locate the variable in the map's value.
	Offset, Size uint32
	// Type is the variable's BTF type, if known.
	Type btf.Type

	spec *CollectionSpec
}

// Constant reports whether programs cannot change the variable: it lives in
// a read-only section.
func (v *VariableSpec) Constant() bool {
	return isReadOnlySection(v.MapName)
}

// bytes returns the variable's bytes in its map's initial value.
func (v *VariableSpec) bytes() ([]byte, error) {
	m := v.spec.Maps[v.MapName]
	if m == nil || len(m.Contents) == 0 {
		return nil, fmt.Errorf("variable %s: map %s has no contents", v.Name, v.MapName)
	}
	val := m.Contents[0].Value
	if uint64(v.Offset)+uint64(v.Size) > uint64(len(val)) {
		return nil, fmt.Errorf("variable %s: %d bytes at %d lie outside %s (%d bytes)", v.Name, v.Size, v.Offset, v.MapName, len(val))
	}
	return val[v.Offset : v.Offset+v.Size], nil
}

// Set sets the variable's initial value from in, a fixed-size value (an
// integer, a bool, an array or a struct of them) encoded in the host's
// byte order, or a []byte. Its size must be the variable's size.
func (v *VariableSpec) Set(in any) error {
	dst, err := v.bytes()
	if err != nil {
		return err
	}
	b, err := encodeFixed(in, len(dst))
	if err != nil {
		return fmt.Errorf("variable %s: %w", v.Name, err)
	}
	copy(dst, b)
	return nil
}

// Get decodes the variable's initial value into out, a pointer to a
// fixed-size value or a []byte of the variable's size.
func (v *VariableSpec) Get(out any) error {
	src, err := v.bytes()
	if err != nil {
		return err
	}
	if b, ok := out.([]byte); ok {
		if len(b) != len(src) {
			return fmt.Errorf("variable %s: %d bytes, not %d", v.Name, len(src), len(b))
		}
		copy(b, src)
		return nil
	}
	if n := binary.Size(out); n != len(src) {
		return fmt.Errorf("variable %s: %d bytes, cannot decode into %T (%d bytes)", v.Name, len(src), out, n)
	}
	return binary.Read(bytes.NewReader(src), binary.NativeEndian, out)
}

// String describes the variable and where it lives.
func (v *VariableSpec) String() string {
	return fmt.Sprintf("%s (%s+%d, %d bytes)", v.Name, v.MapName, v.Offset, v.Size)
}

// encodeFixed encodes in as exactly size bytes.
func encodeFixed(in any, size int) ([]byte, error) {
	if b, ok := in.([]byte); ok {
		if len(b) != size {
			return nil, fmt.Errorf("%d bytes given, want %d", len(b), size)
		}
		return b, nil
	}
	n := binary.Size(in)
	if n < 0 {
		return nil, fmt.Errorf("%T has no fixed size", in)
	}
	if n != size {
		return nil, fmt.Errorf("%T is %d bytes, want %d", in, n, size)
	}
	return binary.Append(nil, binary.NativeEndian, in)
}

func isReadOnlySection(name string) bool {
	return name == ".rodata" || len(name) > 8 && name[:8] == ".rodata." || name == ".kconfig"
}
