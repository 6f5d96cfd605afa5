package verifier

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

func mustAssemble(t testing.TB, src string) isa.Program {
	t.Helper()
	p, err := asm.Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantError(t *testing.T, err error, insn int, msg string) {
	t.Helper()
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *verifier.Error", err)
	}
	if ve.Insn != insn || !strings.Contains(ve.Msg, msg) {
		t.Fatalf("error at insn %d %q, want insn %d %q", ve.Insn, ve.Msg, insn, msg)
	}
}

// TestMalformed feeds programs the assembler cannot write.
func TestMalformed(t *testing.T) {
	mov0 := isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK)}
	exit := isa.Instruction{Op: isa.OpExit}
	lddw := isa.LdImm64(isa.R0, 1)
	tests := []struct {
		name  string
		insns []isa.Instruction
		insn  int
		msg   string
	}{
		{"empty", nil, -1, "empty program"},
		{"falls off the end", []isa.Instruction{mov0}, 0, ""},
		{"jump out of range", []isa.Instruction{{Op: isa.OpJa, Off: 5}, exit}, 0, ""},
		{"half lddw", []isa.Instruction{lddw[0], exit}, 1, "lddw"},
		{"write to r10", []isa.Instruction{{Op: mov0.Op, Dst: isa.R10}, mov0, exit}, 0, ""},
		{"bad opcode", []isa.Instruction{{Op: 0xff}, exit}, 0, ""},
		{"callx", []isa.Instruction{mov0, {Op: isa.OpCallX, Dst: isa.R1}, exit}, 1, ""},
		{"jump into lddw", []isa.Instruction{{Op: isa.OpJa, Off: 1}, lddw[0], lddw[1], exit}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(isa.Program{Insns: tt.insns}, Options{Type: progtype.SocketFilter})
			if err == nil {
				t.Fatal("accepted")
			}
			wantError(t, err, tt.insn, tt.msg)
		})
	}
}

