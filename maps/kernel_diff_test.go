//go:build linux

package maps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/testutil"
)

// These tests create the same map in the Linux kernel (through
// cilium/ebpf) and here, apply the same random operations to both, and
// compare every result and error.

const enotsupp = unix.Errno(524) // the kernel's internal ENOTSUPP

// errnoOf returns the errno behind a kernel or gbpf error, 0 for nil.
func errnoOf(err error) unix.Errno {
	if err == nil {
		return 0
	}
	if errors.Is(err, ebpf.ErrNotSupported) {
		return unix.EOPNOTSUPP
	}
	for _, e := range []unix.Errno{unix.ENOENT, unix.EEXIST, unix.E2BIG, unix.EINVAL, unix.ENOSPC, unix.EPERM, unix.EOPNOTSUPP, unix.EBUSY, unix.ENOMEM, unix.EAGAIN} {
		if errors.Is(err, e) {
			return e
		}
	}
	if errors.Is(err, enotsupp) {
		return unix.EOPNOTSUPP
	}
	return unix.Errno(9999)
}

// kernelMap creates spec in the kernel, skipping the test if the bpf()
// syscall is unavailable. It returns the creation error otherwise.
func kernelMap(t *testing.T, s *Spec) (*ebpf.Map, error) {
	t.Helper()
	ks := &ebpf.MapSpec{Name: "gbpf_diff", Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
	if s.InnerMap != nil {
		ks.InnerMap = &ebpf.MapSpec{Type: ebpf.MapType(s.InnerMap.Type), KeySize: s.InnerMap.KeySize, ValueSize: s.InnerMap.ValueSize, MaxEntries: s.InnerMap.MaxEntries, Flags: s.InnerMap.Flags}
	}
	km, err := ebpf.NewMap(ks)
	if err != nil && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS)) {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("bpf() unavailable: %v", err))
	}
	if err == nil {
		t.Cleanup(func() { km.Close() })
	}
	return km, err
}

func withKernelCPUs(t *testing.T) int {
	n, err := ebpf.PossibleCPU()
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	old := NumCPU()
	SetNumCPU(n)
	t.Cleanup(func() { SetNumCPU(old) })
	return n
}

func TestKernelDiffCreate(t *testing.T) {
	withKernelCPUs(t)
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1}
	specs := []Spec{
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 10},
		{Type: Hash, KeySize: 0, ValueSize: 8, MaxEntries: 10},
		{Type: Hash, KeySize: 4, ValueSize: 0, MaxEntries: 10},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 0},
		{Type: Hash, KeySize: 513, ValueSize: 8, MaxEntries: 1},
		{Type: Hash, KeySize: 4, ValueSize: 1 << 22, MaxEntries: 1},
		{Type: Hash, KeySize: 4, ValueSize: 4193704, MaxEntries: 1},
		{Type: Queue, ValueSize: 1 << 22, MaxEntries: 1},
		{Type: Queue, ValueSize: 1<<22 + 8, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 1 << 31, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4193704, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 1 << 22, MaxEntries: 1, Flags: NoPrealloc},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoCommonLRU},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: Mmapable},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: ReadOnly | WriteOnly},
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: 1 << 20},
		{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 16, Flags: NoCommonLRU},
		{Type: PerCPUHash, KeySize: 4, ValueSize: 40000, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 3, MaxEntries: 1},
		{Type: Array, KeySize: 8, ValueSize: 8, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 0, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 0},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: Mmapable},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: PreserveElems},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: Mmapable},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 40000, MaxEntries: 1},
		{Type: ProgramArray, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: ReadOnlyProg},
		{Type: Queue, KeySize: 0, ValueSize: 8, MaxEntries: 1},
		{Type: Queue, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		{Type: Stack, KeySize: 0, ValueSize: 0, MaxEntries: 1},
		{Type: Stack, KeySize: 0, ValueSize: 8, MaxEntries: 0},
		{Type: Stack, KeySize: 0, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: RingBuf, MaxEntries: 1 << 16},
		{Type: RingBuf, MaxEntries: 3 << 12},
		{Type: RingBuf, MaxEntries: 1024},
		{Type: RingBuf, KeySize: 4, MaxEntries: 1 << 12},
		{Type: RingBuf, ValueSize: 4, MaxEntries: 1 << 12},
		{Type: RingBuf, MaxEntries: 1 << 12, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 261, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 260, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 0, MaxEntries: 1, Flags: NoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 0, Flags: NoPrealloc},
		{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner},
		{Type: HashOfMaps, KeySize: 8, ValueSize: 4, MaxEntries: 1, InnerMap: inner},
	}
	for _, s := range specs {
		t.Run(s.String(), func(t *testing.T) {
			s.SpinLockOffset = -1
			_, kerr := kernelMap(t, &s)
			m, err := New(&s)
			if err == nil {
				m.Close()
			}
			if errnoOf(kerr) != errnoOf(err) {
				t.Errorf("kernel: %v (%d), gbpf: %v (%d)", kerr, errnoOf(kerr), err, errnoOf(err))
			}
		})
	}
}

