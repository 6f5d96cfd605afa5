package helpers

import (
	"fmt"

	"github.com/gbpf/gbpf/abi"
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

// Linux returns a new Set holding every helper of Linux, with Linux's ids
// and prototypes (LinuxPrototype), so that a program calling any of them
// verifies. The helpers gbpf implements (Implementation) have Linux's
// semantics; the others end a run that calls them with an error wrapping
// ErrNotImplemented that names the helper. The helpers expect a *State in
// abi.Env.Host. Hosts add their own helpers to the Set with Register (ids
// from MaxID up), or give their own implementation of one with Implement.
func Linux() *Set {
	s := NewSet()
	for _, id := range sortedIDs() {
		if _, ok := Builtin(id); !ok {
			panic(fmt.Sprintf("helpers: %s is implemented but has no builtin prototype", Name(id))) // a bug in the tables
		}
	}
	for id := Unspec + 1; id < MaxID; id++ {
		p, ok := LinuxPrototype(id)
		if !ok {
			continue
		}
		fn := implementations[id]
		if fn == nil {
			fn = notImplemented(id)
		}
		if err := s.Register(p, fn); err != nil {
			panic(fmt.Sprintf("helpers: %s: %v", Name(id), err)) // a bug in the tables
		}
	}
	return s
}

// Implementation returns gbpf's implementation of helper id, or nil.
func Implementation(id ID) abi.Helper { return implementations[id] }

func sortedIDs() []ID {
	ids := make([]ID, 0, len(implementations))
	for id := range MaxID {
		if implementations[id] != nil {
			ids = append(ids, id)
		}
	}
	return ids
}
