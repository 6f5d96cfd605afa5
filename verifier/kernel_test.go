package verifier

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	ciliumasm "github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"

	gasm "github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// kernelLoader loads programs into the Linux verifier with real maps.
type kernelLoader struct {
	maps []*ebpf.Map
	// attachType is the next program's expected attach type.
	attachType ebpf.AttachType
}

func kernelTypeOf(t progtype.Type) (ebpf.ProgramType, bool) {
	switch t {
	case progtype.SocketFilter:
		return ebpf.SocketFilter, true
	case progtype.XDP:
		return ebpf.XDP, true
	case progtype.SchedCLS:
		return ebpf.SchedCLS, true
	case progtype.Kprobe:
		return ebpf.Kprobe, true
	}
	return 0, false
}

// kernelTypeAny is kernelTypeOf for every Linux type: gbpf numbers its
// program types as Linux does.
func kernelTypeAny(t progtype.Type) ebpf.ProgramType {
	if kt, ok := kernelTypeOf(t); ok {
		return kt
	}
	return ebpf.ProgramType(t)
}

func (k *kernelLoader) close() {
	for _, m := range k.maps {
		m.Close()
	}
	k.maps = k.maps[:0]
}

// load returns nil if the kernel accepts p, its verifier log line
// otherwise, and the verification time the kernel reports.
func (k *kernelLoader) load(p isa.Program, typ progtype.Type, specs []*maps.Spec) (error, time.Duration, error) {
	k.close()
	for _, s := range specs {
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
			return nil, 0, errors.New("spin locks need BTF")
		}
		m, err := ebpf.NewMap(ms)
		if err != nil {
			return nil, 0, fmt.Errorf("map %v: %w", s, err)
		}
		if s.Flags&maps.ReadOnlyProg != 0 {
			// The kernel reads constant strings only from frozen maps.
			if err := m.Freeze(); err != nil {
				m.Close()
				return nil, 0, err
			}
		}
		k.maps = append(k.maps, m)
	}
	insns, err := ciliumasm.AppendInstructions(nil, bytes.NewReader(p.Encode()), binary.LittleEndian, "linux")
	if err != nil {
		return nil, 0, err
	}
	for i := range insns {
		ins := &insns[i]
		if ins.OpCode != ciliumasm.LoadImmOp(ciliumasm.DWord) {
			continue
		}
		idx := int(uint32(ins.Constant))
		if s := isa.Register(ins.Src); (s == isa.PseudoMapIdx || s == isa.PseudoMapFD || s == isa.PseudoMapIdxValue ||
			s == isa.PseudoMapValue) && idx >= len(k.maps) {
			return errors.New("no such map"), 0, nil
		}
		switch isa.Register(ins.Src) {
		case isa.PseudoMapIdx, isa.PseudoMapFD:
			ins.Src = ciliumasm.PseudoMapFD
			ins.Constant = 0
			if err := ins.AssociateMap(k.maps[idx]); err != nil {
				return nil, 0, err
			}
		case isa.PseudoMapIdxValue, isa.PseudoMapValue:
			off := ins.Constant >> 32
			ins.Src = ciliumasm.PseudoMapValue
			ins.Constant = off << 32
			if err := ins.AssociateMap(k.maps[idx]); err != nil {
				return nil, 0, err
			}
		}
	}
	spec := &ebpf.ProgramSpec{Type: kernelTypeAny(typ), Instructions: insns, License: "GPL", AttachType: k.attachType}
	prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats, LogSizeStart: 1 << 16})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			if debugKernelLog != nil {
				debugKernelLog(ve.Log)
			}
			l := lastLine(ve.Log)
			if strings.Contains(l.Error(), "missing btf func_info") {
				// Callbacks need BTF, which raw instructions lack.
				return nil, 0, errNeedsBTF
			}
			return l, 0, nil
		}
		return nil, 0, err
	}
	defer prog.Close()
	var d time.Duration
	for _, line := range strings.Split(prog.VerifierLog, "\n") {
		var usec int64
		if _, err := fmt.Sscanf(line, "verification time %d usec", &usec); err == nil {
			d = time.Duration(usec) * time.Microsecond
		}
	}
	return nil, d, nil
}