// pair is the same map in the kernel and here.
type pair struct {
	t      *testing.T
	k      *ebpf.Map
	m      Map
	s      *Spec
	ncpu   int
	percpu bool
}

func newPair(t *testing.T, s *Spec) *pair {
	t.Helper()
	ncpu := withKernelCPUs(t)
	s.SpinLockOffset = -1
	km, err := kernelMap(t, s)
	if err != nil {
		t.Fatalf("kernel map %v: %v", s, err)
	}
	return &pair{t: t, k: km, m: mustNew(t, s), s: s, ncpu: ncpu, percpu: s.Type.hasPerCPUValues()}
}

// value makes a random value in both representations.
func (p *pair) value(r *rand.Rand) (kv any, gv []byte) {
	if p.percpu {
		vals := make([]uint64, p.ncpu)
		for i := range vals {
			vals[i] = r.Uint64()
			gv = binary.NativeEndian.AppendUint64(gv, vals[i])
		}
		return vals, gv
	}
	gv = make([]byte, p.s.ValueSize)
	for i := range gv {
		gv[i] = byte(r.Uint32())
	}
	return gv, gv
}

// lookup runs op (Lookup or LookupAndDelete) on both and compares.
func (p *pair) lookup(step int, key []byte, del bool) {
	var kerr error
	var kbytes []byte
	if p.percpu {
		vals := make([]uint64, p.ncpu)
		if del {
			kerr = p.k.LookupAndDelete(key, vals)
		} else {
			kerr = p.k.Lookup(key, vals)
		}
		for _, v := range vals {
			kbytes = binary.NativeEndian.AppendUint64(kbytes, v)
		}
	} else {
		kbytes = make([]byte, p.s.ValueSize)
		if del {
			kerr = p.k.LookupAndDelete(key, kbytes)
		} else {
			kerr = p.k.Lookup(key, kbytes)
		}
	}
	gbytes := make([]byte, p.m.(interface{ goValueSize() int }).goValueSize())
	var gerr error
	if del {
		gerr = p.m.LookupAndDelete(key, gbytes)
	} else {
		gerr = p.m.Lookup(key, gbytes)
	}
	p.check(step, fmt.Sprintf("lookup(del=%v, %x)", del, key), kerr, gerr)
	if kerr == nil && gerr == nil && !bytes.Equal(kbytes, gbytes) {
		p.t.Fatalf("step %d: lookup(%x): kernel %x, gbpf %x", step, key, kbytes, gbytes)
	}
}

func (p *pair) check(step int, what string, kerr, gerr error) {
	p.t.Helper()
	if errnoOf(kerr) != errnoOf(gerr) {
		p.t.Fatalf("step %d: %s: kernel %v, gbpf %v", step, what, kerr, gerr)
	}
}

// contents returns all elements, keys sorted, and the iteration order.
func contents(t *testing.T, next func(k, out []byte) error, get func(k []byte) []byte, ks int) (map[string]string, [][]byte) {
	t.Helper()
	all := map[string]string{}
	var order [][]byte
	var k []byte
	for i := 0; ; i++ {
		out := make([]byte, ks)
		err := next(k, out)
		if errors.Is(err, unix.ENOENT) {
			break
		}
		if err != nil {
			t.Fatalf("next key: %v", err)
		}
		if i > 1<<16 {
			t.Fatal("iteration does not end")
		}
		all[string(out)] = string(get(out))
		order = append(order, out)
		k = out
	}
	return all, order
}

