package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

func init() { kernelLinkShow = linkShow }

// Kernel link types bpftool prints details of.
const (
	linkRawTracepoint = 1
	linkTracing       = 2
	linkCgroup        = 3
	linkIter          = 4
	linkNetns         = 5
)

// linkInfo is the part of struct bpf_link_info bpftool prints.
type linkInfo struct {
	typ, id, progID uint32
	tpName          string // raw_tracepoint; iter's target name
	attachType      uint32
	cgroupID        uint64
	netnsIno        uint32
	iterMapID       uint32
}

func readLinkInfo(fd int) (linkInfo, error) {
	var b [64]byte
	if err := objInfo(fd, b[:]); err != nil {
		return linkInfo{}, err
	}
	name := make([]byte, 128)
	if typ := binary.LittleEndian.Uint32(b[0:]); typ == linkRawTracepoint || typ == linkIter {
		// A second call with a buffer for the name, at offset 16 in
		// both; other link types read other fields there.
		b = [64]byte{}
		binary.LittleEndian.PutUint64(b[16:], uint64(uintptr(unsafe.Pointer(&name[0]))))
		binary.LittleEndian.PutUint32(b[24:], uint32(len(name)))
		if err := objInfo(fd, b[:]); err != nil {
			return linkInfo{}, err
		}
	}
	le := binary.LittleEndian
	l := linkInfo{typ: le.Uint32(b[0:]), id: le.Uint32(b[4:]), progID: le.Uint32(b[8:])}
	switch l.typ {
	case linkRawTracepoint:
		l.tpName = cString(name)
	case linkIter:
		l.tpName = cString(name)
		l.iterMapID = le.Uint32(b[28:])
	case linkTracing:
		l.attachType = le.Uint32(b[16:])
	case linkCgroup:
		l.cgroupID, l.attachType = le.Uint64(b[16:]), le.Uint32(b[24:])
	case linkNetns:
		l.netnsIno, l.attachType = le.Uint32(b[16:]), le.Uint32(b[20:])
	}
	return l, nil
}

type fdLink interface{ FD() int }

// linkShow lists the kernel's links as bpftool link show does.
func linkShow(w io.Writer, args []string) error {
	var only uint32
	if len(args) > 0 {
		sel, rest, err := parseSelector(args, "id", "pinned")
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("unexpected %q", strings.Join(rest, " "))
		}
		if sel.kind == "pinned" {
			l, err := link.LoadPinnedLink(sel.value, nil)
			if err != nil {
				return fmt.Errorf("bpf obj get (%s): %w", sel.value, err)
			}
			info, err := l.Info()
			l.Close()
			if err != nil {
				return err
			}
			only = uint32(info.ID)
		} else {
			n, _ := strconv.ParseUint(sel.value, 0, 32)
			only = uint32(n)
		}
	}
	refs := objRefs("bpf_link", "link_id")
	var pins map[uint32][]string
	if out.bpffs {
		pins = pinnedTable("bpf_link")
	}
	var ids []uint32
	if only != 0 {
		ids = []uint32{only}
	} else {
		var it link.Iterator
		for it.Next() {
			ids = append(ids, uint32(it.ID))
		}
		it.Close()
		if err := it.Err(); err != nil {
			return fmt.Errorf("can't get next link: %w", err)
		}
	}
	j, finish := out.showWriter(w, only == 0)
	for _, id := range ids {
		l, err := link.NewFromID(link.ID(id))
		if err != nil {
			if only == 0 && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("can't get link by id (%d): %w", id, err)
		}
		fl, ok := l.(fdLink)
		if !ok {
			l.Close()
			return fmt.Errorf("link %d: no descriptor", id)
		}
		info, err := readLinkInfo(fl.FD())
		l.Close()
		if err != nil {
			return err
		}
		progType := ""
		if info.typ == linkTracing {
			if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(info.progID)); err == nil {
				if pi, err := readProgInfo(p.FD()); err == nil {
					progType = typeOrNumber(kernelProgTypes, pi.typ)
				}
				p.Close()
			}
		}
		if j != nil {
			j.StartObject()
			j.UintField("id", uint64(info.id))
			if t := typeString(kernelLinkTypes, info.typ); t != "" {
				j.StringField("type", t)
			} else {
				j.UintField("type", uint64(info.typ))
			}
			j.UintField("prog_id", uint64(info.progID))
			attach := func() {
				if t := typeString(kernelAttachTypes, info.attachType); t != "" {
					j.StringField("attach_type", t)
				} else {
					j.UintField("attach_type", uint64(info.attachType))
				}
			}
			switch info.typ {
			case linkRawTracepoint:
				j.StringField("tp_name", info.tpName)
			case linkTracing:
				if t, err := strconv.ParseUint(strings.TrimPrefix(progType, "type "), 10, 32); err == nil {
					j.UintField("prog_type", t)
				} else {
					j.StringField("prog_type", progType)
				}
				attach()
			case linkCgroup:
				j.UintField("cgroup_id", info.cgroupID)
				attach()
			case linkIter:
				j.StringField("target_name", info.tpName)
				if strings.HasPrefix(info.tpName, "bpf_map_elem") || strings.HasPrefix(info.tpName, "bpf_sk_storage_map") {
					j.UintField("map_id", uint64(info.iterMapID))
				}
			case linkNetns:
				j.UintField("netns_ino", uint64(info.netnsIno))
				attach()
			}
			pinnedJSON(j, pins, info.id)
			refsJSON(j, refs[info.id])
			j.EndObject()
			continue
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "%d: %s  prog %d  ", info.id, typeOrNumber(kernelLinkTypes, info.typ), info.progID)
		attach := func() {
			fmt.Fprintf(&b, "attach_type %s  ", strings.TrimPrefix(typeOrNumber(kernelAttachTypes, info.attachType), "type "))
		}
		switch info.typ {
		case linkRawTracepoint:
			fmt.Fprintf(&b, "\n\ttp '%s'  ", info.tpName)
		case linkTracing:
			fmt.Fprintf(&b, "\n\tprog_type %s  ", strings.TrimPrefix(progType, "type "))
			attach()
		case linkCgroup:
			fmt.Fprintf(&b, "\n\tcgroup_id %d  ", info.cgroupID)
			attach()
		case linkIter:
			fmt.Fprintf(&b, "target_name %s  ", info.tpName)
			if strings.HasPrefix(info.tpName, "bpf_map_elem") || strings.HasPrefix(info.tpName, "bpf_sk_storage_map") {
				fmt.Fprintf(&b, "map_id %d  ", info.iterMapID)
			}
		case linkNetns:
			fmt.Fprintf(&b, "\n\tnetns_ino %d  ", info.netnsIno)
			attach()
		}
		for _, p := range pins[info.id] {
			fmt.Fprintf(&b, "\n\tpinned %s", p)
		}
		refsPlain(&b, refs[info.id])
		b.WriteString("\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return finish()
}
