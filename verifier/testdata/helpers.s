== strncmp with a constant string
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=hello
#: accept
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 6
    lddw %r3, map_idx_value 0, 0
    call 182
    exit

== strncmp with a writable map string
#: type kprobe
#: map array key=4 value=16 entries=1 str=hello
#: reject R3 does not point to a readonly map
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 6
    lddw %r3, map_idx_value 0, 0
    call 182
    exit

== strncmp with a string in an inner map's value
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=hello
#: map array_of_maps key=4 value=4 entries=4 inner=0
#: reject R3 does not point to a readonly map
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 1
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r3, %r0
    stdw [%r10-16], 0
    mov %r1, %r10
    add %r1, -16
    mov %r2, 6
    call 182
out:
    mov %r0, 0
    exit

== strncmp with an unterminated string
#: type kprobe
#: map array key=4 value=4 entries=1 flags=0x80 str=abcd
#: reject string is not zero-terminated
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 6
    lddw %r3, map_idx_value 0, 0
    call 182
    exit

== strncmp with a stack string
#: type kprobe
#: reject R3 type=fp expected=map_value
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 6
    mov %r3, %r10
    add %r3, -8
    call 182
    exit

== strncmp with zero size
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=hello
#: reject R2 invalid zero-sized read
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 0
    lddw %r3, map_idx_value 0, 0
    call 182
    exit

== snprintf into the stack
#: priv
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=n=%d
#: accept
    stdw [%r10-8], 5
    mov %r1, %r10
    add %r1, -32
    mov %r2, 16
    lddw %r3, map_idx_value 0, 0
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 165
    ldxdw %r0, [%r10-32]
    exit

== snprintf with a null buffer
#: priv
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=x
#: accept
    mov %r1, 0
    mov %r2, 0
    lddw %r3, map_idx_value 0, 0
    mov %r4, 0
    mov %r5, 0
    call 165
    exit

== snprintf null buffer with a size
#: priv
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80 str=x
#: reject R1 type=scalar expected=
    mov %r1, 0
    mov %r2, 8
    lddw %r3, map_idx_value 0, 0
    mov %r4, 0
    mov %r5, 0
    call 165
    exit

== probe_read fills the stack
#: priv
#: type kprobe
#: accept
    ldxdw %r3, [%r1+112]
    mov %r1, %r10
    add %r1, -16
    mov %r2, 16
    call 113
    ldxdw %r0, [%r10-16]
    ldxdw %r0, [%r10-8]
    exit

== probe_read into the context
#: priv
#: type kprobe
#: reject R1 type=ctx expected=fp
    ldxdw %r3, [%r1+112]
    mov %r2, 8
    call 113
    exit

== probe_read into a read-only map
#: priv
#: type kprobe
#: map array key=4 value=16 entries=1 flags=0x80
#: reject write into map forbidden
    ldxdw %r3, [%r1+112]
    lddw %r1, map_idx_value 0, 0
    mov %r2, 8
    call 113
    exit

== probe_read with a variable size
#: priv
#: type kprobe
#: accept
    ldxdw %r3, [%r1+112]
    ldxdw %r2, [%r1+104]
    and %r2, 31
    mov %r1, %r10
    add %r1, -32
    call 113
    exit

== probe_read with a size past the stack top
#: priv
#: type kprobe
#: reject invalid indirect access to stack R1 off=-32 size=33
    ldxdw %r3, [%r1+112]
    ldxdw %r2, [%r1+104]
    and %r2, 31
    add %r2, 2
    mov %r1, %r10
    add %r1, -32
    call 113
    exit

== get_current_comm
#: type tracepoint
#: accept
    mov %r1, %r10
    add %r1, -16
    mov %r2, 16
    call 16
    ldxb %r0, [%r10-16]
    exit

== get_current_comm with a zero size
#: type tracepoint
#: reject R2 invalid zero-sized read
    mov %r1, %r10
    add %r1, -16
    mov %r2, 0
    call 16
    exit

== trace_printk with only a format
#: priv
#: type kprobe
#: accept
    stdw [%r10-8], 0x0a6968
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 6
    exit

== trace_printk of an uninitialized format as root
#: type kprobe
#: priv
#: accept
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 6
    exit

== perf_event_output needs the context
#: type kprobe
#: map perf_event_array key=4 value=4 entries=0
#: reject R1 type=fp expected=ctx
    stdw [%r10-8], 7
    mov %r1, %r10
    lddw %r2, map_idx 0
    lddw %r3, 0xffffffff
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    exit

== jiffies and boot time
#: type kprobe
#: accept
    call 118
    mov %r6, %r0
    call 125
    sub %r0, %r6
    exit

== prandom is a u32
#: priv
#: map array key=4 value=8 entries=1
#: reject R1 unbounded memory access
    call 7
    lddw %r1, map_idx_value 0, 0
    add %r1, %r0
    ldxb %r0, [%r1+0]
    exit

== prandom masked
#: map array key=4 value=8 entries=1
#: accept
    call 7
    and %r0, 7
    lddw %r1, map_idx_value 0, 0
    add %r1, %r0
    ldxb %r0, [%r1+0]
    exit

== unknown arguments are not checked for unused registers
#: accept
    call 5
    exit
