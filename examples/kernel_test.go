//go:build linux

package examples_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/maps"
)

// side is one of the two systems a differential test drives: the kernel
// (through cilium/ebpf) or gbpf.
type side interface {
	update(t *testing.T, m string, key, value []byte)
	run(t *testing.T, prog string, data []byte) uint64
}

type kernelSide struct{ coll *ebpf.Collection }

func (k kernelSide) update(t *testing.T, m string, key, value []byte) {
	t.Helper()
	if err := k.coll.Maps[m].Update(key, value, ebpf.UpdateAny); err != nil {
		t.Fatalf("kernel: map %s: %v", m, err)
	}
}

func (k kernelSide) run(t *testing.T, prog string, data []byte) uint64 {
	t.Helper()
	ret, err := k.coll.Programs[prog].Run(&ebpf.RunOptions{Data: data})
	if err != nil {
		t.Fatalf("kernel: %s: %v", prog, err)
	}
	return uint64(ret)
}

type gbpfSide struct{ coll *gbpf.Collection }

func (g gbpfSide) update(t *testing.T, m string, key, value []byte) {
	t.Helper()
	if err := g.coll.Maps[m].Update(key, value, gbpf.UpdateAny); err != nil {
		t.Fatalf("gbpf: map %s: %v", m, err)
	}
}

func (g gbpfSide) run(t *testing.T, prog string, data []byte) uint64 {
	t.Helper()
	ret, err := g.coll.Programs[prog].Run(&gbpf.RunOptions{Data: data})
	if err != nil {
		t.Fatalf("gbpf: %s: %v", prog, err)
	}
	// The kernel's test run returns r0 as 32 bits.
	return uint64(uint32(ret))
}

// differential describes how to drive one example on both sides.
type differential struct {
	object string
	// setup prepares maps the same way on both sides.
	setup func(t *testing.T, s side)
	// runs are the programs and packets, in order.
	runs []diffRun
	// skip names maps whose contents legitimately differ (LRU eviction
	// order, per-CPU placement, ids of objects).
	skip []string
}

type diffRun struct {
	prog string
	data []byte
}

func on(prog string, ps ...[]byte) []diffRun {
	var rs []diffRun
	for _, p := range ps {
		rs = append(rs, diffRun{prog, p})
	}
	return rs
}

