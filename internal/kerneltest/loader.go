// Package kerneltest is what gbpf's tests use to compare with the running
// Linux kernel: a loader that puts gbpf's programs and map specs into the
// kernel's verifier, and the kernel's own verifier selftests (from Debian's
// linux-source package) as programs gbpf can run.
package kerneltest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	ciliumasm "github.com/cilium/ebpf/asm"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// ErrNeedsBTF is Load's error for programs the kernel loads only with BTF
// (callbacks, spin locks), which raw instructions lack.
var ErrNeedsBTF = errors.New("the kernel needs BTF for this program")

// A Loader loads programs into the kernel with real maps.
type Loader struct {
	// Maps are the kernel maps of the last Load, by lddw index.
	Maps []*ebpf.Map
	// AttachType is the next program's expected attach type.
	AttachType ebpf.AttachType
	// DebugLog, if set, receives the kernel's log of a rejected program.
	DebugLog func([]string)
}

// Close closes the maps of the last Load.
func (k *Loader) Close() {
	for _, m := range k.Maps {
		m.Close()
	}
	k.Maps = k.Maps[:0]
}

// Load creates specs' maps and loads p as typ. If the kernel rejects p,
// verdict is its verifier log's last message and prog is nil; otherwise
// the caller closes prog. d is the verification time the kernel reports.
func (k *Loader) Load(p isa.Program, typ progtype.Type, specs []*maps.Spec) (prog *ebpf.Program, verdict error, d time.Duration, err error) {
	k.Close()
	for _, s := range specs {
		m, err := newMap(s)
		if err != nil {
			return nil, nil, 0, err
		}
		k.Maps = append(k.Maps, m)
	}
	insns, err := ciliumasm.AppendInstructions(nil, bytes.NewReader(p.Encode()), binary.LittleEndian, "linux")
	if err != nil {
		return nil, nil, 0, err
	}
	for i := range insns {
		ins := &insns[i]
		if ins.OpCode != ciliumasm.LoadImmOp(ciliumasm.DWord) {
			continue
		}
		src := isa.Register(ins.Src)
		if src != isa.PseudoMapIdx && src != isa.PseudoMapFD && src != isa.PseudoMapIdxValue && src != isa.PseudoMapValue {
			continue
		}
		idx := int(uint32(ins.Constant))
		if idx >= len(k.Maps) {
			return nil, errors.New("no such map"), 0, nil
		}
		if src == isa.PseudoMapIdx || src == isa.PseudoMapFD {
			ins.Src = ciliumasm.PseudoMapFD
			ins.Constant = 0
		} else {
			ins.Src = ciliumasm.PseudoMapValue
			ins.Constant = (ins.Constant >> 32) << 32
		}
		if err := ins.AssociateMap(k.Maps[idx]); err != nil {
			return nil, nil, 0, err
		}
	}
	spec := &ebpf.ProgramSpec{Type: ebpf.ProgramType(typ), Instructions: insns, License: "GPL", AttachType: k.AttachType}
	prog, err = ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats, LogSizeStart: 1 << 16})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			if k.DebugLog != nil {
				k.DebugLog(ve.Log)
			}
			l := LastLine(ve.Log)
			if strings.Contains(l.Error(), "missing btf func_info") {
				return nil, nil, 0, ErrNeedsBTF
			}
			return nil, l, 0, nil
		}
		return nil, nil, 0, err
	}
	for _, line := range strings.Split(prog.VerifierLog, "\n") {
		var usec int64
		if _, err := fmt.Sscanf(line, "verification time %d usec", &usec); err == nil {
			d = time.Duration(usec) * time.Microsecond
		}
	}
	return prog, nil, d, nil
}

// newMap creates the kernel map of s.
func newMap(s *maps.Spec) (*ebpf.Map, error) {
	ms := &ebpf.MapSpec{Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
	if s.Type == maps.PerfEventArray {
		ms.KeySize, ms.ValueSize, ms.MaxEntries = 4, 4, 0
	}
	if s.InnerMap != nil {
		in := s.InnerMap
		ms.InnerMap = &ebpf.MapSpec{Type: ebpf.MapType(in.Type), KeySize: in.KeySize, ValueSize: in.ValueSize, MaxEntries: in.MaxEntries}
	}
	for _, kv := range s.Contents {
		ms.Contents = append(ms.Contents, ebpf.MapKV{Key: kv.Key, Value: kv.Value})
	}
	if s.SpinLockOffset >= 0 {
		return nil, errors.New("spin locks need BTF")
	}
	m, err := ebpf.NewMap(ms)
	if err != nil {
		return nil, fmt.Errorf("map %v: %w", s, err)
	}
	if s.Flags&maps.ReadOnlyProg != 0 {
		// The kernel reads constant strings only from frozen maps.
		if err := m.Freeze(); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// LastLine returns the message of a kernel verifier log: its last line
// that is not a statistic.
func LastLine(log []string) error {
	for i := len(log) - 1; i >= 0; i-- {
		l := strings.TrimSpace(log[i])
		// The statistics may follow the message without a line break.
		if j := strings.Index(l, "verification time"); j > 0 {
			l = l[:j]
		}
		// An infinite loop is reported before the two states compared.
		if strings.HasPrefix(l, "cur state:") || strings.HasPrefix(l, "old state:") {
			continue
		}
		if l != "" && !strings.HasPrefix(l, "processed ") && !strings.HasPrefix(l, "verification time") &&
			!strings.HasPrefix(l, "stack depth") {
			return errors.New(l)
		}
	}
	return errors.New("rejected")
}
