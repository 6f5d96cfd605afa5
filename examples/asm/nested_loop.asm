# bpf_loop(2^23) inside a bpf_loop(2^23) callback: 2^46 callback calls,
# which the verifier accepts. The run stops at its budget.
    mov %r1, 0x800000
    lddw %r2, func outer
    mov %r3, 0
    mov %r4, 0
    call 181
    mov %r0, 0
    exit
outer:
    mov %r1, 0x800000
    lddw %r2, func inner
    mov %r3, 0
    mov %r4, 0
    call 181
    mov %r0, 0
    exit
inner:
    mov %r0, 0
    exit
