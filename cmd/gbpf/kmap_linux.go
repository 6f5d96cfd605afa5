package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/bpftool"
)

func init() { kernelMap = mapKernel }

// Kernel map types that need care.
const (
	mapProgArray       = 3
	mapPerCPUHash      = 5
	mapPerCPUArray     = 6
	mapLRUPerCPUHash   = 10
	mapArrayOfMaps     = 12
	mapHashOfMaps      = 13
	mapPerCPUCgroupStg = 21
)

func isPerCPU(t uint32) bool {
	return t == mapPerCPUHash || t == mapPerCPUArray || t == mapLRUPerCPUHash || t == mapPerCPUCgroupStg
}

// openMaps opens the maps sel designates, or every map when sel is nil.
func openMaps(sel *selector) ([]*ebpf.Map, error) {
	return kernelObjects[*ebpf.Map, ebpf.MapID]{
		fromID: ebpf.NewMapFromID, nextID: ebpf.MapGetNextID,
		pinned:  func(path string) (*ebpf.Map, error) { return ebpf.LoadPinnedMap(path, nil) },
		getByID: "get map by id", next: "can't get next map", iterByID: "can't get map by id", noMatch: "no map matches",
		matches: func(m *ebpf.Map, sel selector) bool {
			info, err := readMapInfo(m.FD())
			return err == nil && info.name == sel.value
		},
	}.open(sel)
}

// openOneMap opens the one map sel designates.
func openOneMap(sel selector) (*ebpf.Map, mapInfo, error) {
	maps, err := openMaps(&sel)
	if err != nil {
		return nil, mapInfo{}, err
	}
	if len(maps) > 1 {
		closeAll(maps)
		return nil, mapInfo{}, fmt.Errorf("several maps match %s", sel)
	}
	info, err := readMapInfo(maps[0].FD())
	if err != nil {
		maps[0].Close()
		return nil, mapInfo{}, err
	}
	return maps[0], info, nil
}

// mapKernel runs a kernel form of map: verb with its arguments.
func mapKernel(w io.Writer, verb string, args []string) error {
	switch verb {
	case "show", "list":
		var sel *selector
		if len(args) > 0 {
			s, rest, err := parseSelector(args, mapSelectors...)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("unexpected %q", strings.Join(rest, " "))
			}
			sel = &s
		}
		return mapShow(w, sel)
	case "dump":
		sel, rest, err := parseSelector(args, mapSelectors...)
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("unexpected %q", strings.Join(rest, " "))
		}
		return mapDump(w, sel)
	}
	sel, rest, err := parseSelector(args, mapSelectors...)
	if err != nil {
		return err
	}
	m, info, err := openOneMap(sel)
	if err != nil {
		return err
	}
	defer m.Close()
	switch verb {
	case "lookup":
		return mapLookup(w, m, info, rest)
	case "update":
		return mapUpdate(w, m, info, rest)
	case "delete":
		key, _, _, err := parseElem(rest, info, true, false, false)
		if err != nil {
			return err
		}
		if err := m.Delete(key); err != nil {
			return fmt.Errorf("delete failed: %w", err)
		}
		return jsonNull(w)
	case "getnext":
		return mapGetNext(w, m, info, rest)
	case "pin":
		if len(rest) != 1 {
			return fmt.Errorf("map pin: want MAP PATH")
		}
		// Opened afresh by id: cilium/ebpf moves the pin of a map opened
		// from one, where bpftool adds a second.
		byID, err := ebpf.NewMapFromID(ebpf.MapID(info.id))
		if err != nil {
			return err
		}
		defer byID.Close()
		if err := byID.Pin(rest[0]); err != nil {
			return fmt.Errorf("can't pin the object (%s): %w", rest[0], err)
		}
		return jsonNull(w)
	}
	return fmt.Errorf("unknown map verb %q", verb)
}

// jsonNull prints null in JSON mode, as bpftool does after a command
// without output.
func jsonNull(w io.Writer) error {
	if !out.jsonOut() {
		return nil
	}
	j := out.writer(w)
	j.Null()
	return j.Close()
}

