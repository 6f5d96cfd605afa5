package bpftrace

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
	"github.com/gbpf/gbpf/progtype"
)

// MaxStack is the BPF stack a generated program may use.
const MaxStack = 512

// TracepointSource gives the tracepoints a script may attach to and
// their record layouts.
type TracepointSource interface {
	// Format returns the layout of tracepoint group:name.
	Format(group, name string) (*kernel.Format, error)
	// List returns every tracepoint as "group:name".
	List() ([]string, error)
}

// Options configure Compile.
type Options struct {
	// File names the script in error messages; "" means "stdin".
	File string
	// Args are the positional parameters $1, $2, ...
	Args []string
	// Tracepoints resolves tracepoint probes; nil means tracefs.
	Tracepoints TracepointSource
}

// Script is a compiled script: one BPF program per attach point, the maps
// they share and the actions user space performs for their events.
type Script struct {
	Probes  []*ProbeProgram
	Maps    []*MapInfo
	Actions []Action
	// Source is the program text.
	Source   string
	attached int
}

// ProbeProgram is the program of one attach point.
type ProbeProgram struct {
	// Name is the probe as bpftrace names it, such as
	// "tracepoint:syscalls:sys_enter_openat".
	Name string
	// Provider is "BEGIN", "END", "tracepoint", "interval" or "hook".
	Provider string
	// Group and Event name a tracepoint; Event names a hook.
	Group, Event string
	// Interval is the period of an interval probe.
	Interval time.Duration
	// Insns is the program. Map references are lddw of source
	// isa.PseudoMapIdx indexing Script.Maps.
	Insns isa.Program
	// CtxSize is the context the program reads: a tracepoint's record
	// size, a hook's argument words.
	CtxSize int
	// Lines maps instruction indices to the source line that produced them.
	Lines map[int]int
	// startAt are the lddw slots that load the start time (elapsed).
	startAt []int
}

// merge appends the program of q to p: p's exit becomes a fall-through
// into q, whose context register p keeps.
func (p *ProbeProgram) merge(q *ProbeProgram) {
	n := len(p.Insns.Insns) - 1 // drop p's one exit
	insns := append(p.Insns.Insns[:n:n], q.Insns.Insns...)
	insns[n].Src = rCtx // q's "r6 = r1" becomes "r6 = r6"
	for at, line := range q.Lines {
		p.Lines[at+n] = line
	}
	for _, at := range q.startAt {
		p.startAt = append(p.startAt, at+n)
	}
	p.Insns.Insns = insns
	p.Name += "," + q.Name
}

// MapInfo describes one map of a script.
type MapInfo struct {
	// Name is "@name", or "@" for the anonymous map; the ring buffer of
	// events is "events".
	Name  string
	Keys  []Type
	Value Type
	// KeySize and ValueSize are the sizes in the BPF map.
	KeySize, ValueSize int
	ringbuf            bool
	// scratch is the per-CPU buffer of join(): one element, not printed.
	scratch  bool
	assigned bool
	used     Span
}

// perCPU reports whether the map holds aggregations, kept per CPU.
func (m *MapInfo) perCPU() bool { return m.Value.Kind >= KindCount }

// array reports whether the map is a keyless count, kept in a one-element
// per-CPU array (whose lookups the kernel inlines), as bpftrace does: it
// always has its element, so it prints "@x: 0" even when never counted.
func (m *MapInfo) array() bool { return len(m.Keys) == 0 && m.Value.Kind == KindCount }

// hasSlot reports whether the map's key ends with a histogram slot.
func (m *MapInfo) hasSlot() bool { return m.Value.Kind == KindHist || m.Value.Kind == KindLhist }

// ActionKind says what user space does for an event.
type ActionKind int

// Actions of events.
const (
	ActPrintf ActionKind = iota
	ActPrint
	ActClear
	ActZero
	ActExit
	ActTime
	ActJoin
)

// Action is what one event id means.
type Action struct {
	Kind ActionKind
	// Format is printf's or time()'s format, or join()'s delimiter.
	Format string
	// Args are the types of printf's arguments, in event order.
	Args []Type
	// Map is the index of the map of print, clear and zero.
	Map       int
	Top, Div  int64
	eventSize int
}

const eventsMap = 0 // index of the ring buffer in Script.Maps