func lastLine(log []string) error {
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

var debugKernelLog func([]string)

var errNeedsBTF = errors.New("the kernel needs BTF for this program")

type diffStats struct {
	total, both, neither, kernelOnly, gbpfOnly, skipped int
	kernelOnlyMsgs                                      map[string]int
}

func (d *diffStats) add(t *testing.T, name string, gerr, kerr error) {
	d.total++
	switch {
	case gerr == nil && kerr == nil:
		d.both++
	case gerr != nil && kerr != nil:
		d.neither++
	case gerr != nil:
		d.kernelOnly++
		if d.kernelOnlyMsgs == nil {
			d.kernelOnlyMsgs = map[string]int{}
		}
		msg := gerr.(*Error).Msg
		if len(d.kernelOnlyMsgs) < 40 {
			d.kernelOnlyMsgs[msg]++
		}
		t.Logf("%s: kernel accepts, gbpf rejects: %v", name, gerr)
	default:
		d.gbpfOnly++
		t.Logf("%s: gbpf accepts, kernel rejects: %v", name, kerr)
	}
}

// report logs the counts and fails if gbpf accepts a program the kernel
// rejects, or accepts less than floor of what the kernel accepts.
func (d *diffStats) report(t *testing.T, what string, floor float64) {
	kAcc := d.both + d.kernelOnly
	gAcc := d.both + d.gbpfOnly
	t.Logf("%s: %d programs (%d skipped): kernel accepts %d, gbpf accepts %d, both %d, neither %d, kernel only %d, gbpf only %d",
		what, d.total, d.skipped, kAcc, gAcc, d.both, d.neither, d.kernelOnly, d.gbpfOnly)
	if d.gbpfOnly > 0 {
		// A program gbpf accepts and Linux refuses breaks the promise
		// that gbpf verify stands in for the kernel's verifier.
		t.Errorf("%s: gbpf accepts %d programs the kernel rejects", what, d.gbpfOnly)
	}
	if kAcc > 0 {
		share := float64(d.both) / float64(kAcc)
		t.Logf("%s: gbpf accepts %.1f%% of what the kernel accepts", what, 100*share)
		if share < floor {
			t.Errorf("%s: gbpf accepts only %.1f%% of the programs the kernel accepts (want >= %.1f%%)", what, 100*share, 100*floor)
		}
	}
}

// kernelAvailable reports whether programs can be loaded into the kernel.
func kernelAvailable() bool {
	if err := rlimit.RemoveMemlock(); err != nil {
		return false
	}
	spec := &ebpf.ProgramSpec{Type: ebpf.SocketFilter, License: "GPL",
		Instructions: ciliumasm.Instructions{ciliumasm.Mov.Imm(ciliumasm.R0, 0), ciliumasm.Return()}}
	p, err := ebpf.NewProgram(spec)
	if err != nil {
		return false
	}
	p.Close()
	return true
}

func kernelSetup(t *testing.T) {
	if err := rlimit.RemoveMemlock(); err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("memlock: %v", err))
	}
	spec := &ebpf.ProgramSpec{Type: ebpf.SocketFilter, License: "GPL",
		Instructions: ciliumasm.Instructions{ciliumasm.Mov.Imm(ciliumasm.R0, 0), ciliumasm.Return()}}
	p, err := ebpf.NewProgram(spec)
	if err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("bpf() unavailable: %v", err))
	}
	p.Close()
}

// TestKernelDifferentialCorpus loads the corpus programs of the types the
// kernel has into the Linux verifier and compares verdicts.
func TestKernelDifferentialCorpus(t *testing.T) {
	kernelSetup(t)
	var k kernelLoader
	defer k.close()
	var d diffStats
	for _, c := range loadCorpus(t) {
		if _, ok := kernelTypeOf(c.typ); !ok || c.maxInsns != 0 {
			continue
		}
		p := c.program(t)
		// The kernel runs as root here: compare with the rules for root.
		o := c.options()
		o.Privileged = true
		_, gerr := Verify(p, o)
		kerr, _, err := k.load(p, c.typ, c.maps)
		if err != nil {
			d.skipped++
			continue
		}
		d.add(t, fmt.Sprintf("%s:%d %q", c.file, c.line, c.name), gerr, kerr)
	}
	d.report(t, "corpus", 0.95)
}

// TestKernelDifferentialGenerated does the same with generated XDP
// programs. GBPF_DIFF_N sets how many (default 300).
func TestKernelDifferentialGenerated(t *testing.T) {
	kernelSetup(t)
	n := envInt("GBPF_DIFF_N", 300)
	var k kernelLoader
	defer k.close()
	var d diffStats
	for i := 0; i < n; i++ {
		seed := uint64(2*i + 1) // odd seeds generate XDP programs
		g := newGen(seed, progtype.XDP)
		src := g.program()
		p, err := gasm.Assemble(src)
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{Type: progtype.XDP, Maps: genMaps(), Privileged: true}
		_, gerr := Verify(p, opts)
		kerr, _, err := k.load(p, progtype.XDP, opts.Maps)
		if err != nil {
			d.skipped++
			t.Logf("seed %d: %v", seed, err)
			continue
		}
		d.add(t, fmt.Sprintf("seed %d", seed), gerr, kerr)
	}
	d.report(t, "generated", 0.95)
}