func (p *pair) compareContents(step int, sameOrder bool) {
	p.t.Helper()
	ks := int(p.s.KeySize)
	kget := func(k []byte) []byte {
		if p.percpu {
			vals := make([]uint64, p.ncpu)
			if err := p.k.Lookup(k, vals); err != nil {
				p.t.Fatalf("kernel lookup %x: %v", k, err)
			}
			var b []byte
			for _, v := range vals {
				b = binary.NativeEndian.AppendUint64(b, v)
			}
			return b
		}
		v := make([]byte, p.s.ValueSize)
		if err := p.k.Lookup(k, v); err != nil {
			p.t.Fatalf("kernel lookup %x: %v", k, err)
		}
		return v
	}
	gget := func(k []byte) []byte {
		v := make([]byte, p.m.(interface{ goValueSize() int }).goValueSize())
		if err := p.m.Lookup(k, v); err != nil {
			p.t.Fatalf("gbpf lookup %x: %v", k, err)
		}
		return v
	}
	knext := func(k, out []byte) error {
		var key any
		if k != nil {
			key = k
		}
		return p.k.NextKey(key, out)
	}
	kc, korder := contents(p.t, knext, kget, ks)
	gc, gorder := contents(p.t, p.m.NextKey, gget, ks)
	if len(kc) != len(gc) {
		p.t.Fatalf("step %d: kernel has %d elements, gbpf %d", step, len(kc), len(gc))
	}
	for k, v := range kc {
		if gc[k] != v {
			p.t.Fatalf("step %d: key %x: kernel %x, gbpf %x", step, k, v, gc[k])
		}
	}
	if sameOrder && !slices.EqualFunc(korder, gorder, bytes.Equal) {
		p.t.Fatalf("step %d: iteration order differs:\nkernel %x\ngbpf   %x", step, korder, gorder)
	}
}

var updateFlags = []uint64{UpdateAny, UpdateAny, UpdateNoExist, UpdateExist, 3, UpdateLock, 8}

func TestKernelDiffHashArray(t *testing.T) {
	tests := []struct {
		spec  Spec
		keys  int // key space
		order bool
	}{
		{Spec{Type: Hash, KeySize: 4, ValueSize: 12, MaxEntries: 16}, 40, false},
		{Spec{Type: Hash, KeySize: 3, ValueSize: 1, MaxEntries: 8, Flags: NoPrealloc}, 20, false},
		{Spec{Type: PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 16}, 40, false},
		{Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}, 64, false},
		{Spec{Type: LRUCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}, 64, false},
		{Spec{Type: Array, KeySize: 4, ValueSize: 12, MaxEntries: 10}, 14, true},
		{Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 10}, 14, true},
	}
	for _, tt := range tests {
		t.Run(tt.spec.String(), func(t *testing.T) {
			p := newPair(t, &tt.spec)
			r := rand.New(rand.NewPCG(1, uint64(tt.spec.Type)))
			key := func() []byte {
				k := make([]byte, tt.spec.KeySize)
				binary.NativeEndian.PutUint16(k, uint16(r.IntN(tt.keys)))
				return k
			}
			for step := 0; step < 3000; step++ {
				k := key()
				switch op := r.IntN(10); {
				case op < 4:
					flags := updateFlags[r.IntN(len(updateFlags))]
					kv, gv := p.value(r)
					kerr := p.k.Update(k, kv, ebpf.MapUpdateFlags(flags))
					gerr := p.m.Update(k, gv, flags)
					p.check(step, fmt.Sprintf("update(%x, flags %d)", k, flags), kerr, gerr)
				case op < 6:
					p.lookup(step, k, false)
				case op < 8:
					p.check(step, fmt.Sprintf("delete(%x)", k), p.k.Delete(k), p.m.Delete(k))
				case op < 9:
					p.lookup(step, k, true)
				default:
					kout, gout := make([]byte, tt.spec.KeySize), make([]byte, tt.spec.KeySize)
					kerr, gerr := p.k.NextKey(nil, kout), p.m.NextKey(nil, gout)
					p.check(step, "next key(nil)", kerr, gerr)
					if tt.order {
						kerr, gerr = p.k.NextKey(k, kout), p.m.NextKey(k, gout)
						p.check(step, fmt.Sprintf("next key(%x)", k), kerr, gerr)
						if kerr == nil && !bytes.Equal(kout, gout) {
							t.Fatalf("step %d: next key(%x): kernel %x, gbpf %x", step, k, kout, gout)
						}
					}
				}
				if step%100 == 99 {
					p.compareContents(step, tt.order)
				}
			}
		})
	}
}