// Compile parses and compiles a script.
func Compile(text string, opts *Options) (*Script, error) {
	if opts == nil {
		opts = &Options{}
	}
	name := opts.File
	if name == "" {
		name = "stdin"
	}
	prog, err := Parse(name, text)
	if err != nil {
		return nil, err
	}
	ts := opts.Tracepoints
	if ts == nil {
		ts = Tracefs{}
	}
	c := &compiler{src: &source{name: name, text: text}, args: opts.Args, ts: ts, maps: map[string]*MapInfo{}}
	c.mapList = []*MapInfo{{Name: "events", ringbuf: true}}
	points, err := c.expand(prog)
	if err != nil {
		return nil, err
	}
	// Pass 1 learns the types of maps from every assignment; pass 2
	// generates code with them and reports errors.
	pass1Failed := false
	for pass := 1; pass <= 2; pass++ {
		c.pass = pass
		c.actions = nil
		for _, pt := range points {
			g := &gen{c: c, pt: pt}
			pp, err := g.program()
			if err != nil {
				if pass == 2 {
					return nil, err
				}
				pass1Failed = true
				continue
			}
			if pass == 2 {
				pt.out = pp
			}
		}
		if pass == 1 && !pass1Failed {
			for _, m := range c.mapList[1:] {
				if !m.assigned && !m.scratch {
					return nil, c.src.errorf(m.used, "Undefined map: @%s", m.Name[1:])
				}
			}
		}
	}
	s := &Script{Maps: c.mapList, Actions: c.actions, Source: text, attached: len(points)}
	hooks := map[string]*ProbeProgram{}
	for _, pt := range points {
		if prev := hooks[pt.event]; prev != nil && pt.ap.Provider == "hook" {
			// A hook runs one program: the probes on it run one after
			// the other, in the order of the script.
			prev.merge(pt.out)
			continue
		}
		if pt.ap.Provider == "hook" {
			hooks[pt.event] = pt.out
		}
		s.Probes = append(s.Probes, pt.out)
	}
	for _, m := range s.Maps[1:] {
		if m.scratch {
			m.KeySize, m.ValueSize = 4, joinSize
			continue
		}
		m.KeySize = keySize(m.Keys, m.hasSlot())
		if m.array() {
			m.KeySize = 4 // the first half of the 8 zero bytes the code builds
		}
		m.ValueSize = m.Value.valueSize()
	}
	return s, nil
}

func keySize(keys []Type, slot bool) int {
	n := 0
	for _, k := range keys {
		n += storedSize(k)
	}
	if slot {
		n += 8
	}
	if n == 0 {
		n = 8
	}
	return n
}

// storedSize is the size of a key element or value of type t in a map or
// variable: integers 8 bytes, strings StrLen.
func storedSize(t Type) int {
	if t.Kind == KindStr {
		return StrLen
	}
	return 8
}

type compiler struct {
	src     *source
	args    []string
	ts      TracepointSource
	pass    int
	maps    map[string]*MapInfo
	mapList []*MapInfo
	actions []Action
}

// point is one expanded attach point with its probe.
type point struct {
	probe  *Probe
	ap     *AttachPoint
	name   string
	group  string
	event  string
	format *kernel.Format
	every  time.Duration
	out    *ProbeProgram
}

