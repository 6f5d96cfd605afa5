package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/bpftool"
)

func init() { kernelFeatureProbe = featureProbe }

// kernelConfigOptions are the kernel configuration options bpftool
// reports.
var kernelConfigOptions = []string{"CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT",
	"CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES", "CONFIG_CGROUPS",
	"CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS",
	"CONFIG_KPROBE_EVENTS", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS",
	"CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET", "CONFIG_XDP_SOCKETS",
	"CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF", "CONFIG_NET_CLS_ACT",
	"CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID", "CONFIG_IPV6_SEG6_BPF",
	"CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER", "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPFILTER",
	"CONFIG_BPFILTER_UMH", "CONFIG_TEST_BPF", "CONFIG_HZ"}

// kernelConfig reads the running kernel's configuration from
// /boot/config-RELEASE or /proc/config.gz.
func kernelConfig() (map[string]string, error) {
	var uts unix.Utsname
	var r io.Reader
	if err := unix.Uname(&uts); err == nil {
		if f, err := os.Open("/boot/config-" + unix.ByteSliceToString(uts.Release[:])); err == nil {
			defer f.Close()
			r = f
		}
	}
	if r == nil {
		f, err := os.Open("/proc/config.gz")
		if err != nil {
			return nil, errors.New("skipping kernel config, can't open file")
		}
		defer f.Close()
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	cfg := map[string]string{}
	s := bufio.NewScanner(r)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok && strings.HasPrefix(k, "CONFIG_") {
			cfg[k] = v
		}
	}
	return cfg, s.Err()
}

