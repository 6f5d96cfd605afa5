//go:build linux && amd64

#include "go_asm.h"
#include "textflag.h"

// func jitcall(ctx uintptr)
//
// jitcall saves Go's stack and frame pointers in the context at ctx,
// switches to the run's machine stack, loads the BPF registers and the
// budget countdown from the context and jumps to context.resume. The machine
// code returns from jitcall itself (see the leave routine in pass.go) after
// restoring Go's rsp and rbp.
TEXT ·jitcall(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ ctx+0(FP), R12
	MOVQ SP, vmContext_goSP(R12)
	MOVQ BP, vmContext_goBP(R12)
	MOVQ vmContext_machSP(R12), SP
	MOVQ (vmContext_regs+0)(R12), AX
	MOVQ (vmContext_regs+8)(R12), DI
	MOVQ (vmContext_regs+16)(R12), SI
	MOVQ (vmContext_regs+24)(R12), DX
	MOVQ (vmContext_regs+32)(R12), CX
	MOVQ (vmContext_regs+40)(R12), R8
	MOVQ (vmContext_regs+48)(R12), BX
	MOVQ (vmContext_regs+56)(R12), R13
	MOVQ (vmContext_regs+64)(R12), R14
	MOVQ (vmContext_regs+72)(R12), R15
	MOVQ (vmContext_regs+80)(R12), BP
	MOVQ vmContext_count(R12), R9
	MOVQ vmContext_resume(R12), R11
	JMP  R11
