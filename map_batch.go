package gbpf

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/gbpf/gbpf/maps"
)

// BatchOptions are the options of batch operations, as cilium/ebpf's:
// ElemFlags applies to every element (the MapUpdateFlags of BatchUpdate),
// Flags to the operation and must be 0.
type BatchOptions struct {
	ElemFlags uint64
	Flags     uint64
}

// MapBatchCursor marks where BatchLookup and BatchLookupAndDelete stand in
// a map, like cilium/ebpf's. The zero value starts at the first element;
// a cursor belongs to the first map it is used with.
type MapBatchCursor struct {
	m *Map
	c maps.BatchCursor
	// k is the kernel's cursor, for maps in the kernel.
	k kernelBatchCursor
}

// BatchLookup copies up to len(keysOut) elements into keysOut and
// valuesOut, starting where cursor stands, and advances cursor; it
// returns how many it copied. keysOut and valuesOut are a []byte (a
// multiple of the key or value size) or a slice of fixed-size values, as
// Lookup takes one; per-CPU maps take one value per CPU per element. Once
// the map has no more elements, the error matches ErrKeyNotExist and the
// count says how many of the last ones were copied. Hash and array maps
// support batches; other types fail with ErrNotSupported.
func (m *Map) BatchLookup(cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions) (int, error) {
	return m.batchLookup("batch lookup", cursor, keysOut, valuesOut, opts, false)
}

// BatchLookupAndDelete is BatchLookup that also removes the elements it
// copies.
func (m *Map) BatchLookupAndDelete(cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions) (int, error) {
	return m.batchLookup("batch lookup and delete", cursor, keysOut, valuesOut, opts, true)
}

func (m *Map) batchLookup(what string, cursor *MapBatchCursor, keysOut, valuesOut any, opts *BatchOptions, del bool) (int, error) {
	fail := func(err error) (int, error) { return 0, fmt.Errorf("map %s: %s: %w", m.name, what, err) }
	if err := checkBatchOptions(opts, false); err != nil {
		return fail(err)
	}
	if cursor == nil {
		return fail(errors.New("nil cursor"))
	}
	if cursor.m == nil {
		cursor.m = m
	} else if cursor.m != m {
		return fail(fmt.Errorf("the cursor belongs to map %s", cursor.m.name))
	}
	n, err := m.batchLen(keysOut)
	if err != nil {
		return fail(err)
	}
	if err := m.checkValues(valuesOut, n); err != nil {
		return fail(err)
	}
	ks := int(m.m.Spec().KeySize)
	kb, vb := make([]byte, n*ks), make([]byte, n*m.valueBytes())
	var got int
	got, err = m.batchLookupRaw(cursor, kb, vb, del)
	if derr := decodeElems(keysOut, kb[:got*ks], ks, ks); derr != nil {
		return 0, fmt.Errorf("map %s: %s: keys: %w", m.name, what, derr)
	}
	size, stride := m.elemLayout()
	if derr := decodeElems(valuesOut, vb[:got*m.valueBytes()], size, stride); derr != nil {
		return 0, fmt.Errorf("map %s: %s: values: %w", m.name, what, derr)
	}
	if err != nil {
		return got, fmt.Errorf("map %s: %s: %w", m.name, what, err)
	}
	return got, nil
}

// BatchUpdate sets the values of keys, in order, with opts.ElemFlags as
// MapUpdateFlags, and returns how many it set before the first error.
// keys and values take the forms BatchLookup does.
func (m *Map) BatchUpdate(keys, values any, opts *BatchOptions) (int, error) {
	fail := func(err error) (int, error) { return 0, fmt.Errorf("map %s: batch update: %w", m.name, err) }
	if err := checkBatchOptions(opts, true); err != nil {
		return fail(err)
	}
	n, err := m.batchLen(keys)
	if err != nil {
		return fail(err)
	}
	if err := m.checkValues(values, n); err != nil {
		return fail(err)
	}
	ks := int(m.m.Spec().KeySize)
	kb, err := encodeElems(keys, ks, ks)
	if err != nil {
		return fail(fmt.Errorf("keys: %w", err))
	}
	size, stride := m.elemLayout()
	vb, err := encodeElems(values, size, stride)
	if err != nil {
		return fail(fmt.Errorf("values: %w", err))
	}
	var flags uint64
	if opts != nil {
		flags = opts.ElemFlags
	}
	done, err := m.m.BatchUpdate(kb, vb, flags)
	if err != nil {
		return done, fmt.Errorf("map %s: batch update: %w", m.name, err)
	}
	return done, nil
}

