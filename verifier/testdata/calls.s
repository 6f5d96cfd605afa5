== call a function
#: accept
    mov %r1, 5
    call local double
    exit
double:
    mov %r0, %r1
    add %r0, %r1
    exit

== callee sees no caller registers above r5
#: reject R6 !read_ok
    mov %r6, 5
    call local f
    exit
f:
    mov %r0, %r6
    exit

== callee must set r0
#: reject R0 !read_ok
    call local f
    exit
f:
    exit

== caller keeps r6 to r9
#: accept
    mov %r6, 7
    call local f
    mov %r0, %r6
    exit
f:
    mov %r6, 1
    mov %r0, 0
    exit

== caller loses r1 to r5
#: reject R2 !read_ok
    mov %r2, 7
    call local f
    mov %r0, %r2
    exit
f:
    mov %r0, 0
    exit

== callee writes to the caller stack
#: accept
    mov %r1, %r10
    add %r1, -8
    call local f
    ldxdw %r0, [%r10-8]
    exit
f:
    stdw [%r1+0], 3
    mov %r0, 0
    exit

== callee returns its stack pointer
#: reject cannot return stack pointer to the caller
    call local f
    mov %r0, 0
    exit
f:
    mov %r0, %r10
    add %r0, -8
    exit

== callee stores its stack pointer in the caller stack
#: reject cannot spill pointers to stack into stack frame of the caller
    mov %r1, %r10
    add %r1, -8
    call local f
    mov %r0, 0
    exit
f:
    mov %r2, %r10
    stxdw [%r1+0], %r2
    mov %r0, 0
    exit

== callee returns a map value it looked up
#: map array key=4 value=8 entries=2
#: accept
    call local f
    jeq %r0, 0, out
    ldxdw %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit
f:
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    exit

== callee frames have their own stack
#: accept
    stdw [%r10-8], 1
    call local f
    ldxdw %r0, [%r10-8]
    exit
f:
    stdw [%r10-8], 2
    ldxdw %r0, [%r10-8]
    exit

== callee reads its own uninitialized stack
#: reject invalid read from stack R10 off=-8 size=8
    stdw [%r10-8], 1
    call local f
    exit
f:
    ldxdw %r0, [%r10-8]
    exit

== recursion
#: reject back-edge from insn
    call local f
    exit
f:
    call local f
    mov %r0, 0
    exit

== mutual recursion
#: reject back-edge from insn
    call local f
    exit
f:
    call local g
    exit
g:
    call local f
    exit

== eight frames deep
#: accept
    call local f1
    exit
f1:
    call local f2
    exit
f2:
    call local f3
    exit
f3:
    call local f4
    exit
f4:
    call local f5
    exit
f5:
    call local f6
    exit
f6:
    call local f7
    exit
f7:
    mov %r0, 0
    exit

== nine frames deep
#: reject the call stack of 9 frames is too deep
    call local f1
    exit
f1:
    call local f2
    exit
f2:
    call local f3
    exit
f3:
    call local f4
    exit
f4:
    call local f5
    exit
f5:
    call local f6
    exit
f6:
    call local f7
    exit
f7:
    call local f8
    exit
f8:
    mov %r0, 0
    exit

== combined stack too large
#: reject combined stack size of 2 calls is 768. Too large
    stdw [%r10-384], 0
    call local f
    exit
f:
    stdw [%r10-384], 0
    mov %r0, 0
    exit

== combined stack just fits
#: accept
    stdw [%r10-256], 0
    call local f
    exit
f:
    stdw [%r10-256], 0
    mov %r0, 0
    exit

== jump into another function
#: reject jump out of range from insn
    call local f
    ja f
f:
    mov %r0, 0
    exit

== function falls into the next
#: reject last insn is not an exit or jmp
    call local f
    exit
f:
    mov %r0, 0
    call local g
g:
    mov %r0, 0
    exit

