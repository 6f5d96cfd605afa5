package loader

import "github.com/gbpf/gbpf/progtype"

// sectionTypes maps the first element of an ELF section name to a program
// type, following libbpf's names. "raw" and "gbpf" are gbpf's own: programs
// that run on plain memory.
var sectionTypes = []struct {
	prefix string
	typ    progtype.Type
}{
	{"socket", progtype.SocketFilter},
	{"xdp", progtype.XDP},
	{"xdp.frags", progtype.XDP},
	{"tc", progtype.SchedCLS},
	{"classifier", progtype.SchedCLS},
	{"action", progtype.SchedACT},
	{"kprobe", progtype.Kprobe},
	{"kretprobe", progtype.Kprobe},
	{"uprobe", progtype.Kprobe},
	{"uretprobe", progtype.Kprobe},
	{"tracepoint", progtype.Tracepoint},
	{"tp", progtype.Tracepoint},
	{"raw_tracepoint", progtype.RawTracepoint},
	{"raw_tp", progtype.RawTracepoint},
	{"perf_event", progtype.PerfEvent},
	{"cgroup_skb", progtype.CGroupSKB},
	{"sk_skb", progtype.SkSKB},
	{"sk_msg", progtype.SkMsg},
	{"sockops", progtype.SockOps},
	{"raw", progtype.Raw},
	{"gbpf", progtype.Raw},
}
