== lookup without null check
#: map hash key=4 value=8 entries=16
#: reject R0 invalid mem access 'map_value_or_null'
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    ldxdw %r0, [%r0+0]
    exit

== lookup with null check
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxdw %r0, [%r0+0]
out:
    exit

== null check with jne
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jne %r0, 0, found
    exit
found:
    ldxdw %r0, [%r0+0]
    exit

== null check on a copy covers the original
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r6, %r0
    jeq %r6, 0, out
    ldxdw %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit

== null check through a spill
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    stxdw [%r10-16], %r0
    jeq %r0, 0, out
    ldxdw %r1, [%r10-16]
    ldxdw %r0, [%r1+0]
    exit
out:
    mov %r0, 0
    exit

== return map value or null
#: map hash key=4 value=8 entries=16
#: reject R0 leaks addr as return value
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    exit

== pointer arithmetic before the null check
#: map hash key=4 value=8 entries=16
#: reject R0 pointer arithmetic on map_value_or_null prohibited, null-check it first
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    add %r0, 4
    mov %r0, 0
    exit

== read past the value
#: map hash key=4 value=8 entries=16
#: reject invalid access to map value, value_size=8 off=4 size=8
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxdw %r0, [%r0+4]
out:
    exit

== negative offset into value
#: map hash key=4 value=8 entries=16
#: reject invalid access to map value, value_size=8 off=-1 size=1
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxb %r0, [%r0-1]
out:
    exit

== write into value
#: map array key=4 value=16 entries=4
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    stdw [%r0+8], 42
    mov %r1, 1
    lock add [%r0+0], %r1
out:
    mov %r0, 0
    exit

== misaligned atomic in value
#: map array key=4 value=16 entries=4
#: reject misaligned value access off 0+0+4 size 8
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r1, 1
    lock add [%r0+4], %r1
out:
    mov %r0, 0
    exit

== misaligned atomic32 through a moved value pointer
#: map array key=4 value=16 entries=4
#: reject misaligned value access off 0+2+4 size 4
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    add %r0, 2
    mov %r1, 1
    lock xchg32 [%r0+4], %r1
out:
    mov %r0, 0
    exit

== misaligned plain store in value
#: map array key=4 value=16 entries=4
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    stdw [%r0+4], 42
out:
    mov %r0, 0
    exit

== write into read-only map
#: map array key=4 value=16 entries=4 flags=0x80
#: reject write into map forbidden
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    stdw [%r0+8], 42
out:
    mov %r0, 0
    exit

== store a pointer into a map value
#: map array key=4 value=16 entries=4
#: reject R10 leaks addr into map
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    stxdw [%r0+0], %r10
out:
    mov %r0, 0
    exit

== variable index checked against size
#: map array key=4 value=64 entries=4
#: accept
    ldxw %r6, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    jgt %r6, 56, out
    add %r0, %r6
    ldxdw %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit

== variable index off by one
#: map array key=4 value=64 entries=4
#: reject R0 max value is outside of the allowed memory range
    ldxw %r6, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    jgt %r6, 57, out
    add %r0, %r6
    ldxdw %r0, [%r0+0]
out:
    exit

== variable index unchecked
#: priv
#: map array key=4 value=64 entries=4
#: reject R0 unbounded memory access, make sure to bounds check any such access
    ldxw %r6, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    add %r0, %r6
    ldxb %r0, [%r0+0]
out:
    exit

== signed index may be negative
#: map array key=4 value=64 entries=4
#: reject value -2147483648 makes map_value pointer be out of bounds
    ldxw %r6, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    movsx3264 %r6, %r6
    jsgt %r6, 56, out
    add %r0, %r6
    ldxb %r0, [%r0+0]
out:
    exit

== signed index checked both ways
#: map array key=4 value=64 entries=4
#: accept
    ldxw %r6, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    movsx3264 %r6, %r6
    jsgt %r6, 56, out
    jslt %r6, 0, out
    add %r0, %r6
    ldxb %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit

== index masked by and
#: map array key=4 value=64 entries=4
#: accept
    ldxw %r6, [%r1+0]
    and %r6, 63
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    add %r0, %r6
    ldxb %r0, [%r0+0]
out:
    exit

