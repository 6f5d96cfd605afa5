package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/arch/x86/x86asm"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/bpftool"
)

func init() {
	kernelProgShow = progShowKernel
	kernelProgDump = progDumpKernel
	kernelProgLoad = progLoadKernel
}

// openProgs opens the programs sel designates, or every loaded program
// when sel is nil.
func openProgs(sel *selector) ([]*ebpf.Program, error) {
	return kernelObjects[*ebpf.Program, ebpf.ProgramID]{
		fromID: ebpf.NewProgramFromID, nextID: ebpf.ProgramGetNextID,
		pinned:  func(path string) (*ebpf.Program, error) { return ebpf.LoadPinnedProgram(path, nil) },
		getByID: "get by id", next: "can't get next program", iterByID: "can't get prog by id", noMatch: "no program matches",
		matches: func(p *ebpf.Program, sel selector) bool {
			info, err := readProgInfo(p.FD())
			return err == nil && progMatches(sel, info)
		},
	}.open(sel)
}

// kernelObjects finds the kernel's objects of one kind (programs or maps)
// by bpftool's selectors, with bpftool's messages.
type kernelObjects[T io.Closer, ID ~uint32] struct {
	fromID  func(ID) (T, error)
	nextID  func(ID) (ID, error)
	pinned  func(string) (T, error)
	matches func(T, selector) bool // a name or tag selector's test
	// The messages: a failed lookup of a selected id, of the next id and
	// of an id found while listing, and no match.
	getByID, next, iterByID, noMatch string
}

// open opens the objects sel designates, or every one when sel is nil.
func (k kernelObjects[T, ID]) open(sel *selector) ([]T, error) {
	if sel != nil {
		switch sel.kind {
		case "id":
			id, _ := strconv.ParseUint(sel.value, 0, 32)
			o, err := k.fromID(ID(id))
			if err != nil {
				return nil, fmt.Errorf("%s (%d): %w", k.getByID, id, err)
			}
			return []T{o}, nil
		case "pinned":
			o, err := k.pinned(sel.value)
			if err != nil {
				return nil, fmt.Errorf("bpf obj get (%s): %w", sel.value, err)
			}
			return []T{o}, nil
		}
	}
	var objs []T
	for id := ID(0); ; {
		next, err := k.nextID(id)
		if errors.Is(err, os.ErrNotExist) {
			break
		} else if err != nil {
			closeAll(objs)
			return nil, fmt.Errorf("%s: %w", k.next, err)
		}
		id = next
		o, err := k.fromID(id)
		if errors.Is(err, os.ErrNotExist) {
			continue // unloaded meanwhile
		} else if err != nil {
			closeAll(objs)
			return nil, fmt.Errorf("%s (%d): %w", k.iterByID, id, err)
		}
		if sel != nil && !k.matches(o, *sel) {
			o.Close()
			continue
		}
		objs = append(objs, o)
	}
	if sel != nil && len(objs) == 0 {
		return nil, fmt.Errorf("%s %s", k.noMatch, sel)
	}
	return objs, nil
}

func progMatches(sel selector, info progInfo) bool {
	switch sel.kind {
	case "tag":
		return strings.EqualFold(hex.EncodeToString(info.tag[:]), sel.value)
	case "name":
		return info.name == sel.value
	}
	return false
}

func closeAll[T io.Closer](objs []T) {
	for _, o := range objs {
		o.Close()
	}
}

// progFullName is the program's name, from its BTF when the kernel's copy
// was cut to 15 characters.
func progFullName(p *ebpf.Program, info progInfo) string {
	if len(info.name) < 15 || info.btfID == 0 {
		return info.name
	}
	pi, err := p.Info()
	if err != nil {
		return info.name
	}
	insns, err := pi.Instructions()
	if err != nil || len(insns) == 0 {
		return info.name
	}
	if fn := btf.FuncMetadata(&insns[0]); fn != nil && strings.HasPrefix(fn.Name, info.name) {
		return fn.Name
	}
	return info.name
}

