package loader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	gmaps "github.com/gbpf/gbpf/maps"
)

// kconfigMap is the name of the map that holds __kconfig externs.
const kconfigMap = ".kconfig"

// kconfig is the .kconfig section of an object: its layout from BTF and
// the values gbpf provides.
type kconfig struct {
	ds   *btf.Datasec
	data []byte
	err  error
}

// newKconfig lays out the .kconfig externs of an object. Values are filled
// in for the externs gbpf knows; using another one is an error reported by
// offset.
func newKconfig(types *btf.Spec) (*kconfig, error) {
	kc := &kconfig{}
	if types == nil {
		return kc, nil
	}
	var ds *btf.Datasec
	err := types.TypeByName(kconfigMap, &ds)
	if errors.Is(err, btf.ErrNotFound) {
		return kc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kconfig: %w", err)
	}
	kc.ds = ds
	kc.data = make([]byte, ds.Size)
	return kc, nil
}

// fill fills in the value of the extern at offset off of .kconfig.
func (kc *kconfig) fill(off uint32) error {
	if kc.ds == nil {
		return errors.New("kconfig extern without a .kconfig section in BTF")
	}
	for _, vsi := range kc.ds.Vars {
		v, ok := vsi.Type.(*btf.Var)
		if !ok || vsi.Offset != off {
			continue
		}
		value, err := kconfigValue(v.Name)
		if err != nil {
			return fmt.Errorf("kconfig %s: %w", v.Name, err)
		}
		if uint64(vsi.Offset)+uint64(vsi.Size) > uint64(len(kc.data)) {
			return fmt.Errorf("kconfig %s: outside .kconfig", v.Name)
		}
		dst := kc.data[vsi.Offset : vsi.Offset+vsi.Size]
		switch len(dst) {
		case 1:
			dst[0] = byte(value)
		case 2:
			binary.NativeEndian.PutUint16(dst, uint16(value))
		case 4:
			binary.NativeEndian.PutUint32(dst, uint32(value))
		case 8:
			binary.NativeEndian.PutUint64(dst, value)
		default:
			return fmt.Errorf("kconfig %s: %d bytes: want an integer of 1, 2, 4 or 8 bytes", v.Name, len(dst))
		}
		return nil
	}
	return fmt.Errorf("no kconfig extern at .kconfig+%d", off)
}

// spec returns the .kconfig map: a read-only array of one element.
func (kc *kconfig) spec() *gmaps.Spec {
	return &gmaps.Spec{
		Name:           kconfigMap,
		Type:           gmaps.Array,
		KeySize:        4,
		ValueSize:      uint32(len(kc.data)),
		MaxEntries:     1,
		Flags:          gmaps.ReadOnlyProg,
		Contents:       []gmaps.KV{{Key: make([]byte, 4), Value: kc.data}},
		SpinLockOffset: -1,
	}
}

// kconfigValue is the value gbpf gives a kconfig extern.
func kconfigValue(name string) (uint64, error) {
	switch name {
	case "LINUX_KERNEL_VERSION":
		return kernelVersion()
	case "LINUX_HAS_SYSCALL_WRAPPER":
		return 1, nil
	}
	return 0, errors.New("unknown kconfig extern: gbpf provides LINUX_KERNEL_VERSION and LINUX_HAS_SYSCALL_WRAPPER")
}

// kernelVersion is KERNEL_VERSION(a, b, c) of the running kernel, as the
// kernel's LINUX_VERSION_CODE encodes it (c saturates at 255).
func kernelVersion() (uint64, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return 0, err
	}
	return parseKernelVersion(unix.ByteSliceToString(u.Release[:]))
}

// parseKernelVersion parses a release string such as "6.1.0-13-amd64".
func parseKernelVersion(release string) (uint64, error) {
	var v [3]uint64
	rest := release
	for i := range v {
		end := 0
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		if end == 0 {
			if i < 2 {
				return 0, fmt.Errorf("kernel release %q: no version number", release)
			}
			break
		}
		n, err := strconv.ParseUint(rest[:end], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("kernel release %q: %w", release, err)
		}
		v[i] = n
		rest, _ = strings.CutPrefix(rest[end:], ".")
	}
	return v[0]<<16 | v[1]<<8 | min(v[2], 255), nil
}
