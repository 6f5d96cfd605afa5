package progtype

import "github.com/gbpf/gbpf/helpers/helperid"

// XDP actions, the return values of an XDP program.
const (
	XDPAborted  = 0
	XDPDrop     = 1
	XDPPass     = 2
	XDPTx       = 3
	XDPRedirect = 4
)

// Offsets of struct xdp_md (uapi/linux/bpf.h).
const (
	XDPMdData           = 0
	XDPMdDataEnd        = 4
	XDPMdDataMeta       = 8
	XDPMdIngressIfindex = 12
	XDPMdRxQueueIndex   = 16
	XDPMdEgressIfindex  = 20
	XDPMdSize           = 24
)

// Offsets of struct __sk_buff (uapi/linux/bpf.h).
const (
	SkBuffLen            = 0
	SkBuffPktType        = 4
	SkBuffMark           = 8
	SkBuffQueueMapping   = 12
	SkBuffProtocol       = 16
	SkBuffVlanPresent    = 20
	SkBuffVlanTCI        = 24
	SkBuffVlanProto      = 28
	SkBuffPriority       = 32
	SkBuffIngressIfindex = 36
	SkBuffIfindex        = 40
	SkBuffTCIndex        = 44
	SkBuffCB             = 48 // cb[5], u32 each
	SkBuffHash           = 68
	SkBuffTCClassid      = 72
	SkBuffData           = 76
	SkBuffDataEnd        = 80
	SkBuffNapiID         = 84
	SkBuffFamily         = 88
	SkBuffRemoteIP4      = 92
	SkBuffLocalIP4       = 96
	SkBuffRemoteIP6      = 100
	SkBuffLocalIP6       = 116
	SkBuffRemotePort     = 132
	SkBuffLocalPort      = 136
	SkBuffDataMeta       = 140
	SkBuffFlowKeys       = 144
	SkBuffTstamp         = 152
	SkBuffWireLen        = 160
	SkBuffGSOSegs        = 164
	SkBuffSk             = 168
	SkBuffGSOSize        = 176
	SkBuffTstampType     = 180
	SkBuffHwtstamp       = 184
	SkBuffSize           = 192
)

// PtRegsSize is the size of x86-64's struct pt_regs: 21 registers of 8
// bytes (r15 ... ss), the context of kprobe programs.
const PtRegsSize = 21 * 8

// MaxTraceSize bounds the record of a tracepoint program, as Linux's
// PERF_MAX_TRACE_SIZE does.
const MaxTraceSize = 2048

var baseHelpers = []helperid.ID{
	helperid.MapLookupElem, helperid.MapUpdateElem, helperid.MapDeleteElem,
	helperid.MapPushElem, helperid.MapPopElem, helperid.MapPeekElem,
	helperid.KtimeGetNS, helperid.KtimeGetBootNS, helperid.Jiffies64,
	helperid.GetPrandomU32, helperid.GetSmpProcessorID, helperid.GetNumaNodeID,
	helperid.TailCall, helperid.TracePrintk, helperid.Snprintf,
	helperid.RingbufOutput, helperid.RingbufReserve, helperid.RingbufSubmit,
	helperid.RingbufDiscard, helperid.RingbufQuery,
	helperid.Loop, helperid.ForEachMapElem, helperid.Strncmp,
	helperid.SpinLock, helperid.SpinUnlock, helperid.ProbeReadKernel, helperid.ProbeReadKernelStr,
}

var tracingHelpers = append(append([]helperid.ID(nil), baseHelpers...),
	helperid.ProbeRead, helperid.ProbeReadUser, helperid.ProbeReadUserStr,
	helperid.GetCurrentPidTgid, helperid.GetCurrentUidGid, helperid.GetCurrentComm,
	helperid.PerfEventOutput,
)

// netHelpers are the helpers of packet programs. Like Linux for a
// privileged loader, they include the task helpers and kernel memory reads.
var netHelpers = append(append([]helperid.ID(nil), baseHelpers...), helperid.PerfEventOutput,
	helperid.GetCurrentPidTgid, helperid.GetCurrentUidGid, helperid.GetCurrentComm, helperid.ProbeReadUser)

func u32(name string, off int, write bool) Field {
	return Field{Name: name, Off: off, Size: 4, Read: true, Write: write, Narrow: true}
}

func ptr(name string, off int, kind FieldKind) Field {
	return Field{Name: name, Off: off, Size: 4, Read: true, Kind: kind}
}