== index masked too wide
#: priv
#: map array key=4 value=64 entries=4
#: reject R0 max value is outside of the allowed memory range
    ldxw %r6, [%r1+0]
    and %r6, 127
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    add %r0, %r6
    ldxb %r0, [%r0+0]
out:
    exit

== key on uninitialized stack
#: map hash key=4 value=8 entries=16
#: reject invalid read from stack R2 off=-4 size=4
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== key partly initialized
#: map hash key=8 value=8 entries=16
#: reject invalid read from stack R2 off -8+4 size 8
    stw [%r10-8], 0
    mov %r2, %r10
    add %r2, -8
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== key pointer is a scalar
#: map hash key=4 value=8 entries=16
#: reject R2 type=scalar expected=fp
    mov %r2, 0
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== map argument is a scalar
#: reject R1 type=scalar expected=map_ptr
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    mov %r1, 0
    call 1
    mov %r0, 0
    exit

== map argument is the stack
#: reject R1 type=fp expected=map_ptr
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    mov %r1, %r10
    call 1
    mov %r0, 0
    exit

== unknown map index
#: reject fd 3 is not pointing to valid bpf_map
    lddw %r1, map_idx 3
    mov %r0, 0
    exit

== key past the stack top
#: map hash key=8 value=8 entries=16
#: reject invalid indirect access to stack R2 off=-4 size=8
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== update with value on stack
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 1
    stdw [%r10-16], 2
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    lddw %r1, map_idx 0
    call 2
    exit

== update with uninitialized value
#: map hash key=4 value=8 entries=16
#: reject invalid read from stack R3 off=-16 size=8
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    lddw %r1, map_idx 0
    call 2
    exit

== update flags uninitialized
#: map hash key=4 value=8 entries=16
#: reject R4 !read_ok
    stw [%r10-4], 1
    stdw [%r10-16], 2
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    lddw %r1, map_idx 0
    call 2
    exit

== key from a map value
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r2, %r0
    lddw %r1, map_idx 0
    call 3
out:
    mov %r0, 0
    exit

== delete
#: map hash key=4 value=8 entries=16
#: accept
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 3
    exit

== lookup on a ring buffer
#: map ringbuf entries=4096
#: reject cannot pass map_type 27 into func bpf_map_lookup_elem#1
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== push on a hash
#: map hash key=4 value=8 entries=16
#: reject cannot pass map_type 1 into func bpf_map_push_elem#87
    stdw [%r10-8], 1
    mov %r2, %r10
    add %r2, -8
    mov %r3, 0
    lddw %r1, map_idx 0
    call 87
    exit

== push pop peek on a queue
#: map queue value=8 entries=16
#: accept
    stdw [%r10-8], 1
    mov %r2, %r10
    add %r2, -8
    mov %r3, 0
    lddw %r1, map_idx 0
    call 87
    mov %r2, %r10
    add %r2, -16
    lddw %r1, map_idx 0
    call 88
    ldxdw %r6, [%r10-16]
    mov %r2, %r10
    add %r2, -24
    lddw %r1, map_idx 0
    call 89
    ldxdw %r0, [%r10-24]
    add %r0, %r6
    exit

== pop into a read-only region
#: map stack value=8 entries=16
#: map array key=4 value=8 entries=1 flags=0x80
#: reject write into map forbidden
    lddw %r2, map_idx_value 1, 0
    lddw %r1, map_idx 0
    call 88
    exit

== lookup on a queue
#: map queue value=8 entries=16
#: reject cannot pass map_type 22 into func bpf_map_lookup_elem#1
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r0, 0
    exit

== direct value access
#: map array key=4 value=16 entries=1
#: accept
    lddw %r1, map_idx_value 0, 8
    ldxdw %r0, [%r1+0]
    stdw [%r1+0], 1
    exit

== direct value access past the end
#: map array key=4 value=16 entries=1
#: reject invalid access to map value, value_size=16 off=16 size=8
    lddw %r1, map_idx_value 0, 8
    ldxdw %r0, [%r1+8]
    exit

== direct value offset outside the value
#: map array key=4 value=16 entries=1
#: reject invalid access to map value pointer, value_size=16 off=16
    lddw %r1, map_idx_value 0, 16
    mov %r0, 0
    exit