func captured(t testing.TB) [][]byte {
	var out [][]byte
	for _, p := range capture {
		out = append(out, p.build(t))
	}
	return out
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func differentials(t *testing.T) []differential {
	all := captured(t)
	udp := func(payload string) []byte {
		return pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolUDP, payload: payload}.build(t)
	}
	sized := func(ns ...int) [][]byte {
		var out [][]byte
		for _, n := range ns {
			out = append(out, make([]byte, n))
		}
		return out
	}
	lpmKey := func(prefix uint32, a, b, c, d byte) []byte {
		return append(le32(prefix), a, b, c, d)
	}
	var queue []diffRun
	queue = append(queue, on("peek_both", sized(14)...)...)
	queue = append(queue, on("push", sized(60, 70, 80)...)...)
	queue = append(queue, on("peek_both", sized(14)...)...)
	queue = append(queue, on("drain", sized(14, 14)...)...)
	queue = append(queue, on("push", sized(100, 101, 102, 103, 104, 105, 106, 107, 108)...)...)
	queue = append(queue, on("drain", sized(14, 14, 14)...)...)
	queue = append(queue, on("peek_both", sized(14)...)...)
	return []differential{
		{object: "xdp_proto_count", runs: on("count_protocols", readPcap(t, pcapPath)...)},
		{object: "hash_counter", runs: on("count_sources", append(all, pkt{src: "10.0.0.1", dst: "1.1.1.1", proto: layers.IPProtocolUDP, tos: 0xff}.build(t))...)},
		{object: "array_stats", runs: on("socket_stats", all...)},
		{object: "legacy_maps", runs: on("classify_legacy", all...)},
		{object: "percpu_hash", runs: on("count_percpu", all...), skip: []string{"by_ethertype"}},
		{object: "lru_hash", runs: on("remember", all...), skip: []string{"recent"}},
		{object: "lru_percpu_hash", runs: on("bytes_by_port", all...)},
		{object: "lpm_trie", runs: on("filter_prefix", all...), setup: func(t *testing.T, s side) {
			s.update(t, "rules", lpmKey(8, 10, 0, 0, 0), append(le32(1), le32(2)...))
			s.update(t, "rules", lpmKey(24, 10, 0, 0, 0), append(le32(2), le32(1)...))
			s.update(t, "rules", lpmKey(32, 8, 8, 8, 8), append(le32(3), le32(3)...))
		}},
		{object: "tail_call", runs: append(on("dispatch", all...), on("chain", all[0])...)},
		{object: "map_in_map", runs: on("count_nested", all...), skip: []string{"by_proto", "by_port"}},
		{object: "globals", runs: on("classify", all...)},
		{object: "queue_stack", runs: queue},
		{object: "ringbuf", runs: on("packet_events", all...), skip: []string{"events"}},
		{object: "perf_output", runs: on("sample_packets", all...), skip: []string{"samples"}},
		{object: "loop", runs: on("sum_squares", sized(14, 20, 67, 68, 100, 1500)...)},
		{object: "for_each", runs: on("walk_values", sized(14, 14)...), setup: func(t *testing.T, s side) {
			for k := uint32(1); k <= 6; k++ {
				s.update(t, "values", le32(k), le64(uint64(k)*10))
			}
		}},
		{object: "strncmp", runs: on("match_method", udp("GET /"), udp("POST /"), udp("PUT x"), udp("ABCD"), udp("GE"))},
		{object: "spin_lock", runs: on("add_locked", all...)},
		{object: "kconfig", runs: on("kernel_version", all[0])},
		{object: "subprog", runs: append(on("first", all...), on("second", all...)...)},
	}
}

func TestKernelDifferential(t *testing.T) {
	for _, d := range differentials(t) {
		for _, cfg := range configs {
			t.Run(d.object+"/"+cfg.name, func(t *testing.T) {
				differentialRun(t, d, cfg)
			})
		}
	}
}