== callee gets a constant and bounds it
#: map array key=4 value=16 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    mov %r2, 8
    call local f
    exit
f:
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== callee called with two different arguments
#: priv
#: map array key=4 value=16 entries=1
#: reject invalid access to map value, value_size=16 off=16 size=8
    lddw %r1, map_idx_value 0, 0
    mov %r2, 8
    call local f
    lddw %r1, map_idx_value 0, 0
    mov %r2, 16
    call local f
    exit
f:
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== bpf_loop with a callback
#: accept
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
cb:
    mov %r0, 0
    exit

== bpf_loop callback returns 2
#: reject At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
cb:
    mov %r0, 2
    exit

== bpf_loop callback updates the caller stack
#: accept
    stdw [%r10-8], 0
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, %r10
    add %r3, -8
    mov %r4, 0
    call 181
    ldxdw %r0, [%r10-8]
    exit
cb:
    ldxdw %r3, [%r2+0]
    add %r3, %r1
    stxdw [%r2+0], %r3
    mov %r0, 0
    exit

== bpf_loop callback context may be null
#: reject R2 invalid mem access 'scalar'
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
cb:
    ldxdw %r3, [%r2+0]
    mov %r0, 0
    exit

== bpf_loop callback argument is not a function
#: reject R2 type=scalar expected=func
    mov %r1, 10
    mov %r2, 0
    mov %r3, 0
    mov %r4, 0
    call 181
    exit

== bpf_loop callback index bounded to u32
#: priv
#: map array key=4 value=16 entries=1
#: reject R3 unbounded memory access
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
cb:
    lddw %r3, map_idx_value 0, 0
    add %r3, %r1
    ldxb %r0, [%r3+0]
    mov %r0, 0
    exit

== bpf_loop callback reads a second write only after the first iteration
#: reject invalid read from stack
    stdw [%r10-8], 0
    mov %r1, 10
    lddw %r2, func cb
    mov %r3, %r10
    add %r3, -8
    mov %r4, 0
    call 181
    mov %r0, 0
    exit
cb:
    ldxdw %r3, [%r2+0]
    jeq %r3, 0, first
    ldxdw %r0, [%r2-8]
    mov %r0, 0
    exit
first:
    stdw [%r2+0], 1
    mov %r0, 0
    exit

== for each map element
#: map hash key=4 value=16 entries=8
#: accept
    lddw %r1, map_idx 0
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 164
    exit
cb:
    ldxw %r0, [%r2+0]
    ldxdw %r0, [%r3+8]
    stdw [%r3+0], 1
    mov %r0, 0
    exit

== for each key is read only
#: map hash key=4 value=16 entries=8
#: reject write to map key forbidden
    lddw %r1, map_idx 0
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 164
    exit
cb:
    stw [%r2+0], 1
    mov %r0, 0
    exit

== for each value past its end
#: map hash key=4 value=16 entries=8
#: reject invalid access to map value, value_size=16 off=16 size=1
    lddw %r1, map_idx 0
    lddw %r2, func cb
    mov %r3, 0
    mov %r4, 0
    call 164
    exit
cb:
    ldxb %r0, [%r3+16]
    mov %r0, 0
    exit

== nested bpf_loop
#: accept
    mov %r1, 4
    lddw %r2, func outer
    mov %r3, 0
    mov %r4, 0
    call 181
    exit
outer:
    mov %r1, 4
    lddw %r2, func inner
    mov %r3, 0
    mov %r4, 0
    call 181
    mov %r0, 0
    exit
inner:
    mov %r0, 1
    exit

== loop calling a function each time
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject BPF program is too large
    mov %r6, 0
    mov %r7, 0
loop:
    mov %r1, %r6
    call local sq
    add %r7, %r0
    add %r6, 1
    jlt %r6, 20, loop
    mov %r0, %r7
    exit
sq:
    mov %r0, %r1
    mul %r0, %r1
    exit
