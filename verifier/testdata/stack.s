== store and load a word
#: accept
    stw [%r10-4], 7
    ldxw %r0, [%r10-4]
    exit

== read of uninitialized stack
#: reject invalid read from stack R10 off=-8 size=8
    ldxdw %r0, [%r10-8]
    exit

== read partly initialized stack
#: reject invalid read from stack off -8+4 size 8
    stw [%r10-8], 1
    ldxdw %r0, [%r10-8]
    exit

== write below the stack
#: reject invalid write to stack R10 off=-520 size=8
    stdw [%r10-520], 0
    mov %r0, 0
    exit

== write above the frame pointer
#: reject invalid write to stack R10 off=0 size=4
    stw [%r10+0], 0
    mov %r0, 0
    exit

== read above the frame pointer
#: reject invalid read from stack R10 off=8 size=8
    ldxdw %r0, [%r10+8]
    exit

== deepest slot
#: accept
    stdw [%r10-512], 3
    ldxdw %r0, [%r10-512]
    exit

== misaligned stack store
#: reject misaligned stack access off 0+0+-6 size 4
    stw [%r10-6], 0
    mov %r0, 0
    exit

== misaligned through a moved pointer
#: reject misaligned stack access
    mov %r2, %r10
    add %r2, -3
    stxh [%r2+0], %r2
    mov %r0, 0
    exit

== spill and fill the context pointer
#: type xdp
#: accept
    stxdw [%r10-8], %r1
    ldxdw %r2, [%r10-8]
    ldxw %r0, [%r2+12]
    exit

== spilled pointer partly overwritten is no pointer
#: priv
#: type xdp
#: reject R2 invalid mem access 'scalar'
    stxdw [%r10-8], %r1
    stb [%r10-8], 0
    ldxdw %r2, [%r10-8]
    ldxw %r0, [%r2+12]
    exit

== narrow fill of a spilled pointer
#: reject invalid size of register fill
    stxdw [%r10-8], %r1
    ldxw %r0, [%r10-8]
    exit

== spill keeps scalar bounds
#: map array key=4 value=16 entries=1
#: accept
    ldxw %r6, [%r1+0]
    and %r6, 7
    stxdw [%r10-16], %r6
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxdw %r6, [%r10-16]
    add %r0, %r6
    ldxb %r0, [%r0+8]
    exit
out:
    exit

== narrow fill of spilled constant
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the dead branch leaks
#: kernel reject R0 leaks addr as return value
    lddw %r1, 0x1122334455667788
    stxdw [%r10-8], %r1
    ldxb %r0, [%r10-7]
    jeq %r0, 0x77, ok
    mov %r0, %r10
ok:
    exit

== zero bytes read back as zero
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the dead branch leaks
#: kernel reject R0 leaks addr as return value
    stw [%r10-8], 0
    stw [%r10-4], 0
    ldxdw %r0, [%r10-8]
    jeq %r0, 0, ok
    mov %r0, %r10
ok:
    exit

== frame pointer copies index the stack
#: accept
    mov %r2, %r10
    add %r2, -64
    stdw [%r2+8], 5
    ldxdw %r0, [%r10-56]
    exit

== variable offset stack read of initialized bytes
#: priv
#: accept
# kernel: without bypass_spec_v1 the kernel forbids variable-offset stack access; gbpf allows it over initialized bytes
    stdw [%r10-8], 1
    stdw [%r10-16], 2
    ldxw %r2, [%r1+0]
    and %r2, 8
    mov %r3, %r10
    add %r3, -16
    add %r3, %r2
    ldxdw %r0, [%r3+0]
    exit

== variable offset stack read past initialized bytes (root may read them)
#: priv
#: accept
    stdw [%r10-8], 1
    ldxw %r2, [%r1+0]
    and %r2, 8
    mov %r3, %r10
    add %r3, -24
    add %r3, %r2
    ldxdw %r0, [%r3+0]
    exit