// expand resolves wildcards and reads tracepoint formats.
func (c *compiler) expand(prog *Program) ([]*point, error) {
	var pts []*point
	var all []string
	for _, pr := range prog.Probes {
		for _, ap := range pr.Points {
			switch ap.Provider {
			case "BEGIN", "END":
				pts = append(pts, &point{probe: pr, ap: ap, name: ap.Provider})
			case "hook":
				pts = append(pts, &point{probe: pr, ap: ap, name: "hook:" + ap.Target, event: ap.Target})
			case "interval":
				d, err := intervalPeriod(ap.Target, ap.Func)
				if err != nil {
					return nil, c.src.errorf(ap.Span, "%v", err)
				}
				pts = append(pts, &point{probe: pr, ap: ap, name: "interval:" + ap.Target + ":" + ap.Func, every: d})
			case "uprobe", "uretprobe":
				if strings.ContainsAny(ap.Func, "*?[") {
					return nil, c.src.errorf(ap.Span, "wildcards in %s function names are not supported", ap.Provider)
				}
				bin, err := resolveBinary(ap.Target)
				if err != nil {
					return nil, c.src.errorf(ap.Span, "%v", err)
				}
				pts = append(pts, &point{probe: pr, ap: ap, name: ap.Provider + ":" + bin + ":" + ap.Func, group: bin, event: ap.Func})
			case "tracepoint":
				names := []string{ap.Target + ":" + ap.Func}
				if strings.ContainsAny(ap.Target+ap.Func, "*?[") {
					if all == nil {
						var err error
						if all, err = c.ts.List(); err != nil {
							return nil, c.src.errorf(ap.Span, "listing tracepoints: %v", err)
						}
					}
					names = names[:0]
					for _, n := range all {
						if ok, _ := path.Match(ap.Target+":"+ap.Func, n); ok {
							names = append(names, n)
						}
					}
					if len(names) == 0 {
						return nil, c.src.errorf(ap.Span, "No probes to attach for %s", ap.Raw)
					}
				}
				for _, n := range names {
					group, event, _ := strings.Cut(n, ":")
					f, err := c.ts.Format(group, event)
					if err != nil {
						return nil, c.src.errorf(ap.Span, "tracepoint not found: %s:%s", group, event)
					}
					pts = append(pts, &point{probe: pr, ap: ap, name: "tracepoint:" + n, group: group, event: event, format: f})
				}
			}
		}
	}
	return pts, nil
}

func intervalPeriod(unit, count string) (time.Duration, error) {
	n, err := strconv.ParseUint(count, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("interval: invalid count %q", count)
	}
	var u time.Duration
	switch unit {
	case "s":
		u = time.Second
	case "ms":
		u = time.Millisecond
	case "us":
		u = time.Microsecond
	case "hz":
		return time.Second / time.Duration(n), nil
	default:
		return 0, fmt.Errorf("%s is not an accepted unit of time", unit)
	}
	return time.Duration(n) * u, nil
}

// mapFor returns the map called name, creating it.
func (c *compiler) mapFor(m *MapExpr) *MapInfo {
	name := "@" + m.Name
	mi := c.maps[name]
	if mi == nil {
		mi = &MapInfo{Name: name, used: m.Span}
		c.maps[name] = mi
		c.mapList = append(c.mapList, mi)
	}
	return mi
}

func (c *compiler) mapIndex(mi *MapInfo) int {
	for i, m := range c.mapList {
		if m == mi {
			return i
		}
	}
	return -1
}

// joinMap returns the scratch map of join(), creating it.
func (c *compiler) joinMap() int {
	for i, m := range c.mapList {
		if m.scratch {
			return i
		}
	}
	c.mapList = append(c.mapList, &MapInfo{Name: "join", scratch: true, assigned: true})
	return len(c.mapList) - 1
}

func (c *compiler) addAction(a Action) int {
	c.actions = append(c.actions, a)
	return len(c.actions) - 1
}

// sortedNames returns the map names in bpftrace's printing order.
func (s *Script) sortedMaps() []int {
	var idx []int
	for i, m := range s.Maps {
		if !m.ringbuf && !m.scratch {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return s.Maps[idx[a]].Name < s.Maps[idx[b]].Name })
	return idx
}

// scratch is a $variable's stack slot.
type scratch struct {
	typ Type
	off int16
}

// operand is an evaluated expression: an integer in R0, or a string in a
// stack buffer at off (from R10).
type operand struct {
	typ Type
	off int16
}

// gen generates the program of one attach point.
type gen struct {
	asmBuf
	c     *compiler
	pt    *point
	sp    int // stack bytes in use
	floor int // stack bytes that statements may not free (variables)
	vars  map[string]*scratch
	varOf []int16
	ret   label
	done  bool // the code so far ends in exit() on every path
	lines map[int]int
	start []int
}

func (g *gen) errorf(sp Span, format string, args ...any) error {
	return g.c.src.errorf(sp, format, args...)
}

// alloc reserves n bytes (rounded up to 8) of stack and returns their
// offset from R10.
func (g *gen) alloc(n int, sp Span) (int16, error) {
	n = (n + 7) &^ 7
	g.sp += n
	if g.sp > MaxStack {
		return 0, g.errorf(sp, "BPF stack limit exceeded: the probe needs more than %d bytes", MaxStack)
	}
	return int16(-g.sp), nil
}

