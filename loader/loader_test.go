package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

func example(name string) string { return filepath.Join("..", "examples", "bpf", name+".o") }

func load(t testing.TB, name string) *CollectionSpec {
	t.Helper()
	cs, err := LoadCollectionSpec(example(name))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestLoadAllExamples(t *testing.T) {
	objs, err := filepath.Glob(filepath.Join("..", "examples", "bpf", "*.o"))
	if err != nil || len(objs) < 25 {
		t.Fatalf("%d example objects, %v", len(objs), err)
	}
	for _, obj := range objs {
		cs, err := LoadCollectionSpec(obj)
		if err != nil {
			t.Errorf("%s: %v", obj, err)
			continue
		}
		for name, p := range cs.Programs {
			if err := isa.Validate(p.Instructions); err != nil {
				t.Errorf("%s: %s: %v", obj, name, err)
			}
			if _, err := cs.MapSpecs(p); err != nil {
				t.Errorf("%s: %v", obj, err)
			}
			// Every map reference is by index, in range.
			for i, in := range p.Instructions.Insns {
				if in.IsLdImm64() && (in.Src == isa.PseudoMapIdx || in.Src == isa.PseudoMapIdxValue) && int(in.Imm) >= len(p.Maps) {
					t.Errorf("%s: %s: instruction %d: map index %d of %d", obj, name, i, in.Imm, len(p.Maps))
				}
				if in.IsLdImm64() && (in.Src == isa.PseudoMapFD || in.Src == isa.PseudoMapValue) {
					t.Errorf("%s: %s: instruction %d: unresolved map fd", obj, name, i)
				}
			}
			if p.License != "GPL" {
				t.Errorf("%s: %s: license %q", obj, name, p.License)
			}
		}
	}
}

func TestProgramTypes(t *testing.T) {
	for _, c := range []struct {
		obj, prog string
		typ       progtype.Type
		attach    string
		ctxSize   int
	}{
		{"xdp_proto_count", "count_protocols", progtype.XDP, "", progtype.XDPMdSize},
		{"array_stats", "socket_stats", progtype.SocketFilter, "", 88}, // gbpf.h declares the first 22 fields
		{"tp_hist", "read_sizes", progtype.Tracepoint, "syscalls/sys_exit_read", 24},
		{"kprobe_args", "record_args", progtype.Kprobe, "vfs_write", progtype.PtRegsSize},
		{"printk", "format", progtype.Raw, "", 32},
		{"clock", "sample", progtype.Raw, "", 0},
	} {
		p := load(t, c.obj).Programs[c.prog]
		if p == nil {
			t.Errorf("%s: no program %s", c.obj, c.prog)
			continue
		}
		if p.Type != c.typ || p.AttachTo != c.attach || p.CtxSize != c.ctxSize {
			t.Errorf("%s: type %v attach %q ctx %d, want %v %q %d", c.prog, p.Type, p.AttachTo, p.CtxSize, c.typ, c.attach, c.ctxSize)
		}
	}
}

func TestSectionType(t *testing.T) {
	for _, c := range []struct {
		section, attach string
		typ             progtype.Type
	}{
		{"xdp", "", progtype.XDP},
		{"socket", "", progtype.SocketFilter},
		{"socket/x", "x", progtype.SocketFilter},
		{"tracepoint/sched/sched_switch", "sched/sched_switch", progtype.Tracepoint},
		{"tp/a/b", "a/b", progtype.Tracepoint},
		{"kprobe/do_sys_open", "do_sys_open", progtype.Kprobe},
		{"kretprobe/f", "f", progtype.Kprobe},
		{"tc", "", progtype.SchedCLS},
		{"raw", "", progtype.Raw},
		{"gbpf/anything", "anything", progtype.Raw},
		{"unknown/x", "x", progtype.Unspec},
		{".text", "", progtype.Unspec},
	} {
		typ, attach := sectionType(c.section)
		if typ != c.typ || attach != c.attach {
			t.Errorf("%q: %v %q, want %v %q", c.section, typ, attach, c.typ, c.attach)
		}
	}
}

func TestMaps(t *testing.T) {
	cs := load(t, "xdp_proto_count")
	want := map[string]maps.Spec{
		"proto_packets": {Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 256, SpinLockOffset: -1},
		"proto_bytes":   {Type: maps.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 256, SpinLockOffset: -1},
		"ethertypes":    {Type: maps.Hash, KeySize: 2, ValueSize: 8, MaxEntries: 64, SpinLockOffset: -1},
	}
	for name, w := range want {
		m := cs.Maps[name]
		if m == nil || m.Name != name || m.Type != w.Type || m.KeySize != w.KeySize || m.ValueSize != w.ValueSize ||
			m.MaxEntries != w.MaxEntries || m.SpinLockOffset != -1 {
			t.Errorf("%s = %v, want %v", name, m, &w)
		}
	}
	if off := load(t, "spin_lock").Maps["totals"].SpinLockOffset; off != 0 {
		t.Errorf("totals: spin lock at %d, want 0", off)
	}
	lpm := load(t, "lpm_trie").Maps["rules"]
	if lpm.Type != maps.LPMTrie || lpm.Flags != maps.NoPrealloc {
		t.Errorf("rules = %v", lpm)
	}
	mim := load(t, "map_in_map")
	outer := mim.Maps["by_proto"]
	if outer.Type != maps.ArrayOfMaps || outer.InnerMap == nil || outer.InnerMap.Type != maps.Array || outer.InnerMap.MaxEntries != 4 {
		t.Errorf("by_proto = %v, inner %v", outer, outer.InnerMap)
	}
	refs := mim.References["by_proto"]
	if len(refs) != 2 || refs[0] != (Reference{Key: 0, Map: "tcp_counts"}) || refs[1] != (Reference{Key: 1, Map: "udp_counts"}) {
		t.Errorf("by_proto references = %v", refs)
	}
	tc := load(t, "tail_call")
	if refs := tc.References["jump_table"]; len(refs) != 1 || refs[0] != (Reference{Key: 2, Program: "chain"}) {
		t.Errorf("jump_table references = %v", refs)
	}
	if m := tc.Maps["dispatch_table"]; m.Type != maps.ProgramArray || len(m.Contents) != 0 {
		t.Errorf("dispatch_table = %v with %d contents", m, len(m.Contents))
	}
}

func TestGlobalsAndVariables(t *testing.T) {
	cs := load(t, "globals")
	ro := cs.Maps[".rodata"]
	if ro == nil || ro.Flags&maps.ReadOnlyProg == 0 || len(ro.Contents) != 1 {
		t.Fatalf(".rodata = %v", ro)
	}
	v := cs.Variables["min_len"]
	if v == nil || v.MapName != ".rodata" || v.Size != 4 || !v.Constant() {
		t.Fatalf("min_len = %v", v)
	}
	if err := v.Set(uint32(1234)); err != nil {
		t.Fatal(err)
	}
	if got := ro.Contents[0].Value[v.Offset : v.Offset+4]; !bytes.Equal(got, []byte{0xd2, 0x04, 0, 0}) {
		t.Errorf(".rodata bytes = %x after Set", got)
	}
	cpy := cs.Copy()
	if err := cpy.Variables["min_len"].Set(uint32(5)); err != nil {
		t.Fatal(err)
	}
	var n uint32
	if err := cs.Variables["min_len"].Get(&n); err != nil || n != 1234 {
		t.Errorf("the copy's Set changed the original: %d, %v", n, err)
	}
	for _, bad := range []any{uint16(1), uint64(1), "x", []byte{1}} {
		if err := v.Set(bad); err == nil {
			t.Errorf("Set(%T) succeeded", bad)
		}
	}
	var wrong uint64
	if err := v.Get(&wrong); err == nil {
		t.Error("Get into 8 bytes succeeded")
	}
	var data uint64
	if err := cs.Variables["packets"].Get(&data); err != nil || data != 1000 {
		t.Errorf("packets = %d, %v; want 1000", data, err)
	}
	// The program addresses .data, .bss and .rodata as map values.
	p := cs.Programs["classify"]
	kinds := map[string]bool{}
	for _, in := range p.Instructions.Insns {
		if in.IsLdImm64() && in.Src == isa.PseudoMapIdxValue {
			kinds[p.Maps[in.Imm]] = true
		}
	}
	if !kinds[".data"] || !kinds[".bss"] || !kinds[".rodata"] {
		t.Errorf("value references to %v", kinds)
	}
}

func TestKconfig(t *testing.T) {
	cs := load(t, "kconfig")
	kc := cs.Maps[".kconfig"]
	// LINUX_KERNEL_VERSION (4 bytes), CONFIG_HZ (4) and
	// CONFIG_BPF_SYSCALL (1).
	if kc == nil || kc.ValueSize != 9 || kc.Flags&maps.ReadOnlyProg == 0 {
		t.Fatalf(".kconfig = %v", kc)
	}
	want, err := kernelVersion()
	if err != nil {
		t.Fatal(err)
	}
	var ds *btf.Datasec
	if err := cs.Types.TypeByName(".kconfig", &ds); err != nil {
		t.Fatal(err)
	}
	v := kc.Contents[0].Value
	for _, vsi := range ds.Vars {
		if vsi.Type.TypeName() != "LINUX_KERNEL_VERSION" {
			continue
		}
		b := v[vsi.Offset:]
		if got := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24; got != want {
			t.Errorf("LINUX_KERNEL_VERSION = %#x, want %#x", got, want)
		}
		return
	}
	t.Error("no LINUX_KERNEL_VERSION in .kconfig")
}

func TestParseKernelVersion(t *testing.T) {
	for _, c := range []struct {
		release string
		want    uint64
		ok      bool
	}{
		{"6.1.0-13-amd64", 6<<16 | 1<<8, true},
		{"5.15.123", 5<<16 | 15<<8 | 123, true},
		{"4.19.300-foo", 4<<16 | 19<<8 | 255, true},
		{"6.8", 6<<16 | 8<<8, true},
		{"linux", 0, false},
		{"6", 0, false},
	} {
		got, err := parseKernelVersion(c.release)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%q: %#x, %v; want %#x", c.release, got, err, c.want)
		}
	}
}

