package maps

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/epoch"
)

// lpmTrie is LPMTrie. A key is a 4-byte host-order prefix length followed
// by KeySize-4 data bytes (network order, most significant bit first).
//
// Like the kernel's, it is a path-compressed binary trie: each node holds
// a prefix; a node's children extend it, the bit right after the node's
// prefix choosing the child; intermediate nodes (without a value) mark
// where two prefixes diverge. A lookup walks down as long as the node's
// prefix matches the key within the key's own prefix length and returns
// the last node with a value: the longest matching prefix. Updates and
// deletes match the prefix exactly; the stored key keeps the data bytes as
// given, as in Linux. Lookups share a read lock; writers are exclusive.
// Values live in a slab and are retired through the epoch scheme.
//
// NextKey visits keys in the kernel's order, a post-order walk with the 0
// branch first: a key comes after every longer key it is a prefix of, and
// diverging keys are ordered by the first bit where they differ. A missing
// key (or nil) restarts at the first key. The walk's result is cached
// until the next change.
type lpmTrie struct {
	base
	mu       sync.RWMutex
	slab     *slab
	root     *lpmNode
	dataSize int
	maxBits  uint32
	count    int
	valOff   uint64
	order    []*lpmNode // cached NextKey order
	ordered  bool
}

type lpmNode struct {
	child [2]*lpmNode
	plen  uint32
	data  []byte // the key's data bytes as given
	idx   uint32 // element index+1; 0 for an intermediate node
}

func newLPM(s *Spec) (*lpmTrie, error) {
	t := &lpmTrie{dataSize: int(s.KeySize) - 4}
	t.init(t, s)
	t.maxBits = uint32(t.dataSize) * 8
	t.valOff = round8(uint64(s.KeySize))
	sl, err := newSlab(t.valOff+round8(uint64(s.ValueSize)), 0, s.MaxEntries)
	if err != nil {
		t.close()
		return nil, err
	}
	t.slab = sl
	return t, nil
}

// matchLen returns how many leading bits a and b share, at most limit.
func matchLen(a, b []byte, limit uint32) uint32 {
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			return min(uint32(i*8+bits.LeadingZeros8(x)), limit)
		}
		if uint32(i+1)*8 >= limit {
			break
		}
	}
	return limit
}

// bitAt returns bit i of data, most significant bit first.
func bitAt(data []byte, i uint32) int { return int(data[i/8]>>(7-i%8)) & 1 }

// mask copies the first plen bits of data into out and zeroes the rest.
func mask(out, data []byte, plen uint32) {
	full := int(plen / 8)
	copy(out, data[:full])
	if full < len(out) {
		clear(out[full:])
		if r := plen % 8; r != 0 {
			out[full] = data[full] & byte(0xff<<(8-r))
		}
	}
}

func (t *lpmTrie) prefixLen(key []byte) uint32 { return binary.NativeEndian.Uint32(key) }

// find returns the node of the longest prefix matching key, or nil. t.mu
// is held for reading at least.
func (t *lpmTrie) find(key []byte) *lpmNode {
	plen := t.prefixLen(key)
	if plen > t.maxBits {
		return nil
	}
	data := key[4:]
	var found *lpmNode
	for n := t.root; n != nil; {
		if n.plen > plen || matchLen(n.data, data, n.plen) < n.plen {
			break
		}
		if n.idx != 0 {
			found = n
		}
		if n.plen == plen {
			break
		}
		n = n.child[bitAt(data, n.plen)]
	}
	return found
}

// slotOf returns the link pointing at the node with exactly key's prefix,
// or at the nil link where it would go, and the link to its parent.
func (t *lpmTrie) exact(plen uint32, data []byte) (slot, parent **lpmNode) {
	slot = &t.root
	for n := *slot; n != nil; n = *slot {
		if n.plen > plen || matchLen(n.data, data, n.plen) < n.plen {
			return nil, nil
		}
		if n.plen == plen {
			return slot, parent
		}
		parent = slot
		slot = &n.child[bitAt(data, n.plen)]
	}
	return nil, nil
}