== variable offset stack write out of bounds
#: priv
#: reject invalid variable-offset write to stack
    ldxw %r2, [%r1+0]
    and %r2, 16
    mov %r3, %r10
    add %r3, -8
    add %r3, %r2
    stdw [%r3+0], 0
    mov %r0, 0
    exit

== variable stack offset with unknown sign
#: reject math between fp pointer and register with unbounded min value is not allowed
    ldxw %r2, [%r1+0]
    lsh %r2, 32
    mov %r3, %r10
    add %r3, %r2
    mov %r0, 0
    exit

== unknown subtraction from stack pointer
#: reject R3 subtraction from stack pointer prohibited
    ldxw %r2, [%r1+0]
    and %r2, 8
    mov %r3, %r10
    sub %r3, %r2
    mov %r0, 0
    exit

== stack pointer minus constant
#: reject R3 subtraction from stack pointer prohibited
    mov %r3, %r10
    sub %r3, 8
    stdw [%r3+0], 4
    ldxdw %r0, [%r10-8]
    exit

== atomic add on stack
#: accept
    stdw [%r10-8], 1
    mov %r1, 2
    lock add [%r10-8], %r1
    ldxdw %r0, [%r10-8]
    exit

== atomic on uninitialized stack
#: reject invalid read from stack R10 off=-8 size=8
    mov %r1, 2
    lock add [%r10-8], %r1
    mov %r0, 0
    exit

== atomic fetch result is scalar
#: accept
    stw [%r10-4], 1
    mov %r1, 2
    lock fetch add32 [%r10-4], %r1
    mov %r0, %r1
    exit

== atomic with a pointer operand
#: reject R10 leaks addr into mem
    stdw [%r10-8], 1
    lock add [%r10-8], %r10
    mov %r0, 0
    exit

== atomic xchg of pointer into stack
#: reject leaks addr into mem
    stdw [%r10-8], 1
    mov %r2, %r1
    lock xchg [%r10-8], %r2
    mov %r0, 0
    exit

== cmpxchg needs r0
#: reject R0 !read_ok
    stdw [%r10-8], 1
    mov %r1, 2
    lock cmpxchg [%r10-8], %r1
    mov %r0, 0
    exit

== cmpxchg on stack
#: accept
    stdw [%r10-8], 1
    mov %r1, 2
    mov %r0, 1
    lock cmpxchg [%r10-8], %r1
    exit

== atomic on context
#: type kprobe
#: reject BPF_ATOMIC stores into R1 ctx is not allowed
    mov %r2, 1
    lock add [%r1+0], %r2
    mov %r0, 0
    exit

== misaligned atomic on stack
#: reject misaligned stack access
    stdw [%r10-16], 1
    stdw [%r10-8], 1
    mov %r2, 1
    lock add32 [%r10-10], %r2
    mov %r0, 0
    exit

== spill of r10 then use as pointer
#: accept
    stxdw [%r10-8], %r10
    ldxdw %r2, [%r10-8]
    stdw [%r2-16], 9
    ldxdw %r0, [%r10-16]
    exit

== scalar from misc bytes is bounded by size
#: accept
    ldxw %r2, [%r1+0]
    stxb [%r10-1], %r2
    ldxb %r3, [%r10-1]
    mov %r0, 0
    jle %r3, 255, ok
    mov %r0, %r10
ok:
    exit

== stack pointer in loop
#: priv
#: accept
# kernel: without bypass_spec_v1 the kernel forbids stack pointer arithmetic that may leave the frame on any path
    mov %r1, 0
    mov %r2, %r10
    add %r2, -64
loop:
    stdw [%r2+0], 0
    add %r2, 8
    add %r1, 1
    jlt %r1, 8, loop
    ldxdw %r0, [%r10-64]
    exit

== stack loop runs past the frame
#: priv
#: reject invalid write to stack
    mov %r1, 0
    mov %r2, %r10
    add %r2, -64
loop:
    stdw [%r2+0], 0
    add %r2, 8
    add %r1, 1
    jlt %r1, 9, loop
    mov %r0, 0
    exit
