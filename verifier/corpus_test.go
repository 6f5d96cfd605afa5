package verifier

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// A corpus case is a program in the assembler's dialect with directives in
// "#:" comments, which the assembler ignores:
//
//	== name of the case
//	#: type xdp
//	#: ctxsize 64
//	#: maxinsns 100000    (a lower complexity limit, to keep the test fast)
//	#: map hash key=4 value=8 entries=16 [flags=N] [lock=OFF] [str=TEXT]
//	#: priv              (verify with Options.Privileged)
//	#: kernel skip REASON  (why the Linux verifier cannot judge the case)
//	#: kernel reject TEXT  (the Linux verifier, in the case's mode, rejects
//	                        with TEXT where gbpf's verdict differs)
//	#: kernel accept       (the Linux verifier accepts what gbpf rejects by
//	                        a rule of its own)
//	#: accept
//	#: reject text the error message must contain
//	    mov %r0, 0
//	    exit
//
// Cases are separated by lines starting with "==".
type corpusCase struct {
	file, name string
	line       int
	src        string
	typ        progtype.Type
	ctxSize    int
	maxInsns   int
	maps       []*maps.Spec
	accept     bool
	msg        string
	priv       bool
	kernelSkip string
	kernelMsg  string
	// kernelAccept: the Linux verifier accepts the case, which gbpf
	// rejects by a rule of its own.
	kernelAccept bool
}

var mapTypeNames = map[string]maps.Type{
	"hash": maps.Hash, "array": maps.Array, "prog_array": maps.ProgramArray,
	"perf_event_array": maps.PerfEventArray, "percpu_hash": maps.PerCPUHash,
	"percpu_array": maps.PerCPUArray, "lru_hash": maps.LRUHash, "queue": maps.Queue,
	"stack": maps.Stack, "ringbuf": maps.RingBuf, "array_of_maps": maps.ArrayOfMaps,
	"hash_of_maps": maps.HashOfMaps, "lpm_trie": maps.LPMTrie,
}

func parseCorpus(file, text string) ([]*corpusCase, error) {
	var cases []*corpusCase
	var cur *corpusCase
	var body []string
	flush := func() {
		if cur != nil {
			cur.src = strings.Join(body, "\n")
			cases = append(cases, cur)
		}
		body = nil
	}
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "==") {
			flush()
			cur = &corpusCase{file: file, name: strings.TrimSpace(t[2:]), line: i + 1, typ: progtype.SocketFilter}
			continue
		}
		if cur == nil {
			continue
		}
		body = append(body, line)
		if !strings.HasPrefix(t, "#:") {
			continue
		}
		dir := strings.TrimSpace(t[2:])
		f := strings.Fields(dir)
		if len(f) == 0 {
			continue
		}
		bad := func(err error) error { return fmt.Errorf("%s:%d: %v", file, i+1, err) }
		switch f[0] {
		case "type":
			typ, err := progtype.Parse(f[1])
			if err != nil {
				return nil, bad(err)
			}
			cur.typ = typ
		case "ctxsize":
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, bad(err)
			}
			cur.ctxSize = n
		case "maxinsns":
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, bad(err)
			}
			cur.maxInsns = n
		case "priv":
			cur.priv = true
		case "kernel":
			if len(f) == 2 && f[1] == "accept" {
				cur.kernelAccept = true
				break
			}
			if len(f) < 3 || (f[1] != "skip" && f[1] != "reject") {
				return nil, bad(fmt.Errorf("want \"kernel skip REASON\", \"kernel reject TEXT\" or \"kernel accept\""))
			}
			rest := strings.TrimSpace(strings.TrimPrefix(dir, "kernel"))
			rest = strings.TrimSpace(strings.TrimPrefix(rest, f[1]))
			if f[1] == "skip" {
				cur.kernelSkip = rest
			} else {
				cur.kernelMsg = rest
			}
		case "accept":
			cur.accept = true
		case "reject":
			cur.msg = strings.TrimSpace(strings.TrimPrefix(dir, "reject"))
		case "map":
			m, err := parseMapDirective(f[1:], cur.maps)
			if err != nil {
				return nil, bad(err)
			}
			cur.maps = append(cur.maps, m)
		default:
			return nil, bad(fmt.Errorf("unknown directive %q", f[0]))
		}
	}
	flush()
	return cases, nil
}

func parseMapDirective(f []string, prev []*maps.Spec) (*maps.Spec, error) {
	if len(f) == 0 {
		return nil, fmt.Errorf("map: no type")
	}
	typ, ok := mapTypeNames[f[0]]
	if !ok {
		return nil, fmt.Errorf("unknown map type %q", f[0])
	}
	m := &maps.Spec{Name: fmt.Sprintf("m%d", len(prev)), Type: typ, SpinLockOffset: -1}
	for _, kv := range f[1:] {
		k, val, _ := strings.Cut(kv, "=")
		if k == "str" {
			v := make([]byte, m.ValueSize)
			copy(v, val)
			m.Contents = append(m.Contents, maps.KV{Key: make([]byte, m.KeySize), Value: v})
			continue
		}
		if k == "inner" {
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n >= len(prev) {
				return nil, fmt.Errorf("bad inner map %q", val)
			}
			m.InnerMap = prev[n]
			continue
		}
		n, err := strconv.ParseUint(val, 0, 32)
		if err != nil {
			return nil, fmt.Errorf("map %s: %v", kv, err)
		}
		switch k {
		case "key":
			m.KeySize = uint32(n)
		case "value":
			m.ValueSize = uint32(n)
		case "entries":
			m.MaxEntries = uint32(n)
		case "flags":
			m.Flags = uint32(n)
		case "lock":
			m.SpinLockOffset = int(n)
		default:
			return nil, fmt.Errorf("unknown map field %q", k)
		}
	}
	return m, nil
}

func loadCorpus(t testing.TB) []*corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/*.s")
	if err != nil {
		t.Fatal(err)
	}
	var all []*corpusCase
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := parseCorpus(filepath.Base(fn), string(b))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
	}
	return all
}

func (c *corpusCase) program(t testing.TB) isa.Program {
	t.Helper()
	p, err := asm.Assemble(c.src)
	if err != nil {
		t.Fatalf("%s:%d %q: %v", c.file, c.line, c.name, err)
	}
	return p
}

func (c *corpusCase) options() Options {
	return Options{Type: c.typ, CtxSize: c.ctxSize, Maps: c.maps, MaxInsns: c.maxInsns, Privileged: c.priv}
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	accepted, rejected := 0, 0
	for _, c := range cases {
		t.Run(c.file+"/"+c.name, func(t *testing.T) {
			if !c.accept && c.msg == "" {
				t.Fatalf("%s:%d: no verdict", c.file, c.line)
			}
			p := c.program(t)
			_, err := Verify(p, c.options())
			if c.accept {
				if err != nil {
					t.Errorf("%s:%d: rejected: %v\n%s", c.file, c.line, err, logOf(t, p, c))
				}
				accepted++
				return
			}
			if err == nil {
				t.Errorf("%s:%d: accepted, want %q", c.file, c.line, c.msg)
				return
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s:%d: error %q, want %q", c.file, c.line, err, c.msg)
			}
			rejected++
		})
	}
	t.Logf("corpus: %d cases, %d accepted, %d rejected as expected", len(cases), accepted, rejected)
}

func logOf(t testing.TB, p isa.Program, c *corpusCase) string {
	o := c.options()
	o.LogLevel = 1
	var b strings.Builder
	o.Log = &b
	_, err := Verify(p, o)
	if e, ok := err.(*Error); ok {
		return e.Log
	}
	return b.String()
}
