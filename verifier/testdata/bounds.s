== jgt bounds the value
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jgt %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jge bounds the value
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jge %r2, 25, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jge off by one
#: map array key=4 value=32 entries=1
#: reject R1 max value is outside of the allowed memory range
    ldxw %r2, [%r1+0]
    jge %r2, 26, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jlt on the taken branch
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jlt %r2, 25, ok
    mov %r0, 0
    exit
ok:
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== jle on the taken branch
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jle %r2, 24, ok
    mov %r0, 0
    exit
ok:
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== jeq gives the exact value
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jeq %r2, 24, ok
    mov %r0, 0
    exit
ok:
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== jne fallthrough gives the exact value
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jne %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jeq wrong constant
#: map array key=4 value=32 entries=1
#: reject invalid access to map value, value_size=32 off=25 size=8
    ldxw %r2, [%r1+0]
    jne %r2, 25, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== bound against a register
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    mov %r3, 24
    jgt %r2, %r3, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== bound with constant on the left
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    mov %r3, 24
    jlt %r3, %r2, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jgt32 bounds a zero-extended value
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    jgt32 %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jgt32 does not bound a 64-bit value
#: type tracepoint
#: map array key=4 value=32 entries=1
#: reject math between map_value pointer and register with unbounded min value is not allowed
    ldxdw %r2, [%r1+8]
    jgt32 %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== signed bounds with both checks
#: type tracepoint
#: map array key=4 value=32 entries=1
#: accept
    ldxdw %r2, [%r1+8]
    jsgt %r2, 24, out
    jslt %r2, 0, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== signed upper check only
#: type tracepoint
#: map array key=4 value=32 entries=1
#: reject math between map_value pointer and register with unbounded min value is not allowed
    ldxdw %r2, [%r1+8]
    jsgt %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jsge and jsle
#: type tracepoint
#: map array key=4 value=32 entries=1
#: accept
    ldxdw %r2, [%r1+8]
    jsge %r2, 25, out
    jsle %r2, -1, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== negative minimum at access
#: priv
#: map array key=4 value=32 entries=1
#: reject R1 min value is negative, either use unsigned index or do a if (index >=0) check.
    ldxb %r2, [%r1+0]
    sub %r2, 100
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== unsigned check makes a signed value non-negative
#: type tracepoint
#: map array key=4 value=32 entries=1
#: accept
    ldxdw %r2, [%r1+8]
    jgt %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== linked copy is bounded too
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    mov %r3, %r2
    jgt %r3, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== copy changed after the link is not bounded
#: priv
#: map array key=4 value=32 entries=1
#: reject R1 unbounded memory access
    ldxw %r2, [%r1+0]
    mov %r3, %r2
    add %r2, 1
    jgt %r3, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== and mask bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    and %r2, 0x18
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== rsh bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    rsh %r2, 4
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== mod bounds
#: map array key=4 value=32 entries=1
# Linux learns no bounds from a remainder, and neither does gbpf.
#: reject math between map_value pointer and register with unbounded min value is not allowed
    ldxw %r2, [%r1+0]
    mod %r2, 25
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== mod by 26 too big
#: map array key=4 value=32 entries=1
#: reject math between map_value pointer and register with unbounded min value is not allowed
    ldxw %r2, [%r1+0]
    mod %r2, 26
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== div bounds
#: map array key=4 value=32 entries=1
# Linux learns no bounds from a division, and neither does gbpf.
#: reject math between map_value pointer and register with unbounded min value is not allowed
    ldxb %r2, [%r1+0]
    div %r2, 11
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== mul bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 3
    mul %r2, 8
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== mul overflow bound
#: map array key=4 value=32 entries=1
#: reject R1 max value is outside of the allowed memory range
    ldxb %r2, [%r1+0]
    and %r2, 3
    mul %r2, 9
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== add and sub keep bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 15
    add %r2, 10
    sub %r2, 2
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== lsh bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 3
    lsh %r2, 3
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== alu32 result is zero-extended
#: map array key=4 value=32 entries=1
#: accept
    ldxw %r2, [%r1+0]
    and32 %r2, 24
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== alu32 add wraps the upper bits away
#: priv
#: map array key=4 value=32 entries=1
#: reject R1 unbounded memory access
    ldxw %r2, [%r1+0]
    add32 %r2, 1
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== jset clears bits on the fallthrough
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    jset %r2, 0xe0, out
    and %r2, 0x1f
    jgt %r2, 24, out
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== jset proves the path dead
#: accept
    mov %r2, 4
    jset %r2, 3, bad
    mov %r0, 0
    exit