== direct value access of a hash map
#: map hash key=4 value=16 entries=1
#: reject does not support direct value access
    lddw %r1, map_idx_value 0, 0
    mov %r0, 0
    exit

== map in map lookup
#: map array key=4 value=8 entries=4
#: map array_of_maps key=4 value=4 entries=4 inner=0
#: accept
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
    ldxdw %r0, [%r0+0]
    exit
out:
    mov %r0, 0
    exit

== inner map without null check
#: map array key=4 value=8 entries=4
#: map array_of_maps key=4 value=4 entries=4 inner=0
#: reject R1 type=map_ptr_or_null expected=map_ptr
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 1
    call 1
    mov %r1, %r0
    mov %r2, %r10
    add %r2, -4
    call 1
    mov %r0, 0
    exit

== lookup result used after the path that found it null
#: map hash key=4 value=8 entries=16
#: reject R0 invalid mem access 'scalar'
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jne %r0, 0, out
    ldxdw %r0, [%r0+0]
out:
    mov %r0, 0
    exit

== two lookups checked separately
#: map hash key=4 value=8 entries=16
#: reject R7 invalid mem access 'map_value_or_null'
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r6, %r0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    mov %r7, %r0
    jeq %r6, 0, out
    ldxdw %r0, [%r7+0]
    exit
out:
    mov %r0, 0
    exit

== percpu array value
#: map percpu_array key=4 value=32 entries=4
#: accept
    stw [%r10-4], 3
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxdw %r0, [%r0+24]
out:
    exit

== tail call
#: map prog_array key=4 value=4 entries=4
#: accept
    mov %r6, %r1
    lddw %r2, map_idx 0
    mov %r3, 1
    call 12
    mov %r0, 0
    exit

== tail call through a hash map
#: map hash key=4 value=4 entries=4
#: reject cannot pass map_type 1 into func bpf_tail_call#12
    lddw %r2, map_idx 0
    mov %r3, 1
    call 12
    mov %r0, 0
    exit

== tail call with a modified context
#: map prog_array key=4 value=4 entries=4
#: reject dereference of modified ctx ptr R1 off=4 disallowed
    add %r1, 4
    lddw %r2, map_idx 0
    mov %r3, 1
    call 12
    mov %r0, 0
    exit

== tail call clobbers r0
#: map prog_array key=4 value=4 entries=4
#: reject R0 !read_ok
    lddw %r2, map_idx 0
    mov %r3, 1
    mov %r0, 1
    call 12
    exit

== perf event output
#: type kprobe
#: map perf_event_array key=4 value=4 entries=0
#: accept
    stdw [%r10-8], 7
    lddw %r2, map_idx 0
    lddw %r3, 0xffffffff
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    exit

== perf event output size too big
#: type kprobe
#: map perf_event_array key=4 value=4 entries=0
#: reject invalid indirect access to stack R4 off=-8 size=16
    stdw [%r10-8], 7
    lddw %r2, map_idx 0
    lddw %r3, 0xffffffff
    mov %r4, %r10
    add %r4, -8
    mov %r5, 16
    call 25
    exit

== array lookup of a constant key in range needs no null check
#: map array key=4 value=8 entries=4
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    ldxdw %r0, [%r0+0]
    exit

== array lookup of a spilled constant key in range
#: map array key=4 value=8 entries=4
# The 4-byte key is half of an 8-byte spill: Linux knows a key only from
# zeroed bytes or a spill of the key's own size, and neither does gbpf.
#: reject R0 invalid mem access 'map_value_or_null'
    mov %r1, 3
    stxdw [%r10-8], %r1
    mov %r2, %r10
    add %r2, -8
    lddw %r1, map_idx 0
    call 1
    ldxdw %r0, [%r0+0]
    exit

== array lookup of a constant key out of range
#: map array key=4 value=8 entries=4
#: reject R0 invalid mem access 'map_value_or_null'
    mov %r1, 4
    stxdw [%r10-8], %r1
    mov %r2, %r10
    add %r2, -8
    lddw %r1, map_idx 0
    call 1
    ldxdw %r0, [%r0+0]
    exit

== hash lookup of a constant key needs a null check
#: map hash key=4 value=8 entries=4
#: reject R0 invalid mem access 'map_value_or_null'
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    ldxdw %r0, [%r0+0]
    exit
