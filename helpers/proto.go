package helpers

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
)

//go:generate go run golang.org/x/tools/cmd/stringer@v0.51.0 -type ArgType,RetType -linecomment

// ArgType is what a helper expects in one argument register, mirroring the
// kernel's enum bpf_arg_type. The verifier checks each argument of a call
// against it.
type ArgType uint8

// Argument types.
const (
	// ArgDontCare: the argument is not used; the register need not be set.
	ArgDontCare ArgType = iota // dontcare
	// ArgAnything: any initialized value, scalar or pointer.
	ArgAnything // anything
	// ArgConstMapPtr: a map reference loaded with lddw (map_ptr).
	ArgConstMapPtr // const_map_ptr
	// ArgPtrToMapKey: a pointer to key_size readable bytes of the map
	// passed in the preceding ArgConstMapPtr argument.
	ArgPtrToMapKey // ptr_to_map_key
	// ArgPtrToMapValue: a pointer to value_size readable bytes.
	ArgPtrToMapValue // ptr_to_map_value
	// ArgPtrToUninitMapValue: a pointer to value_size writable bytes the
	// helper fills in.
	ArgPtrToUninitMapValue // ptr_to_uninit_map_value
	// ArgPtrToMem: a pointer to readable, initialized memory whose size
	// is the next argument (ARG_PTR_TO_MEM | MEM_RDONLY).
	ArgPtrToMem // ptr_to_mem
	// ArgPtrToMemOrNull: like ArgPtrToMem, or the constant 0.
	ArgPtrToMemOrNull // ptr_to_mem_or_null
	// ArgPtrToUninitMem: a pointer to writable memory the helper fills in,
	// whose size is the next argument (ARG_PTR_TO_MEM | MEM_UNINIT).
	ArgPtrToUninitMem // ptr_to_uninit_mem
	// ArgPtrToUninitMemOrNull: like ArgPtrToUninitMem, or the constant 0.
	ArgPtrToUninitMemOrNull // ptr_to_uninit_mem_or_null
	// ArgConstSize: the size of the preceding memory argument, a bounded
	// scalar greater than zero.
	ArgConstSize // const_size
	// ArgConstSizeOrZero: like ArgConstSize but zero is allowed.
	ArgConstSizeOrZero // const_size_or_zero
	// ArgConstAllocSizeOrZero: a constant size of memory the helper
	// allocates (bpf_ringbuf_reserve); zero is allowed.
	ArgConstAllocSizeOrZero // const_alloc_size_or_zero
	// ArgPtrToCtx: the program's context pointer, unmodified.
	ArgPtrToCtx // ptr_to_ctx
	// ArgPtrToStackOrNull: a pointer into the stack, or the constant 0.
	ArgPtrToStackOrNull // ptr_to_stack_or_null
	// ArgPtrToFunc: the address of a subprogram (lddw with
	// isa.PseudoFunc), called back by the helper.
	ArgPtrToFunc // ptr_to_func
	// ArgPtrToConstStr: a pointer into a read-only map value holding a
	// NUL-terminated string known at verification time.
	ArgPtrToConstStr // ptr_to_const_str
	// ArgPtrToAllocMem: memory a helper returned with a reference
	// (ring buffer memory), released by this call.
	ArgPtrToAllocMem // ptr_to_alloc_mem
	// ArgPtrToSpinLock: a pointer to the bpf_spin_lock inside a map
	// value.
	ArgPtrToSpinLock // ptr_to_spin_lock

	// The kinds below are Linux's that the generated table of every
	// helper (LinuxPrototype) uses besides the ones above.

	// ArgPtrToMapValueOrNull: like ArgPtrToMapValue, or the constant 0.
	ArgPtrToMapValueOrNull // ptr_to_map_value_or_null
	// ArgPtrToFixedMem: a pointer to Prototype.ArgSize readable,
	// initialized bytes (ARG_PTR_TO_FIXED_SIZE_MEM).
	ArgPtrToFixedMem // ptr_to_fixed_size_mem
	// ArgPtrToUninitFixedMem: a pointer to Prototype.ArgSize writable
	// bytes the helper fills in (ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT,
	// the older ARG_PTR_TO_INT and ARG_PTR_TO_LONG).
	ArgPtrToUninitFixedMem // ptr_to_uninit_fixed_size_mem
	// ArgPtrToCtxOrNull: the context pointer or the constant 0.
	ArgPtrToCtxOrNull // ptr_to_ctx_or_null
	// ArgPtrToStack: a pointer into the stack.
	ArgPtrToStack // ptr_to_stack
	// ArgPtrToSockCommon: a socket of any kind (struct bpf_sock_common)
	// that a program got from its context or a socket helper.
	ArgPtrToSockCommon // ptr_to_sock_common
	// ArgPtrToSocket: a full socket (struct bpf_sock).
	ArgPtrToSocket // ptr_to_socket
	// ArgPtrToSocketOrNull: like ArgPtrToSocket, or the constant 0.
	ArgPtrToSocketOrNull // ptr_to_socket_or_null
	// ArgPtrToBTFID: a pointer to a kernel object of a BTF type (a task,
	// a socket, a cgroup, a per-CPU variable), ARG_PTR_TO_BTF_ID and its
	// sock_common and per-CPU forms.
	ArgPtrToBTFID // ptr_to_btf_id
	// ArgPtrToBTFIDOrNull: like ArgPtrToBTFID, or the constant 0.
	ArgPtrToBTFIDOrNull // ptr_to_btf_id_or_null
	// ArgPtrToTimer: a pointer to the struct bpf_timer in a map value.
	ArgPtrToTimer // ptr_to_timer
	// ArgPtrToKptr: a pointer to a referenced kernel pointer field of a
	// map value.
	ArgPtrToKptr // ptr_to_kptr
	// ArgPtrToDynptr: a pointer to a struct bpf_dynptr on the stack.
	ArgPtrToDynptr // ptr_to_dynptr
)

