== return zero
#: accept
    mov %r0, 0
    exit

== r0 not initialized at exit
#: reject R0 !read_ok
    exit

== read of uninitialized register
#: reject R2 !read_ok
    mov %r0, %r2
    exit

== add with uninitialized source
#: reject R3 !read_ok
    mov %r0, 1
    add %r0, %r3
    exit

== return the context pointer
#: reject R0 leaks addr as return value
    mov %r0, %r1
    exit

== return the frame pointer
#: reject R0 leaks addr as return value
    mov %r0, %r10
    exit

== division by zero immediate
#: reject div by zero
    mov %r0, 1
    div %r0, 0
    exit

== modulo by zero immediate
#: reject div by zero
    mov %r0, 1
    mod32 %r0, 0
    exit

== division by register zero is defined
#: accept
    mov %r0, 7
    mov %r1, 0
    div %r0, %r1
    exit

== shift by 64
#: reject invalid shift 64
    mov %r0, 1
    lsh %r0, 64
    exit

== shift32 by 32
#: reject invalid shift 32
    mov %r0, 1
    rsh32 %r0, 32
    exit

== shift32 by 31
#: accept
    mov %r0, 1
    lsh32 %r0, 31
    exit

== unreachable instruction
#: reject unreachable insn 2
    mov %r0, 0
    exit
    mov %r0, 1
    exit

== unreachable after jump
#: reject unreachable insn 1
    ja +1
    mov %r0, 1
    mov %r0, 0
    exit

== infinite loop on itself
#: reject infinite loop detected
    mov %r0, 0
loop:
    ja loop

== infinite loop through a branch
#: reject infinite loop detected
    mov %r0, 0
    mov %r1, 5
loop:
    jgt %r1, 3, loop
    exit

== loop with unknown counter never decided
#: reject infinite loop detected
    ldxw %r2, [%r1+0]
    mov %r0, 0
loop:
    jne %r2, 0, loop
    exit

== bounded loop of 100
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject BPF program is too large
    mov %r0, 0
    mov %r1, 0
loop:
    add %r0, 3
    add %r1, 1
    jlt %r1, 100, loop
    exit

== bounded loop down counter
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject BPF program is too large
    mov %r0, 0
    mov %r1, 50
loop:
    add %r0, %r1
    sub %r1, 1
    jne %r1, 0, loop
    exit

== loop bounded by masked input
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject The sequence of 8193 jumps is too complex
    ldxw %r2, [%r1+0]
    and %r2, 255
    mov %r0, 0
loop:
    jeq %r2, 0, done
    sub %r2, 1
    add %r0, 1
    ja loop
done:
    exit

== loop that never ends by counting up
#: maxinsns 100000
#: reject BPF program is too large. Processed 100001 insn
    mov %r0, 0
    mov %r1, 0
loop:
    add %r1, 1
    jne %r1, 0, loop
    exit

== wide constant
#: accept
    lddw %r0, 0x1122334455667788
    rsh %r0, 60
    exit

== unknown helper id
#: reject invalid func unknown#9999
    call 9999
    mov %r0, 0
    exit

== helper not allowed for socket filter
#: reject program of this type cannot use helper bpf_probe_read#4
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    mov %r3, 0
    call 4
    mov %r0, 0
    exit

== helper allowed for kprobe
#: type kprobe
#: accept
    call 14
    exit

== helper clobbers r1 to r5
#: type kprobe
#: reject R1 !read_ok
    mov %r1, 5
    call 5
    mov %r0, %r1
    exit

== helper keeps r6 to r9
#: type kprobe
#: accept
    mov %r6, 5
    call 5
    mov %r0, %r6
    exit

== ktime result is a scalar
#: type kprobe
#: accept
    call 5
    and %r0, 1
    exit

== 32-bit pointer arithmetic
#: reject R1 32-bit pointer arithmetic prohibited
    add32 %r1, 4
    mov %r0, 0
    exit

== pointer multiply
#: reject R1 pointer arithmetic with *= operator prohibited
    mul %r1, 4
    mov %r0, 0
    exit

== pointer bitwise and
#: reject R1 bitwise operator &= on pointer prohibited
    and %r1, 4
    mov %r0, 0
    exit

