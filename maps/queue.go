package maps

import (
	"fmt"
	"sync"

	"github.com/gbpf/gbpf/internal/engine"
)

// queueMap is Queue (FIFO) and Stack (LIFO): MaxEntries values in a ring of
// runtime memory, without keys. Values are copied in and out, so no
// program holds an address into the ring. Like Linux, a push with
// UpdateExist (BPF_EXIST) onto a full map drops the oldest value.
type queueMap struct {
	base
	mu         sync.Mutex
	mem        *engine.Block
	size       uint32 // slots: MaxEntries + 1, as in Linux
	head, tail uint32 // push at head; a queue pops at tail, a stack at head-1
	stack      bool
}

func newQueue(s *Spec) (*queueMap, error) {
	q := &queueMap{stack: s.Type == Stack, size: s.MaxEntries + 1}
	q.init(q, s)
	mem, err := engine.Alloc(int(uint64(q.size) * q.stride))
	if err != nil {
		q.close()
		return nil, err
	}
	q.mem = mem
	return q, nil
}

func (q *queueMap) slot(i uint32) []byte {
	off := uint64(i) * q.stride
	return q.mem.Bytes()[off : off+uint64(q.spec.ValueSize)]
}

func (q *queueMap) empty() bool { return q.head == q.tail }

// PushElem is bpf_map_push_elem.
func (q *queueMap) PushElem(value []byte, flags uint64) int64 {
	if q.progReadOnly() {
		return errnoEPERM
	}
	return q.push(value, flags)
}

func (q *queueMap) push(value []byte, flags uint64) int64 {
	if flags&^UpdateExist != 0 || q.shortValue(value) {
		return errnoEINVAL
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	next := (q.head + 1) % q.size
	if next == q.tail {
		if flags&UpdateExist == 0 {
			return errnoE2BIG
		}
		q.tail = (q.tail + 1) % q.size // drop the oldest
	}
	copy(q.slot(q.head), value)
	q.head = next
	return 0
}

// pop copies the next value out and, with del set, removes it.
func (q *queueMap) pop(out []byte, del bool) int64 {
	if q.shortValue(out) {
		return errnoEINVAL
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.empty() {
		return errnoENOENT
	}
	i := q.tail
	if q.stack {
		i = (q.head + q.size - 1) % q.size
	}
	copy(out, q.slot(i))
	if del {
		if q.stack {
			q.head = i
		} else {
			q.tail = (q.tail + 1) % q.size
		}
	}
	return 0
}

// PopElem is bpf_map_pop_elem.
func (q *queueMap) PopElem(valueOut []byte) int64 {
	if q.progReadOnly() {
		return errnoEPERM
	}
	return q.pop(valueOut, true)
}

// PeekElem is bpf_map_peek_elem.
func (q *queueMap) PeekElem(valueOut []byte) int64 { return q.pop(valueOut, false) }

// UpdateElem returns -EINVAL: programs push instead.
func (q *queueMap) UpdateElem(key, value []byte, flags uint64, cpu int) int64 { return errnoEINVAL }

// DeleteElem returns -EINVAL: programs pop instead.
func (q *queueMap) DeleteElem(key []byte) int64 { return errnoEINVAL }

func (q *queueMap) goValue(v []byte) ([]byte, error) {
	if q.closed.Load() {
		return nil, ErrClosed
	}
	return q.valueArg(v)
}

// Lookup peeks at the next value; key must be nil or empty.
func (q *queueMap) Lookup(key, valueOut []byte) error {
	v, err := q.goValue(valueOut)
	if err != nil {
		return err
	}
	if err := q.checkRead(); err != nil {
		return err
	}
	return errorOf(q.pop(v, false))
}

// Update pushes value; flags are UpdateAny or UpdateExist (overwrite the
// oldest value when full).
func (q *queueMap) Update(key, value []byte, flags uint64) error {
	v, err := q.goValue(value)
	if err != nil {
		return err
	}
	if err := q.checkUpdate(flags); err != nil {
		return err
	}
	return errorOf(q.push(v, flags))
}

// LookupAndDelete pops the next value.
func (q *queueMap) LookupAndDelete(key, valueOut []byte) error {
	v, err := q.goValue(valueOut)
	if err != nil {
		return err
	}
	if err := q.checkWrite(); err != nil {
		return err
	}
	return errorOf(q.pop(v, true))
}

// Delete returns ErrInvalid, as in Linux.
func (q *queueMap) Delete(key []byte) error { return ErrInvalid }

// NextKey returns ErrInvalid: queues and stacks have no keys.
func (q *queueMap) NextKey(key, nextKeyOut []byte) error {
	return fmt.Errorf("%s: next key: %w", q.spec.Type, ErrInvalid)
}

// Close frees the map's memory.
func (q *queueMap) Close() error {
	if !q.close() {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.mem.Free()
}
