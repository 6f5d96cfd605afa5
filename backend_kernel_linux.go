//go:build linux

package gbpf

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// newKernelCollection loads spec into the kernel: it creates the maps
// (sharing those pinned by name under opts.PinPath), marshals each
// program's instructions with its map references turned into the maps'
// file descriptors, loads the programs, which the kernel verifies, and
// fills program arrays and map-in-map maps.
func newKernelCollection(spec *CollectionSpec, opts *Options) (_ *Collection, err error) {
	if err := checkKernelOptions(opts); err != nil {
		return nil, err
	}
	if err := kernel.Supported(); err != nil {
		return nil, err
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	spec = spec.Copy()
	if err := spec.RelocateCORE(opts.KernelTypes); err != nil {
		return nil, err
	}
	coll := &Collection{Programs: make(map[string]*Program), Maps: make(map[string]*Map)}
	defer func() {
		if err != nil {
			coll.Close()
		}
	}()
	names := spec.MapNames()
	slices.SortStableFunc(names, func(a, b string) int {
		return boolInt(spec.Maps[a].InnerMap != nil) - boolInt(spec.Maps[b].InnerMap != nil)
	})
	for _, name := range names {
		m, err := newKernelMap(name, spec.Maps[name], spec.MapTypes[name], opts.PinPath, ncpu)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", name, err)
		}
		coll.Maps[name] = m
	}
	for _, name := range spec.ProgramNames() {
		p, err := newKernelProgram(spec.Programs[name], coll.Maps, opts)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", name, err)
		}
		coll.Programs[name] = p
	}
	for _, name := range names {
		km := coll.Maps[name].m.(*kernelMap)
		for _, ref := range spec.References[name] {
			var v any
			switch {
			case ref.Program != "" && coll.Programs[ref.Program] != nil:
				v = coll.Programs[ref.Program]
			case ref.Map != "" && coll.Maps[ref.Map] != nil:
				v = coll.Maps[ref.Map]
			default:
				return nil, fmt.Errorf("map %s: element %d: no program or map %q", name, ref.Key, ref.Program+ref.Map)
			}
			if _, err := km.updateObject(ref.Key, v, UpdateAny); err != nil {
				return nil, fmt.Errorf("map %s: element %d: %w", name, ref.Key, err)
			}
		}
	}
	return coll, nil
}

// kernelMapSpec is spec in cilium/ebpf's terms.
func kernelMapSpec(name string, spec *maps.Spec) *ebpf.MapSpec {
	ms := &ebpf.MapSpec{
		Name:       name,
		Type:       ebpf.MapType(spec.Type),
		KeySize:    spec.KeySize,
		ValueSize:  spec.ValueSize,
		MaxEntries: spec.MaxEntries,
		Flags:      spec.Flags,
	}
	if spec.Pinning == maps.PinByName {
		ms.Pinning = ebpf.PinByName
	}
	if spec.InnerMap != nil {
		ms.InnerMap = kernelMapSpec("inner", spec.InnerMap)
	}
	return ms
}