func mapShow(w io.Writer, sel *selector) error {
	refs := objRefs("bpf-map", "map_id")
	var pins map[uint32][]string
	if out.bpffs {
		pins = pinnedTable("bpf-map")
	}
	maps, err := openMaps(sel)
	if err != nil {
		return err
	}
	defer closeAll(maps)
	j, finish := out.showWriter(w, sel == nil || len(maps) > 1)
	defer finish()
	for _, m := range maps {
		info, err := readMapInfo(m.FD())
		if err != nil {
			return err
		}
		memlock := fdinfo(m.FD(), "memlock")
		frozen, _ := strconv.Atoi(fdinfo(m.FD(), "frozen"))
		ownerType, ownerJited := "", ""
		if info.typ == mapProgArray {
			ownerType, ownerJited = fdinfo(m.FD(), "owner_prog_type"), fdinfo(m.FD(), "owner_jited")
		}
		if j != nil {
			j.StartObject()
			mapHeaderJSON(j, info)
			j.UintField("bytes_key", uint64(info.keySize))
			j.UintField("bytes_value", uint64(info.valueSize))
			j.UintField("max_entries", uint64(info.maxEntries))
			if memlock != "" {
				n, _ := strconv.ParseInt(memlock, 10, 64)
				j.IntField("bytes_memlock", n)
			}
			if ownerType != "" {
				n, _ := strconv.ParseUint(ownerType, 10, 32)
				if t := typeString(kernelProgTypes, uint32(n)); t != "" {
					j.StringField("owner_prog_type", t)
				} else {
					j.UintField("owner_prog_type", n)
				}
			}
			if ownerJited != "" {
				j.BoolField("owner_jited", ownerJited != "0")
			}
			j.IntField("frozen", int64(frozen))
			if info.btfID != 0 {
				j.IntField("btf_id", int64(info.btfID))
			}
			pinnedJSON(j, pins, info.id)
			refsJSON(j, refs[info.id])
			j.EndObject()
			continue
		}
		var b bytes.Buffer
		mapHeaderPlain(&b, info)
		fmt.Fprintf(&b, "\tkey %dB  value %dB  max_entries %d", info.keySize, info.valueSize, info.maxEntries)
		if memlock != "" {
			fmt.Fprintf(&b, "  memlock %sB", memlock)
		}
		if ownerType != "" || ownerJited != "" {
			b.WriteString("\n\t")
		}
		if ownerType != "" {
			n, _ := strconv.ParseUint(ownerType, 10, 32)
			if t := typeString(kernelProgTypes, uint32(n)); t != "" {
				fmt.Fprintf(&b, "owner_prog_type %s  ", t)
			} else {
				fmt.Fprintf(&b, "owner_prog_type %d  ", n)
			}
		}
		if ownerJited != "" {
			if ownerJited != "0" {
				b.WriteString("owner jited")
			} else {
				b.WriteString("owner not jited")
			}
		}
		for _, p := range pins[info.id] {
			fmt.Fprintf(&b, "\n\tpinned %s", p)
		}
		if info.btfID != 0 || frozen != 0 {
			b.WriteString("\n\t")
		}
		if info.btfID != 0 {
			fmt.Fprintf(&b, "btf_id %d", info.btfID)
		}
		if frozen != 0 {
			if info.btfID != 0 {
				b.WriteString("  ")
			}
			b.WriteString("frozen")
		}
		refsPlain(&b, refs[info.id])
		b.WriteString("\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func mapHeaderJSON(j *bpftool.JSONWriter, info mapInfo) {
	j.UintField("id", uint64(info.id))
	if t := typeString(kernelMapTypes, info.typ); t != "" {
		j.StringField("type", t)
	} else {
		j.UintField("type", uint64(info.typ))
	}
	if info.name != "" {
		j.StringField("name", info.name)
	}
	j.UintField("flags", uint64(info.flags))
}

func mapHeaderPlain(b *bytes.Buffer, info mapInfo) {
	fmt.Fprintf(b, "%d: %s  ", info.id, typeOrNumber(kernelMapTypes, info.typ))
	if info.name != "" {
		fmt.Fprintf(b, "name %s  ", info.name)
	}
	fmt.Fprintf(b, "flags 0x%x\n", info.flags)
}

// mapBTF returns the BTF describing a map's keys and values, or nil.
func mapBTF(info mapInfo) (*bpftool.BTF, error) {
	if info.vmlinuxValueTypeID != 0 {
		blob, err := os.ReadFile("/sys/kernel/btf/vmlinux")
		if err != nil {
			return nil, fmt.Errorf("failed to get kernel btf: %w", err)
		}
		return bpftool.ParseBTF(blob, nil)
	}
	if info.btfValueTypeID == 0 {
		return nil, nil
	}
	h, err := btf.NewHandleFromID(btf.ID(info.btfID))
	if err != nil {
		return nil, fmt.Errorf("failed to get btf: %w", err)
	}
	defer h.Close()
	blob, err := readBTFBlob(h.FD())
	if err != nil {
		return nil, fmt.Errorf("failed to get btf: %w", err)
	}
	return bpftool.ParseBTF(blob, nil)
}

// mapEntry writes one element in the mode asked for: bpftool's JSON with
// the BTF-formatted "formatted" member, the BTF dumper's text (bj, when
// the map has BTF), or hex bytes.
func mapEntry(w io.Writer, j, bj *bpftool.JSONWriter, info mapInfo, b *bpftool.BTF, key, value []byte) error {
	switch {
	case j != nil:
		j.StartObject()
		j.Name("key")
		j.HexBytes(key)
		if !isPerCPU(info.typ) {
			j.Name("value")
			j.HexBytes(value[:info.valueSize])
		} else {
			j.Name("values")
			j.StartArray()
			step := (info.valueSize + 7) &^ 7
			for cpu := 0; uint32(cpu)*step < uint32(len(value)); cpu++ {
				j.StartObject()
				j.IntField("cpu", int64(cpu))
				j.Name("value")
				j.HexBytes(value[uint32(cpu)*step : uint32(cpu)*step+info.valueSize])
				j.EndObject()
			}
			j.EndArray()
		}
		var err error
		if b != nil {
			j.Name("formatted")
			err = formattedEntry(j, &bpftool.ValueFormatter{BTF: b}, info, key, value)
		}
		j.EndObject()
		return err
	case bj != nil:
		return formattedEntry(bj, &bpftool.ValueFormatter{BTF: b, Plain: true}, info, key, value)
	}
	_, err := io.WriteString(w, plainEntry(info, key, value))
	return err
}

func formattedEntry(j *bpftool.JSONWriter, f *bpftool.ValueFormatter, info mapInfo, key, value []byte) error {
	j.StartObject()
	defer j.EndObject()
	if info.btfKeyTypeID != 0 {
		j.Name("key")
		if err := f.Format(j, info.btfKeyTypeID, key); err != nil {
			return err
		}
	}
	valueID := info.btfValueTypeID
	if info.vmlinuxValueTypeID != 0 {
		valueID = info.vmlinuxValueTypeID
	}
	if !isPerCPU(info.typ) {
		j.Name("value")
		return f.Format(j, valueID, value)
	}
	j.Name("values")
	j.StartArray()
	defer j.EndArray()
	step := (info.valueSize + 7) &^ 7
	for cpu := 0; uint32(cpu)*step < uint32(len(value)); cpu++ {
		j.StartObject()
		j.IntField("cpu", int64(cpu))
		j.Name("value")
		err := f.Format(j, valueID, value[uint32(cpu)*step:])
		j.EndObject()
		if err != nil {
			return err
		}
	}
	return nil
}

// plainEntry is bpftool's hex text of an element.
func plainEntry(info mapInfo, key, value []byte) string {
	var b strings.Builder
	if !isPerCPU(info.typ) {
		breakNames := info.keySize > 16 || info.valueSize > 16
		singleLine := info.keySize+info.valueSize <= 24 && !breakNames
		sep := byte(' ')
		if breakNames {
			sep = '\n'
		}
		if info.keySize > 0 {
			fmt.Fprintf(&b, "key:%c%s", sep, hexBytes(key))
			if singleLine {
				b.WriteString("  ")
			} else {
				b.WriteString("\n")
			}
		}
		if info.valueSize > 0 {
			fmt.Fprintf(&b, "value:%c%s", sep, hexBytes(value[:info.valueSize]))
		}
		b.WriteString("\n")
		return b.String()
	}
	if info.keySize > 0 {
		fmt.Fprintf(&b, "key:\n%s\n", hexBytes(key))
	}
	if info.valueSize > 0 {
		step := (info.valueSize + 7) &^ 7
		sep := byte(' ')
		if info.valueSize > 16 {
			sep = '\n'
		}
		for cpu := 0; uint32(cpu)*step < uint32(len(value)); cpu++ {
			fmt.Fprintf(&b, "value (CPU %02d):%c%s\n", cpu, sep, hexBytes(value[uint32(cpu)*step:uint32(cpu)*step+info.valueSize]))
		}
	}
	return b.String()
}

func mapDump(w io.Writer, sel selector) error {
	maps, err := openMaps(&sel)
	if err != nil {
		return err
	}
	defer closeAll(maps)
	infos := make([]mapInfo, len(maps))
	allBTF := true
	for i, m := range maps {
		if infos[i], err = readMapInfo(m.FD()); err != nil {
			return err
		}
		allBTF = allBTF && infos[i].btfID != 0
	}
	var j, bj *bpftool.JSONWriter
	if out.jsonOut() {
		j = out.writer(w)
	} else if allBTF {
		bj = bpftool.NewJSONWriter(w, true)
	}
	wtr := j
	if wtr == nil {
		wtr = bj
	}
	several := len(maps) > 1
	var dumpErr error
	if wtr != nil && several {
		wtr.StartArray()
	}
	for i, m := range maps {
		info := infos[i]
		var b *bpftool.BTF
		if wtr != nil {
			if b, err = mapBTF(info); err != nil {
				return err
			}
			if several {
				wtr.StartObject()
				mapHeaderJSON(wtr, info)
				wtr.Name("elements")
			}
			wtr.StartArray()
		} else if several {
			var hb bytes.Buffer
			mapHeaderPlain(&hb, info)
			w.Write(hb.Bytes())
		}
		n := 0
		var key []byte
		for {
			next, err := nextKey(m, key)
			if err != nil {
				// As bpftool: the dump ends, the command fails.
				dumpErr = fmt.Errorf("map %d: can't get next key: %w", info.id, err)
				break
			}
			if next == nil {
				break
			}
			key = next
			value, err := m.LookupBytes(key)
			if err != nil || value == nil {
				mapEntryError(w, j, info, key, err)
				continue
			}
			if err := mapEntry(w, j, wtr, info, b, key, value); err != nil {
				return err
			}
			n++
		}
		if wtr != nil {
			wtr.EndArray()
			if several {
				wtr.EndObject()
			}
		} else {
			s := "s"
			if n == 1 {
				s = ""
			}
			fmt.Fprintf(w, "Found %d element%s\n", n, s)
			if several && i != len(maps)-1 {
				fmt.Fprintln(w)
			}
		}
	}
	if wtr != nil {
		if several {
			wtr.EndArray()
		}
		if err := wtr.Close(); err != nil {
			return err
		}
	}
	return dumpErr
}

// mapEntryError reports an element that could not be read, as bpftool
// does (nothing for absent entries of program and map arrays).
func mapEntryError(w io.Writer, j *bpftool.JSONWriter, info mapInfo, key []byte, err error) {
	msg := "No such file or directory"
	absent := err == nil || errors.Is(err, ebpf.ErrKeyNotExist)
	if !absent {
		msg = strerror(err)
	}
	if absent && (info.typ == mapProgArray || info.typ == mapArrayOfMaps || info.typ == mapHashOfMaps) {
		return
	}
	if j != nil {
		j.StartObject()
		j.Name("key")
		j.HexBytes(key)
		j.Name("value")
		j.StartObject()
		j.StringField("error", msg)
		j.EndObject()
		j.EndObject()
		return
	}
	if absent {
		msg = "<no entry>"
	}
	breakNames := info.keySize > 16 || len(msg) > 16
	singleLine := int(info.keySize)+len(msg) <= 24 && !breakNames
	sep := " "
	if breakNames {
		sep = "\n"
	}
	mid := "\n"
	if singleLine {
		mid = "  "
	}
	fmt.Fprintf(w, "key:%s%s%svalue:%s%s\n", sep, hexBytes(key), mid, sep, msg)
}

// strerror is C's text of the errno in err.
func strerror(err error) string {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	msg := errno.Error()
	if strings.HasPrefix(msg, "errno ") {
		return fmt.Sprintf("Unknown error %d", int(errno))
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

func mapLookup(w io.Writer, m *ebpf.Map, info mapInfo, args []string) error {
	key, _, _, err := parseElem(args, info, true, false, false)
	if err != nil {
		return err
	}
	value, err := m.LookupBytes(key)
	if err != nil {
		return fmt.Errorf("lookup failed: %w", err)
	}
	if value == nil {
		if out.jsonOut() {
			j := out.writer(w)
			j.Null()
			j.Close()
		} else {
			fmt.Fprintf(w, "key:\n%s\n\nNot found\n", hexBytes(key))
		}
		return errNotFound
	}
	b, err := mapBTF(info)
	if err != nil {
		return err
	}
	switch {
	case out.jsonOut():
		j := out.writer(w)
		if err := mapEntry(w, j, nil, info, b, key, value); err != nil {
			return err
		}
		return j.Close()
	case b != nil:
		bj := bpftool.NewJSONWriter(w, true)
		if err := mapEntry(w, nil, bj, info, b, key, value); err != nil {
			return err
		}
		return bj.Close()
	}
	return mapEntry(w, nil, nil, info, nil, key, value)
}

func mapUpdate(w io.Writer, m *ebpf.Map, info mapInfo, args []string) error {
	key, value, flags, err := parseElem(args, info, true, true, true)
	if err != nil {
		return err
	}
	if isPerCPU(info.typ) {
		per := make([][]byte, ebpf.MustPossibleCPU())
		for i := range per {
			per[i] = value
		}
		err = m.Update(key, per, flags)
	} else {
		err = m.Update(key, value, flags)
	}
	if err != nil {
		return fmt.Errorf("update failed: %w", err)
	}
	return jsonNull(w)
}

func mapGetNext(w io.Writer, m *ebpf.Map, info mapInfo, args []string) error {
	var key []byte
	if len(args) > 0 {
		var err error
		if key, _, _, err = parseElem(args, info, true, false, false); err != nil {
			return err
		}
	}
	next, err := nextKey(m, key)
	if err == nil && next == nil {
		err = unix.ENOENT
	}
	if err != nil {
		return fmt.Errorf("can't get next key: %w", err)
	}
	if out.jsonOut() {
		j := out.writer(w)
		j.StartObject()
		if key != nil {
			j.Name("key")
			j.HexBytes(key)
		} else {
			j.Name("key")
			j.Null()
		}
		j.Name("next_key")
		j.HexBytes(next)
		j.EndObject()
		return j.Close()
	}
	if key != nil {
		fmt.Fprintf(w, "key:\n%s\n", hexBytes(key))
	} else {
		fmt.Fprint(w, "key: None\n")
	}
	_, err = fmt.Fprintf(w, "next key:\n%s\n", hexBytes(next))
	return err
}

// nextKey returns the key after key, the first key when key is nil, or
// nil after the last.
func nextKey(m *ebpf.Map, key []byte) ([]byte, error) {
	if key == nil {
		return m.NextKeyBytes(nil)
	}
	return m.NextKeyBytes(key)
}

// isPrefix reports whether arg abbreviates word, as bpftool's keywords
// may be abbreviated.
func isPrefix(arg, word string) bool { return arg != "" && strings.HasPrefix(word, arg) }

// parseElem reads bpftool's element arguments: key BYTES, value BYTES
// (or, for program and map arrays, value id N / pinned PATH and the
// like), and one of any, exist, noexist. Bytes are numbers as C's
// strtoul reads them (0x for hex, 0 for octal), or hex after "hex".
func parseElem(args []string, info mapInfo, wantKey, wantValue, wantFlags bool) (key, value []byte, flags ebpf.MapUpdateFlags, err error) {
	haveKey, haveValue, haveFlags := !wantKey, !wantValue, !wantFlags
	for len(args) > 0 {
		switch a := args[0]; {
		case isPrefix(a, "key"):
			if haveKey {
				return nil, nil, 0, errors.New("duplicate or unnecessary key")
			}
			if key, args, err = parseBytes(args[1:], "key", int(info.keySize)); err != nil {
				return nil, nil, 0, err
			}
			haveKey = true
		case isPrefix(a, "value"):
			if haveValue {
				return nil, nil, 0, errors.New("duplicate or unnecessary value")
			}
			args = args[1:]
			switch info.typ {
			case mapProgArray, mapArrayOfMaps, mapHashOfMaps:
				if info.valueSize != 4 {
					return nil, nil, 0, fmt.Errorf("value of %d bytes: want 4 for a map of maps or programs", info.valueSize)
				}
				if len(args) < 2 {
					return nil, nil, 0, errors.New("not enough value arguments")
				}
				fd, err := objectFD(info.typ == mapProgArray, args[:2])
				if err != nil {
					return nil, nil, 0, err
				}
				value = []byte{byte(fd), byte(fd >> 8), byte(fd >> 16), byte(fd >> 24)}
				args = args[2:]
			default:
				if value, args, err = parseBytes(args, "value", int(info.valueSize)); err != nil {
					return nil, nil, 0, err
				}
			}
			haveValue = true
		case isPrefix(a, "any") || isPrefix(a, "noexist") || isPrefix(a, "exist"):
			if haveFlags {
				return nil, nil, 0, fmt.Errorf("flags specified multiple times: %s", a)
			}
			switch {
			case isPrefix(a, "any"):
				flags = ebpf.UpdateAny
			case isPrefix(a, "noexist"):
				flags = ebpf.UpdateNoExist
			default:
				flags = ebpf.UpdateExist
			}
			haveFlags = true
			args = args[1:]
		default:
			return nil, nil, 0, fmt.Errorf("expected key or value, got: %s", a)
		}
	}
	switch {
	case wantKey && !haveKey && info.keySize > 0:
		return nil, nil, 0, errors.New("did not find key")
	case wantValue && !haveValue:
		return nil, nil, 0, errors.New("did not find value")
	}
	if key == nil {
		key = make([]byte, info.keySize)
	}
	return key, value, flags, nil
}

// objectFD opens the program or map args (id N, pinned PATH, ...)
// designate, for the value of a program or map array; the descriptor
// stays open until the command ends.
func objectFD(prog bool, args []string) (int, error) {
	if prog {
		sel, _, err := parseSelector(args, progSelectors...)
		if err != nil {
			return 0, err
		}
		progs, err := openProgs(&sel)
		if err != nil {
			return 0, err
		}
		return progs[0].FD(), nil
	}
	sel, _, err := parseSelector(args, mapSelectors...)
	if err != nil {
		return 0, err
	}
	maps, err := openMaps(&sel)
	if err != nil {
		return 0, err
	}
	return maps[0].FD(), nil
}

func parseBytes(args []string, what string, n int) ([]byte, []string, error) {
	base := 0
	if len(args) > 0 && isPrefix(args[0], "hex") {
		base = 16
		args = args[1:]
	}
	out := make([]byte, 0, n)
	for len(out) < n && len(args) > 0 {
		v, err := strconv.ParseUint(args[0], base, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("error parsing byte: %s", args[0])
		}
		out = append(out, byte(v))
		args = args[1:]
	}
	if len(out) != n {
		return nil, nil, fmt.Errorf("%s expected %d bytes got %d", what, n, len(out))
	}
	return out, args, nil
}