func progShowKernel(w io.Writer, sel *selector) error {
	refs := objRefs("bpf-prog", "prog_id")
	var pins map[uint32][]string
	if out.bpffs {
		pins = pinnedTable("bpf-prog")
	}
	progs, err := openProgs(sel)
	if err != nil {
		return err
	}
	defer closeAll(progs)
	j, finish := out.showWriter(w, sel == nil || len(progs) > 1)
	defer finish()
	for _, p := range progs {
		info, err := readProgInfo(p.FD())
		if err != nil {
			return err
		}
		mapIDs, err := progMapIDs(p, info)
		if err != nil {
			return err
		}
		name := ""
		if info.name != "" {
			name = progFullName(p, info)
		}
		memlock := fdinfo(p.FD(), "memlock")
		loaded := bootTime(info.loadTime)
		if j != nil {
			j.StartObject()
			j.UintField("id", uint64(info.id))
			if t := typeString(kernelProgTypes, info.typ); t != "" {
				j.StringField("type", t)
			} else {
				j.UintField("type", uint64(info.typ))
			}
			if name != "" {
				j.StringField("name", name)
			}
			j.StringField("tag", hex.EncodeToString(info.tag[:]))
			j.BoolField("gpl_compatible", info.gpl)
			if info.runTimeNS != 0 {
				j.UintField("run_time_ns", info.runTimeNS)
				j.UintField("run_cnt", info.runCnt)
			}
			if info.recursionMisses != 0 {
				j.UintField("recursion_misses", info.recursionMisses)
			}
			if info.loadTime != 0 {
				j.Name("loaded_at")
				j.Int(loaded.Unix())
				j.UintField("uid", uint64(info.uid))
			}
			j.UintField("bytes_xlated", uint64(info.xlatedLen))
			j.BoolField("jited", info.jitedLen != 0)
			if info.jitedLen != 0 {
				j.UintField("bytes_jited", uint64(info.jitedLen))
			}
			if memlock != "" {
				n, _ := strconv.ParseInt(memlock, 10, 64)
				j.IntField("bytes_memlock", n)
			}
			if len(mapIDs) > 0 {
				j.Name("map_ids")
				j.StartArray()
				for _, id := range mapIDs {
					j.Uint(uint64(id))
				}
				j.EndArray()
			}
			if info.btfID != 0 {
				j.IntField("btf_id", int64(info.btfID))
			}
			pinnedJSON(j, pins, info.id)
			refsJSON(j, refs[info.id])
			j.EndObject()
			continue
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "%d: %s  ", info.id, typeOrNumber(kernelProgTypes, info.typ))
		if name != "" {
			fmt.Fprintf(&b, "name %s  ", name)
		}
		fmt.Fprintf(&b, "tag %x", info.tag)
		if info.gpl {
			b.WriteString("  gpl")
		}
		if info.runTimeNS != 0 {
			fmt.Fprintf(&b, " run_time_ns %d run_cnt %d", info.runTimeNS, info.runCnt)
		}
		if info.recursionMisses != 0 {
			fmt.Fprintf(&b, " recursion_misses %d", info.recursionMisses)
		}
		b.WriteString("\n")
		if info.loadTime != 0 {
			fmt.Fprintf(&b, "\tloaded_at %s  uid %d\n", loaded.Format("2006-01-02T15:04:05-0700"), info.uid)
		}
		fmt.Fprintf(&b, "\txlated %dB", info.xlatedLen)
		if info.jitedLen != 0 {
			fmt.Fprintf(&b, "  jited %dB", info.jitedLen)
		} else {
			b.WriteString("  not jited")
		}
		if memlock != "" {
			fmt.Fprintf(&b, "  memlock %sB", memlock)
		}
		if len(mapIDs) > 0 {
			ids := make([]string, len(mapIDs))
			for i, id := range mapIDs {
				ids[i] = strconv.FormatUint(uint64(id), 10)
			}
			fmt.Fprintf(&b, "  map_ids %s", strings.Join(ids, ","))
		}
		for _, p := range pins[info.id] {
			fmt.Fprintf(&b, "\n\tpinned %s", p)
		}
		if info.btfID != 0 {
			fmt.Fprintf(&b, "\n\tbtf_id %d", info.btfID)
		}
		refsPlain(&b, refs[info.id])
		b.WriteString("\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func progMapIDs(p *ebpf.Program, info progInfo) ([]ebpf.MapID, error) {
	if info.nrMapIDs == 0 {
		return nil, nil
	}
	pi, err := p.Info()
	if err != nil {
		return nil, err
	}
	ids, _ := pi.MapIDs()
	return ids, nil
}

func refsJSON(j *bpftool.JSONWriter, refs []objRef) {
	if len(refs) == 0 {
		return
	}
	j.Name("pids")
	j.StartArray()
	for _, r := range refs {
		j.StartObject()
		j.IntField("pid", int64(r.pid))
		j.StringField("comm", r.comm)
		j.EndObject()
	}
	j.EndArray()
}

func refsPlain(b *bytes.Buffer, refs []objRef) {
	for i, r := range refs {
		if i == 0 {
			b.WriteString("\n\tpids ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s(%d)", r.comm, r.pid)
	}
}

// xlatedSymbols names call targets from kallsyms and gbpf's helper table.
type xlatedSymbols struct {
	k     *kallsyms
	ksyms []uint64 // the addresses of a JITed program's functions
}

func (s xlatedSymbols) Call(imm int32) string {
	if s.k.callBase == 0 {
		return ""
	}
	return s.k.lookup(s.k.callBase + uint64(int64(imm)))
}

// readXlated returns the translated instructions of a program.
func readXlated(fd int) ([]byte, error) {
	info, err := readProgInfo(fd)
	if err != nil {
		return nil, err
	}
	if info.xlatedLen == 0 {
		return nil, errors.New("the kernel gives no translated instructions (missing privileges?)")
	}
	raw := make([]byte, info.xlatedLen)
	var b [232]byte
	binary.LittleEndian.PutUint32(b[20:], info.xlatedLen)
	binary.LittleEndian.PutUint64(b[32:], uint64(uintptr(unsafe.Pointer(&raw[0]))))
	if err := objInfo(fd, b[:]); err != nil {
		return nil, err
	}
	if n := binary.LittleEndian.Uint32(b[20:]); n < info.xlatedLen {
		raw = raw[:n]
	}
	return raw, nil
}

func (s xlatedSymbols) Helper(id int32) string {
	if n := helpers.Name(helpers.ID(id)); n != "" {
		return "bpf_" + n
	}
	return ""
}

func (s xlatedSymbols) SubprogCall(in bpftool.Insn) string {
	if len(s.ksyms) == 0 {
		return fmt.Sprintf("%+d", in.Off)
	}
	addr := s.k.callBase + uint64(int64(in.Imm))
	if in.Imm >= 0 && int(in.Imm) < len(s.ksyms) {
		addr = s.ksyms[in.Imm]
	}
	if name := s.k.lookup(addr); name != "" {
		return fmt.Sprintf("%+d#%s", in.Off, name)
	}
	return fmt.Sprintf("%+d#0x%x", in.Off, addr)
}

// progDumpKernel prints the translated (xlated) instructions of a loaded
// program as bpftool prog dump xlated does: the functions' prototypes and
// source lines from BTF, map ids and the kernel functions helper calls
// reach. With linum, source lines carry file, line and column; with
// opcodes, each instruction its bytes.
func progDumpKernel(w io.Writer, what string, sel selector, linum, opcodes bool) error {
	progs, err := openProgs(&sel)
	if err != nil {
		return err
	}
	defer closeAll(progs)
	if len(progs) > 1 {
		return fmt.Errorf("%s matches %d programs: dump one at a time (by id)", sel, len(progs))
	}
	pi, err := progs[0].Info()
	if err != nil {
		return err
	}
	if what == "jited" {
		return progDumpJited(w, progs[0], pi, linum, opcodes)
	}
	insns, err := pi.Instructions()
	if err != nil {
		return fmt.Errorf("can't get the translated instructions: %w", err)
	}
	// The bytes themselves, not cilium/ebpf's decoding, which drops
	// fields the kernel's rewrites set (the offset of a per-CPU mov).
	raw, err := readXlated(progs[0].FD())
	if err != nil {
		return err
	}
	slots, err := bpftool.DecodeInsns(raw)
	if err != nil {
		return err
	}
	// Source lines and function prototypes by slot.
	lines := map[int]*btf.Line{}
	funcs := map[int]string{}
	var progBTF *bpftool.BTF
	if info, err := readProgInfo(progs[0].FD()); err == nil && info.btfID != 0 {
		if h, err := btf.NewHandleFromID(btf.ID(info.btfID)); err == nil {
			if blob, err := readBTFBlob(h.FD()); err == nil {
				progBTF, _ = bpftool.ParseBTF(blob, nil)
			}
			h.Close()
		}
	}
	iter := insns.Iterate()
	for iter.Next() {
		off := int(iter.Offset)
		if l, ok := iter.Ins.Source().(*btf.Line); ok && l != nil {
			lines[off] = l
		}
		if fn := btf.FuncMetadata(iter.Ins); fn != nil && progBTF != nil {
			funcs[off] = funcSignature(progBTF, fn.Name)
		}
	}
	var ksyms []uint64
	if addrs, ok := pi.JitedKsymAddrs(); ok {
		for _, a := range addrs {
			ksyms = append(ksyms, uint64(a))
		}
	}
	syms := xlatedSymbols{kernelSymbols(), ksyms}
	var j *bpftool.JSONWriter
	if out.jsonOut() {
		j = out.writer(w)
		j.StartArray()
	}
	var b bytes.Buffer
	for i := 0; i < len(slots); {
		text, n := bpftool.FormatInsn(slots, i, syms)
		if j != nil {
			j.StartObject()
			if sig := funcs[i]; sig != "" {
				j.StringField("proto", sig)
			}
			if l := lines[i]; l != nil {
				j.StringField("src", strings.TrimLeft(l.Line(), " \t\n\v\f\r"))
				if linum {
					j.StringField("file", l.FileName())
					if l.LineNumber() != 0 {
						j.IntField("line_num", int64(l.LineNumber()))
					}
					if l.LineColumn() != 0 {
						j.IntField("line_col", int64(l.LineColumn()))
					}
				}
			}
			j.StringField("disasm", text)
			if opcodes {
				j.Name("opcodes")
				j.StartObject()
				s := slots[i]
				j.Name("code")
				j.Printf(`"0x%02x"`, s.Code)
				j.Name("src_reg")
				j.Printf(`"0x%x"`, s.Src)
				j.Name("dst_reg")
				j.Printf(`"0x%x"`, s.Dst)
				j.Name("off")
				j.HexBytes(raw[8*i+2 : 8*i+4])
				j.Name("imm")
				if n == 2 {
					j.HexBytes(raw[8*i+4 : 8*i+16])
				} else {
					j.HexBytes(raw[8*i+4 : 8*i+8])
				}
				j.EndObject()
			}
			j.EndObject()
			i += n
			continue
		}
		if sig := funcs[i]; sig != "" {
			fmt.Fprintf(&b, "%s:\n", sig)
		}
		if l := lines[i]; l != nil {
			src := strings.TrimLeft(l.Line(), " \t\n\v\f\r")
			if linum {
				fmt.Fprintf(&b, "; %s [file:%s line_num:%d line_col:%d]\n", src, l.FileName(), l.LineNumber(), l.LineColumn())
			} else {
				fmt.Fprintf(&b, "; %s\n", src)
			}
		}
		fmt.Fprintf(&b, "%4d: %s\n", i, text)
		if opcodes {
			b.WriteString("       ")
			b.WriteString(hexBytes(raw[8*i : 8*i+8]))
			if n == 2 {
				b.WriteString(" " + hexBytes(raw[8*i+8:8*i+16]))
			}
			b.WriteString("\n")
		}
		i += n
	}
	if j != nil {
		j.EndArray()
		return j.Close()
	}
	_, err = w.Write(b.Bytes())
	return err
}

// funcSignature returns the prototype of the function name in b.
func funcSignature(b *bpftool.BTF, name string) string {
	for id := b.FirstID(); id <= b.LastID(); id++ {
		if t := b.TypeByID(id); t.Kind == bpftool.KindFunc && t.Name == name {
			return bpftool.Signature(b, id)
		}
	}
	return ""
}

// progLoadKernel loads the programs of an ELF object into the kernel with
// cilium/ebpf, as bpftool prog load does, and pins the first at path;
// with pinmaps, the object's maps are pinned in that directory.
func progLoadKernel(w io.Writer, obj, path, pinmaps string, all bool) error {
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return err
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return fmt.Errorf("failed to load object file: %w\n%+v", err, ve)
		}
		return fmt.Errorf("failed to load object file: %w", err)
	}
	defer coll.Close()
	first := firstProgram(obj, spec)
	if first == "" {
		return fmt.Errorf("object file %s has no programs", obj)
	}
	if all {
		// loadall: every program in the directory path, under its name.
		if err := os.MkdirAll(path, 0o755); err != nil {
			return err
		}
		for name, p := range coll.Programs {
			if err := p.Pin(filepath.Join(path, name)); err != nil {
				return fmt.Errorf("failed to pin program %s: %w", name, err)
			}
		}
	} else if err := coll.Programs[first].Pin(path); err != nil {
		return fmt.Errorf("failed to pin program: %w", err)
	}
	if pinmaps != "" {
		if err := os.MkdirAll(pinmaps, 0o755); err != nil {
			return err
		}
		for name, m := range coll.Maps {
			if err := m.Pin(filepath.Join(pinmaps, pinName(obj, name))); err != nil {
				return fmt.Errorf("failed to pin map %s: %w", name, err)
			}
		}
	}
	if out.jsonOut() {
		j := out.writer(w)
		j.Null()
		return j.Close()
	}
	return nil
}

// pinName is the file name libbpf (and so bpftool) pins a map under: a
// section map (.bss, .data, .rodata) is named after the object first,
// cut to fit the kernel's 15 characters, and dots become underscores.
func pinName(obj, name string) string {
	if strings.HasPrefix(name, ".") {
		prefix := strings.TrimSuffix(filepath.Base(obj), filepath.Ext(obj))
		if n := 15 - len(name); len(prefix) > n {
			prefix = prefix[:max(n, 0)]
		}
		name = prefix + name
	}
	return strings.ReplaceAll(name, ".", "_")
}

// firstProgram names the program of spec that comes first in the object
// (the earliest section), the one bpftool pins.
func firstProgram(obj string, spec *ebpf.CollectionSpec) string {
	index := map[string]int{}
	if f, err := elf.Open(obj); err == nil {
		for i, s := range f.Sections {
			if _, ok := index[s.Name]; !ok {
				index[s.Name] = i
			}
		}
		f.Close()
	}
	names := make([]string, 0, len(spec.Programs))
	for n := range spec.Programs {
		names = append(names, n)
	}
	slices.Sort(names)
	order := func(n string) int { return index[spec.Programs[n].SectionName] }
	slices.SortStableFunc(names, func(a, b string) int { return order(a) - order(b) })
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// progBTF parses the BTF of a loaded program, or returns nil.
func progBTF(p *ebpf.Program) *bpftool.BTF {
	info, err := readProgInfo(p.FD())
	if err != nil || info.btfID == 0 {
		return nil
	}
	b, err := loadBTFByID(info.btfID)
	if err != nil {
		return nil
	}
	return b
}

// progDumpJited prints a program's machine code as bpftool prog dump
// jited does: per function its prototype and kernel symbol, then each
// instruction at its offset (GNU syntax), after the source line that
// starts there.
func progDumpJited(w io.Writer, p *ebpf.Program, pi *ebpf.ProgramInfo, linum, opcodes bool) error {
	if runtime.GOARCH != "amd64" {
		return fmt.Errorf("prog dump jited: gbpf disassembles amd64 code only, not %s: %w", runtime.GOARCH, errNoKernel)
	}
	image, ok := pi.JitedInsns()
	if !ok || len(image) == 0 {
		return errors.New("prog dump jited: the kernel gives no machine code (JIT off, or missing privileges)")
	}
	lens, _ := pi.JitedFuncLens()
	ksyms, _ := pi.JitedKsymAddrs()
	if len(lens) == 0 {
		lens = []uint32{uint32(len(image))}
	}
	b := progBTF(p)
	funcs, _ := pi.FuncInfos()
	// Source lines by the kernel address their code starts at.
	lines := map[uint64]*btf.Line{}
	if addrs, ok := pi.JitedLineInfos(); ok {
		if lo, err := pi.LineInfos(); err == nil {
			for i, l := range lo {
				if i < len(addrs) {
					if _, seen := lines[addrs[i]]; !seen {
						lines[addrs[i]] = l.Line
					}
				}
			}
		}
	}
	syms := kernelSymbols()
	var j *bpftool.JSONWriter
	if out.jsonOut() {
		j = out.writer(w)
		j.StartArray()
	}
	var text bytes.Buffer
	for i, n := range lens {
		if int(n) > len(image) {
			return fmt.Errorf("prog dump jited: function %d of %d bytes past the image's end", i, n)
		}
		code := image[:n]
		image = image[n:]
		var base uint64
		name := "unknown"
		if i < len(ksyms) {
			base = uint64(ksyms[i])
			if name = syms.lookup(base); name == "" {
				name = fmt.Sprintf("0x%016x", base)
			}
		}
		sig := ""
		if b != nil && i < len(funcs) && funcs[i].Func != nil {
			sig = funcSignature(b, funcs[i].Func.Name)
		}
		if j != nil {
			j.StartObject()
			if sig != "" {
				j.StringField("proto", sig)
			}
			j.StringField("name", name)
			j.Name("insns")
			j.StartArray()
		} else {
			if sig != "" {
				fmt.Fprintf(&text, "%s:\n", sig)
			}
			fmt.Fprintf(&text, "%s:\n", name)
		}
		for pc := 0; pc < len(code); {
			inst, err := x86asm.Decode(code[pc:], 64)
			size := inst.Len
			asmText := ""
			if err != nil || size == 0 {
				size, asmText = 1, "(bad)"
			} else {
				asmText = x86asm.GNUSyntax(inst, uint64(pc), nil)
			}
			l := lines[base+uint64(pc)]
			if j != nil {
				j.StartObject()
				if l != nil {
					j.StringField("src", strings.TrimLeft(l.Line(), " \t\n\v\f\r"))
					if linum {
						j.StringField("file", l.FileName())
						j.IntField("line_num", int64(l.LineNumber()))
						j.IntField("line_col", int64(l.LineColumn()))
					}
				}
				j.Name("pc")
				j.Printf(`"0x%x"`, pc)
				op, operands, _ := strings.Cut(asmText, " ")
				j.StringField("operation", op)
				j.Name("operands")
				j.StartArray()
				if operands = strings.TrimSpace(operands); operands == "" {
					j.Null()
				} else {
					for _, o := range splitOperands(operands) {
						j.String(o)
					}
				}
				j.EndArray()
				if opcodes {
					j.Name("opcodes")
					j.StartArray()
					for _, c := range code[pc : pc+size] {
						j.Printf(`"0x%02x"`, c)
					}
					j.EndArray()
				}
				j.EndObject()
			} else {
				if l != nil {
					src := strings.TrimLeft(l.Line(), " \t\n\v\f\r")
					if linum {
						fmt.Fprintf(&text, "; %s [file:%s line_num:%d line_col:%d]\n", src, l.FileName(), l.LineNumber(), l.LineColumn())
					} else {
						fmt.Fprintf(&text, "; %s\n", src)
					}
				}
				fmt.Fprintf(&text, "%4x:\t%s", pc, asmText)
				if opcodes {
					text.WriteString("\n\t")
					for _, c := range code[pc : pc+size] {
						fmt.Fprintf(&text, "%02x ", c)
					}
				}
				text.WriteString("\n")
			}
			pc += size
		}
		if j != nil {
			j.EndArray()
			j.EndObject()
		} else {
			text.WriteString("\n")
		}
	}
	if j != nil {
		j.EndArray()
		return j.Close()
	}
	_, err := w.Write(text.Bytes())
	return err
}

// splitOperands splits GNU-syntax operands at the commas outside
// parentheses: "0x8(%rdi),%rsi" is two operands.
func splitOperands(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