// newKernelMap creates the kernel map of spec, with the BTF types of its
// key and value if it has them, or opens the one pinned by name under
// pinPath, and fills a new map with spec's contents.
func newKernelMap(name string, spec *maps.Spec, types loader.MapTypes, pinPath string, ncpu int) (*Map, error) {
	if spec.SpinLockOffset >= 0 && types.Value == nil {
		return nil, fmt.Errorf("kernel: a value with a bpf_spin_lock needs the value's BTF type (CollectionSpec.MapTypes): %w", ErrNotSupported)
	}
	ms := kernelMapSpec(name, spec)
	ms.Key, ms.Value = types.Key, types.Value
	loaded := false
	if ms.Pinning == ebpf.PinByName {
		if pinPath == "" {
			return nil, errors.New("kernel: the map is pinned by name, and Options.PinPath names no bpffs directory")
		}
		_, err := os.Stat(filepath.Join(pinPath, name))
		loaded = err == nil
	}
	km := &kernelMap{spec: spec.Copy(), ncpu: ncpu, loaded: loaded}
	km.spec.Contents = nil
	if !km.perCPU() {
		// cilium/ebpf writes the contents and then freezes the maps that
		// programs cannot write (.rodata), as libbpf does, so that the
		// verifier may take their contents as constants.
		for _, kv := range spec.Contents {
			ms.Contents = append(ms.Contents, ebpf.MapKV{Key: kv.Key, Value: kv.Value})
		}
	}
	em, err := ebpf.NewMapWithOptions(ms, ebpf.MapOptions{PinPath: pinPath})
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", kernelErr(err))
	}
	km.m = em
	if info, err := em.Info(); err == nil {
		if id, ok := info.ID(); ok {
			km.id = uint32(id)
		}
	}
	m := &Map{name: name, m: km}
	if !loaded && km.perCPU() {
		for i, kv := range spec.Contents {
			if err := km.update(kv.Key, kv.Value, maps.UpdateAny, true); err != nil {
				m.Close()
				return nil, fmt.Errorf("contents[%d]: %w", i, err)
			}
		}
	}
	return m, nil
}

// kernelProgram is a program loaded into the kernel.
type kernelProgram struct {
	prog       *ebpf.Program
	attachType ebpf.AttachType
}

// newKernelProgram marshals ps's instructions for the kernel and loads
// them.
func newKernelProgram(ps *loader.ProgramSpec, live map[string]*Map, opts *Options) (*Program, error) {
	switch ps.Type {
	case progtype.Unspec, progtype.Raw:
		return nil, fmt.Errorf("section %q: program type %v exists only in gbpf's runtime: %w", ps.SectionName, ps.Type, ErrNotSupported)
	}
	insns, err := kernelInstructions(ps, live)
	if err != nil {
		return nil, err
	}
	kps := &ebpf.ProgramSpec{
		Name:         ps.Name,
		Type:         ebpf.ProgramType(ps.Type),
		AttachType:   ebpf.AttachType(ps.AttachType),
		Instructions: insns,
		License:      ps.License,
	}
	var po ebpf.ProgramOptions
	if opts.VerifierLog != nil {
		po.LogLevel = ebpf.LogLevelBranch
		if opts.VerifierLogLevel > 1 {
			po.LogLevel |= ebpf.LogLevelInstruction
		}
	}
	prog, err := ebpf.NewProgramWithOptions(kps, po)
	if err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) && opts.VerifierLog != nil {
			fmt.Fprintf(opts.VerifierLog, "%+v\n", verr)
		}
		return nil, fmt.Errorf("kernel: %w", kernelErr(err))
	}
	if opts.VerifierLog != nil && opts.VerifierLogLevel > 0 {
		fmt.Fprintln(opts.VerifierLog, prog.VerifierLog)
	}
	info, ok := progtype.Lookup(ps.Type)
	if !ok {
		info = &progtype.Info{Type: ps.Type}
	}
	p := &Program{
		name:  ps.Name,
		info:  info,
		insns: isa.Program{Insns: slices.Clone(ps.Instructions.Insns)},
		kern:  &kernelProgram{prog: prog, attachType: ebpf.AttachType(ps.AttachType)},
	}
	for _, name := range ps.Maps {
		p.maps = append(p.maps, live[name])
	}
	return p, nil
}