// differentialRun drives d on the kernel and on gbpf configured by cfg.
func differentialRun(t *testing.T, d differential, cfg config) {
	kspec, err := ebpf.LoadCollectionSpec(object(d.object))
	if err != nil {
		t.Fatal(err)
	}
	kcoll, err := ebpf.NewCollection(kspec)
	if err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, unix.EPERM) {
			testutil.SkipWithoutKernel(t, fmt.Sprintf("loading into the kernel: %v", err))
		}
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			t.Fatalf("the kernel rejects %s: %v", d.object, verr)
		}
		testutil.SkipWithoutKernel(t, fmt.Sprintf("loading into the kernel: %v", err))
	}
	defer kcoll.Close()
	opts := cfg.opts
	gcoll, err := gbpf.LoadCollection(object(d.object), &opts)
	if err != nil {
		t.Fatal(err)
	}
	defer gcoll.Close()
	k, g := kernelSide{kcoll}, gbpfSide{gcoll}
	if d.setup != nil {
		d.setup(t, k)
		d.setup(t, g)
	}
	for i, r := range d.runs {
		kr, gr := k.run(t, r.prog, r.data), g.run(t, r.prog, r.data)
		if kr != gr {
			t.Errorf("run %d (%s on %d bytes): kernel returned %#x, gbpf %#x", i, r.prog, len(r.data), kr, gr)
		}
	}
	for name, km := range kcoll.Maps {
		if contains(d.skip, name) {
			continue
		}
		compareMap(t, name, km, gcoll.Maps[name])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compareMap checks that a kernel map and a gbpf map hold the same
// elements. Per-CPU values are compared as the sums over CPUs of each
// 8-byte word (the runs land on different CPUs on the two sides); queues
// and stacks are drained and compared in order.
func compareMap(t *testing.T, name string, km *ebpf.Map, gm *gbpf.Map) {
	t.Helper()
	if gm == nil {
		t.Errorf("map %s: missing in gbpf", name)
		return
	}
	switch gm.Type() {
	case maps.Queue, maps.Stack:
		for i := 0; ; i++ {
			kv := make([]byte, km.ValueSize())
			kerr := km.LookupAndDelete(nil, &kv)
			gv := make([]byte, gm.ValueSize())
			gerr := gm.LookupAndDelete(nil, gv)
			if (kerr == nil) != (gerr == nil) {
				t.Errorf("map %s: element %d: kernel %v, gbpf %v", name, i, kerr, gerr)
				return
			}
			if kerr != nil {
				return
			}
			if !bytes.Equal(kv, gv) {
				t.Errorf("map %s: element %d: kernel %x, gbpf %x", name, i, kv, gv)
			}
		}
	case maps.ProgramArray, maps.PerfEventArray, maps.RingBuf, maps.ArrayOfMaps, maps.HashOfMaps:
		return
	}
	perCPU := km.Type() == ebpf.PerCPUArray || km.Type() == ebpf.PerCPUHash || km.Type() == ebpf.LRUCPUHash
	kernel := map[string][]byte{}
	key := make([]byte, km.KeySize())
	it := km.Iterate()
	if perCPU {
		elem := reflect.ArrayOf(int(km.ValueSize()), reflect.TypeFor[byte]())
		vals := reflect.New(reflect.SliceOf(elem))
		for it.Next(&key, vals.Interface()) {
			var flat []byte
			for i := range vals.Elem().Len() {
				v := vals.Elem().Index(i)
				b := make([]byte, v.Len())
				reflect.Copy(reflect.ValueOf(b), v)
				flat = append(flat, b...)
			}
			kernel[string(key)] = wordSums(flat, int(km.ValueSize()))
		}
	} else {
		val := make([]byte, km.ValueSize())
		for it.Next(&key, &val) {
			kernel[string(key)] = append([]byte(nil), val...)
		}
	}
	if err := it.Err(); err != nil {
		t.Fatalf("map %s: kernel iterate: %v", name, err)
	}
	ours := map[string][]byte{}
	gkey := make([]byte, gm.KeySize())
	var gval []byte
	git := gm.Iterate()
	for git.Next(gkey, &gval) {
		v := append([]byte(nil), gval...)
		if perCPU {
			v = wordSums(v, int(gm.ValueSize()))
		}
		ours[string(gkey)] = v
	}
	if err := git.Err(); err != nil {
		t.Fatalf("map %s: gbpf iterate: %v", name, err)
	}
	if len(kernel) != len(ours) {
		t.Errorf("map %s: kernel has %d elements, gbpf %d", name, len(kernel), len(ours))
	}
	for k, kv := range kernel {
		if gv, ok := ours[k]; !ok {
			t.Errorf("map %s: key %x: only in the kernel", name, k)
		} else if !bytes.Equal(kv, gv) {
			t.Errorf("map %s: key %x: kernel %x, gbpf %x", name, k, kv, gv)
		}
	}
}

// wordSums adds up the per-CPU copies (each padded to 8 bytes) of a value
// of size bytes, word by word.
func wordSums(flat []byte, size int) []byte {
	stride := (size + 7) &^ 7
	words := stride / 8
	sums := make([]uint64, words)
	for off := 0; off+stride <= len(flat); off += stride {
		for w := range words {
			sums[w] += binary.LittleEndian.Uint64(flat[off+8*w:])
		}
	}
	out := make([]byte, 0, stride)
	for _, s := range sums {
		out = binary.LittleEndian.AppendUint64(out, s)
	}
	return out
}
