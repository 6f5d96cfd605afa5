package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/bpftool"
)

// objInfo fills buf with BPF_OBJ_GET_INFO_BY_FD for fd. cilium/ebpf's
// ProgramInfo and MapInfo leave out fields bpftool prints (gpl_compatible,
// a map's BTF key and value type ids), so the commands read the record
// themselves from the descriptor cilium/ebpf opened.
func objInfo(fd int, buf []byte) error {
	attr := struct {
		fd, len uint32
		info    uint64
	}{uint32(fd), uint32(len(buf)), uint64(uintptr(unsafe.Pointer(&buf[0])))}
	const objGetInfoByFD = 15
	_, _, errno := unix.Syscall(unix.SYS_BPF, objGetInfoByFD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return fmt.Errorf("can't get object info: %w", errno)
	}
	return nil
}

// progInfo is the part of struct bpf_prog_info that bpftool prints.
type progInfo struct {
	typ, id                uint32
	tag                    [8]byte
	jitedLen, xlatedLen    uint32
	loadTime               uint64
	uid, nrMapIDs          uint32
	name                   string
	gpl                    bool
	btfID                  uint32
	runTimeNS, runCnt      uint64
	recursionMisses        uint64
	verifiedInsns          uint32
	nrFuncInfo, nrLineInfo uint32
}

func readProgInfo(fd int) (progInfo, error) {
	var b [232]byte
	if err := objInfo(fd, b[:]); err != nil {
		return progInfo{}, err
	}
	le := binary.LittleEndian
	p := progInfo{
		typ: le.Uint32(b[0:]), id: le.Uint32(b[4:]),
		jitedLen: le.Uint32(b[16:]), xlatedLen: le.Uint32(b[20:]),
		loadTime: le.Uint64(b[40:]), uid: le.Uint32(b[48:]), nrMapIDs: le.Uint32(b[52:]),
		name: cString(b[64:80]), gpl: le.Uint32(b[84:])&1 != 0,
		btfID: le.Uint32(b[128:]), nrFuncInfo: le.Uint32(b[144:]), nrLineInfo: le.Uint32(b[148:]),
		runTimeNS: le.Uint64(b[192:]), runCnt: le.Uint64(b[200:]), recursionMisses: le.Uint64(b[208:]),
		verifiedInsns: le.Uint32(b[216:]),
	}
	copy(p.tag[:], b[8:16])
	return p, nil
}

// mapInfo is struct bpf_map_info.
type mapInfo struct {
	typ, id, keySize, valueSize, maxEntries, flags uint32
	name                                           string
	vmlinuxValueTypeID                             uint32
	btfID, btfKeyTypeID, btfValueTypeID            uint32
	mapExtra                                       uint64
}

func readMapInfo(fd int) (mapInfo, error) {
	var b [88]byte
	if err := objInfo(fd, b[:]); err != nil {
		return mapInfo{}, err
	}
	le := binary.LittleEndian
	return mapInfo{
		typ: le.Uint32(b[0:]), id: le.Uint32(b[4:]), keySize: le.Uint32(b[8:]), valueSize: le.Uint32(b[12:]),
		maxEntries: le.Uint32(b[16:]), flags: le.Uint32(b[20:]), name: cString(b[24:40]),
		vmlinuxValueTypeID: le.Uint32(b[44:]),
		btfID:              le.Uint32(b[64:]), btfKeyTypeID: le.Uint32(b[68:]), btfValueTypeID: le.Uint32(b[72:]),
		mapExtra: le.Uint64(b[80:]),
	}, nil
}

// readBTFBlob returns the raw BTF of a BTF object's descriptor.
func readBTFBlob(fd int) ([]byte, error) {
	var b [32]byte
	if err := objInfo(fd, b[:]); err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(b[8:])
	if size == 0 {
		return nil, fmt.Errorf("BTF object has no data")
	}
	blob := make([]byte, size)
	var b2 [32]byte
	binary.LittleEndian.PutUint64(b2[0:], uint64(uintptr(unsafe.Pointer(&blob[0]))))
	binary.LittleEndian.PutUint32(b2[8:], size)
	if err := objInfo(fd, b2[:]); err != nil {
		return nil, err
	}
	return blob, nil
}

func cString(b []byte) string {
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// fdinfo returns the value of key in /proc/self/fdinfo/FD, or "".
func fdinfo(fd int, key string) string {
	f, err := os.Open(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// objRef is a process holding a descriptor of an object.
type objRef struct {
	pid  int
	comm string
}

// objRefs maps the ids of the objects of one kind (the anon inode name:
// "bpf-prog", "bpf-map", "bpf_link", "btf") to the processes holding
// descriptors of them, as bpftool's pids lists show; idKey is the
// fdinfo key of the id ("prog_id"). Processes whose descriptors cannot be
// read are left out. Like bpftool, the commands call it before opening
// objects, so that their own descriptors are not listed.
func objRefs(inode, idKey string) map[uint32][]objRef {
	refs := map[uint32][]objRef{}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		pid, err := strconv.Atoi(filepath.Base(proc))
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(proc + "/fd")
		if err != nil {
			continue
		}
		var comm string
		for _, fd := range fds {
			target, err := os.Readlink(proc + "/fd/" + fd.Name())
			if err != nil || target != "anon_inode:"+inode {
				continue
			}
			id := fdinfoOf(proc+"/fdinfo/"+fd.Name(), idKey)
			if id == 0 {
				continue
			}
			if comm == "" {
				c, _ := os.ReadFile(proc + "/comm")
				comm = strings.TrimSpace(string(c))
			}
			if !slices.ContainsFunc(refs[id], func(r objRef) bool { return r.pid == pid }) {
				refs[id] = append(refs[id], objRef{pid, comm})
			}
		}
	}
	return refs
}

func fdinfoOf(path, key string) uint32 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			return uint32(n)
		}
	}
	return 0
}