// kernelInstructions encodes gbpf's instructions as the kernel reads them
// and decodes them into cilium/ebpf's, turning each map reference (an
// lddw with a map index) into a load of the map's file descriptor.
func kernelInstructions(ps *loader.ProgramSpec, live map[string]*Map) (asm.Instructions, error) {
	insns, err := asm.AppendInstructions(nil, bytes.NewReader(ps.Instructions.Encode()), binary.LittleEndian, "linux")
	if err != nil {
		return nil, err
	}
	funcs := functionStarts(ps.Instructions)
	slot := 0
	for i := range insns {
		ins := &insns[i]
		if funcs[slot] {
			// The kernel takes a callback (bpf_loop's, for_each's) only
			// from a program that describes its functions in BTF: give
			// each function a BTF name and the type int (void).
			*ins = btf.WithFuncMetadata(*ins, &btf.Func{
				Name:    fmt.Sprintf("%s_%d", ps.Name, slot),
				Type:    &btf.FuncProto{Return: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}},
				Linkage: btf.StaticFunc,
			})
		}
		if ins.OpCode.IsDWordLoad() {
			switch isa.Register(ins.Src) {
			case isa.PseudoMapIdx, isa.PseudoMapIdxValue:
				idx := int(int32(ins.Constant))
				if idx < 0 || idx >= len(ps.Maps) || live[ps.Maps[idx]] == nil {
					return nil, &isa.Error{Index: slot, Reason: fmt.Sprintf("map index %d out of range (%d maps)", idx, len(ps.Maps))}
				}
				km, ok := live[ps.Maps[idx]].m.(*kernelMap)
				if !ok {
					return nil, &isa.Error{Index: slot, Reason: "map is not in the kernel"}
				}
				if isa.Register(ins.Src) == isa.PseudoMapIdx {
					ins.Src = asm.PseudoMapFD
				} else {
					ins.Src = asm.PseudoMapValue
				}
				ins.Constant &^= 0xffffffff // keep the value offset
				if err := ins.AssociateMap(km.m); err != nil {
					return nil, &isa.Error{Index: slot, Reason: err.Error()}
				}
			}
		}
		slot += int(ins.Size() / asm.InstructionSize)
	}
	return insns, nil
}

// functionStarts returns the slots where the program's functions start,
// when it has more than one: the first slot and the targets of local
// calls and of function pointers (lddw of a function, for callbacks).
func functionStarts(prog isa.Program) map[int]bool {
	starts := map[int]bool{}
	for pc, in := range prog.Insns {
		if in.IsLocalCall() || in.IsLdImm64() && in.Src == isa.PseudoFunc {
			starts[in.JumpTarget(pc)] = true
		}
	}
	if len(starts) == 0 {
		return nil
	}
	starts[0] = true
	return starts
}

// close releases the kernel program.
func (k *kernelProgram) close() error { return k.prog.Close() }

// test runs the program with BPF_PROG_TEST_RUN. The kernel reports no tail
// calls, Duration is the wall time of the syscall divided by the repeat
// count, a Budget does not apply (the kernel's verifier bounds every
// run), and a Task cannot be given.
func (k *kernelProgram) test(ctx context.Context, p *Program, opts *RunOptions, timed bool) (RunResult, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return RunResult{}, fmt.Errorf("program %s: %w", p.name, err)
		}
	}
	if opts.Task != nil {
		return RunResult{}, fmt.Errorf("program %s: RunOptions.Task: the kernel runs programs in the calling task: %w", p.name, ErrNotSupported)
	}
	ro := &ebpf.RunOptions{Data: opts.Data, Repeat: uint32(max(opts.Repeat, 1))}
	if len(opts.Context) > 0 {
		ro.Context = opts.Context
	}
	if opts.DataOut != nil && len(opts.Data) > 0 {
		// Room for what bpf_xdp_adjust_tail may add, as cilium/ebpf's
		// Program.Test leaves.
		ro.DataOut = make([]byte, len(opts.Data)+256+2)
	}
	var ctxOut []byte
	if opts.ContextOut != nil {
		ctxOut = make([]byte, max(len(opts.Context), p.info.CtxSize))
		ro.ContextOut = ctxOut
	}
	var start time.Time
	if timed {
		start = time.Now()
	}
	ret, err := k.prog.Run(ro)
	if err != nil {
		return RunResult{}, fmt.Errorf("program %s: kernel: %w", p.name, kernelErr(err))
	}
	res := RunResult{Return: uint64(ret)}
	if timed {
		res.Duration = time.Since(start) / time.Duration(ro.Repeat)
	}
	if opts.DataOut != nil && ro.DataOut != nil {
		opts.DataOut = append(opts.DataOut[:0], ro.DataOut...)
	}
	if ctxOut != nil {
		opts.ContextOut = append(opts.ContextOut[:0], ctxOut...)
	}
	return res, nil
}