func TestKernelDiffLPM(t *testing.T) {
	for _, tt := range []struct {
		data, max int
	}{{2, 24}, {4, 200}, {1, 8}} {
		t.Run(fmt.Sprintf("data%d-max%d", tt.data, tt.max), func(t *testing.T) {
			s := &Spec{Type: LPMTrie, KeySize: uint32(4 + tt.data), ValueSize: 4, MaxEntries: uint32(tt.max), Flags: NoPrealloc}
			p := newPair(t, s)
			r := rand.New(rand.NewPCG(2, uint64(tt.data)))
			bits := 8 * tt.data
			key := func() []byte {
				k := binary.NativeEndian.AppendUint32(nil, uint32(r.IntN(bits+2)))
				for i := 0; i < tt.data; i++ {
					// Few distinct bit patterns, so prefixes nest and diverge.
					k = append(k, []byte{0, 0x80, 0xc0, 0x40, 0xff, 0x0f}[r.IntN(6)])
				}
				return k
			}
			for step := 0; step < 4000; step++ {
				k := key()
				switch op := r.IntN(10); {
				case op < 4:
					flags := updateFlags[r.IntN(len(updateFlags))]
					_, gv := p.value(r)
					p.check(step, fmt.Sprintf("update(%x, flags %d)", k, flags), p.k.Update(k, gv, ebpf.MapUpdateFlags(flags)), p.m.Update(k, gv, flags))
				case op < 7:
					p.lookup(step, k, false)
				case op < 9:
					p.check(step, fmt.Sprintf("delete(%x)", k), p.k.Delete(k), p.m.Delete(k))
				default:
					kout, gout := make([]byte, s.KeySize), make([]byte, s.KeySize)
					kerr, gerr := p.k.NextKey(k, kout), p.m.NextKey(k, gout)
					p.check(step, fmt.Sprintf("next key(%x)", k), kerr, gerr)
					if kerr == nil && !bytes.Equal(kout, gout) {
						t.Fatalf("step %d: next key(%x): kernel %x, gbpf %x", step, k, kout, gout)
					}
				}
				if step%100 == 99 {
					p.compareContents(step, true)
				}
			}
		})
	}
}

func TestKernelDiffQueueStack(t *testing.T) {
	for _, typ := range []Type{Queue, Stack} {
		t.Run(typ.String(), func(t *testing.T) {
			s := &Spec{Type: typ, ValueSize: 4, MaxEntries: 5}
			p := newPair(t, s)
			r := rand.New(rand.NewPCG(4, uint64(typ)))
			for step := 0; step < 3000; step++ {
				switch op := r.IntN(6); {
				case op < 3:
					flags := []uint64{UpdateAny, UpdateExist, UpdateNoExist, UpdateLock}[r.IntN(4)]
					_, v := p.value(r)
					p.check(step, fmt.Sprintf("push(flags %d)", flags), p.k.Update(nil, v, ebpf.MapUpdateFlags(flags)), p.m.Update(nil, v, flags))
				case op < 4:
					p.lookup(step, nil, false)
				case op < 5:
					p.lookup(step, nil, true)
				default:
					p.check(step, "delete", p.k.Delete(nil), p.m.Delete(nil))
				}
			}
		})
	}
}