// bootTime converts a load time in nanoseconds since boot to the wall
// clock second, with bpftool's arithmetic.
func bootTime(ns uint64) time.Time {
	var real, boot unix.Timespec
	if unix.ClockGettime(unix.CLOCK_REALTIME, &real) != nil || unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot) != nil {
		return time.Unix(int64(ns/1e9), 0)
	}
	secs := (real.Sec - boot.Sec) + (real.Nsec-boot.Nsec+int64(ns))/1e9
	return time.Unix(secs, 0)
}

// kallsyms holds /proc/kallsyms sorted by address, for naming the targets
// of calls in translated programs.
type kallsyms struct {
	addrs    []uint64
	names    []string
	callBase uint64
	fresh    bool // read during this command
}

func loadKallsyms() *kallsyms {
	k := &kallsyms{}
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return k
	}
	defer f.Close()
	type sym struct {
		addr uint64
		name string
	}
	var syms []sym
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		if fields[2] == "__bpf_call_base" {
			k.callBase = addr
		}
		syms = append(syms, sym{addr, fields[2]})
	}
	slices.SortStableFunc(syms, func(a, b sym) int {
		switch {
		case a.addr < b.addr:
			return -1
		case a.addr > b.addr:
			return 1
		}
		return 0
	})
	for _, s := range syms {
		k.addrs = append(k.addrs, s.addr)
		k.names = append(k.names, s.name)
	}
	return k
}

// lookup returns the name of the symbol at exactly addr, or "". A miss
// reloads the table once, for the symbols of programs loaded since.
func (k *kallsyms) lookup(addr uint64) string {
	i, ok := slices.BinarySearch(k.addrs, addr)
	if !ok && !k.fresh {
		*k = *loadKallsyms()
		k.fresh = true
		i, ok = slices.BinarySearch(k.addrs, addr)
	}
	if !ok {
		return ""
	}
	return k.names[i]
}

var (
	ksymsMu    sync.Mutex
	ksymsCache *kallsyms
)

// kernelSymbols returns kallsyms, read once per process (reading it
// costs a tenth of a second).
func kernelSymbols() *kallsyms {
	ksymsMu.Lock()
	defer ksymsMu.Unlock()
	if ksymsCache == nil {
		ksymsCache = loadKallsyms()
		ksymsCache.fresh = true
	} else {
		ksymsCache.fresh = false
	}
	return ksymsCache
}

// pinnedTable maps the ids of the objects of one kind (the anon inode
// name: "bpf-prog", "bpf-map", "bpf_link") to their paths on the BPF file
// systems, as bpftool -f lists them: the mounts walked in /proc/mounts
// order, each directory in the order the kernel reads it. It returns nil
// when nothing of the kind is pinned.
func pinnedTable(inode string) map[uint32][]string {
	mounts, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return nil
	}
	var pairs [][2]uint32
	var paths []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		f, err := os.Open(dir)
		if err != nil || depth > 32 {
			return
		}
		names, _ := f.Readdirnames(-1)
		f.Close()
		for _, name := range names {
			path := filepath.Join(dir, name)
			st, err := os.Lstat(path)
			if err != nil {
				continue
			}
			if st.IsDir() {
				walk(path, depth+1)
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			if id, ok := pinnedID(path, inode); ok {
				pairs = append(pairs, [2]uint32{id, uint32(len(paths))})
				paths = append(paths, path)
			}
		}
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 3 && strings.HasPrefix(fields[2], "bpf") {
			walk(fields[1], 0)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	table := map[uint32][]string{}
	for id, idx := range libbpfMultimap(pairs) {
		for _, i := range idx {
			table[id] = append(table[id], paths[i])
		}
	}
	return table
}

// pinnedID opens a pinned object with BPF_OBJ_GET and returns its id when
// it is of the kind inode names.
func pinnedID(path, inode string) (uint32, bool) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return 0, false
	}
	attr := struct {
		pathname uint64
		fd       uint32
		flags    uint32
	}{pathname: uint64(uintptr(unsafe.Pointer(p))), flags: unix.O_RDONLY}
	const objGet = 7
	fd, _, errno := unix.Syscall(unix.SYS_BPF, objGet, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return 0, false
	}
	defer unix.Close(int(fd))
	if target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); err != nil || target != "anon_inode:"+inode {
		return 0, false
	}
	var b [88]byte
	if objInfo(int(fd), b[:]) != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[4:]), true
}

// pinnedJSON and pinnedPlain print an object's pins as bpftool -f does:
// in JSON, the member whenever anything of the kind is pinned.
func pinnedJSON(j *bpftool.JSONWriter, table map[uint32][]string, id uint32) {
	if table == nil {
		return
	}
	j.Name("pinned")
	j.StartArray()
	for _, p := range table[id] {
		j.String(p)
	}
	j.EndArray()
}
