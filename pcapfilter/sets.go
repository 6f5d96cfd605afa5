package pcapfilter

// Atoms of the optimiser's dataflow: the scratch words, A and X.
const (
	nAtoms = 16 + 2
	aAtom  = 16
	xAtom  = 17
)

// atomset is a set of atoms.
type atomset uint32

func atomMask(n int) atomset { return 1 << uint(n) }

func (s atomset) has(n int) bool { return s&atomMask(n) != 0 }

// bitset is a set of small integers (block or edge ids).
type bitset []uint32

func (s bitset) set(i int)      { s[i/32] |= 1 << uint(i%32) }
func (s bitset) has(i int) bool { return s[i/32]&(1<<uint(i%32)) != 0 }

func (s bitset) and(o bitset) {
	for i := range s {
		s[i] &= o[i]
	}
}

func (s bitset) fill() {
	for i := range s {
		s[i] = 0xffffffff
	}
}

func (s bitset) zero() {
	for i := range s {
		s[i] = 0
	}
}