func TestCORESites(t *testing.T) {
	cs := load(t, "syscount")
	p := cs.Programs["sys_enter"]
	if len(p.CORE) < 3 || !cs.NeedsCORE() {
		t.Fatalf("%d CO-RE sites", len(p.CORE))
	}
	for _, s := range p.CORE {
		if s.Index < 0 || s.Index >= len(p.Instructions.Insns) || s.Relocation == nil {
			t.Errorf("bad site %+v", s)
		}
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err == nil {
		cpy := cs.Copy()
		if err := cpy.RelocateCORE(nil); err != nil {
			t.Fatal(err)
		}
		if cpy.NeedsCORE() || !cs.NeedsCORE() {
			t.Error("RelocateCORE did not work on the copy only")
		}
	}
}

func TestMalformedObjects(t *testing.T) {
	good, err := os.ReadFile(example("hash_counter"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"not ELF":   []byte("#!/bin/sh\necho hello\n"),
		"truncated": good[:len(good)/3],
		"header":    good[:64],
		"zeroed":    append(append([]byte(nil), good[:64]...), make([]byte, len(good)-64)...),
	} {
		if _, err := LoadCollectionSpecFromBytes(b); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := LoadCollectionSpec("does/not/exist.o"); err == nil {
		t.Error("a missing file loaded")
	}
}

func FuzzLoadCollectionSpec(f *testing.F) {
	for _, name := range []string{"hash_counter", "globals", "tail_call", "map_in_map", "kconfig", "syscount"} {
		b, err := os.ReadFile(example(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, name := range []string{"legacy_nosize.o", "iproute2.o", "unlinked.o"} {
		b, err := os.ReadFile(filepath.Join("testdata", "tolerant", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := LoadCollectionSpecFromBytes(b)
		if err != nil {
			return
		}
		for _, p := range cs.Programs {
			if err := isa.Validate(p.Instructions); err != nil {
				t.Fatalf("accepted an invalid program: %v", err)
			}
		}
	})
}

func TestKernelConfig(t *testing.T) {
	cfg, err := parseConfig(strings.NewReader("# comment\nCONFIG_A=y\nCONFIG_B=m\n\nCONFIG_C=0x10\nCONFIG_D=\"text\"\n# CONFIG_E is not set\nCONFIG_F=n\nCONFIG_G=-3\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want uint64
		ok   bool
	}{
		{"CONFIG_A", 1, true},
		{"CONFIG_B", 2, true},
		{"CONFIG_C", 16, true},
		{"CONFIG_D", 0, false},
		{"CONFIG_E", 0, true},
		{"CONFIG_F", 0, true},
		{"CONFIG_G", ^uint64(2), true},
	} {
		got, err := configValue(cfg, c.name)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%s = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	if _, err := os.Stat("/proc/config.gz"); err == nil {
		if v, err := kconfigValue("CONFIG_BPF"); err != nil || v != 1 {
			t.Errorf("CONFIG_BPF = %d, %v; want y on a kernel that runs BPF", v, err)
		}
	}
	if _, err := kconfigValue("NOT_A_CONFIG"); err == nil {
		t.Error("an unknown extern has a value")
	}
}
