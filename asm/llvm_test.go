package asm_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// minLLVM is the first LLVM whose BPF disassembler knows every instruction
// of ISA v4 (sdiv, movsx, ldsx, bswap, gotol) and prints immediates in hex.
const minLLVM = 18

// findObjdump returns an llvm-objdump of version minLLVM or later: the one
// named by $LLVM_OBJDUMP, else the newest llvm-objdump-N or
// /usr/lib/llvm-N/bin/llvm-objdump, else plain llvm-objdump.
func findObjdump() (path string, version int, why string) {
	var cands []string
	if p := os.Getenv("LLVM_OBJDUMP"); p != "" {
		cands = append(cands, p)
	}
	for v := 40; v >= minLLVM; v-- {
		cands = append(cands, fmt.Sprintf("llvm-objdump-%d", v), fmt.Sprintf("/usr/lib/llvm-%d/bin/llvm-objdump", v))
	}
	cands = append(cands, "llvm-objdump")
	versionRE := regexp.MustCompile(`LLVM version (\d+)`)
	why = "no llvm-objdump found (install llvm-19 or newer)"
	for _, c := range cands {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		out, err := exec.Command(p, "--version").Output()
		if err != nil {
			continue
		}
		m := versionRE.FindSubmatch(out)
		if m == nil {
			continue
		}
		v, _ := strconv.Atoi(string(m[1]))
		if v >= minLLVM {
			return p, v, ""
		}
		why = fmt.Sprintf("%s is LLVM %d; the comparison needs LLVM %d or newer (install llvm-19)", p, v, minLLVM)
	}
	return "", 0, why
}

// objdumpLine is one instruction line of llvm-objdump -d:
// "      11:	55 00 0c 00 00 00 00 00	if r0 != 0x0 goto +0xc <prog+0xc0>".
var objdumpLine = regexp.MustCompile(`^\s*(\d+):\t[0-9a-f ]+\t(.*)$`)

// symbolNote is the "<symbol+0xoff>" note llvm-objdump adds after a jump.
var symbolNote = regexp.MustCompile(` <([^<>+]+)(?:\+0x([0-9a-f]+))?>$`)

// objdump disassembles the programs with llvm-objdump -d --mcpu=v4. Each
// program goes in a section of its own with a function symbol at its
// start. It returns, for each section, the text of each slot.
func objdump(t *testing.T, tool string, names []string, progs []isa.Program) map[string]map[int]string {
	t.Helper()
	var secs []testutil.ELFSection
	for i, p := range progs {
		secs = append(secs, testutil.ELFSection{Name: names[i], Data: p.Encode(), Exec: true, Symbol: fmt.Sprintf("prog%d", i)})
	}
	obj := filepath.Join(t.TempDir(), "progs.o")
	if err := os.WriteFile(obj, testutil.BPFObject(secs...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-d", "--mcpu=v4", obj).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	res := make(map[string]map[int]string)
	var cur map[int]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "Disassembly of section "); ok {
			cur = make(map[int]string)
			res[strings.TrimSuffix(name, ":")] = cur
			continue
		}
		if m := objdumpLine.FindStringSubmatch(line); m != nil && cur != nil {
			slot, _ := strconv.Atoi(m[1])
			cur[slot] = m[2]
		}
	}
	return res
}

// compareObjdump compares the llvm syntax of each slot of p with what
// llvm-objdump printed for it, and returns the differences.
//
// Only presentation is normalised: llvm-objdump's address and byte columns
// are dropped by objdumpLine, and the "<symbol+offset>" note after a jump
// is removed after checking that it names the jump's target (offset / 8
// is the target slot), so the note is verified rather than ignored.
func compareObjdump(p isa.Program, got map[int]string) []string {
	var diffs []string
	seen := 0
	for i := 0; i < len(p.Insns); {
		ours, n, err := asm.FormatInstruction(p, i, asm.SyntaxLLVM)
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("slot %d: %v", i, err))
			break
		}
		theirs, ok := got[i]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("slot %d: llvm-objdump printed nothing", i))
			i += n
			continue
		}
		seen++
		if m := symbolNote.FindStringSubmatchIndex(theirs); m != nil {
			off := uint64(0)
			if m[4] >= 0 {
				off, _ = strconv.ParseUint(theirs[m[4]:m[5]], 16, 64)
			}
			ins := p.Insns[i]
			if want := uint64(ins.JumpTarget(i) * isa.InstructionSize); off != want {
				diffs = append(diffs, fmt.Sprintf("slot %d: llvm-objdump's note %q names byte %#x, the jump goes to %#x", i, theirs[m[0]:], off, want))
			}
			theirs = theirs[:m[0]]
		}
		if ours != theirs {
			diffs = append(diffs, fmt.Sprintf("slot %d: ours %q, llvm-objdump %q", i, ours, theirs))
		}
		i += n
	}
	if seen != len(got) {
		diffs = append(diffs, fmt.Sprintf("llvm-objdump printed %d instructions, we printed %d", len(got), seen))
	}
	return diffs
}