// IsKernelObject reports whether a is a pointer to a kernel object (a
// socket, a BTF-typed object, a timer, a kptr or a dynptr): kinds gbpf's
// verifier does not track registers of yet.
func (a ArgType) IsKernelObject() bool {
	switch a {
	case ArgPtrToSockCommon, ArgPtrToSocket, ArgPtrToSocketOrNull, ArgPtrToBTFID, ArgPtrToBTFIDOrNull,
		ArgPtrToTimer, ArgPtrToKptr, ArgPtrToDynptr:
		return true
	}
	return false
}

// IsSize reports whether a is one of the size arguments that follow a
// memory argument.
func (a ArgType) IsSize() bool {
	return a == ArgConstSize || a == ArgConstSizeOrZero
}

// IsMem reports whether a is a memory argument whose size is the next
// argument.
func (a ArgType) IsMem() bool {
	switch a {
	case ArgPtrToMem, ArgPtrToMemOrNull, ArgPtrToUninitMem, ArgPtrToUninitMemOrNull:
		return true
	}
	return false
}

// RetType is what a helper leaves in R0, mirroring the kernel's enum
// bpf_return_type.
type RetType uint8

// Return types.
const (
	// RetInteger: a scalar.
	RetInteger RetType = iota // integer
	// RetVoid: nothing; R0 is not readable after the call.
	RetVoid // void
	// RetPtrToMapValueOrNull: a pointer to a value of the map argument,
	// or NULL; the program must check it before use.
	RetPtrToMapValueOrNull // ptr_to_map_value_or_null
	// RetPtrToAllocMemOrNull: memory of the size given by the
	// ArgConstAllocSizeOrZero argument, or NULL (ring buffer memory). A
	// non-NULL result is a reference the program must release.
	RetPtrToAllocMemOrNull // ptr_to_alloc_mem_or_null
	// RetPtrToMapValue: a pointer to a value of the map argument, never
	// NULL (bpf_get_local_storage).
	RetPtrToMapValue // ptr_to_map_value
	// RetPtrToBTFID: a pointer to a kernel object (a task, a socket, a
	// per-CPU variable), RET_PTR_TO_BTF_ID and the socket kinds.
	RetPtrToBTFID // ptr_to_btf_id
	// RetPtrToBTFIDOrNull: like RetPtrToBTFID, or NULL.
	RetPtrToBTFIDOrNull // ptr_to_btf_id_or_null
)

