package progtype

import "strings"

// A sectionRule maps ELF section names to a program type, as libbpf's
// section_defs table does.
type sectionRule struct {
	// name is the section name, or its part up to and excluding the
	// first "/" when slash is set.
	name string
	typ  Type
	// slash: the rule matches name alone or name followed by "/" and an
	// attach point ("kprobe/do_sys_open"); otherwise name exactly.
	slash bool
	// sloppy: the rule also matches any section that starts with name,
	// as libbpf did for objects written before it checked section names
	// strictly ("xdp_prog", "socket1", "classifier_ingress").
	sloppy bool
}

// sectionRules follow libbpf's section_defs: the first that matches wins.
var sectionRules = []sectionRule{
	{"socket", SocketFilter, true, true},
	{"sk_reuseport/migrate", SkReuseport, false, false},
	{"sk_reuseport", SkReuseport, false, false},
	{"kprobe", Kprobe, true, false},
	{"uprobe", Kprobe, true, false},
	{"uprobe.s", Kprobe, true, false},
	{"kretprobe", Kprobe, true, false},
	{"uretprobe", Kprobe, true, false},
	{"uretprobe.s", Kprobe, true, false},
	{"kprobe.multi", Kprobe, true, false},
	{"kretprobe.multi", Kprobe, true, false},
	{"kprobe.session", Kprobe, true, false},
	{"uprobe.multi", Kprobe, true, false},
	{"uretprobe.multi", Kprobe, true, false},
	{"uprobe.session", Kprobe, true, false},
	{"uprobe.multi.s", Kprobe, true, false},
	{"uretprobe.multi.s", Kprobe, true, false},
	{"uprobe.session.s", Kprobe, true, false},
	{"ksyscall", Kprobe, true, false},
	{"kretsyscall", Kprobe, true, false},
	{"usdt", Kprobe, true, false},
	{"usdt.s", Kprobe, true, false},
	{"tc/ingress", SchedCLS, false, false},
	{"tc/egress", SchedCLS, false, false},
	{"tcx/ingress", SchedCLS, false, false},
	{"tcx/egress", SchedCLS, false, false},
	{"tc", SchedCLS, true, false},
	{"classifier", SchedCLS, true, true},
	{"action", SchedACT, true, true},
	{"netkit/primary", SchedCLS, false, false},
	{"netkit/peer", SchedCLS, false, false},
	{"tracepoint", Tracepoint, true, false},
	{"tp", Tracepoint, true, false},
	{"raw_tracepoint", RawTracepoint, true, false},
	{"raw_tp", RawTracepoint, true, false},
	{"raw_tracepoint.w", RawTracepointWritable, true, false},
	{"raw_tp.w", RawTracepointWritable, true, false},
	{"tp_btf", Tracing, true, false},
	{"fentry", Tracing, true, false},
	{"fmod_ret", Tracing, true, false},
	{"fexit", Tracing, true, false},
	{"fentry.s", Tracing, true, false},
	{"fmod_ret.s", Tracing, true, false},
	{"fexit.s", Tracing, true, false},
	{"freplace", Extension, true, false},
	{"lsm", LSM, true, false},
	{"lsm.s", LSM, true, false},
	{"lsm_cgroup", LSM, true, false},
	{"iter", Tracing, true, false},
	{"iter.s", Tracing, true, false},
	{"syscall", Syscall, false, false},
	{"xdp.frags/devmap", XDP, false, false},
	{"xdp/devmap", XDP, false, false},
	{"xdp.frags/cpumap", XDP, false, false},
	{"xdp/cpumap", XDP, false, false},
	{"xdp.frags", XDP, false, false},
	{"xdp", XDP, false, true},
	{"perf_event", PerfEvent, false, true},
	{"lwt_in", LWTIn, false, true},
	{"lwt_out", LWTOut, false, true},
	{"lwt_xmit", LWTXmit, false, true},
	{"lwt_seg6local", LWTSeg6Local, false, true},
	{"sockops", SockOps, false, true},
	{"sk_skb/stream_parser", SkSKB, false, true},
	{"sk_skb/stream_verdict", SkSKB, false, true},
	{"sk_skb/verdict", SkSKB, false, true},
	{"sk_skb", SkSKB, true, true},
	{"sk_msg", SkMsg, false, true},
	{"lirc_mode2", LircMode2, false, true},
	{"flow_dissector", FlowDissector, false, true},
	{"cgroup_skb/ingress", CGroupSKB, false, true},
	{"cgroup_skb/egress", CGroupSKB, false, true},
	{"cgroup/skb", CGroupSKB, false, false},
	{"cgroup/sock_create", CGroupSock, false, false},
	{"cgroup/sock_release", CGroupSock, false, false},
	{"cgroup/sock", CGroupSock, false, true},
	{"cgroup/post_bind4", CGroupSock, false, true},
	{"cgroup/post_bind6", CGroupSock, false, true},
	{"cgroup/bind4", CGroupSockAddr, false, true},
	{"cgroup/bind6", CGroupSockAddr, false, true},
	{"cgroup/connect4", CGroupSockAddr, false, true},
	{"cgroup/connect6", CGroupSockAddr, false, true},
	{"cgroup/connect_unix", CGroupSockAddr, false, false},
	{"cgroup/sendmsg4", CGroupSockAddr, false, true},
	{"cgroup/sendmsg6", CGroupSockAddr, false, true},
	{"cgroup/sendmsg_unix", CGroupSockAddr, false, false},
	{"cgroup/recvmsg4", CGroupSockAddr, false, true},
	{"cgroup/recvmsg6", CGroupSockAddr, false, true},
	{"cgroup/recvmsg_unix", CGroupSockAddr, false, false},
	{"cgroup/getpeername4", CGroupSockAddr, false, true},
	{"cgroup/getpeername6", CGroupSockAddr, false, true},
	{"cgroup/getpeername_unix", CGroupSockAddr, false, false},
	{"cgroup/getsockname4", CGroupSockAddr, false, true},
	{"cgroup/getsockname6", CGroupSockAddr, false, true},
	{"cgroup/getsockname_unix", CGroupSockAddr, false, false},
	{"cgroup/sysctl", CGroupSysctl, false, true},
	{"cgroup/getsockopt", CGroupSockopt, false, true},
	{"cgroup/setsockopt", CGroupSockopt, false, true},
	{"cgroup/dev", CGroupDevice, false, true},
	{"struct_ops", StructOps, true, false},
	{"struct_ops.s", StructOps, true, false},
	{"sk_lookup", SkLookup, false, false},
	{"netfilter", Netfilter, false, false},
	// gbpf's own: programs on plain memory.
	{"raw", Raw, true, false},
	{"gbpf", Raw, true, false},
}

// Section returns the program type an ELF section name gives a program,
// by libbpf's rules: an exact name ("xdp", "sockops", "cgroup/connect4"), a
// kind and an attach point ("kprobe/do_sys_open", "fentry/tcp_connect",
// "tp_btf/sched_switch"), or, for the kinds libbpf once matched by prefix,
// any name starting with the kind ("xdp_drop", "socket1",
// "classifier_egress"). attach is what follows the kind's "/", if
// anything. It returns Unspec for a name no rule matches.
func Section(name string) (typ Type, attach string) {
	for _, r := range sectionRules {
		switch {
		case name == r.name:
			return r.typ, ""
		case r.slash && strings.HasPrefix(name, r.name+"/"):
			return r.typ, name[len(r.name)+1:]
		}
	}
	for _, r := range sectionRules {
		if r.sloppy && strings.HasPrefix(name, r.name) {
			_, attach, _ := strings.Cut(name[len(r.name):], "/")
			return r.typ, attach
		}
	}
	return Unspec, ""
}