bad:
    mov %r0, %r10
    exit

== dead branch is not checked
#: accept
    mov %r2, 5
    jgt %r2, 10, bad
    mov %r0, 0
    exit
bad:
    ldxdw %r0, [%r2+0]
    exit

== impossible branch from ranges
#: accept
    ldxb %r2, [%r1+0]
    jgt %r2, 300, bad
    mov %r0, 0
    exit
bad:
    mov %r0, %r10
    exit

== contradictory branches prune each other
#: accept
    ldxw %r2, [%r1+0]
    jgt %r2, 10, a
    jlt %r2, 20, b
    mov %r0, %r10
    exit
a:
    mov %r0, 0
    exit
b:
    mov %r0, 1
    exit

== signed and unsigned together
#: type tracepoint
#: accept
    ldxdw %r2, [%r1+8]
    jsgt %r2, 10, out
    jsgt %r2, -1, nonneg
    mov %r0, 0
    exit
nonneg:
    jgt %r2, 10, bad
    mov %r0, 0
    exit
bad:
    mov %r0, %r10
    exit
out:
    mov %r0, 1
    exit

== neg then bounds
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 7
    neg %r2
    add %r2, 8
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+16]
    exit

== le16 truncates
#: priv
#: map array key=4 value=32 entries=1
#: reject R1 max value is outside of the allowed memory range
    ldxw %r2, [%r1+0]
    le16 %r2
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== be16 of a small value is large
#: priv
#: map array key=4 value=32 entries=1
#: reject R1 max value is outside of the allowed memory range
    ldxb %r2, [%r1+0]
    be16 %r2
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== arsh keeps the sign bounds
#: priv
#: type tracepoint
#: map array key=4 value=32 entries=1
#: reject R1 min value is negative
    ldxb %r2, [%r1+8]
    movsx864 %r2, %r2
    arsh %r2, 3
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+16]
    exit

== movsx of a masked byte is non-negative
#: map array key=4 value=32 entries=1
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 0x1f
    movsx864 %r2, %r2
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== ldxsb is signed
#: priv
#: type tracepoint
#: map array key=4 value=128 entries=1
#: reject R1 min value is negative
    ldxsb %r2, [%r1+8]
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== bounds learned on the loop exit
#: map array key=4 value=64 entries=1
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject infinite loop detected
    mov %r2, 0
loop:
    add %r2, 8
    jlt %r2, 56, loop
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== bounds learned on the loop exit overshoot
#: priv
#: map array key=4 value=64 entries=1
#: reject invalid access to map value, value_size=64 off=64 size=8
    mov %r2, 0
loop:
    add %r2, 8
    jlt %r2, 60, loop
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== xor of bounded values
#: map array key=4 value=64 entries=1
#: accept
    ldxb %r2, [%r1+0]
    ldxb %r3, [%r1+1]
    and %r2, 31
    and %r3, 31
    xor %r2, %r3
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit

== or of bounded values
#: map array key=4 value=64 entries=1
#: accept
    ldxb %r2, [%r1+0]
    ldxb %r3, [%r1+1]
    and %r2, 0x30
    and %r3, 0x07
    or %r2, %r3
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxdw %r0, [%r1+0]
    exit
