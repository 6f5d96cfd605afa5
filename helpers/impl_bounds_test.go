//go:build linux

package helpers

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/engine"
)

// guardedPage returns a page of runtime memory filled with fill, with no
// NUL, followed by a page that faults when touched: a helper that reads
// past the region it was given crashes the test.
func guardedPage(t *testing.T, fill byte) *engine.Block {
	t.Helper()
	b, err := engine.Alloc(2 * 4096)
	if err != nil {
		t.Fatal(err)
	}
	mem := b.Bytes()
	for i := range 4096 {
		mem[i] = fill
	}
	if err := unix.Mprotect(mem[4096:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = unix.Mprotect(mem[4096:], unix.PROT_READ|unix.PROT_WRITE)
		b.Free()
	})
	return b
}

// TestStringReadsBounded is the helper side of finding F3: helpers that
// read a string (up to its NUL) or a buffer stop at the end of the region
// that holds it, for verified runs too, even when the string has lost its
// NUL (a constant string whose map Go rewrote after load).
func TestStringReadsBounded(t *testing.T) {
	for _, checked := range []bool{false, true} {
		m := newTestMem(t, checked)
		page := guardedPage(t, 'A')
		pageAddr := page.Addr()
		// Only the first page is the run's: a 4096-byte map value.
		m.env.Regions = append(m.env.Regions, engine.Region{Start: pageAddr, End: pageAddr + 4096})
		m.state.Begin(m.env, 0)
		var trace bytes.Buffer
		m.state.Trace = &trace

		dst := m.alloc(64)
		if r := snprintf(m.env, dst, 64, pageAddr, 0, 0); r != errnoEINVAL {
			t.Errorf("checked %v: snprintf with an unterminated format = %d, want -EINVAL", checked, int64(r))
		}
		if r := snprintf(m.env, dst, 64, pageAddr+4090, 0, 0); r != errnoEINVAL {
			t.Errorf("checked %v: snprintf with a format at the end of its region = %d, want -EINVAL", checked, int64(r))
		}

		// s1 matches s2 for longer than s2's region: the region's end
		// ends s2.
		s1 := guardedPage(t, 'A')
		m.env.Regions = append(m.env.Regions, engine.Region{Start: s1.Addr(), End: s1.Addr() + 4096})
		m.state.Begin(m.env, 0)
		if r := strncmp(m.env, s1.Addr(), 4096, pageAddr+16, 0, 0); r != 1 {
			t.Errorf("checked %v: strncmp against an unterminated constant = %d, want 1", checked, int64(r))
		}

		// %s of a string without NUL, of the page after the region, and
		// of an address of no region prints nothing.
		format := m.put([]byte("[%s]\x00"))
		for _, arg := range []uint64{pageAddr + 100, pageAddr + 4096, 0x7000_0000} {
			trace.Reset()
			if n := tracePrintk(m.env, format, 5, arg, 0, 0); n != 2 || trace.String() != "[]\n" {
				t.Errorf("checked %v: %%s of %#x: %d, %q; want 2, \"[]\\n\"", checked, arg, int64(n), trace.String())
			}
		}
		fmtStr := m.put([]byte("%pks\x00"))
		args := m.put(make([]byte, 8))
		engine.Store64(args, pageAddr+4000)
		if n := snprintf(m.env, dst, 64, fmtStr, args, 8); n != 1 {
			t.Errorf("checked %v: %%pks of an unterminated string = %d, want 1", checked, int64(n))
		}

		// probe_read_str stops at the region's end too.
		if r := probeReadStr(m.env, dst, 64, pageAddr+4090, 0, 0); r != errnoEFAULT {
			t.Errorf("checked %v: probe_read_str across the region's end = %d, want -EFAULT", checked, int64(r))
		}
		if r := probeRead(m.env, dst, 16, pageAddr+4090, 0, 0); r != errnoEFAULT {
			t.Errorf("checked %v: probe_read across the region's end = %d, want -EFAULT", checked, int64(r))
		}
	}
}