// kernelErr makes an error of cilium/ebpf match the sentinel errors of
// package maps and ErrNotSupported, as the runtime's errors do.
func kernelErr(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{maps.ErrKeyNotExist, maps.ErrKeyExist, maps.ErrFull, maps.ErrInvalid, maps.ErrPermission, maps.ErrNoSpace, maps.ErrBusy, maps.ErrClosed} {
		var me *maps.Error
		if errors.As(s, &me) && errors.Is(err, me.Errno()) && !errors.Is(err, s) {
			return matching{err, s}
		}
	}
	if errors.Is(err, ebpf.ErrNotSupported) && !errors.Is(err, ErrNotSupported) {
		return matching{err, ErrNotSupported}
	}
	if errors.Is(err, ebpf.ErrKeyNotExist) && !errors.Is(err, maps.ErrKeyNotExist) {
		return matching{err, maps.ErrKeyNotExist}
	}
	if errors.Is(err, os.ErrClosed) && !errors.Is(err, maps.ErrClosed) {
		return matching{err, maps.ErrClosed}
	}
	return err
}

// matching is err, which also matches also.
type matching struct{ err, also error }

func (e matching) Error() string   { return e.err.Error() }
func (e matching) Unwrap() []error { return []error{e.err, e.also} }

// kernelMap is a kernel map behind the maps.Map interface, so that Map's
// marshalling, iteration and batches work on it unchanged. Values are in
// the kernel's layout: per-CPU values hold one 8-byte-aligned value per
// possible CPU.
type kernelMap struct {
	spec *maps.Spec
	m    *ebpf.Map
	ncpu int
	id   uint32
	// loaded is set for a map that was pinned before: its contents are
	// not replaced.
	loaded bool
}

var _ maps.Map = (*kernelMap)(nil)

func (k *kernelMap) Spec() *maps.Spec { return k.spec }
func (k *kernelMap) ID() uint32       { return k.id }

func (k *kernelMap) perCPU() bool {
	switch k.spec.Type {
	case maps.PerCPUArray, maps.PerCPUHash, maps.LRUCPUHash, maps.PerCPUCGroupStorage:
		return true
	}
	return false
}

// keyArg is key as cilium/ebpf takes it: nil for none.
func keyArg(key []byte) any {
	if key == nil {
		return nil
	}
	return key
}

func (k *kernelMap) Lookup(key, valueOut []byte) error {
	return k.LookupWithFlags(key, valueOut, 0)
}

func (k *kernelMap) LookupWithFlags(key, valueOut []byte, flags uint64) error {
	if k.perCPU() {
		vals := k.cpuValues(1)
		if err := k.m.LookupWithFlags(keyArg(key), vals, ebpf.MapLookupFlags(flags)); err != nil {
			return kernelErr(err)
		}
		k.packCPU(valueOut, vals)
		return nil
	}
	return kernelErr(k.m.LookupWithFlags(keyArg(key), valueOut, ebpf.MapLookupFlags(flags)))
}

func (k *kernelMap) Update(key, value []byte, flags uint64) error {
	return k.update(key, value, flags, false)
}

// update updates key. A per-CPU value is one value per CPU, or, with
// single (the contents of a spec), one value for every CPU.
func (k *kernelMap) update(key, value []byte, flags uint64, single bool) error {
	var v any = value
	if k.perCPU() {
		vals := k.cpuValues(1)
		stride := int(k.spec.ValueSize+7) &^ 7
		for i := range vals {
			if single {
				copy(vals[i], value)
			} else if (i+1)*stride <= len(value) {
				copy(vals[i], value[i*stride:])
			}
		}
		v = vals
	}
	return kernelErr(k.m.Update(keyArg(key), v, ebpf.MapUpdateFlags(flags)))
}

func (k *kernelMap) Delete(key []byte) error { return kernelErr(k.m.Delete(keyArg(key))) }

