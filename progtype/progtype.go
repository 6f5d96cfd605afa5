// Package progtype describes the program types gbpf runs: their numbers
// (Linux's enum bpf_prog_type), the layout of their context, the helpers
// they may call and the values they may return. The verifier checks
// programs against an Info; the runtime builds the context it describes.
package progtype

import "fmt"

// Type is a program type. The numbers are Linux's, except Raw, which is
// gbpf's own.
type Type uint32

// Program types.
const (
	Unspec        Type = 0
	SocketFilter  Type = 1
	Kprobe        Type = 2
	SchedCLS      Type = 3
	SchedACT      Type = 4
	Tracepoint    Type = 5
	XDP           Type = 6
	PerfEvent     Type = 7
	CGroupSKB     Type = 8
	CGroupSock    Type = 9
	LWTIn         Type = 10
	LWTOut        Type = 11
	LWTXmit       Type = 12
	SockOps       Type = 13
	SkSKB         Type = 14
	CGroupDevice  Type = 15
	SkMsg         Type = 16
	RawTracepoint Type = 17

	// Types gbpf names (the loader maps section names to them) but does
	// not run yet: Lookup reports false for them.
	CGroupSockAddr        Type = 18
	LWTSeg6Local          Type = 19
	LircMode2             Type = 20
	SkReuseport           Type = 21
	FlowDissector         Type = 22
	CGroupSysctl          Type = 23
	RawTracepointWritable Type = 24
	CGroupSockopt         Type = 25
	Tracing               Type = 26
	StructOps             Type = 27
	Extension             Type = 28
	LSM                   Type = 29
	SkLookup              Type = 30
	Syscall               Type = 31
	Netfilter             Type = 32

	// Raw is gbpf's own type for running a program on plain memory, as
	// the conformance suite does: R1 points at the input and R2 holds
	// its length. Its number lies far outside Linux's range, so it never
	// collides with a future kernel type.
	Raw Type = 0x67627066 // "gbpf"
)

var typeNames = map[Type]string{
	Unspec:        "Unspec",
	SocketFilter:  "SocketFilter",
	Kprobe:        "Kprobe",
	SchedCLS:      "SchedCLS",
	SchedACT:      "SchedACT",
	Tracepoint:    "Tracepoint",
	XDP:           "XDP",
	PerfEvent:     "PerfEvent",
	CGroupSKB:     "CGroupSKB",
	CGroupSock:    "CGroupSock",
	LWTIn:         "LWTIn",
	LWTOut:        "LWTOut",
	LWTXmit:       "LWTXmit",
	SockOps:       "SockOps",
	SkSKB:         "SkSKB",
	CGroupDevice:  "CGroupDevice",
	SkMsg:         "SkMsg",
	RawTracepoint: "RawTracepoint",

	CGroupSockAddr:        "CGroupSockAddr",
	LWTSeg6Local:          "LWTSeg6Local",
	LircMode2:             "LircMode2",
	SkReuseport:           "SkReuseport",
	FlowDissector:         "FlowDissector",
	CGroupSysctl:          "CGroupSysctl",
	RawTracepointWritable: "RawTracepointWritable",
	CGroupSockopt:         "CGroupSockopt",
	Tracing:               "Tracing",
	StructOps:             "StructOps",
	Extension:             "Extension",
	LSM:                   "LSM",
	SkLookup:              "SkLookup",
	Syscall:               "Syscall",
	Netfilter:             "Netfilter",

	Raw: "Raw",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", uint32(t))
}

// Parse returns the type with the given name: the String form ("XDP",
// "SocketFilter"), case-insensitively, or the kernel's section-style names
// "socket", "xdp", "tc", "kprobe", "tracepoint", "raw_tp", "fentry",
// "perf_event", "sockops", "cgroup_skb" and the others of Section.
func Parse(name string) (Type, error) {
	if t, _ := Section(name); t != Unspec {
		return t, nil
	}
	switch lower(name) {
	case "socket", "socket_filter", "socketfilter":
		return SocketFilter, nil
	case "xdp":
		return XDP, nil
	case "tc", "classifier", "sched_cls", "schedcls":
		return SchedCLS, nil
	case "kprobe":
		return Kprobe, nil
	case "tracepoint", "tp":
		return Tracepoint, nil
	case "raw":
		return Raw, nil
	}
	for t, n := range typeNames {
		if lower(n) == lower(name) {
			return t, nil
		}
	}
	return Unspec, fmt.Errorf("unknown program type %q", name)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