== pointer or
#: reject R2 bitwise operator |= on pointer prohibited
    mov %r2, %r10
    or %r2, 4
    mov %r0, 0
    exit

== pointer xor
#: reject bitwise operator ^= on pointer prohibited
    xor %r1, 1
    mov %r0, 0
    exit

== scalar minus pointer
#: reject R0 tried to subtract pointer from scalar
    mov %r0, 100
    sub %r0, %r1
    exit

== pointer plus pointer
#: reject R1 pointer += pointer prohibited
    add %r1, %r10
    mov %r0, 0
    exit

== pointer minus pointer of same kind is a scalar
#: accept
# kernel: without allow_ptr_leaks the kernel forbids every pointer difference; two pointers into the same object differ by an offset, not an address, and gbpf allows it in both modes
#: kernel reject R0 pointer -= pointer prohibited
    mov %r2, %r10
    add %r2, -16
    mov %r0, %r10
    sub %r0, %r2
    exit

== negate a pointer
#: reject R1 pointer arithmetic prohibited
    neg %r1
    mov %r0, 0
    exit

== byte swap a pointer
#: reject R1 pointer arithmetic prohibited
    be16 %r1
    mov %r0, 0
    exit

== partial copy of pointer
#: reject R1 partial copy of pointer
    mov32 %r0, %r1
    exit

== sign extension of a pointer
#: reject sign-extension part of pointer
    movsx3264 %r0, %r1
    exit

== unbounded min pointer math
#: type tracepoint
#: reject math between ctx pointer and register with unbounded min value is not allowed
    ldxdw %r2, [%r1+8]
    add %r1, %r2
    mov %r0, 0
    exit

== huge constant pointer math
#: reject math between fp pointer and 536870912 is not allowed
    mov %r2, %r10
    add %r2, 0x20000000
    mov %r0, 0
    exit

== arithmetic on map pointer
#: map hash key=4 value=8 entries=4
#: reject R1 pointer arithmetic on map_ptr prohibited
    lddw %r1, map_idx 0
    add %r1, 8
    mov %r0, 0
    exit

== arithmetic on pkt_end
#: type xdp
#: reject pointer arithmetic on pkt_end prohibited
    ldxw %r2, [%r1+4]
    add %r2, 1
    mov %r0, 0
    exit

== kernel function call
#: reject calling kernel functions is not supported
    call runtime 5
    mov %r0, 0
    exit

== constant folding of alu32 wraps
#: accept
    mov32 %r0, -1
    add32 %r0, 2
    jeq %r0, 1, ok
    mov %r0, %r10
ok:
    exit

== signed division does not fold
# Linux computes no bounds for a division, even of constants, and neither
# does gbpf: both paths are walked and the second leaks.
#: reject R0 leaks addr as return value
    mov %r0, -7
    sdiv %r0, 2
    jeq %r0, -3, ok
    mov %r0, %r10
ok:
    exit

== byte swap folds
#: accept
    mov %r0, 0x1234
    be16 %r0
    jeq %r0, 0x3412, ok
    mov %r0, %r10
ok:
    exit

== ld_abs in xdp
#: type xdp
#: reject BPF_LD_[ABS|IND] instructions not allowed for this program type
    mov %r6, %r1
    ldabsb 0
    exit

== ld_abs needs r6 ctx
#: reject at the time of BPF_LD_ABS|IND R6 != pointer to skb
    mov %r6, 0
    ldabsb 0
    exit

== ld_abs in socket filter
#: accept
    mov %r6, %r1
    ldabsh 12
    jne %r0, 0x800, drop
    ldabsb 23
    exit
drop:
    mov %r0, 0
    exit

== ld_ind clobbers r1
#: reject R1 !read_ok
    mov %r6, %r1
    mov %r7, 4
    ldindw %r7, 0
    mov %r0, %r1
    exit

== pointer math with a sign-extended 32-bit value
#: type xdp
#: reject value -2147483648 makes ctx pointer be out of bounds
    ldxw %r2, [%r1+16]
    lsh %r2, 32
    arsh %r2, 32
    add %r1, %r2
    mov %r0, 0
    exit
