package progtype

import (
	"testing"

	"github.com/gbpf/gbpf/helpers"
)

func TestNumbers(t *testing.T) {
	tests := []struct {
		t    Type
		want uint32
	}{
		{SocketFilter, 1}, {Kprobe, 2}, {SchedCLS, 3}, {SchedACT, 4}, {Tracepoint, 5}, {XDP, 6}, {PerfEvent, 7}, {RawTracepoint, 17},
	}
	for _, tt := range tests {
		if uint32(tt.t) != tt.want {
			t.Errorf("%v = %d, want %d", tt.t, tt.t, tt.want)
		}
	}
	if Raw < 1<<16 {
		t.Errorf("Raw = %d lies in Linux's range", Raw)
	}
}

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		want Type
	}{
		{"xdp", XDP}, {"XDP", XDP}, {"socket", SocketFilter}, {"SocketFilter", SocketFilter},
		{"tc", SchedCLS}, {"kprobe", Kprobe}, {"tracepoint", Tracepoint}, {"raw", Raw},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v", tt.in, got, err)
		}
	}
	if _, err := Parse("nonsense"); err == nil {
		t.Error("Parse accepted nonsense")
	}
	if XDP.String() != "XDP" || Type(999).String() != "Type(999)" {
		t.Error("String")
	}
}

func TestLayouts(t *testing.T) {
	for _, typ := range Types() {
		in, ok := Lookup(typ)
		if !ok {
			t.Fatalf("no Info for %v", typ)
		}
		if in.Type != typ {
			t.Errorf("%v: Info.Type = %v", typ, in.Type)
		}
		if len(in.Helpers) == 0 || !in.Allows(helpers.MapLookupElem) {
			t.Errorf("%v: cannot look up maps", typ)
		}
		for i, f := range in.Fields {
			if f.Off < 0 || f.Off+f.Size > in.CtxSize || f.Off%f.Size != 0 {
				t.Errorf("%v: field %s at %d size %d outside the %d-byte context or misaligned", typ, f.Name, f.Off, f.Size, in.CtxSize)
			}
			if f.Kind != Scalar && (f.Narrow || f.Write || f.Size != 4) {
				t.Errorf("%v: pointer field %s must be a read-only u32", typ, f.Name)
			}
			for _, g := range in.Fields[i+1:] {
				if f.Off < g.Off+g.Size && g.Off < f.Off+f.Size {
					t.Errorf("%v: fields %s and %s overlap", typ, f.Name, g.Name)
				}
			}
		}
	}
	xdp, _ := Lookup(XDP)
	if f, ok := xdp.Field(XDPMdDataEnd, 4); !ok || f.Kind != PacketEnd {
		t.Error("xdp_md data_end is not the packet end")
	}
	skb, _ := Lookup(SocketFilter)
	if _, ok := skb.Field(SkBuffData, 4); ok {
		t.Error("socket filters see __sk_buff data")
	}
	if f, ok := skb.Field(SkBuffCB+8, 4); !ok || !f.Write {
		t.Error("socket filters cannot write cb[2]")
	}
	if f, ok := skb.Field(SkBuffLen+2, 1); !ok || f.Name != "len" {
		t.Error("narrow field lookup")
	}
	if skb.Allows(helpers.ProbeRead) {
		t.Error("socket filters may call bpf_probe_read")
	}
	kp, _ := Lookup(Kprobe)
	if kp.CtxSize != 168 {
		t.Errorf("pt_regs is %d bytes", kp.CtxSize)
	}
}