func (k *kernelMap) NextKey(key, nextKeyOut []byte) error {
	return kernelErr(k.m.NextKey(keyArg(key), nextKeyOut))
}

func (k *kernelMap) LookupAndDelete(key, valueOut []byte) error {
	if k.perCPU() {
		vals := k.cpuValues(1)
		if err := k.m.LookupAndDelete(keyArg(key), vals); err != nil {
			return kernelErr(err)
		}
		k.packCPU(valueOut, vals)
		return nil
	}
	return kernelErr(k.m.LookupAndDelete(keyArg(key), valueOut))
}

// cpuValue is one CPU's value, as cilium/ebpf reads and writes per-CPU
// maps.
type cpuValue []byte

func (v cpuValue) MarshalBinary() ([]byte, error) { return v, nil }
func (v *cpuValue) UnmarshalBinary(b []byte) error {
	copy(*v, b)
	return nil
}

// cpuValues returns n elements' worth of per-CPU values.
func (k *kernelMap) cpuValues(n int) []cpuValue {
	vals := make([]cpuValue, n*k.ncpu)
	buf := make([]byte, len(vals)*int(k.spec.ValueSize))
	for i := range vals {
		vals[i] = buf[i*int(k.spec.ValueSize) : (i+1)*int(k.spec.ValueSize)]
	}
	return vals
}

// packCPU copies per-CPU values into out, 8-byte aligned.
func (k *kernelMap) packCPU(out []byte, vals []cpuValue) {
	stride := int(k.spec.ValueSize+7) &^ 7
	for i, v := range vals {
		if (i+1)*stride > len(out) {
			return
		}
		copy(out[i*stride:], v)
	}
}

// asKernelMap returns m as a kernel map, if it is one.
func asKernelMap(m maps.Map) (*kernelMap, bool) {
	k, ok := m.(*kernelMap)
	return k, ok
}

// kernelBatchCursor is the kernel's batch cursor of a MapBatchCursor.
type kernelBatchCursor struct{ c ebpf.MapBatchCursor }

// batchLookupRaw is the batch lookup of BatchLookup: keys and values
// packed as Lookup packs one.
func (m *Map) batchLookupRaw(cursor *MapBatchCursor, kb, vb []byte, del bool) (int, error) {
	k, ok := asKernelMap(m.m)
	if !ok {
		if del {
			return m.m.BatchLookupAndDelete(&cursor.c, kb, vb)
		}
		return m.m.BatchLookup(&cursor.c, kb, vb)
	}
	ks, vs := int(k.spec.KeySize), int(k.spec.ValueSize)
	n := len(kb) / max(ks, 1)
	keys := newElems(n, ks)
	op := k.m.BatchLookup
	if del {
		op = k.m.BatchLookupAndDelete
	}
	if k.perCPU() {
		cpus := k.cpuValues(n)
		got, err := op(&cursor.k.c, keys.Interface(), cpus, nil)
		got = min(got, n)
		packElems(kb, keys, got, ks)
		k.packCPU(vb, cpus[:got*k.ncpu])
		return got, kernelErr(err)
	}
	vals := newElems(n, vs)
	got, err := op(&cursor.k.c, keys.Interface(), vals.Interface(), nil)
	got = min(got, n)
	packElems(kb, keys, got, ks)
	packElems(vb, vals, got, vs)
	return got, kernelErr(err)
}

// newElems returns a slice of n arrays of size bytes: cilium/ebpf's batch
// operations take one element of a slice per key or value.
func newElems(n, size int) reflect.Value {
	return reflect.MakeSlice(reflect.SliceOf(reflect.ArrayOf(size, reflect.TypeFor[byte]())), n, n)
}

// packElems copies the first n elements of s into b, one after another.
func packElems(b []byte, s reflect.Value, n, size int) {
	for i := range n {
		reflect.Copy(reflect.ValueOf(b[i*size:(i+1)*size]), s.Index(i))
	}
}