// CallbackParam is what a helper passes in one register when it calls a
// callback subprogram.
type CallbackParam uint8

// Callback parameters.
const (
	// ParamNone: the register is not set.
	ParamNone CallbackParam = iota
	// ParamScalar: a number, such as bpf_loop's index.
	ParamScalar
	// ParamMap: the map of the helper's ArgConstMapPtr argument.
	ParamMap
	// ParamMapKey: a read-only pointer to a key of that map.
	ParamMapKey
	// ParamMapValue: a pointer to a value of that map.
	ParamMapValue
	// ParamCtx: the value the program passed in the helper's
	// Callback.CtxArg argument.
	ParamCtx
)

// Callback describes a helper that calls a subprogram of the program, such
// as bpf_loop and bpf_for_each_map_elem.
type Callback struct {
	// FuncArg is the index (0 for R1) of the ArgPtrToFunc argument.
	FuncArg int
	// CtxArg is the index of the argument passed on as ParamCtx.
	CtxArg int
	// Params are what the callback receives in R1 to R5.
	Params [5]CallbackParam
	// RetMin and RetMax bound the callback's return value.
	RetMin, RetMax int64
}

// Prototype is the signature of a helper: what the verifier checks a call
// against.
type Prototype struct {
	ID   ID
	Name string // the kernel's name without bpf_, such as "map_lookup_elem"
	Ret  RetType
	Args [5]ArgType
	// ArgSize is the size in bytes of each ArgPtrToFixedMem and
	// ArgPtrToUninitFixedMem argument.
	ArgSize [5]int32
	// Callback is set for helpers that call a subprogram.
	Callback *Callback
	// MapTypes, when set, lists the map types (Linux numbers, as in
	// maps.Type) accepted by the ArgConstMapPtr argument.
	MapTypes []uint32
	// Acquire: a non-NULL result is a reference that must be released on
	// every path (RetPtrToAllocMemOrNull).
	Acquire bool
	// Release is the index of the argument whose reference the call
	// releases, or -1 (the zero value, 0, names the first argument).
	Release int
	// Pkt: the helper may read or write packet memory through a
	// pointer argument, so packet pointers are valid memory arguments.
	Pkt bool
}

// NumArgs returns how many argument registers p uses.
func (p *Prototype) NumArgs() int {
	n := 0
	for i, a := range p.Args {
		if a != ArgDontCare {
			n = i + 1
		}
	}
	return n
}