// TestLLVMObjdump checks that SyntaxLLVM prints every program of the
// conformance suite and the benchmarks exactly as llvm-objdump does.
func TestLLVMObjdump(t *testing.T) {
	tool, version, why := findObjdump()
	if tool == "" {
		t.Skip(why)
	}
	progs := sharedPrograms(t)
	names := make([]string, len(progs))
	ps := make([]isa.Program, len(progs))
	for i, sp := range progs {
		names[i], ps[i] = sp.name, sp.prog
	}
	dump := objdump(t, tool, names, ps)
	agree, conf, confAgree := 0, 0, 0
	for i, sp := range progs {
		diffs := compareObjdump(sp.prog, dump[names[i]])
		isConf := strings.HasPrefix(sp.name, "tests/")
		if isConf {
			conf++
		}
		if len(diffs) > 0 {
			t.Errorf("%s:\n\t%s", sp.name, strings.Join(diffs, "\n\t"))
			continue
		}
		agree++
		if isConf {
			confAgree++
		}
	}
	t.Logf("LLVM %d: %d of %d conformance programs and %d of %d programs in all agree with llvm-objdump",
		version, confAgree, conf, agree, len(progs))
}

// TestLLVMObjdumpForms checks forms that the shared programs do not use:
// legacy packet loads, lddw with pseudo sources, kfunc calls, extreme
// offsets and immediates.
func TestLLVMObjdumpForms(t *testing.T) {
	tool, _, why := findObjdump()
	if tool == "" {
		t.Skip(why)
	}
	src := `
ldabsb 12
ldabsh -1
ldabsw 0x7fffffff
ldindb %r3, 0
ldindw %r9, 0
ldindh %r3, 2
lddw %r1, map_fd 3
lddw %r2, map_value 7, 16
lddw %r3, map_idx 1
lddw %r4, btf_id 0x10
lddw %r5, 0x8000000000000000
lddw %r6, 0
lddw %r7, map_fd -1
lddw %r8, func -3
lddw %r9, map_idx_value 2, 8
call runtime 9
call -1
call local -13
ldxdw %r0, [%r1-32768]
ldxb %r0, [%r1+32767]
stdw [%r10-8], -2147483648
stw [%r10-8], 0x7fffffff
stxb [%r1], %r2
jsgt %r1, -1, +0
jslt32 %r1, 0x80000000, +0
jle %r1, %r2, -1
movsx832 %r1, %r2
movsx1664 %r1, %r2
arsh32 %r1, %r2
neg32 %r0
le64 %r1
be16 %r1
div32 %r1, -7
sdiv32 %r1, %r2
smod %r1, 7
ja -1
gotol -20
`
	p, err := asm.Assemble(src + "exit\n")
	if err != nil {
		t.Fatal(err)
	}
	dump := objdump(t, tool, []string{"forms"}, []isa.Program{p})
	for _, d := range compareObjdump(p, dump["forms"]) {
		t.Error(d)
	}
}

// TestLLVMObjdumpAllOpcodes compares the llvm syntax with llvm-objdump on
// every valid single instruction of TestAllOpcodes, laid end to end in one
// program.
func TestLLVMObjdumpAllOpcodes(t *testing.T) {
	tool, _, why := findObjdump()
	if tool == "" {
		t.Skip(why)
	}
	var all isa.Program
	for _, p := range asm.ValidSingles() {
		all.Insns = append(all.Insns, p.Insns...)
	}
	dump := objdump(t, tool, []string{"all"}, []isa.Program{all})
	diffs := compareObjdump(all, dump["all"])
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("... and %d more", len(diffs)-i)
			break
		}
		t.Error(d)
	}
	t.Logf("%d slots compared", len(all.Insns))
}