func TestOptionErrors(t *testing.T) {
	p := mustAssemble(t, "mov %r0, 0\nexit")
	if _, err := Verify(p, Options{Type: 12345}); err == nil || !strings.Contains(err.Error(), "unknown program type") {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := Verify(p, Options{Type: progtype.XDP, CtxSize: 64}); err == nil {
		t.Error("context size accepted for XDP")
	}
	if _, err := Verify(p, Options{Type: progtype.XDP, Maps: []*maps.Spec{nil}}); err == nil {
		t.Error("nil map accepted")
	}
}

func TestLogLevels(t *testing.T) {
	bad := mustAssemble(t, `
    ldxw %r2, [%r1+0]
    jeq %r2, 0, skip
    mov %r0, 0
    exit
skip:
    ldxdw %r0, [%r10-8]
    exit`)
	stats := regexp.MustCompile(`processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+`)

	// Level 0: no log besides the message.
	_, err := Verify(bad, Options{Type: progtype.SocketFilter})
	wantError(t, err, 4, "invalid read from stack R10 off=-8 size=8")

	// Level 1: the failing path, not the one that went well.
	var b strings.Builder
	_, err = Verify(bad, Options{Type: progtype.SocketFilter, LogLevel: 1, Log: &b})
	log := err.(*Error).Log
	if !strings.HasPrefix(log, "verifier mode: unprivileged\n") {
		t.Errorf("level 1 log does not start with the mode:\n%s", log)
	}
	for _, want := range []string{"1: (15) if r2 == 0 goto pc+2", "from 1 to 4:", "4: (79) r0 = *(u64 *)(r10 -8)", "invalid read from stack R10 off=-8 size=8"} {
		if !strings.Contains(log, want) {
			t.Errorf("level 1 log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "3: (95) exit") {
		t.Errorf("level 1 log shows the path that succeeded:\n%s", log)
	}
	if !stats.MatchString(log) {
		t.Errorf("no statistics line:\n%s", log)
	}

	// Level 2: every instruction with the registers.
	good := mustAssemble(t, "mov %r0, 7\nstdw [%r10-8], 1\nexit")
	b.Reset()
	res, err := Verify(good, Options{Type: progtype.SocketFilter, LogLevel: 2, Log: &b, Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "verifier mode: privileged\n") {
		t.Errorf("level 2 log does not start with the mode:\n%s", out)
	}
	for _, want := range []string{"0: R1=ctx() R10=fp0", "1: R0=7 R1=ctx() R10=fp0", "2: R0=7 R1=ctx() R10=fp0 fp-8=1", "verification time", "stack depth 8"} {
		if !strings.Contains(out, want) {
			t.Errorf("level 2 log lacks %q:\n%s", want, out)
		}
	}
	if !stats.MatchString(out) {
		t.Errorf("no statistics line:\n%s", out)
	}
	if res.Processed != 3 {
		t.Errorf("processed %d", res.Processed)
	}
}

func TestResultFacts(t *testing.T) {
	p := mustAssemble(t, `
    stdw [%r10-16], 0
    ldxw %r2, [%r1+0]
    call local f
    exit
f:
    stdw [%r10-40], 1
    mov %r0, 0
    exit`)
	res, err := Verify(p, Options{Type: progtype.SocketFilter})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Subprogs) != "[0 4]" || fmt.Sprint(res.StackDepth) != "[16 40]" {
		t.Errorf("subprogs %v, stack %v", res.Subprogs, res.StackDepth)
	}
	if res.Insns[0].Mem != MemStack || res.Insns[1].Mem != MemCtx || res.Insns[3].Mem != MemNone {
		t.Errorf("memory kinds %+v", res.Insns[:4])
	}
	for i, in := range res.Insns {
		if !in.Seen {
			t.Errorf("insn %d not seen", i)
		}
	}
}

func TestComplexityLimits(t *testing.T) {
	// A long chain of undecided branches keeps more than 8192 paths
	// waiting.
	var b strings.Builder
	b.WriteString("ldxw %r2, [%r1+0]\n")
	for i := 0; i < 9000; i++ {
		fmt.Fprintf(&b, "jeq %%r2, %d, +0\n", i)
	}
	b.WriteString("mov %r0, 0\nexit\n")
	_, err := Verify(mustAssemble(t, b.String()), Options{Type: progtype.SocketFilter})
	wantError(t, err, 8193, "The sequence of 8193 jumps is too complex.")

	// MaxInsns lowers the processed-instruction limit.
	loop := mustAssemble(t, "mov %r0, 0\nmov %r1, 0\nl: add %r1, 1\njlt %r1, 1000, l\nexit")
	_, err = Verify(loop, Options{Type: progtype.SocketFilter, MaxInsns: 500})
	wantError(t, err, 2, "BPF program is too large. Processed 501 insn")
	if _, err := Verify(loop, Options{Type: progtype.SocketFilter}); err != nil {
		t.Error(err)
	}
}

func TestHostHelper(t *testing.T) {
	// A host helper registered with a prototype is checked like a
	// builtin one.
	set := helpersWithHost(t)
	p := mustAssemble(t, "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\ncall 1000\nldxdw %r0, [%r10-8]\nexit")
	if _, err := Verify(p, Options{Type: progtype.SocketFilter, Helpers: set}); err != nil {
		t.Fatal(err)
	}
	p = mustAssemble(t, "mov %r1, %r10\nadd %r1, -8\nmov %r2, 16\ncall 1000\nmov %r0, 0\nexit")
	_, err := Verify(p, Options{Type: progtype.SocketFilter, Helpers: set})
	wantError(t, err, 3, "invalid indirect access to stack R1 off=-8 size=16")
	p = mustAssemble(t, "call 1\nexit")
	_, err = Verify(p, Options{Type: progtype.SocketFilter, Helpers: set})
	wantError(t, err, 0, "program of this type cannot use helper bpf_map_lookup_elem#1")
}