// LookupElem returns the address of the value of the longest prefix
// matching key, or 0.
func (t *lpmTrie) LookupElem(key []byte, cpu int) uint64 {
	key, ok := t.keyOf(key)
	if !ok {
		return 0
	}
	t.mu.RLock()
	n := t.find(key)
	var i uint32
	if n != nil {
		i = n.idx
	}
	t.mu.RUnlock()
	if i == 0 {
		return 0
	}
	return t.slab.addr(i-1) + t.valOff
}

// UpdateElem inserts or replaces the exact prefix of key.
func (t *lpmTrie) UpdateElem(key, value []byte, flags uint64, cpu int) int64 {
	if t.progReadOnly() {
		return errnoEPERM
	}
	return t.update(key, value, flags)
}

func (t *lpmTrie) update(key, value []byte, flags uint64) int64 {
	key, ok := t.keyOf(key)
	if !ok || t.shortValue(value) || flags > UpdateExist {
		return errnoEINVAL
	}
	plen := t.prefixLen(key)
	if plen > t.maxBits {
		return errnoEINVAL
	}
	data := key[4:]
	t.mu.Lock()
	defer t.mu.Unlock()
	var old *lpmNode
	if slot, _ := t.exact(plen, data); slot != nil && (*slot).idx != 0 {
		old = *slot
	}
	switch {
	case old != nil && flags == UpdateNoExist:
		return errnoEEXIST
	case old == nil && flags == UpdateExist:
		return errnoENOENT
	case old == nil && t.count >= int(t.spec.MaxEntries):
		return errnoENOSPC
	}
	idx, ok := t.slab.alloc()
	if !ok {
		return errnoENOSPC
	}
	a := t.slab.addr(idx)
	copy(engine.Bytes(a, uint64(len(key))), key)
	copy(engine.Bytes(a+t.valOff, uint64(t.spec.ValueSize)), value)
	t.ordered = false
	if old != nil {
		prev := old.idx
		copy(old.data, data)
		old.idx = idx + 1
		t.slab.release(prev - 1)
		return 0
	}
	t.count++
	t.insert(plen, data, idx+1)
	return 0
}

// insert links a new value node for the prefix (plen, data). A new node
// allocates, as the kernel allocates a trie node; lookups, replacements
// and deletes do not.
func (t *lpmTrie) insert(plen uint32, data []byte, idx uint32) {
	slot := &t.root
	for {
		n := *slot
		if n == nil {
			*slot = &lpmNode{plen: plen, data: slices.Clone(data), idx: idx}
			return
		}
		m := matchLen(n.data, data, min(n.plen, plen))
		switch {
		case m == n.plen && n.plen == plen:
			// An intermediate node with exactly this prefix gets the value.
			copy(n.data, data)
			n.idx = idx
			return
		case m == n.plen:
			slot = &n.child[bitAt(data, n.plen)]
			continue
		case m == plen:
			// The new prefix is a prefix of n: it becomes n's parent.
			nn := &lpmNode{plen: plen, data: slices.Clone(data), idx: idx}
			nn.child[bitAt(n.data, plen)] = n
			*slot = nn
			return
		}
		// They diverge at bit m: an intermediate node joins them.
		leaf := &lpmNode{plen: plen, data: slices.Clone(data), idx: idx}
		im := &lpmNode{plen: m, data: slices.Clone(data)}
		im.child[bitAt(data, m)] = leaf
		im.child[bitAt(n.data, m)] = n
		*slot = im
		return
	}
}

// DeleteElem removes the exact prefix of key.
func (t *lpmTrie) DeleteElem(key []byte) int64 {
	if t.progReadOnly() {
		return errnoEPERM
	}
	return t.remove(key)
}

