package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/engines"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

func TestJITEngines(t *testing.T) {
	plain, err := asm.Assemble("mov %r0, 7\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	// The JIT does not compile legacy packet access, which a socket
	// filter may use.
	legacy, err := asm.Assemble("mov %r6, %r1\nldabsw 0\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		engine  string
		src     string
		wantJIT bool // the result is JIT code
		wantErr bool
	}{
		{"jit", "plain", amd64.Supported, false},
		{"jit", "legacy", false, false}, // falls back to the interpreter
		{"jit-always", "plain", true, !amd64.Supported},
		{"jit-always", "legacy", false, true},
	} {
		p, opts := plain, verifier.Options{Type: progtype.Raw}
		if tc.src == "legacy" {
			p, opts = legacy, verifier.Options{Type: progtype.SocketFilter}
		}
		e, err := lookupEngine(tc.engine)
		if err != nil {
			t.Fatal(err)
		}
		v, err := engines.Verify(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := e.Compile(v)
		if tc.wantErr {
			if err == nil || !errors.Is(err, amd64.ErrNotSupported) {
				t.Errorf("%s/%s: error %v, want ErrNotSupported", tc.engine, tc.src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s/%s: %v", tc.engine, tc.src, err)
			continue
		}
		if _, isJIT := prog.(*amd64.Program); isJIT != tc.wantJIT {
			t.Errorf("%s/%s: JIT code is %v, want %v", tc.engine, tc.src, isJIT, tc.wantJIT)
		}
		if tc.src == "plain" {
			if r0, err := prog.Run(&engine.Env{}, 0, 0); err != nil || r0 != 7 {
				t.Errorf("%s/%s: run: %d, %v", tc.engine, tc.src, r0, err)
			}
		}
		prog.Close()
	}
}

func TestJITListing(t *testing.T) {
	p, err := asm.Assemble("mov %r0, 7\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := jitListing(&b, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"r0 = 0x7", "mov eax, 0x7", "ret"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("listing lacks %q:\n%s", want, b.String())
		}
	}
}