func readProcInt(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

// featureProbe reports what the kernel supports, in bpftool feature
// probe's sections: system configuration, the bpf() syscall, program and
// map types, helpers per program type, and the miscellaneous features.
// The probes are cilium/ebpf's features package (a program type that
// needs an attach target is reported by whether the kernel knows it).
func featureProbe(w io.Writer, full bool) error {
	var j *bpftool.JSONWriter
	var b strings.Builder
	if out.jsonOut() {
		j = out.writer(w)
		j.StartObject()
	}
	section := func(key, title string) {
		if j != nil {
			j.Name(key)
			j.StartObject()
		} else {
			b.WriteString(title + "\n")
		}
	}
	end := func() {
		if j != nil {
			j.EndObject()
		} else {
			b.WriteString("\n")
		}
	}
	feature := func(key, plain string, ok bool) {
		if j != nil {
			j.BoolField(key, ok)
			return
		}
		not := ""
		if !ok {
			not = "NOT "
		}
		fmt.Fprintf(&b, "%s is %savailable\n", plain, not)
	}

	section("system_config", "Scanning system configuration...")
	procInt := func(key, path string, texts map[int]string, unknown, missing string) {
		n, ok := readProcInt(path)
		if !ok {
			n = -1
		}
		if j != nil {
			j.IntField(key, int64(n))
			return
		}
		switch t, known := texts[n]; {
		case !ok:
			b.WriteString(missing + "\n")
		case known:
			b.WriteString(t + "\n")
		default:
			fmt.Fprintf(&b, unknown+"\n", n)
		}
	}
	procInt("unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled", map[int]string{
		0: "bpf() syscall for unprivileged users is enabled",
		1: "bpf() syscall restricted to privileged users (without recovery)",
		2: "bpf() syscall restricted to privileged users (admin can change)"},
		"bpf() syscall restriction has unknown value %d", "Unable to retrieve required privileges for bpf() syscall")
	procInt("bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable", map[int]string{
		0: "JIT compiler is disabled", 1: "JIT compiler is enabled",
		2: "JIT compiler is enabled with debugging traces in kernel logs"},
		"JIT-compiler status has unknown value %d", "Unable to retrieve JIT-compiler status")
	procInt("bpf_jit_harden", "/proc/sys/net/core/bpf_jit_harden", map[int]string{
		0: "JIT compiler hardening is disabled", 1: "JIT compiler hardening is enabled for unprivileged users",
		2: "JIT compiler hardening is enabled for all users"},
		"JIT hardening status has unknown value %d", "Unable to retrieve JIT hardening status")
	procInt("bpf_jit_kallsyms", "/proc/sys/net/core/bpf_jit_kallsyms", map[int]string{
		0: "JIT compiler kallsyms exports are disabled", 1: "JIT compiler kallsyms exports are enabled for root"},
		"JIT kallsyms exports status has unknown value %d", "Unable to retrieve JIT kallsyms export status")
	if n, ok := readProcInt("/proc/sys/net/core/bpf_jit_limit"); j != nil {
		if !ok {
			n = -1
		}
		j.IntField("bpf_jit_limit", int64(n))
	} else if ok {
		fmt.Fprintf(&b, "Global memory limit for JIT compiler for unprivileged users is %d bytes\n", n)
	} else {
		b.WriteString("Unable to retrieve global memory limit for JIT compiler for unprivileged users\n")
	}
	if cfg, err := kernelConfig(); err == nil {
		for _, opt := range kernelConfigOptions {
			v, set := cfg[opt]
			switch {
			case j != nil && !set:
				j.Name(opt)
				j.Null()
			case j != nil:
				j.StringField(opt, v)
			case set:
				fmt.Fprintf(&b, "%s is set to %s\n", opt, v)
			default:
				fmt.Fprintf(&b, "%s is not set\n", opt)
			}
		}
	} else if j == nil {
		b.WriteString(err.Error() + "\n")
	}
	end()

	section("syscall_config", "Scanning system call availability...")
	haveBPF := features.HaveProgramType(ebpf.SocketFilter) == nil
	feature("have_bpf_syscall", "bpf() syscall", haveBPF)
	end()
	if !haveBPF {
		return finishProbe(w, j, &b)
	}

	section("program_types", "Scanning eBPF program types...")
	supported := map[uint32]bool{}
	for t := uint32(1); t < uint32(len(kernelProgTypes)); t++ {
		name := kernelProgTypes[t]
		supported[t] = features.HaveProgramType(ebpf.ProgramType(t)) == nil
		feature("have_"+name+"_prog_type", "eBPF program_type "+name, supported[t])
	}
	end()

	section("map_types", "Scanning eBPF map types...")
	for t := uint32(1); t < uint32(len(kernelMapTypes)); t++ {
		name := kernelMapTypes[t]
		feature("have_"+name+"_map_type", "eBPF map_type "+name, features.HaveMapType(ebpf.MapType(t)) == nil)
	}
	end()

	section("helpers", "Scanning eBPF helper functions...")
	for t := uint32(1); t < uint32(len(kernelProgTypes)); t++ {
		name := kernelProgTypes[t]
		if j != nil {
			j.Name(name + "_available_helpers")
			j.StartArray()
		} else {
			fmt.Fprintf(&b, "eBPF helpers supported for program type %s:", name)
		}
		any := false
		for id := helpers.ID(1); id < helpers.MaxID; id++ {
			helper := helpers.Name(id)
			if helper == "" {
				continue
			}
			// These leave messages in the kernel log; only in full mode.
			if !full && (helper == "trace_printk" || helper == "trace_vprintk" || helper == "probe_write_user") {
				continue
			}
			if !supported[t] || features.HaveProgramHelper(ebpf.ProgramType(t), asm.BuiltinFunc(id)) != nil {
				continue
			}
			any = true
			if j != nil {
				j.String("bpf_" + helper)
			} else {
				fmt.Fprintf(&b, "\n\t- bpf_%s", helper)
			}
		}
		if j != nil {
			j.EndArray()
			continue
		}
		b.WriteString("\n")
		switch {
		case any:
		case !supported[t]:
			b.WriteString("\tProgram type not supported\n")
		default:
			b.WriteString("\tCould not determine which helpers are available\n")
		}
	}
	end()

	section("misc", "Scanning miscellaneous eBPF features...")
	feature("have_large_insn_limit", "Large program size limit", features.HaveLargeInstructions() == nil)
	feature("have_bounded_loops", "Bounded loop support", features.HaveBoundedLoops() == nil)
	feature("have_v2_isa_extension", "ISA extension v2", features.HaveV2ISA() == nil)
	feature("have_v3_isa_extension", "ISA extension v3", features.HaveV3ISA() == nil)
	end()
	return finishProbe(w, j, &b)
}

func finishProbe(w io.Writer, j *bpftool.JSONWriter, b *strings.Builder) error {
	if j != nil {
		j.EndObject()
		return j.Close()
	}
	_, err := io.WriteString(w, b.String())
	return err
}
