package loader

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	gmaps "github.com/gbpf/gbpf/maps"
)

// kconfigMap is the name of the map that holds __kconfig externs.
const kconfigMap = ".kconfig"

// kconfig is the .kconfig section of an object: its layout from BTF and
// the values gbpf provides.
type kconfig struct {
	ds   *btf.Datasec
	data []byte
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

// kconfigValue is the value gbpf gives a kconfig extern: the kernel
// version, the syscall wrapper flag, or a CONFIG_ option of the running
// kernel as libbpf reads it (y is 1, m is 2, n or unset is 0, numbers as
// they are).
func kconfigValue(name string) (uint64, error) {
	switch name {
	case "LINUX_KERNEL_VERSION":
		return kernelVersion()
	case "LINUX_HAS_SYSCALL_WRAPPER":
		return 1, nil
	}
	if !strings.HasPrefix(name, "CONFIG_") {
		return 0, errors.New("unknown kconfig extern: gbpf provides LINUX_KERNEL_VERSION, LINUX_HAS_SYSCALL_WRAPPER and CONFIG_*")
	}
	cfg, err := kernelConfig()
	if err != nil {
		return 0, err
	}
	return configValue(cfg, name)
}

// configValue interprets option name of a parsed kernel configuration.
func configValue(cfg map[string]string, name string) (uint64, error) {
	v, ok := cfg[name]
	switch {
	case !ok || v == "n":
		return 0, nil
	case v == "y":
		return 1, nil
	case v == "m":
		return 2, nil
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("value %s is not a number (string options are not supported)", v)
	}
	return uint64(n), nil
}

var (
	configOnce sync.Once
	configMap  map[string]string
	configErr  error
)

// kernelConfig reads the running kernel's configuration, from
// /proc/config.gz or /boot/config-RELEASE. Without either, every option
// is unset.
func kernelConfig() (map[string]string, error) {
	configOnce.Do(func() {
		var r io.Reader
		if f, err := os.Open("/proc/config.gz"); err == nil {
			defer f.Close()
			gz, err := gzip.NewReader(f)
			if err != nil {
				configErr = fmt.Errorf("/proc/config.gz: %w", err)
				return
			}
			r = gz
		} else {
			release, err := kernelRelease()
			if err != nil {
				configErr = err
				return
			}
			path := "/boot/config-" + release
			f, err := os.Open(path)
			if errors.Is(err, os.ErrNotExist) {
				// No configuration to read (a container, another OS):
				// every option reads as unset, as for a weak extern.
				configMap = map[string]string{}
				return
			}
			if err != nil {
				configErr = fmt.Errorf("kernel configuration: %w", err)
				return
			}
			defer f.Close()
			r = f
		}
		configMap, configErr = parseConfig(r)
	})
	return configMap, configErr
}

// parseConfig parses a kernel .config: NAME=VALUE lines, comments and
// blank lines.
func parseConfig(r io.Reader) (map[string]string, error) {
	cfg := make(map[string]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		cfg[name] = value
	}
	return cfg, sc.Err()
}

// kernelVersion is KERNEL_VERSION(a, b, c) of the running kernel, as the
// kernel's LINUX_VERSION_CODE encodes it (c saturates at 255).
func kernelVersion() (uint64, error) {
	release, err := kernelRelease()
	if err != nil {
		return 0, err
	}
	return parseKernelVersion(release)
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