func TestSection(t *testing.T) {
	for _, c := range []struct {
		section string
		typ     Type
		attach  string
	}{
		{"xdp", XDP, ""}, {"xdp.frags", XDP, ""}, {"xdp/devmap", XDP, ""}, {"xdp_drop", XDP, ""},
		{"socket", SocketFilter, ""}, {"socket1", SocketFilter, ""}, {"socket/x", SocketFilter, "x"},
		{"tc", SchedCLS, ""}, {"tc/ingress", SchedCLS, ""}, {"tcx/egress", SchedCLS, ""},
		{"classifier", SchedCLS, ""}, {"classifier/ingress", SchedCLS, "ingress"}, {"classifier_egress", SchedCLS, ""},
		{"action", SchedACT, ""},
		{"kprobe/do_sys_open", Kprobe, "do_sys_open"}, {"kretprobe/f", Kprobe, "f"}, {"uprobe.s/bin:f", Kprobe, "bin:f"},
		{"ksyscall/openat", Kprobe, "openat"}, {"usdt/x", Kprobe, "x"},
		{"tracepoint/sched/sched_switch", Tracepoint, "sched/sched_switch"}, {"tp/a/b", Tracepoint, "a/b"},
		{"raw_tp/sched_switch", RawTracepoint, "sched_switch"}, {"raw_tracepoint/x", RawTracepoint, "x"},
		{"raw_tp.w/x", RawTracepointWritable, "x"},
		{"tp_btf/sched_switch", Tracing, "sched_switch"}, {"fentry/tcp_connect", Tracing, "tcp_connect"},
		{"fexit/vfs_read", Tracing, "vfs_read"}, {"fentry.s/f", Tracing, "f"}, {"iter/task", Tracing, "task"},
		{"lsm/file_open", LSM, "file_open"}, {"freplace/f", Extension, "f"},
		{"perf_event", PerfEvent, ""}, {"sockops", SockOps, ""}, {"sk_msg", SkMsg, ""},
		{"sk_skb/stream_verdict", SkSKB, ""}, {"sk_skb", SkSKB, ""},
		{"lwt_in", LWTIn, ""}, {"lwt_out", LWTOut, ""}, {"lwt_xmit", LWTXmit, ""}, {"lwt_seg6local", LWTSeg6Local, ""},
		{"cgroup_skb/ingress", CGroupSKB, ""}, {"cgroup/skb", CGroupSKB, ""},
		{"cgroup/sock_create", CGroupSock, ""}, {"cgroup/post_bind4", CGroupSock, ""},
		{"cgroup/connect4", CGroupSockAddr, ""}, {"cgroup/recvmsg6", CGroupSockAddr, ""},
		{"cgroup/sysctl", CGroupSysctl, ""}, {"cgroup/getsockopt", CGroupSockopt, ""}, {"cgroup/dev", CGroupDevice, ""},
		{"flow_dissector", FlowDissector, ""}, {"sk_lookup", SkLookup, ""}, {"struct_ops/x", StructOps, "x"},
		{"raw", Raw, ""}, {"gbpf/anything", Raw, "anything"},
		{".text", Unspec, ""}, {"unknown/x", Unspec, ""}, {"tpx", Unspec, ""},
	} {
		typ, attach := Section(c.section)
		if typ != c.typ || attach != c.attach {
			t.Errorf("Section(%q) = %v %q, want %v %q", c.section, typ, attach, c.typ, c.attach)
		}
	}
	for _, name := range []string{"fentry", "raw_tp", "perf_event", "sockops", "cgroup/connect4", "Tracing"} {
		if _, err := Parse(name); err != nil {
			t.Errorf("Parse(%q): %v", name, err)
		}
	}
}

// FuzzSection checks that Section never panics and that what it returns
// is consistent: a known type, and an attach point taken from the name.
func FuzzSection(f *testing.F) {
	for _, s := range []string{"xdp", "kprobe/f", "cgroup/connect4", "socket1", "tp_btf/x", "", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		typ, attach := Section(name)
		if typ == Unspec && attach != "" {
			t.Errorf("Section(%q): attach %q without a type", name, attach)
		}
		if _, ok := typeNames[typ]; !ok {
			t.Errorf("Section(%q) = unnamed type %d", name, typ)
		}
		if len(attach) > len(name) {
			t.Errorf("Section(%q): attach %q longer than the name", name, attach)
		}
	})
}