// unpackElems fills the elements of s from b.
func unpackElems(s reflect.Value, b []byte, size int) {
	for i := range s.Len() {
		reflect.Copy(s.Index(i), reflect.ValueOf(b[i*size:(i+1)*size]))
	}
}

func (k *kernelMap) BatchLookup(*maps.BatchCursor, []byte, []byte) (int, error) {
	return 0, fmt.Errorf("kernel map: batch lookup through a runtime cursor: %w", ErrNotSupported)
}

func (k *kernelMap) BatchLookupAndDelete(*maps.BatchCursor, []byte, []byte) (int, error) {
	return 0, fmt.Errorf("kernel map: batch lookup through a runtime cursor: %w", ErrNotSupported)
}

func (k *kernelMap) BatchUpdate(keys, values []byte, flags uint64) (int, error) {
	ks := int(k.spec.KeySize)
	n := len(keys) / max(ks, 1)
	kv := newElems(n, ks)
	unpackElems(kv, keys, ks)
	var vals any
	if k.perCPU() {
		cpus := k.cpuValues(n)
		stride := int(k.spec.ValueSize+7) &^ 7
		for i := range cpus {
			copy(cpus[i], values[i*stride:])
		}
		vals = cpus
	} else {
		vv := newElems(n, int(k.spec.ValueSize))
		unpackElems(vv, values, int(k.spec.ValueSize))
		vals = vv.Interface()
	}
	done, err := k.m.BatchUpdate(kv.Interface(), vals, &ebpf.BatchOptions{ElemFlags: flags})
	return batchDone(done, err)
}

func (k *kernelMap) BatchDelete(keys []byte) (int, error) {
	ks := int(k.spec.KeySize)
	kv := newElems(len(keys)/max(ks, 1), ks)
	unpackElems(kv, keys, ks)
	done, err := k.m.BatchDelete(kv.Interface(), nil)
	return batchDone(done, err)
}

// batchDone is the result of a batch update or delete: where the kernel
// has no batch operation for the map type, it leaves the count as it was
// passed in, and none was done.
func batchDone(done int, err error) (int, error) {
	err = kernelErr(err)
	if errors.Is(err, ErrNotSupported) {
		return 0, err
	}
	return done, err
}

func (k *kernelMap) Freeze() error { return kernelErr(k.m.Freeze()) }
func (k *kernelMap) Close() error  { return k.m.Close() }

// updateObject stores a program (in a program array) or a map (in a
// map-in-map map) at key, as the kernel takes them: by file descriptor. It
// reports whether value was one of them.
func (k *kernelMap) updateObject(key, value any, flags MapUpdateFlags) (bool, error) {
	var v any
	switch x := value.(type) {
	case *Program:
		if x == nil {
			return true, kernelErr(k.m.Delete(key))
		}
		if x.kern == nil {
			return true, fmt.Errorf("program %s is in gbpf's runtime, not in the kernel", x.name)
		}
		v = x.kern.prog
	case *Map:
		ik, ok := asKernelMap(x.m)
		if !ok {
			return true, fmt.Errorf("map %s is in gbpf's runtime, not in the kernel", x.name)
		}
		v = ik.m
	default:
		return false, nil
	}
	return true, kernelErr(k.m.Update(key, v, ebpf.MapUpdateFlags(flags)))
}

func (k *kernelMap) isPinned() bool { return k.m.IsPinned() }
func (k *kernelMap) unpin() error   { return kernelErr(k.m.Unpin()) }

// The program-side methods belong to gbpf's engines, which never run on a
// kernel map.

func (k *kernelMap) LookupElem([]byte, int) uint64                { return 0 }
func (k *kernelMap) UpdateElem([]byte, []byte, uint64, int) int64 { return -95 }
func (k *kernelMap) DeleteElem([]byte) int64                      { return -95 }
func (k *kernelMap) PushElem([]byte, uint64) int64                { return -95 }
func (k *kernelMap) PopElem([]byte) int64                         { return -95 }
func (k *kernelMap) PeekElem([]byte) int64                        { return -95 }
