package gbpf

import (
	"encoding/binary"
	"fmt"
	"reflect"
)

// marshal encodes v as exactly size bytes: a []byte as is, an inner *Map
// as its id, anything else of fixed size (integers, arrays, structs of
// them) in the host's byte order, like cilium/ebpf's binary encoding.
func marshal(v any, size int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		if size == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("nil for %d bytes", size)
	case []byte:
		if len(x) != size {
			return nil, fmt.Errorf("%d bytes, want %d", len(x), size)
		}
		return x, nil
	case *Map:
		if size != 4 {
			return nil, fmt.Errorf("a map as a %d-byte value: map-in-map values are 4-byte ids", size)
		}
		return binary.NativeEndian.AppendUint32(nil, x.m.ID()), nil
	}
	n := binary.Size(v)
	if n < 0 {
		return nil, fmt.Errorf("%T has no fixed size", v)
	}
	if n != size {
		return nil, fmt.Errorf("%T is %d bytes, want %d", v, n, size)
	}
	return binary.Append(make([]byte, 0, size), binary.NativeEndian, v)
}

// unmarshal decodes b into out: a []byte of len(b), a *[]byte, or a
// pointer to a fixed-size value of len(b) bytes.
func unmarshal(out any, b []byte) error {
	switch x := out.(type) {
	case []byte:
		if len(x) != len(b) {
			return fmt.Errorf("%d-byte buffer for %d bytes", len(x), len(b))
		}
		copy(x, b)
		return nil
	case *[]byte:
		*x = append((*x)[:0], b...)
		return nil
	}
	if n := binary.Size(out); n != len(b) {
		return fmt.Errorf("cannot decode %d bytes into %T (%d bytes)", len(b), out, n)
	}
	_, err := binary.Decode(b, binary.NativeEndian, out)
	return err
}

// marshalPerCPU encodes a slice of ncpu values, each padded to a multiple
// of 8 bytes, as per-CPU maps take them.
func marshalPerCPU(v any, size, ncpu int) ([]byte, error) {
	stride := (size + 7) &^ 7
	if b, ok := v.([]byte); ok {
		if len(b) != stride*ncpu {
			return nil, fmt.Errorf("%d bytes, want %d values of %d bytes", len(b), ncpu, stride)
		}
		return b, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || rv.Len() != ncpu {
		return nil, fmt.Errorf("per-CPU value: want a slice of %d values, got %T", ncpu, v)
	}
	out := make([]byte, stride*ncpu)
	for i := range ncpu {
		b, err := marshal(rv.Index(i).Interface(), size)
		if err != nil {
			return nil, fmt.Errorf("CPU %d: %w", i, err)
		}
		copy(out[i*stride:], b)
	}
	return out, nil
}

// unmarshalPerCPU decodes per-CPU values into out, a pointer to a slice,
// which is resized to one element per CPU.
func unmarshalPerCPU(out any, b []byte, size, ncpu int) error {
	stride := (size + 7) &^ 7
	if x, ok := out.(*[]byte); ok {
		*x = append((*x)[:0], b...)
		return nil
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("per-CPU value: want a pointer to a slice, got %T", out)
	}
	s := reflect.MakeSlice(rv.Elem().Type(), ncpu, ncpu)
	for i := range ncpu {
		if err := unmarshal(s.Index(i).Addr().Interface(), b[i*stride:i*stride+size]); err != nil {
			return fmt.Errorf("CPU %d: %w", i, err)
		}
	}
	rv.Elem().Set(s)
	return nil
}