// BatchDelete removes keys, in order, and returns how many it removed
// before the first error (a missing key is one, matching ErrKeyNotExist).
func (m *Map) BatchDelete(keys any, opts *BatchOptions) (int, error) {
	fail := func(err error) (int, error) { return 0, fmt.Errorf("map %s: batch delete: %w", m.name, err) }
	if err := checkBatchOptions(opts, false); err != nil {
		return fail(err)
	}
	if _, err := m.batchLen(keys); err != nil {
		return fail(err)
	}
	ks := int(m.m.Spec().KeySize)
	kb, err := encodeElems(keys, ks, ks)
	if err != nil {
		return fail(fmt.Errorf("keys: %w", err))
	}
	done, err := m.m.BatchDelete(kb)
	if err != nil {
		return done, fmt.Errorf("map %s: batch delete: %w", m.name, err)
	}
	return done, nil
}

// checkBatchOptions rejects flags an operation does not take.
func checkBatchOptions(opts *BatchOptions, elemFlags bool) error {
	if opts == nil {
		return nil
	}
	if opts.Flags != 0 {
		return fmt.Errorf("batch flags %#x: must be 0", opts.Flags)
	}
	if !elemFlags && opts.ElemFlags != 0 {
		return fmt.Errorf("element flags %#x: %w", opts.ElemFlags, ErrNotSupported)
	}
	return nil
}

// elemLayout returns the size of one value element of a batch's values
// slice and the distance between two in the map's byte layout: per CPU,
// each CPU's value is padded to 8 bytes.
func (m *Map) elemLayout() (size, stride int) {
	size = int(m.m.Spec().ValueSize)
	if m.perCPU() {
		return size, (size + 7) &^ 7
	}
	return size, size
}

// batchLen returns the number of keys in keys: a []byte holds a multiple
// of the key size, any other slice one key per element.
func (m *Map) batchLen(keys any) (int, error) {
	ks := int(m.m.Spec().KeySize)
	if ks == 0 {
		return 0, fmt.Errorf("%s has no keys: %w", m.m.Spec().Type, ErrNotSupported)
	}
	if b, ok := keys.([]byte); ok {
		if len(b) == 0 || len(b)%ks != 0 {
			return 0, fmt.Errorf("keys: %d bytes is not a positive multiple of the key size %d", len(b), ks)
		}
		return len(b) / ks, nil
	}
	v := reflect.ValueOf(keys)
	if v.Kind() != reflect.Slice || v.Len() == 0 {
		return 0, fmt.Errorf("keys: want a non-empty slice, got %T", keys)
	}
	return v.Len(), nil
}

// checkValues checks that values holds n elements' values.
func (m *Map) checkValues(values any, n int) error {
	per := 1
	if m.perCPU() {
		per = m.cpus()
	}
	if b, ok := values.([]byte); ok {
		if want := n * m.valueBytes(); len(b) != want {
			return fmt.Errorf("values: %d bytes for %d elements, want %d", len(b), n, want)
		}
		return nil
	}
	v := reflect.ValueOf(values)
	if v.Kind() != reflect.Slice {
		return fmt.Errorf("values: want a slice, got %T", values)
	}
	if v.Len() != n*per {
		if per > 1 {
			return fmt.Errorf("values: %d values for %d elements of %d CPUs, want %d", v.Len(), n, per, n*per)
		}
		return fmt.Errorf("values: %d values for %d keys", v.Len(), n)
	}
	return nil
}

// encodeElems encodes a slice of fixed-size values, each of size bytes,
// stride bytes apart; a []byte is taken as already encoded.
func encodeElems(s any, size, stride int) ([]byte, error) {
	if b, ok := s.([]byte); ok {
		return b, nil
	}
	v := reflect.ValueOf(s)
	out := make([]byte, v.Len()*stride)
	for i := range v.Len() {
		b, err := marshal(v.Index(i).Interface(), size)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		copy(out[i*stride:], b)
	}
	return out, nil
}

// decodeElems decodes b, elements of size bytes stride bytes apart, into
// the first elements of the slice s (a []byte gets the bytes as they are).
func decodeElems(s any, b []byte, size, stride int) error {
	if x, ok := s.([]byte); ok {
		copy(x, b)
		return nil
	}
	v := reflect.ValueOf(s)
	for i := range len(b) / stride {
		if err := unmarshal(v.Index(i).Addr().Interface(), b[i*stride:i*stride+size]); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	return nil
}