func (t *lpmTrie) remove(key []byte) int64 {
	key, ok := t.keyOf(key)
	if !ok {
		return errnoEINVAL
	}
	plen := t.prefixLen(key)
	if plen > t.maxBits {
		return errnoEINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	slot, parent := t.exact(plen, key[4:])
	if slot == nil || (*slot).idx == 0 {
		return errnoENOENT
	}
	n := *slot
	old := n.idx
	switch {
	case n.child[0] != nil && n.child[1] != nil:
		n.idx = 0 // still needed where its children diverge
	case n.child[0] != nil:
		*slot = n.child[0]
	case n.child[1] != nil:
		*slot = n.child[1]
	default:
		*slot = nil
		// An intermediate parent left with one child is no longer needed.
		if parent != nil {
			p := *parent
			if p.idx == 0 {
				if p.child[0] != nil {
					*parent = p.child[0]
				} else {
					*parent = p.child[1]
				}
			}
		}
	}
	t.count--
	t.ordered = false
	t.slab.release(old - 1)
	return 0
}

// sortedLocked returns the value nodes in NextKey order; t.mu is held for
// writing.
func (t *lpmTrie) sortedLocked() []*lpmNode {
	if t.ordered {
		return t.order
	}
	t.order = t.order[:0]
	var walk func(n *lpmNode)
	walk = func(n *lpmNode) {
		if n == nil {
			return
		}
		walk(n.child[0])
		walk(n.child[1])
		if n.idx != 0 {
			t.order = append(t.order, n)
		}
	}
	walk(t.root)
	t.ordered = true
	return t.order
}

// Lookup copies the value of the longest prefix matching key.
func (t *lpmTrie) Lookup(key, valueOut []byte) error {
	key, valueOut, err := t.lookupArgs(key, valueOut)
	if err != nil {
		return err
	}
	g := epoch.Enter()
	defer g.Leave()
	a := t.LookupElem(key, 0)
	if a == 0 {
		return ErrKeyNotExist
	}
	copy(valueOut, engine.Bytes(a, uint64(t.spec.ValueSize)))
	return nil
}

// Update inserts or replaces the exact prefix of key.
func (t *lpmTrie) Update(key, value []byte, flags uint64) error {
	key, value, err := t.updateArgs(key, value, flags)
	if err != nil {
		return err
	}
	return errorOf(t.update(key, value, flags))
}

// Delete removes the exact prefix of key.
func (t *lpmTrie) Delete(key []byte) error {
	key, err := t.keyArg(key)
	if err != nil {
		return err
	}
	if err := t.checkWrite(); err != nil {
		return err
	}
	return errorOf(t.remove(key))
}

// NextKey writes the key after key in post-order; nil or a missing key
// gives the first.
func (t *lpmTrie) NextKey(key, nextKeyOut []byte) error {
	if t.closed.Load() {
		return ErrClosed
	}
	ks := int(t.spec.KeySize)
	if len(nextKeyOut) < ks {
		return invalidf("%s: next key buffer is %d bytes, need %d", t.spec.Type, len(nextKeyOut), ks)
	}
	var k []byte
	if key != nil {
		var err error
		if k, err = t.keyArg(key); err != nil {
			return err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	order := t.sortedLocked()
	if len(order) == 0 {
		return ErrKeyNotExist
	}
	pos := 0
	if k != nil {
		plen := t.prefixLen(k)
		if plen <= t.maxBits {
			if slot, _ := t.exact(plen, k[4:]); slot != nil && (*slot).idx != 0 {
				pos = slices.Index(order, *slot) + 1
				if pos >= len(order) {
					return ErrKeyNotExist
				}
			}
		}
	}
	n := order[pos]
	binary.NativeEndian.PutUint32(nextKeyOut, n.plen)
	copy(nextKeyOut[4:ks], n.data)
	return nil
}

// Memory returns the runtime memory holding the values now, for checked
// runs; it grows with the trie.
func (t *lpmTrie) Memory() []engine.Region { return t.slab.regions(!t.progReadOnly()) }

// Close frees the trie's memory.
func (t *lpmTrie) Close() error {
	if !t.close() {
		return nil
	}
	t.mu.Lock()
	t.root, t.order = nil, nil
	t.mu.Unlock()
	t.slab.destroy()
	return nil
}