func TestKernelDiffMapInMap(t *testing.T) {
	withKernelCPUs(t)
	innerSpec := Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1}
	for _, typ := range []Type{ArrayOfMaps, HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			outer := &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 3, InnerMap: &innerSpec, SpinLockOffset: -1}
			ko, err := kernelMap(t, outer)
			if err != nil {
				t.Fatal(err)
			}
			gm := mustNew(t, outer)
			// Inner candidates: compatible, other MaxEntries, other type.
			cands := []Spec{innerSpec, {Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 3}, {Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2}}
			var kin []*ebpf.Map
			var gin []Map
			for i := range cands {
				s := cands[i]
				k, err := kernelMap(t, &s)
				if err != nil {
					t.Fatal(err)
				}
				kin = append(kin, k)
				gin = append(gin, mustNew(t, &s))
			}
			p := &pair{t: t, k: ko, m: gm, s: outer}
			r := rand.New(rand.NewPCG(5, uint64(typ)))
			for step := 0; step < 300; step++ {
				k := u32(uint32(r.IntN(5)))
				switch op := r.IntN(4); op {
				case 0, 1:
					c := r.IntN(len(cands))
					flags := []uint64{UpdateAny, UpdateAny, UpdateNoExist, UpdateExist}[r.IntN(4)]
					kerr := ko.Update(k, kin[c], ebpf.MapUpdateFlags(flags))
					gerr := gm.Update(k, u32(gin[c].ID()), flags)
					p.check(step, fmt.Sprintf("update(%x, inner %d, flags %d)", k, c, flags), kerr, gerr)
				case 2:
					var id uint32
					kerr := ko.Lookup(k, &id)
					gerr := gm.Lookup(k, make([]byte, 4))
					p.check(step, fmt.Sprintf("lookup(%x)", k), kerr, gerr)
				case 3:
					p.check(step, fmt.Sprintf("delete(%x)", k), ko.Delete(k), gm.Delete(k))
				}
			}
		})
	}
}

func TestKernelDiffProgramArrayDelete(t *testing.T) {
	s := &Spec{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1}
	km, err := kernelMap(t, s)
	if err != nil {
		t.Fatal(err)
	}
	gm := mustNew(t, s)
	p := &pair{t: t, k: km, m: gm, s: s}
	for i, k := range []uint32{0, 1, 2, 7} {
		p.check(i, fmt.Sprintf("delete(%d)", k), km.Delete(u32(k)), gm.Delete(u32(k)))
	}
}

func TestKernelDiffBatch(t *testing.T) {
	for _, typ := range []Type{Hash, Array} {
		t.Run(typ.String(), func(t *testing.T) {
			s := &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 8}
			p := newPair(t, s)
			r := rand.New(rand.NewPCG(6, uint64(typ)))
			for step := 0; step < 300; step++ {
				n := 1 + r.IntN(6)
				keys := make([]uint32, n)
				values := make([]uint64, n)
				var gk, gv []byte
				for i := range keys {
					keys[i], values[i] = uint32(r.IntN(11)), r.Uint64()
					gk = binary.NativeEndian.AppendUint32(gk, keys[i])
					gv = binary.NativeEndian.AppendUint64(gv, values[i])
				}
				if r.IntN(3) == 0 {
					kn, kerr := p.k.BatchDelete(keys, nil)
					gn, gerr := p.m.BatchDelete(gk)
					p.check(step, fmt.Sprintf("batch delete %v", keys), kerr, gerr)
					if kn != gn && errnoOf(kerr) != unix.EOPNOTSUPP {
						t.Fatalf("step %d: batch delete %v: kernel %d, gbpf %d", step, keys, kn, gn)
					}
				} else {
					flags := []uint64{UpdateAny, UpdateNoExist, UpdateExist}[r.IntN(3)]
					kn, kerr := p.k.BatchUpdate(keys, values, &ebpf.BatchOptions{ElemFlags: flags})
					gn, gerr := p.m.BatchUpdate(gk, gv, flags)
					p.check(step, fmt.Sprintf("batch update %v flags %d", keys, flags), kerr, gerr)
					// An up-front EINVAL leaves the kernel's count untouched.
					if kn != gn && !errors.Is(kerr, unix.EINVAL) {
						t.Fatalf("step %d: batch update %v flags %d: kernel %d, gbpf %d", step, keys, flags, kn, gn)
					}
				}
				if step%20 == 19 {
					p.compareContents(step, typ == Array)
				}
			}
		})
	}
}

func TestKernelDiffFreeze(t *testing.T) {
	s := &Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 4}
	p := newPair(t, s)
	p.check(0, "update", p.k.Update(u32(1), u32(1), 0), p.m.Update(u32(1), u32(1), 0))
	p.check(1, "freeze", p.k.Freeze(), p.m.Freeze())
	p.check(2, "freeze again", p.k.Freeze(), p.m.Freeze())
	p.check(3, "update", p.k.Update(u32(1), u32(2), 0), p.m.Update(u32(1), u32(2), 0))
	p.check(4, "delete", p.k.Delete(u32(1)), p.m.Delete(u32(1)))
	p.lookup(5, u32(1), false)
}