// skbFields returns the fields of __sk_buff; tc programs also see the
// packet pointers and may write a few more fields.
func skbFields(tc bool) []Field {
	fs := []Field{
		u32("len", SkBuffLen, false),
		u32("pkt_type", SkBuffPktType, false),
		u32("mark", SkBuffMark, tc),
		u32("queue_mapping", SkBuffQueueMapping, tc),
		u32("protocol", SkBuffProtocol, false),
		u32("vlan_present", SkBuffVlanPresent, false),
		u32("vlan_tci", SkBuffVlanTCI, false),
		u32("vlan_proto", SkBuffVlanProto, false),
		u32("priority", SkBuffPriority, tc),
		u32("ingress_ifindex", SkBuffIngressIfindex, false),
		u32("ifindex", SkBuffIfindex, false),
		u32("tc_index", SkBuffTCIndex, tc),
	}
	for i := 0; i < 5; i++ {
		fs = append(fs, u32("cb["+string(rune('0'+i))+"]", SkBuffCB+4*i, true))
	}
	fs = append(fs,
		u32("hash", SkBuffHash, false),
		u32("napi_id", SkBuffNapiID, false),
		u32("gso_segs", SkBuffGSOSegs, false),
		u32("gso_size", SkBuffGSOSize, false),
	)
	if tc {
		fs = append(fs,
			u32("tc_classid", SkBuffTCClassid, true),
			ptr("data", SkBuffData, PacketData),
			ptr("data_end", SkBuffDataEnd, PacketEnd),
			ptr("data_meta", SkBuffDataMeta, PacketMeta),
			u32("wire_len", SkBuffWireLen, false),
			Field{Name: "tstamp", Off: SkBuffTstamp, Size: 8, Read: true, Write: true},
		)
	}
	return fs
}

var infos = map[Type]*Info{
	SocketFilter: {
		Type:    SocketFilter,
		CtxSize: SkBuffSize,
		Fields:  skbFields(false),
		Helpers: netHelpers,
		RetMin:  0, RetMax: 1<<32 - 1,
		Runtime: "R1 points at a __sk_buff (192 bytes, below 4 GiB) describing the packet: " +
			"len, protocol, pkt_type, ifindex and the other scalar fields as far as the hook knows them, cb[] zeroed; " +
			"data and data_end are not readable: the program reads the packet with helpers or legacy ld_abs/ld_ind. " +
			"The return value is how many bytes of the packet to keep (0 drops it).",
	},
	SchedCLS: {
		Type:    SchedCLS,
		CtxSize: SkBuffSize,
		Fields:  skbFields(true),
		Helpers: netHelpers,
		RetMin:  -1, RetMax: 7,
		Runtime: "R1 points at a __sk_buff whose data, data_end and data_meta hold the 32-bit addresses " +
			"of the packet (allocated below 4 GiB). The return value is a TC_ACT_* code.",
	},
	XDP: {
		Type:    XDP,
		CtxSize: XDPMdSize,
		Fields: []Field{
			ptr("data", XDPMdData, PacketData),
			ptr("data_end", XDPMdDataEnd, PacketEnd),
			ptr("data_meta", XDPMdDataMeta, PacketMeta),
			{Name: "ingress_ifindex", Off: XDPMdIngressIfindex, Size: 4, Read: true},
			{Name: "rx_queue_index", Off: XDPMdRxQueueIndex, Size: 4, Read: true},
			// Linux lets only devmap programs read egress_ifindex.
			{Name: "egress_ifindex", Off: XDPMdEgressIfindex, Size: 4},
		},
		Helpers: netHelpers,
		RetMin:  XDPAborted, RetMax: XDPRedirect,
		Runtime: "R1 points at an xdp_md (24 bytes, below 4 GiB) whose data, data_end and data_meta hold the " +
			"32-bit addresses of the packet, which the runtime also allocates below 4 GiB; data_meta equals data " +
			"(no metadata). The return value is an XDP action, XDP_ABORTED (0) to XDP_REDIRECT (4); like Linux, the " +
			"verifier does not reject other values and the runtime treats them as XDP_ABORTED.",
	},
	Tracepoint: {
		Type:    Tracepoint,
		CtxSize: MaxTraceSize,
		VarCtx:  true,
		Helpers: tracingHelpers,
		RetMin:  0, RetMax: 1,
		Runtime: "R1 points at the raw tracepoint record (the size is given at load time, MaxTraceSize by default); " +
			"the program may read it, not write it. The return value decides whether the event goes on to perf.",
	},
	Kprobe: {
		Type:    Kprobe,
		CtxSize: PtRegsSize,
		VarCtx:  true,
		Helpers: tracingHelpers,
		RetMin:  0, RetMax: 1,
		Runtime: "R1 points at x86-64's struct pt_regs (21 registers of 8 bytes: r15, r14, r13, r12, bp, bx, r11, r10, " +
			"r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss), read-only.",
	},
	Raw: {
		Type:        Raw,
		CtxSize:     0,
		VarCtx:      true,
		CtxWritable: true,
		CtxInR2:     true,
		Helpers:     tracingHelpers,
		RetMin:      -1 << 63, RetMax: 1<<63 - 1,
		Runtime: "R1 points at the input memory and R2 holds its length. The verifier lets the program read and write " +
			"the first CtxSize bytes (given at load time, 0 by default), so the runtime must refuse a shorter input; " +
			"R2 is a scalar of at least CtxSize.",
	},
}