// zero clears n bytes at off.
func (g *gen) zero(off int16, n int) {
	for i := 0; i < n; i += 8 {
		g.stImm(isa.SizeDW, isa.R10, off+int16(i), 0)
	}
}

func (g *gen) program() (*ProbeProgram, error) {
	g.vars = map[string]*scratch{}
	g.lines = map[int]int{}
	g.ret = g.newLabel()
	pt := g.pt
	if pt.probe.Pred != nil {
		g.lines[len(g.insns)] = pt.probe.Pred.span().Start.Line
		op, err := g.expr(pt.probe.Pred)
		if err != nil {
			return nil, err
		}
		if err := g.truth(op, pt.probe.Pred); err != nil {
			return nil, err
		}
		g.jmpImm(isa.JEq, isa.R0, 0, g.ret)
	}
	if err := g.block(pt.probe.Body); err != nil {
		return nil, err
	}
	g.bind(g.ret)
	g.movImm(isa.R0, 0)
	g.exit()
	g.resolve()
	// The prologue saves the context and zeroes the variables, so that a
	// variable set on one path only reads as 0 on the others.
	var pro asmBuf
	pro.movReg(rCtx, isa.R1)
	for _, off := range g.varOf {
		for i := 0; i < g.varSize(off); i += 8 {
			pro.stImm(isa.SizeDW, isa.R10, off+int16(i), 0)
		}
	}
	n := len(pro.insns)
	insns := append(pro.insns, g.insns...)
	pp := &ProbeProgram{
		Name: pt.name, Provider: pt.ap.Provider, Group: pt.group, Event: pt.event, Interval: pt.every,
		Insns: isa.Program{Insns: insns}, Lines: map[int]int{},
	}
	for at, line := range g.lines {
		pp.Lines[at+n] = line
	}
	for _, at := range g.start {
		pp.startAt = append(pp.startAt, at+n)
	}
	switch {
	case pt.format != nil:
		pp.CtxSize = pt.format.Size()
	case pt.ap.Provider == "hook":
		pp.CtxSize = hookArgs * 8
	case pt.ap.Provider == "uprobe" || pt.ap.Provider == "uretprobe":
		pp.CtxSize = progtype.PtRegsSize
	}
	return pp, nil
}

func (g *gen) varSize(off int16) int {
	for _, v := range g.vars {
		if v.off == off {
			return storedSize(v.typ)
		}
	}
	return 8
}

// hookArgs is the number of 8-byte arguments of a hook event.
const hookArgs = 6

// block generates stmts; g.done tells whether they end every path with
// exit(), after which nothing may be generated (the verifier rejects
// unreachable instructions).
func (g *gen) block(stmts []Stmt) error {
	g.done = false
	for _, s := range stmts {
		mark := g.sp
		g.lines[len(g.insns)] = s.span().Start.Line
		if err := g.stmt(s); err != nil {
			return err
		}
		g.sp = max(mark, g.floor)
		if isExit(s) {
			g.done = true
		}
		if g.done {
			return nil // what follows exit() never runs
		}
	}
	return nil
}

func isExit(s Stmt) bool {
	e, ok := s.(*ExprStmt)
	if !ok {
		return false
	}
	c, ok := e.X.(*CallExpr)
	return ok && c.Name == "exit"
}

// libDirs are where uprobe targets named without a path are looked for,
// as the dynamic linker would find them.
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// resolveBinary finds the ELF file of a uprobe target: a path, a library
// name such as "libc", or a program in PATH.
func resolveBinary(target string) (string, error) {
	if strings.Contains(target, "/") {
		if !isELF(target) {
			return "", fmt.Errorf("uprobe target %s is not an ELF file", target)
		}
		return target, nil
	}
	for _, dir := range libDirs {
		matches, _ := filepath.Glob(filepath.Join(dir, target+".so*"))
		sort.Slice(matches, func(i, j int) bool { return len(matches[i]) > len(matches[j]) })
		for _, m := range matches {
			if isELF(m) {
				return m, nil
			}
		}
	}
	if p, err := exec.LookPath(target); err == nil && isELF(p) {
		return p, nil
	}
	return "", fmt.Errorf("could not find the binary or library %q of the uprobe", target)
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	_, err = io.ReadFull(f, b[:])
	return err == nil && string(b[:]) == "\x7fELF"
}
