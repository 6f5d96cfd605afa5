package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/internal/bpftool"
)

func init() { kernelBTF = btfKernel }

// btfInfo is struct bpf_btf_info without the data.
type btfInfo struct {
	id, size uint32
	name     string
	kernel   bool
}

func readBTFInfo(fd int) (btfInfo, error) {
	var b [32]byte
	name := make([]byte, 64)
	binary.LittleEndian.PutUint64(b[16:], uint64(uintptr(unsafe.Pointer(&name[0]))))
	binary.LittleEndian.PutUint32(b[24:], uint32(len(name)))
	if err := objInfo(fd, b[:]); err != nil {
		return btfInfo{}, err
	}
	le := binary.LittleEndian
	return btfInfo{id: le.Uint32(b[12:]), size: le.Uint32(b[8:]), name: cString(name), kernel: le.Uint32(b[28:]) != 0}, nil
}

// vmlinuxBTF parses the kernel's own BTF, the base of modules' BTF.
func vmlinuxBTF() (*bpftool.BTF, error) {
	blob, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		return nil, err
	}
	return bpftool.ParseBTF(blob, nil)
}

// loadBTFByID reads and parses the kernel BTF object id (on vmlinux's
// types when it is a module's).
func loadBTFByID(id uint32) (*bpftool.BTF, error) {
	h, err := btf.NewHandleFromID(btf.ID(id))
	if err != nil {
		return nil, fmt.Errorf("get btf by id (%d): %w", id, err)
	}
	defer h.Close()
	info, err := readBTFInfo(h.FD())
	if err != nil {
		return nil, err
	}
	blob, err := readBTFBlob(h.FD())
	if err != nil {
		return nil, err
	}
	var base *bpftool.BTF
	if info.kernel && info.name != "vmlinux" {
		if base, err = vmlinuxBTF(); err != nil {
			return nil, fmt.Errorf("base BTF of module %s: %w", info.name, err)
		}
	}
	return bpftool.ParseBTF(blob, base)
}