// Check reports whether p is well formed: a name, arguments in order, a
// size after every memory argument, one map argument before map key and
// value arguments, a callback whose function argument is ArgPtrToFunc.
func (p *Prototype) Check() error {
	if p.ID <= Unspec {
		return fmt.Errorf("helper %q: invalid id %d", p.Name, p.ID)
	}
	if p.Name == "" {
		return fmt.Errorf("helper %d: no name", p.ID)
	}
	if p.Ret > RetPtrToBTFIDOrNull {
		return fmt.Errorf("helper %s: unknown return type %d", p.Name, p.Ret)
	}
	seenMap, seenEnd := false, false
	for i, a := range p.Args {
		if a > ArgPtrToDynptr {
			return fmt.Errorf("helper %s: arg%d: unknown type %d", p.Name, i+1, a)
		}
		if a == ArgDontCare {
			seenEnd = true
			continue
		}
		if seenEnd {
			return fmt.Errorf("helper %s: arg%d follows an unused argument", p.Name, i+1)
		}
		switch {
		case a == ArgConstMapPtr:
			seenMap = true
		case a == ArgPtrToFixedMem || a == ArgPtrToUninitFixedMem:
			if p.ArgSize[i] <= 0 {
				return fmt.Errorf("helper %s: arg%d: %v of no size", p.Name, i+1, a)
			}
		case a == ArgPtrToMapKey || a == ArgPtrToMapValue || a == ArgPtrToUninitMapValue || a == ArgPtrToMapValueOrNull:
			if !seenMap {
				return fmt.Errorf("helper %s: arg%d: %v without a preceding map argument", p.Name, i+1, a)
			}
		case a.IsMem():
			if i == 4 || !p.Args[i+1].IsSize() {
				return fmt.Errorf("helper %s: arg%d: %v not followed by a size", p.Name, i+1, a)
			}
		case a.IsSize():
			if i == 0 || !p.Args[i-1].IsMem() {
				return fmt.Errorf("helper %s: arg%d: %v does not follow a memory argument", p.Name, i+1, a)
			}
		}
	}
	if (p.Ret == RetPtrToMapValueOrNull || p.Ret == RetPtrToMapValue) && !seenMap {
		return fmt.Errorf("helper %s: returns a map value but takes no map", p.Name)
	}
	if p.Ret == RetPtrToAllocMemOrNull {
		ok := false
		for _, a := range p.Args {
			ok = ok || a == ArgConstAllocSizeOrZero
		}
		if !ok {
			return fmt.Errorf("helper %s: returns memory of no known size", p.Name)
		}
	}
	if p.Release >= 5 || p.Release < -1 {
		return fmt.Errorf("helper %s: release argument %d out of range", p.Name, p.Release)
	}
	if p.Release >= 0 && p.Args[p.Release] != ArgPtrToAllocMem && !p.Args[p.Release].IsKernelObject() {
		return fmt.Errorf("helper %s: releases arg%d, which is not %v or a kernel object", p.Name, p.Release+1, ArgPtrToAllocMem)
	}
	if cb := p.Callback; cb != nil {
		if cb.FuncArg < 0 || cb.FuncArg >= 5 || p.Args[cb.FuncArg] != ArgPtrToFunc {
			return fmt.Errorf("helper %s: callback argument %d is not %v", p.Name, cb.FuncArg, ArgPtrToFunc)
		}
		if cb.CtxArg < 0 || cb.CtxArg >= 5 {
			return fmt.Errorf("helper %s: callback context argument %d out of range", p.Name, cb.CtxArg)
		}
		if cb.RetMin > cb.RetMax {
			return fmt.Errorf("helper %s: callback return range [%d, %d] is empty", p.Name, cb.RetMin, cb.RetMax)
		}
	}
	return nil
}

// MaxSetID bounds the helper ids a Set accepts, so that its table stays
// small. Host-defined helpers pick ids at or above MaxID and below MaxSetID.
const MaxSetID = 1 << 16

// ErrExists is returned by Set.Register for an id that is already taken.
var ErrExists = errors.New("helper already registered")

// Set is the helpers available to a program: their prototypes, which the
// verifier checks calls against, and their implementations, which the
// engines call. The zero Set is empty and ready to use. A Set is not safe
// for concurrent Register calls; fill it before use.
type Set struct {
	protos []*Prototype // indexed by id
	fns    []engine.Helper
}

// NewSet returns an empty Set.
func NewSet() *Set { return new(Set) }

// Register adds the helper with prototype p and implementation fn. fn may
// be nil for a Set used only to verify programs.
func (s *Set) Register(p Prototype, fn abi.Helper) error {
	if p.ID < 0 || p.ID >= MaxSetID {
		return fmt.Errorf("helper %q: id %d out of range [1, %d)", p.Name, p.ID, MaxSetID)
	}
	if err := p.Check(); err != nil {
		return err
	}
	if int(p.ID) < len(s.protos) && s.protos[p.ID] != nil {
		return fmt.Errorf("helper %d (%s): %w", p.ID, p.Name, ErrExists)
	}
	for int(p.ID) >= len(s.protos) {
		s.protos = append(s.protos, nil)
		s.fns = append(s.fns, nil)
	}
	cp := p
	cp.Args = p.Args
	if p.MapTypes != nil {
		cp.MapTypes = append([]uint32(nil), p.MapTypes...)
	}
	if p.Callback != nil {
		cb := *p.Callback
		cp.Callback = &cb
	}
	s.protos[p.ID] = &cp
	s.fns[p.ID] = fn
	return nil
}