func TestKernelDiffLookupFlags(t *testing.T) {
	for _, typ := range []Type{Hash, Array} {
		s := &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 4}
		p := newPair(t, s)
		p.check(0, "update", p.k.Update(u32(1), u32(1), 0), p.m.Update(u32(1), u32(1), 0))
		for i, flags := range []uint64{0, UpdateLock, 8, 1} {
			kerr := p.k.LookupWithFlags(u32(1), make([]byte, 4), ebpf.MapLookupFlags(flags))
			gerr := p.m.LookupWithFlags(u32(1), make([]byte, 4), flags)
			p.check(i, fmt.Sprintf("%s lookup flags %d", typ, flags), kerr, gerr)
		}
	}
}

// TestKernelDiffLRUEviction runs LRU maps small enough to evict all the
// time. Which keys get evicted differs (both are approximate LRUs, and the
// kernel may even evict the key being updated before checking BPF_NOEXIST
// or BPF_EXIST), so an operation is compared only when its key is present
// in both maps or in neither, values only while both hold the same write;
// inserts must always succeed, and neither map may exceed MaxEntries.
func TestKernelDiffLRUEviction(t *testing.T) {
	for _, typ := range []Type{LRUHash, LRUCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			s := &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 16}
			p := newPair(t, s)
			r := rand.New(rand.NewPCG(7, uint64(typ)))
			present := func(k []byte) (bool, bool) {
				var kerr error
				if p.percpu {
					kerr = p.k.Lookup(k, make([]uint64, p.ncpu))
				} else {
					kerr = p.k.Lookup(k, make([]byte, 8))
				}
				gv := make([]byte, p.m.(interface{ goValueSize() int }).goValueSize())
				return kerr == nil, p.m.Lookup(k, gv) == nil
			}
			dirty := map[string]bool{} // keys whose values may differ
			compared := 0
			for step := 0; step < 2000; step++ {
				k := u32(uint32(r.IntN(64)))
				inK, inG := present(k)
				same := inK == inG
				switch op := r.IntN(5); {
				case op < 3:
					flags := []uint64{UpdateAny, UpdateAny, UpdateNoExist, UpdateExist}[r.IntN(4)]
					kv, gv := p.value(r)
					kerr := p.k.Update(k, kv, ebpf.MapUpdateFlags(flags))
					gerr := p.m.Update(k, gv, flags)
					switch {
					case flags == UpdateAny && (kerr != nil || gerr != nil):
						t.Fatalf("step %d: LRU insert failed: kernel %v, gbpf %v", step, kerr, gerr)
					case same && inG && flags != UpdateAny:
						// The kernel may have evicted k itself first.
						want := map[uint64]error{UpdateNoExist: ErrKeyExist, UpdateExist: nil}[flags]
						if errnoOf(gerr) != errnoOf(want) {
							t.Fatalf("step %d: update(%x, flags %d) of a present key: %v", step, k, flags, gerr)
						}
						compared++
					case same:
						p.check(step, fmt.Sprintf("update(%x, flags %d)", k, flags), kerr, gerr)
						compared++
					}
					switch {
					case kerr == nil && gerr == nil:
						delete(dirty, string(k))
					case (kerr == nil) != (gerr == nil):
						dirty[string(k)] = true
					}
				case op < 4:
					if same && !dirty[string(k)] {
						p.lookup(step, k, false)
						compared++
					}
				default:
					kerr, gerr := p.k.Delete(k), p.m.Delete(k)
					if same {
						p.check(step, fmt.Sprintf("delete(%x)", k), kerr, gerr)
						compared++
					}
					delete(dirty, string(k))
				}
				if n := p.m.(*hashMap).Len(); n > 16 {
					t.Fatalf("step %d: %d elements", step, n)
				}
			}
			if compared < 1000 {
				t.Fatalf("only %d of 2000 operations comparable", compared)
			}
			t.Logf("%d of 2000 operations compared", compared)
		})
	}
}
