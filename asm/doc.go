// Package asm is gbpf's eBPF assembler and disassembler.
//
// Assemble reads the dialect of the bpf_conformance suite (the uBPF
// assembler syntax), one instruction per line:
//
//	# r0 = the first byte of the input, or 0 if it is empty
//	    mov %r0, 0
//	    jeq %r2, 0, done      # jump to a label ...
//	    ldxb %r0, [%r1+0]
//	    ja +0                 # ... or by a signed slot offset
//	done:
//	    exit
//
// Registers are written %r0 to %r10 (r0 to r10 is accepted too).
// Immediates are decimal or 0x-prefixed hex, optionally negative; 32-bit
// immediates must fit in int32 when decimal and in uint32 when hex, as in
// the upstream assembler. "#" starts a comment. A label is "name:" at the
// start of a line; "exit" also names the first exit instruction unless a
// label of that name is defined.
//
// The mnemonics are those of bpf_conformance: the ALU operations add, sub,
// mul, div, sdiv, or, and, lsh, rsh, neg, mod, smod, xor, mov and arsh
// (64-bit; with a "32" suffix for the 32-bit class), movsx864, movsx1664,
// movsx3264, movsx832, movsx1632, the byte swaps le16..le64, be16..be64
// and swap16..swap64 (also bswap16..bswap64), the loads ldxb, ldxh, ldxw,
// ldxdw, ldxsb, ldxsh, ldxsw and lddw, the stores stb..stdw and
// stxb..stxdw, the jumps ja, ja32 (gotol), jeq, jgt, jge, jset, jne, jsgt,
// jsge, jlt, jle, jslt, jsle (with "32" for the 32-bit class), call N,
// call helper N, call %rN (callx), call local TARGET, call runtime N
// (kfunc), exit, and the atomics "lock [fetch] add|or|and|xor [%rD+OFF],
// %rS" and "lock xchg|cmpxchg [%rD+OFF], %rS", each with a "32" suffix
// for 32-bit operands.
//
// A few forms go beyond upstream so that every instruction that
// isa.Validate accepts can be written: the legacy packet loads ldabsb,
// ldabsh, ldabsw IMM and ldindb, ldindh, ldindw %rS, IMM, and lddw with a
// pseudo source: "lddw %rD, KIND IMM[, IMM2]" where KIND is map_fd,
// map_value, btf_id, func (IMM is a jump target), map_idx or
// map_idx_value, and IMM2 is the immediate of the second slot.
//
// Format prints a program back, either in the same dialect
// (SyntaxConformance: assembling its output gives the same bytes) or in
// the syntax of llvm-objdump (SyntaxLLVM). FprintLabels writes the
// dialect with labels at jump targets instead of slot offsets, and
// FormatInstruction prints one instruction, for listings that interleave
// BPF with machine code.
package asm