// Implement sets the implementation of the helper of the Set called name
// (the kernel's name without bpf_, or the name a host registered), keeping
// its prototype: a host gives its own Go function for a helper the Set
// already declares, such as one of BuiltinSet's or Linux's. Like Register,
// it must not be called while programs use the Set.
func (s *Set) Implement(name string, fn abi.Helper) error {
	if fn == nil {
		return fmt.Errorf("helper %q: no implementation", name)
	}
	for id, p := range s.protos {
		if p != nil && p.Name == name {
			s.fns[id] = fn
			return nil
		}
	}
	return fmt.Errorf("helper %q: not in the set", name)
}

// Prototype returns the prototype of helper id, if the Set has it. The
// result must not be modified.
func (s *Set) Prototype(id ID) (*Prototype, bool) {
	if s == nil || id < 0 || int(id) >= len(s.protos) || s.protos[id] == nil {
		return nil, false
	}
	return s.protos[id], true
}

// Func returns the implementation of helper id, or nil.
func (s *Set) Func(id ID) abi.Helper {
	if s == nil || id < 0 || int(id) >= len(s.fns) {
		return nil
	}
	return s.fns[id]
}

// Table returns the implementations indexed by id, for abi.Env.Helpers.
// The slice is shared with the Set; do not modify it.
func (s *Set) Table() []abi.Helper {
	if s == nil {
		return nil
	}
	return s.fns
}

