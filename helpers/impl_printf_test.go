package helpers

import (
	"bytes"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// testMem is runtime memory for helper tests, registered as the run's only
// region.
type testMem struct {
	block *engine.Block
	env   *engine.Env
	state *State
	next  int
}

func newTestMem(t testing.TB, checked bool) *testMem {
	t.Helper()
	b, err := engine.Alloc(4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Free() })
	st := &State{Checked: checked}
	env := &engine.Env{Regions: []engine.Region{b.Region(true)}, Host: st}
	st.Begin(env, 0)
	return &testMem{block: b, env: env, state: st}
}

// put copies data into the memory and returns its address.
func (m *testMem) put(data []byte) uint64 {
	off := m.next
	copy(m.block.Bytes()[off:], data)
	m.next += (len(data) + 8) &^ 7
	return m.block.Addr() + uint64(off)
}

// alloc reserves n zeroed bytes.
func (m *testMem) alloc(n int) uint64 { return m.put(make([]byte, n)) }

func (m *testMem) bytes(addr uint64, n int) []byte { return engine.Bytes(addr, uint64(n)) }

func TestBprintf(t *testing.T) {
	m := newTestMem(t, true)
	str := m.put([]byte("world\x00"))
	ip4 := m.put([]byte{192, 168, 1, 20})
	ip6 := m.put([]byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	for _, c := range []struct {
		format string
		args   []uint64
		want   string
		err    uint64
	}{
		{"plain", nil, "plain", 0},
		{"%d %i", []uint64{0xffffffff, 42}, "-1 42", 0},
		{"%ld %lld", []uint64{0xffffffffffffffff, 1 << 40}, "-1 1099511627776", 0},
		{"%u %lu", []uint64{0xffffffff, 0xffffffffffffffff}, "4294967295 18446744073709551615", 0},
		{"%x %X %llx", []uint64{0xabcdef12, 0xabcdef12, 0x1234567890}, "abcdef12 ABCDEF12 1234567890", 0},
		{"[%5d] [%-5d] [%05d] [%+d] [% d]", []uint64{42, 42, 42, 42, 42}, "[   42] [42   ] [00042] [+42] [ 42]", 0},
		{"[%05d]", []uint64{uint64(0xfffffff9)}, "[-0007]", 0},
		{"%c%c", []uint64{'h', 'i'}, "hi", 0},
		{"hello %s!", []uint64{str}, "hello world!", 0},
		{"[%8s]", []uint64{str}, "[   world]", 0},
		{"%s", []uint64{0x1000}, "", 0}, // a string nobody owns reads as empty
		{"%s", []uint64{0}, "(null)", 0},
		{"100%%", nil, "100%", 0},
		{"%p", []uint64{0xdeadbeef}, "00000000deadbeef", 0},
		{"%px", []uint64{0xdeadbeef}, "00000000deadbeef", 0},
		{"%pI4", []uint64{ip4}, "192.168.1.20", 0},
		{"%pi4", []uint64{ip4}, "192.168.001.020", 0},
		{"%pI6", []uint64{ip6}, "fd00:0000:0000:0000:0000:0000:0000:0001", 0},
		{"%pks", []uint64{str}, "world", 0},
		{"%pI4", []uint64{0x1000}, "", errnoEFAULT},
		{"%d %d", []uint64{1}, "", errnoEINVAL}, // too few arguments
		{"%f", []uint64{1}, "", errnoEINVAL},    // no floats
		{"%n", []uint64{1}, "", errnoEINVAL},    // never
		{"%lf", []uint64{1}, "", errnoEINVAL},   // no floats
		{"bell\a", nil, "", errnoEINVAL},        // not printable
		{"%", []uint64{1}, "", errnoEINVAL},     // incomplete
		{"%l", []uint64{1}, "", errnoEINVAL},    // incomplete
		{"tab\there", nil, "tab\there", 0},      // spaces are fine
		{"%d%d%d", []uint64{1, 2, 3}, "123", 0}, // exactly enough
		{"%3c|%-3c|", []uint64{'a', 'b'}, "  a|b  |", 0},
	} {
		out, err := bprintf(m.env, nil, []byte(c.format), c.args)
		if err != c.err || (err == 0 && string(out) != c.want) {
			t.Errorf("%q %v: %q, %d; want %q, %d", c.format, c.args, out, int64(err), c.want, int64(c.err))
		}
	}
}

func TestTracePrintk(t *testing.T) {
	m := newTestMem(t, true)
	var trace bytes.Buffer
	m.state.Trace = &trace
	fmtAddr := m.put([]byte("x=%d y=%s\x00"))
	str := m.put([]byte("ok\x00"))
	if n := tracePrintk(m.env, fmtAddr, 11, 5, str, 0); n != 8 {
		t.Errorf("returned %d, want 8", n)
	}
	if trace.String() != "x=5 y=ok\n" {
		t.Errorf("trace = %q", trace.String())
	}
	// The format must end with NUL within its size.
	if r := tracePrintk(m.env, fmtAddr, 5, 5, 0, 0); r != errnoEINVAL {
		t.Errorf("unterminated format: %d", int64(r))
	}
	// A format outside the run's memory is refused in checked runs.
	if r := tracePrintk(m.env, 0x1000, 8, 0, 0, 0); r != errnoEINVAL {
		t.Errorf("wild format: %d", int64(r))
	}
	// No writer: the message is formatted and dropped.
	m.state.Trace = nil
	if n := tracePrintk(m.env, fmtAddr, 11, 5, str, 0); n != 8 {
		t.Errorf("without a writer: %d", n)
	}
	if allocs := testing.AllocsPerRun(100, func() { tracePrintk(m.env, fmtAddr, 11, 5, str, 0) }); allocs != 0 {
		t.Errorf("trace_printk allocates %v times", allocs)
	}
}

func TestSnprintf(t *testing.T) {
	m := newTestMem(t, true)
	format := m.put([]byte("%d-%s\x00"))
	str := m.put([]byte("abc\x00"))
	args := m.put(make([]byte, 16))
	engine.Store64(args, 77)
	engine.Store64(args+8, str)
	dst := m.alloc(32)
	if n := snprintf(m.env, dst, 32, format, args, 16); n != 7 || cstring0(m.bytes(dst, 32)) != "77-abc" {
		t.Errorf("snprintf = %d, %q", n, m.bytes(dst, 8))
	}
	// Truncation: the result is cut and terminated, the return is the
	// full length.
	if n := snprintf(m.env, dst, 4, format, args, 16); n != 7 || string(m.bytes(dst, 4)) != "77-\x00" {
		t.Errorf("truncated snprintf = %d, %q", n, m.bytes(dst, 4))
	}
	for _, c := range []struct {
		name    string
		dataLen uint64
		want    uint64
	}{
		{"not a multiple of 8", 12, errnoEINVAL},
		{"too many arguments", 8 * 13, errnoEINVAL},
		{"too few arguments", 8, errnoEINVAL},
	} {
		if n := snprintf(m.env, dst, 32, format, args, c.dataLen); n != c.want {
			t.Errorf("%s: %d, want %d", c.name, int64(n), int64(c.want))
		}
	}
	if n := snprintf(m.env, 0x1000, 32, format, args, 16); n != errnoEFAULT {
		t.Errorf("wild destination: %d", int64(n))
	}
}

func cstring0(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}

// FuzzBprintf formats arbitrary formats with arbitrary arguments in a
// checked run: it must never panic nor read outside the run's memory, and
// trace_printk must agree with it.
func FuzzBprintf(f *testing.F) {
	for _, s := range []string{"%d %s %c", "%pI4 %pi6 %pks", "%-08lld|%+5x", "%%%", "%l", "%p%px%pK", "a\x00b %s"} {
		f.Add(s, uint64(0), uint64(1), uint64(2))
	}
	f.Fuzz(func(t *testing.T, format string, a, b, c uint64) {
		m := newTestMem(t, true)
		str := m.put([]byte("text\x00"))
		args := []uint64{a, b, c, str}
		out, err := bprintf(m.env, nil, []byte(format), args)
		if err == 0 && len(out) > len(format)*600+64 {
			t.Fatalf("%q: %d bytes of output", format, len(out))
		}
		if len(format) < 512 {
			fa := m.put(append([]byte(format), 0))
			tracePrintk(m.env, fa, uint64(len(format)+1), a, b, c)
		}
	})
}