// loadBTFFile parses the BTF of an ELF object's .BTF section, or of a
// raw BTF file (a module's under /sys/kernel/btf on vmlinux's).
func loadBTFFile(path string) (*bpftool.BTF, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(raw, []byte(elf.ELFMAG)) {
		f, err := elf.NewFile(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s := f.Section(".BTF")
		if s == nil {
			return nil, fmt.Errorf("%s: no .BTF section", path)
		}
		if raw, err = s.Data(); err != nil {
			return nil, fmt.Errorf("%s: .BTF: %w", path, err)
		}
	}
	var base *bpftool.BTF
	if strings.HasPrefix(path, "/sys/kernel/btf/") && path != "/sys/kernel/btf/vmlinux" {
		if base, err = vmlinuxBTF(); err != nil {
			return nil, err
		}
	}
	b, err := bpftool.ParseBTF(raw, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// btfKernel runs "btf show|list" and "btf dump".
func btfKernel(w io.Writer, verb string, args []string) error {
	if verb == "dump" {
		return btfDump(w, args)
	}
	var only uint32
	if len(args) > 0 {
		sel, rest, err := parseSelector(args, "id")
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("unexpected %q", strings.Join(rest, " "))
		}
		n, _ := strconv.ParseUint(sel.value, 0, 32)
		only = uint32(n)
	}
	return btfShow(w, only)
}

func btfDump(w io.Writer, args []string) error {
	if len(args) < 2 {
		return errors.New("btf dump: want id N, file FILE, map MAP or prog PROG")
	}
	var b *bpftool.BTF
	var roots []uint32
	var err error
	src := args[0]
	switch {
	case isPrefix(src, "map"):
		var sel selector
		if sel, args, err = parseSelector(args[1:], mapSelectors...); err != nil {
			return err
		}
		m, info, err := openOneMap(sel)
		if err != nil {
			return err
		}
		m.Close()
		kv := []uint32{info.btfKeyTypeID, info.btfValueTypeID}
		roots = kv
		if len(args) > 0 {
			switch a := args[0]; {
			case isPrefix(a, "key"):
				roots, args = kv[:1], args[1:]
			case isPrefix(a, "value"):
				roots, args = kv[1:], args[1:]
			case isPrefix(a, "all"):
				roots, args = nil, args[1:]
			case isPrefix(a, "kv"):
				args = args[1:]
			}
		}
		if info.btfID == 0 {
			return fmt.Errorf("map %d has no BTF", info.id)
		}
		if b, err = loadBTFByID(info.btfID); err != nil {
			return err
		}
	case isPrefix(src, "prog"):
		var sel selector
		if sel, args, err = parseSelector(args[1:], progSelectors...); err != nil {
			return err
		}
		progs, err := openProgs(&sel)
		if err != nil {
			return err
		}
		info, err := readProgInfo(progs[0].FD())
		closeAll(progs)
		if err != nil {
			return err
		}
		if info.btfID == 0 {
			return fmt.Errorf("program %d has no BTF", info.id)
		}
		if b, err = loadBTFByID(info.btfID); err != nil {
			return err
		}
	case isPrefix(src, "id"):
		id, err := strconv.ParseUint(args[1], 0, 32)
		if err != nil {
			return fmt.Errorf("can't parse %s as ID", args[1])
		}
		args = args[2:]
		if b, err = loadBTFByID(uint32(id)); err != nil {
			return err
		}
	case isPrefix(src, "file"):
		if b, err = loadBTFFile(args[1]); err != nil {
			return fmt.Errorf("failed to load BTF from %s: %w", args[1], err)
		}
		args = args[2:]
	default:
		return fmt.Errorf("unrecognized BTF source specifier: '%s'", src)
	}
	c := false
	for len(args) > 0 {
		if !isPrefix(args[0], "format") {
			return fmt.Errorf("unrecognized option: '%s'", args[0])
		}
		if len(args) < 2 {
			return errors.New("expecting value for 'format' option")
		}
		switch args[1] {
		case "c":
			c = true
		case "raw":
			c = false
		default:
			return fmt.Errorf("unrecognized format specifier: '%s', possible values: raw, c", args[1])
		}
		args = args[2:]
	}
	if c {
		if out.jsonOut() {
			return errors.New("JSON output for C-syntax dump is not supported")
		}
		return bpftool.DumpC(w, b, roots)
	}
	var j *bpftool.JSONWriter
	if out.jsonOut() {
		j = out.writer(w)
	}
	if err := bpftool.DumpRaw(w, j, b, roots); err != nil {
		return err
	}
	if j != nil {
		return j.Close()
	}
	return nil
}

func btfShow(w io.Writer, only uint32) error {
	refs := objRefs("btf", "btf_id")
	// The programs and maps using each BTF object, in the order bpftool
	// lists them.
	var progPairs, mapPairs [][2]uint32
	progs, err := openProgs(nil)
	if err != nil {
		return err
	}
	for _, p := range progs {
		if info, err := readProgInfo(p.FD()); err == nil && info.btfID != 0 {
			progPairs = append(progPairs, [2]uint32{info.btfID, info.id})
		}
	}
	closeAll(progs)
	maps, err := openMaps(nil)
	if err != nil {
		return err
	}
	for _, m := range maps {
		if info, err := readMapInfo(m.FD()); err == nil && info.btfID != 0 {
			mapPairs = append(mapPairs, [2]uint32{info.btfID, info.id})
		}
	}
	closeAll(maps)
	progIDs, mapIDs := libbpfMultimap(progPairs), libbpfMultimap(mapPairs)
	var ids []uint32
	if only != 0 {
		ids = []uint32{only}
	} else {
		var it btf.HandleIterator
		for it.Next() {
			ids = append(ids, uint32(it.ID))
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("can't get next BTF object: %w", err)
		}
	}
	j, finish := out.showWriter(w, only == 0)
	for _, id := range ids {
		h, err := btf.NewHandleFromID(btf.ID(id))
		if err != nil {
			if only == 0 && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("get btf by id (%d): %w", id, err)
		}
		info, err := readBTFInfo(h.FD())
		h.Close()
		if err != nil {
			return err
		}
		if j != nil {
			j.StartObject()
			j.UintField("id", uint64(info.id))
			j.UintField("size", uint64(info.size))
			for _, l := range []struct {
				name string
				ids  []uint32
			}{{"prog_ids", progIDs[id]}, {"map_ids", mapIDs[id]}} {
				j.Name(l.name)
				j.StartArray()
				for _, x := range l.ids {
					j.Uint(uint64(x))
				}
				j.EndArray()
			}
			refsJSON(j, refs[id])
			j.BoolField("kernel", info.kernel)
			if info.name != "" {
				j.StringField("name", info.name)
			}
			j.EndObject()
			continue
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "%d: ", info.id)
		switch {
		case info.kernel:
			fmt.Fprintf(&b, "name [%s]  ", info.name)
		case info.name != "":
			fmt.Fprintf(&b, "name %s  ", info.name)
		default:
			b.WriteString("name <anon>  ")
		}
		fmt.Fprintf(&b, "size %dB", info.size)
		for _, l := range []struct {
			name string
			ids  []uint32
		}{{"prog_ids", progIDs[id]}, {"map_ids", mapIDs[id]}} {
			for i, x := range l.ids {
				if i == 0 {
					fmt.Fprintf(&b, "  %s %d", l.name, x)
				} else {
					fmt.Fprintf(&b, ",%d", x)
				}
			}
		}
		refsPlain(&b, refs[id])
		b.WriteString("\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return finish()
}

// libbpfMultimap groups the values of (key, value) pairs by key in the
// order bpftool lists them: the iteration order of libbpf's hashmap after
// appending the pairs in turn (entries go to the head of their bucket's
// chain, and growing the table moves them bucket by bucket, each again to
// the head).
func libbpfMultimap(pairs [][2]uint32) map[uint32][]uint32 {
	type entry struct{ key, value uint32 }
	hash := func(key uint32, bits uint) uint64 {
		if bits == 0 {
			return 0
		}
		return (uint64(key) * 11400714819323198485) >> (64 - bits)
	}
	var buckets [][]entry // each chain from its head
	var bits uint
	size := 0
	for _, p := range pairs {
		if len(buckets) == 0 || (size+1)*4/3 > len(buckets) {
			nb := max(bits+1, 2)
			grown := make([][]entry, 1<<nb)
			for _, chain := range buckets {
				for _, e := range chain {
					h := hash(e.key, nb)
					grown[h] = append([]entry{e}, grown[h]...)
				}
			}
			buckets, bits = grown, nb
		}
		h := hash(p[0], bits)
		buckets[h] = append([]entry{{p[0], p[1]}}, buckets[h]...)
		size++
	}
	out := map[uint32][]uint32{}
	for _, p := range pairs {
		if _, done := out[p[0]]; done {
			continue
		}
		for _, e := range buckets[hash(p[0], bits)] {
			if e.key == p[0] {
				out[p[0]] = append(out[p[0]], e.value)
			}
		}
	}
	return out
}
