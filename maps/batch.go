package maps

import (
	"errors"
	"fmt"
)

// BatchCursor marks where a batch iteration stands, like the kernel's
// in_batch/out_batch tokens. The zero value starts at the beginning.
type BatchCursor struct {
	started bool
	done    bool
	next    []byte // the next key to visit
}

// Reset makes the cursor start again from the beginning.
func (c *BatchCursor) Reset() { *c = BatchCursor{} }

// Batch operations a map type lacks, as in Linux.
const (
	noBatchLookup = 1 << iota
	noBatchUpdate
	noBatchDelete
	noBatch = noBatchLookup | noBatchUpdate | noBatchDelete
)

func (b *base) batchSizes(keys, values []byte) (int, error) {
	ks := int(b.spec.KeySize)
	if ks == 0 {
		return 0, fmt.Errorf("%s: batch operations: %w", b.spec.Type, ErrNotSupported)
	}
	n := len(keys) / ks
	if values != nil && len(values) < n*b.valueSize {
		return 0, fmt.Errorf("%s: batch of %d keys needs %d value bytes, have %d: %w", b.spec.Type, n, n*b.valueSize, len(values), ErrInvalid)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: empty batch: %w", b.spec.Type, ErrInvalid)
	}
	return n, nil
}

func (b *base) batchLookup(c *BatchCursor, keysOut, valuesOut []byte, del bool) (int, error) {
	if b.noBatch&noBatchLookup != 0 || del && b.noBatch&noBatchDelete != 0 {
		return 0, fmt.Errorf("%s: batch lookup: %w", b.spec.Type, ErrNotSupported)
	}
	if c == nil {
		return 0, invalidf("%s: nil batch cursor", b.spec.Type)
	}
	n, err := b.batchSizes(keysOut, valuesOut)
	if err != nil {
		return 0, err
	}
	if c.done {
		return 0, ErrKeyNotExist
	}
	m := b.self
	ks, vs := int(b.spec.KeySize), b.valueSize
	if !c.started {
		c.started = true
		c.next = make([]byte, ks)
		if err := m.NextKey(nil, c.next); err != nil {
			if errors.Is(err, ErrKeyNotExist) {
				c.done = true
			}
			return 0, err
		}
	}
	cur := make([]byte, ks)
	got := 0
	for got < n {
		copy(cur, c.next)
		// Find the successor before a delete can take cur away.
		nerr := m.NextKey(cur, c.next)
		key, val := keysOut[got*ks:(got+1)*ks], valuesOut[got*vs:(got+1)*vs]
		var err error
		if del {
			err = m.LookupAndDelete(cur, val)
		} else {
			err = m.Lookup(cur, val)
		}
		switch {
		case err == nil:
			copy(key, cur)
			got++
		case !errors.Is(err, ErrKeyNotExist):
			return got, err // deleted concurrently is skipped; other errors end
		}
		if nerr != nil {
			if errors.Is(nerr, ErrKeyNotExist) {
				c.done = true
				return got, ErrKeyNotExist
			}
			return got, nerr
		}
	}
	return got, nil
}

// BatchLookup copies elements from where the cursor stands.
func (b *base) BatchLookup(c *BatchCursor, keysOut, valuesOut []byte) (int, error) {
	return b.batchLookup(c, keysOut, valuesOut, false)
}

// BatchLookupAndDelete copies and removes elements from where the cursor
// stands.
func (b *base) BatchLookupAndDelete(c *BatchCursor, keysOut, valuesOut []byte) (int, error) {
	return b.batchLookup(c, keysOut, valuesOut, true)
}

// BatchUpdate updates elements in order, stopping at the first error. As
// in Linux, flags may only be UpdateAny or UpdateLock.
func (b *base) BatchUpdate(keys, values []byte, flags uint64) (int, error) {
	if b.noBatch&noBatchUpdate != 0 {
		return 0, fmt.Errorf("%s: batch update: %w", b.spec.Type, ErrNotSupported)
	}
	n, err := b.batchSizes(keys, values)
	if err != nil {
		return 0, err
	}
	if flags&^UpdateLock != 0 {
		return 0, fmt.Errorf("%s: batch update flags %#x: only BPF_F_LOCK is allowed: %w", b.spec.Type, flags, ErrInvalid)
	}
	ks, vs := int(b.spec.KeySize), b.valueSize
	for i := 0; i < n; i++ {
		if err := b.self.Update(keys[i*ks:(i+1)*ks], values[i*vs:(i+1)*vs], flags); err != nil {
			return i, err
		}
	}
	return n, nil
}

// BatchDelete deletes elements in order, stopping at the first error.
func (b *base) BatchDelete(keys []byte) (int, error) {
	if b.noBatch&noBatchDelete != 0 {
		return 0, fmt.Errorf("%s: batch delete: %w", b.spec.Type, ErrNotSupported)
	}
	n, err := b.batchSizes(keys, nil)
	if err != nil {
		return 0, err
	}
	ks := int(b.spec.KeySize)
	for i := 0; i < n; i++ {
		if err := b.self.Delete(keys[i*ks : (i+1)*ks]); err != nil {
			return i, err
		}
	}
	return n, nil
}
