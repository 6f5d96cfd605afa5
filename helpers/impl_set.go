package helpers

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
)

// implementations maps each helper gbpf implements to its Go function.
var implementations = map[ID]engine.Helper{
	MapLookupElem:      mapLookupElem,
	MapUpdateElem:      mapUpdateElem,
	MapDeleteElem:      mapDeleteElem,
	MapPushElem:        mapPushElem,
	MapPopElem:         mapPopElem,
	MapPeekElem:        mapPeekElem,
	ProbeRead:          probeRead,
	ProbeReadKernel:    probeRead,
	ProbeReadUser:      probeRead,
	ProbeReadKernelStr: probeReadStr,
	ProbeReadUserStr:   probeReadStr,
	KtimeGetNS:         ktimeGetNS,
	KtimeGetBootNS:     ktimeGetBootNS,
	Jiffies64:          jiffies64,
	GetPrandomU32:      getPrandomU32,
	GetSmpProcessorID:  getSmpProcessorID,
	GetNumaNodeID:      getNumaNodeID,
	GetCurrentPidTgid:  getCurrentPidTgid,
	GetCurrentUidGid:   getCurrentUidGid,
	GetCurrentComm:     getCurrentComm,
	TracePrintk:        tracePrintk,
	Snprintf:           snprintf,
	TailCall:           tailCall,
	PerfEventOutput:    perfEventOutput,
	RingbufOutput:      ringbufOutput,
	RingbufReserve:     ringbufReserve,
	RingbufSubmit:      ringbufSubmit,
	RingbufDiscard:     ringbufDiscard,
	RingbufQuery:       ringbufQuery,
	Loop:               loop,
	ForEachMapElem:     forEachMapElem,
	Strncmp:            strncmp,
	SpinLock:           spinLock,
	SpinUnlock:         spinUnlock,
}

// prototypes of helpers that gbpf implements beyond the builtin table, or
// declares as the kernel does where the table differs.
var extraPrototypes = map[ID]Prototype{
	// The kernel declares only the format and its size
	// (bpf_trace_printk_proto): the arguments after them need not be
	// set, since the format says how many there are.
	TracePrintk: {ID: TracePrintk, Name: Name(TracePrintk), Ret: RetInteger,
		Args: [5]ArgType{ArgPtrToMem, ArgConstSize}, Release: -1},
	ProbeReadKernelStr: {ID: ProbeReadKernelStr, Name: Name(ProbeReadKernelStr), Ret: RetInteger,
		Args: [5]ArgType{ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything}, Release: -1},
	ProbeReadUserStr: {ID: ProbeReadUserStr, Name: Name(ProbeReadUserStr), Ret: RetInteger,
		Args: [5]ArgType{ArgPtrToUninitMem, ArgConstSizeOrZero, ArgAnything}, Release: -1},
}

// Linux returns a new Set holding every helper gbpf implements, with
// Linux's ids, prototypes and semantics. The helpers expect a *State in
// engine.Env.Host. Hosts add their own helpers to the Set with Register
// (ids from MaxID up).
func Linux() *Set {
	s := NewSet()
	for _, id := range sortedIDs() {
		p, ok := extraPrototypes[id]
		if !ok {
			if p, ok = Builtin(id); !ok {
				continue // the verifier's table does not describe it yet
			}
		}
		if err := s.Register(p, implementations[id]); err != nil {
			panic(fmt.Sprintf("helpers: builtin %s: %v", Name(id), err)) // a bug in the tables
		}
	}
	return s
}

// Implementation returns gbpf's implementation of helper id, or nil.
func Implementation(id ID) engine.Helper { return implementations[id] }

func sortedIDs() []ID {
	ids := make([]ID, 0, len(implementations))
	for id := range MaxID {
		if implementations[id] != nil {
			ids = append(ids, id)
		}
	}
	return ids
}
