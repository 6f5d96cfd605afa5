== ringbuf reserve and submit
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 16
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stdw [%r0+0], 1
    stdw [%r0+8], 2
    mov %r1, %r0
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf reserve and discard
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r1, %r0
    mov %r2, 0
    call 133
out:
    mov %r0, 0
    exit

== ringbuf reservation leaked
#: map ringbuf entries=4096
#: reject Unreleased reference id=2 alloc_insn=4
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stdw [%r0+0], 1
out:
    mov %r0, 0
    exit

== ringbuf leaked on one path
#: map ringbuf entries=4096
#: reject Unreleased reference
    ldxw %r6, [%r1+0]
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    jeq %r6, 0, out
    mov %r1, %r0
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf null not checked
#: map ringbuf entries=4096
#: reject R0 invalid mem access 'ringbuf_mem_or_null'
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    stdw [%r0+0], 1
    mov %r0, 0
    exit

== ringbuf write past the reservation
#: map ringbuf entries=4096
#: reject invalid access to memory, mem_size=8 off=8 size=8
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stdw [%r0+8], 1
    mov %r1, %r0
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf used after submit
#: map ringbuf entries=4096
#: reject R6 invalid mem access 'scalar'
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r0
    mov %r2, 0
    call 132
    stdw [%r6+0], 1
out:
    mov %r0, 0
    exit

== ringbuf submitted twice
#: map ringbuf entries=4096
#: reject R1 type=scalar expected=ringbuf_mem
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    mov %r2, 0
    call 132
    mov %r1, %r6
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf submit with offset
#: map ringbuf entries=4096
#: reject R1 must have zero offset when passed to release func
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r1, %r0
    add %r1, 4
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf reserve size must be constant
#: map ringbuf entries=4096
#: reject R2 is not a known constant
    ldxw %r2, [%r1+0]
    and %r2, 8
    lddw %r1, map_idx 0
    mov %r3, 0
    call 131
    mov %r0, 0
    exit

== ringbuf submit of a stack pointer
#: map ringbuf entries=4096
#: reject R1 type=fp expected=ringbuf_mem
    mov %r1, %r10
    mov %r2, 0
    call 132
    mov %r0, 0
    exit

== ringbuf reserve from a hash map
#: map hash key=4 value=8 entries=4
#: reject cannot pass map_type 1 into func bpf_ringbuf_reserve#131
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    mov %r0, 0
    exit

== ringbuf output from the stack
#: map ringbuf entries=4096
#: accept
    stdw [%r10-8], 42
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -8
    mov %r3, 8
    mov %r4, 0
    call 130
    exit

== ringbuf output with a zero size at the frame pointer
#: map ringbuf entries=4096
#: reject invalid read from stack R2 off=0 size=0
    lddw %r1, map_idx 0
    mov %r2, %r10
    mov %r3, 0
    mov %r4, 0
    call 130
    exit

== ringbuf output with unbounded size
#: map ringbuf entries=4096
#: reject R3 unbounded memory access
    ldxw %r3, [%r1+0]
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -8
    mov %r4, 0
    call 130
    exit

== ringbuf output with bounded variable size
#: map ringbuf entries=4096
#: accept
    stdw [%r10-16], 0
    stdw [%r10-8], 0
    ldxw %r3, [%r1+0]
    and %r3, 15
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -16
    mov %r4, 0
    call 130
    exit

== ringbuf output negative size
#: map ringbuf entries=4096
#: reject R3 min value is negative, either use unsigned or 'var &= const'
    stdw [%r10-16], 0
    ldxw %r3, [%r1+0]
    movsx3264 %r3, %r3
    jsgt %r3, 8, out
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -16
    mov %r4, 0
    call 130
out:
    mov %r0, 0
    exit

== ringbuf query
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 0
    call 134
    exit

== ringbuf reservation across a tail call
#: map ringbuf entries=4096
#: map prog_array key=4 value=4 entries=2
#: reject tail_call would lead to reference leak
    mov %r6, %r1
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r7, %r0
    mov %r1, %r6
    lddw %r2, map_idx 1
    mov %r3, 0
    call 12
    mov %r1, %r7
    mov %r2, 0
    call 133
out:
    mov %r0, 0
    exit

== ringbuf reservations in a loop
#: map ringbuf entries=4096
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject infinite loop detected
    mov %r6, 0
loop:
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, next
    stxdw [%r0+0], %r6
    mov %r1, %r0
    mov %r2, 0
    call 132
next:
    add %r6, 1
    jlt %r6, 8, loop
    mov %r0, 0
    exit

== ringbuf pointer kept in a spill
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stxdw [%r10-8], %r0
    ldxdw %r1, [%r10-8]
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf released in a subprogram
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r1, %r0
    call local release
out:
    mov %r0, 0
    exit
release:
    mov %r2, 0
    call 132
    mov %r0, 0
    exit

== ringbuf memory passed to a helper
#: type kprobe
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 16
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r0
    mov %r2, 16
    call 16
    mov %r1, %r6
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== ringbuf output with a zero size
#: priv
#: map ringbuf entries=4096
#: accept
# kernel: without allow_uninit_stack the kernel checks that even a zero-size read is of written stack; gbpf lets a read of nothing pass
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -8
    mov %r3, 0
    mov %r4, 0
    call 130
    exit