// IDs returns the ids of the helpers in the Set, in increasing order.
func (s *Set) IDs() []ID {
	if s == nil {
		return nil
	}
	var ids []ID
	for id, p := range s.protos {
		if p != nil {
			ids = append(ids, ID(id))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Linux map type numbers used in the prototypes' MapTypes (the same values
// as maps.Type).
const (
	mapProgArray      = 3
	mapPerfEventArray = 4
	mapQueue          = 22
	mapStack          = 23
	mapRingbuf        = 27
)

var (
	loopCB    = &Callback{FuncArg: 1, CtxArg: 2, Params: [5]CallbackParam{ParamScalar, ParamCtx}, RetMin: 0, RetMax: 1}
	forEachCB = &Callback{FuncArg: 1, CtxArg: 2, Params: [5]CallbackParam{ParamMap, ParamMapKey, ParamMapValue, ParamCtx}, RetMin: 0, RetMax: 1}
)

func proto(id ID, ret RetType, args ...ArgType) Prototype {
	// Whether the helper takes packet pointers is the kernel's
	// pkt_access, from the generated table.
	p := Prototype{ID: id, Name: Name(id), Ret: ret, Release: -1, Pkt: linuxProtos[id].Pkt}
	copy(p.Args[:], args)
	return p
}

// builtin holds the prototypes of the helpers gbpf implements, as the
// kernel declares them (struct bpf_func_proto).
var builtin = func() map[ID]Prototype {
	ps := []Prototype{
		proto(MapLookupElem, RetPtrToMapValueOrNull, ArgConstMapPtr, ArgPtrToMapKey),
		proto(MapUpdateElem, RetInteger, ArgConstMapPtr, ArgPtrToMapKey, ArgPtrToMapValue, ArgAnything),
		proto(MapDeleteElem, RetInteger, ArgConstMapPtr, ArgPtrToMapKey),
		withMaps(proto(MapPushElem, RetInteger, ArgConstMapPtr, ArgPtrToMapValue, ArgAnything), mapQueue, mapStack),
		withMaps(proto(MapPopElem, RetInteger, ArgConstMapPtr, ArgPtrToUninitMapValue), mapQueue, mapStack),
		withMaps(proto(MapPeekElem, RetInteger, ArgConstMapPtr, ArgPtrToUninitMapValue), mapQueue, mapStack),
		proto(ProbeRead, RetInteger, ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything),
		proto(ProbeReadKernel, RetInteger, ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything),
		proto(ProbeReadUser, RetInteger, ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything),
		proto(ProbeReadKernelStr, RetInteger, ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything),
		proto(ProbeReadUserStr, RetInteger, ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything),
		proto(KtimeGetNS, RetInteger),
		proto(KtimeGetBootNS, RetInteger),
		proto(Jiffies64, RetInteger),
		proto(GetPrandomU32, RetInteger),
		proto(GetSmpProcessorID, RetInteger),
		proto(GetNumaNodeID, RetInteger),
		proto(GetCurrentPidTgid, RetInteger),
		proto(GetCurrentUidGid, RetInteger),
		proto(GetCurrentComm, RetInteger, ArgPtrToUninitMem, ArgConstSize),
		// Like Linux, trace_printk declares only its format: the three
		// values after it are read as they are, set or not.
		proto(TracePrintk, RetInteger, ArgPtrToMem, ArgConstSize),
		proto(Snprintf, RetInteger, ArgPtrToUninitMemOrNull, ArgConstSizeOrZero, ArgPtrToConstStr, ArgPtrToMemOrNull, ArgConstSizeOrZero),
		withMaps(proto(TailCall, RetVoid, ArgPtrToCtx, ArgConstMapPtr, ArgAnything), mapProgArray),
		withMaps(proto(PerfEventOutput, RetInteger, ArgPtrToCtx, ArgConstMapPtr, ArgAnything, ArgPtrToMem, ArgConstSizeOrZero), mapPerfEventArray),
		withMaps(proto(RingbufOutput, RetInteger, ArgConstMapPtr, ArgPtrToMem, ArgConstSizeOrZero, ArgAnything), mapRingbuf),
		acquire(withMaps(proto(RingbufReserve, RetPtrToAllocMemOrNull, ArgConstMapPtr, ArgConstAllocSizeOrZero, ArgAnything), mapRingbuf)),
		release(proto(RingbufSubmit, RetVoid, ArgPtrToAllocMem, ArgAnything), 0),
		release(proto(RingbufDiscard, RetVoid, ArgPtrToAllocMem, ArgAnything), 0),
		withMaps(proto(RingbufQuery, RetInteger, ArgConstMapPtr, ArgAnything), mapRingbuf),
		callback(proto(Loop, RetInteger, ArgAnything, ArgPtrToFunc, ArgPtrToStackOrNull, ArgAnything), loopCB),
		callback(proto(ForEachMapElem, RetInteger, ArgConstMapPtr, ArgPtrToFunc, ArgPtrToStackOrNull, ArgAnything), forEachCB),
		proto(Strncmp, RetInteger, ArgPtrToMem, ArgConstSize, ArgPtrToConstStr),
		proto(SpinLock, RetVoid, ArgPtrToSpinLock),
		proto(SpinUnlock, RetVoid, ArgPtrToSpinLock),
	}
	m := make(map[ID]Prototype, len(ps))
	for _, p := range ps {
		if err := p.Check(); err != nil {
			panic(err) // a bug in the table above, caught by every test
		}
		m[p.ID] = p
	}
	return m
}()

func withMaps(p Prototype, types ...uint32) Prototype { p.MapTypes = types; return p }
func acquire(p Prototype) Prototype                   { p.Acquire = true; return p }
func release(p Prototype, arg int) Prototype          { p.Release = arg; return p }
func callback(p Prototype, cb *Callback) Prototype    { p.Callback = cb; return p }

// Builtin returns the kernel's prototype of helper id if gbpf implements
// that helper. Hosts filling a Set use it with their implementation.
func Builtin(id ID) (Prototype, bool) {
	p, ok := builtin[id]
	if ok && p.MapTypes != nil {
		p.MapTypes = append([]uint32(nil), p.MapTypes...)
	}
	return p, ok
}

// BuiltinIDs returns the ids of the helpers gbpf implements, in order.
func BuiltinIDs() []ID {
	ids := make([]ID, 0, len(builtin))
	for id := range builtin {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// BuiltinSet returns a Set with the prototypes of every builtin helper and
// no implementations: enough to verify programs.
func BuiltinSet() *Set {
	s := NewSet()
	for _, id := range BuiltinIDs() {
		if err := s.Register(builtin[id], nil); err != nil {
			panic(err)
		}
	}
	return s
}
