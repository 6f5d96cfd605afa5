== spin lock and unlock
#: map array key=4 value=16 entries=1 lock=0
#: accept
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    call 93
    ldxdw %r2, [%r6+8]
    add %r2, 1
    stxdw [%r6+8], %r2
    mov %r1, %r6
    call 94
out:
    mov %r0, 0
    exit

== spin lock not released
#: map array key=4 value=16 entries=1 lock=0
#: reject bpf_spin_unlock is missing
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    call 93
out:
    mov %r0, 0
    exit

== unlock without lock
#: map array key=4 value=16 entries=1 lock=0
#: reject bpf_spin_unlock without taking a lock
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    call 94
out:
    mov %r0, 0
    exit

== two locks
#: map array key=4 value=16 entries=1 lock=0
#: reject Locking two bpf_spin_locks are not allowed
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    call 93
    mov %r1, %r6
    call 93
out:
    mov %r0, 0
    exit

== helper call while locked
#: map array key=4 value=16 entries=1 lock=0
#: reject function calls are not allowed while holding a lock
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    call 93
    call 5
    mov %r1, %r6
    call 94
out:
    mov %r0, 0
    exit

== local call while locked
#: map array key=4 value=16 entries=1 lock=0
#: reject function calls are not allowed while holding a lock
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    call 93
    call local f
    mov %r1, %r6
    call 94
out:
    mov %r0, 0
    exit
f:
    mov %r0, 0
    exit

== lock at the wrong offset
#: map array key=4 value=16 entries=1 lock=0
#: reject off 8 doesn't point to 'struct bpf_spin_lock' that is at 0
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    add %r1, 8
    call 93
out:
    mov %r0, 0
    exit

== lock in a map without one
#: map array key=4 value=16 entries=1
#: reject map 'm0' has no valid bpf_spin_lock
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    call 93
out:
    mov %r0, 0
    exit

== lock word read directly
#: map array key=4 value=16 entries=1 lock=0
#: reject bpf_spin_lock cannot be accessed directly by load/store
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    ldxw %r0, [%r0+0]
out:
    mov %r0, 0
    exit

== lock on a stack pointer
#: map array key=4 value=16 entries=1 lock=0
#: reject R1 type=fp expected=map_value
    mov %r1, %r10
    call 93
    mov %r0, 0
    exit

== exit while locked in a branch
#: map array key=4 value=16 entries=1 lock=0
#: reject bpf_spin_unlock is missing
    ldxw %r7, [%r1+0]
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    mov %r1, %r6
    call 93
    jeq %r7, 0, out
    mov %r1, %r6
    call 94
out:
    mov %r0, 0
    exit

== unlock of a different value
#: map array key=4 value=16 entries=2 lock=0
#: reject bpf_spin_unlock of different lock
    stw [%r10-4], 0
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    stw [%r10-4], 1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, out
    mov %r7, %r0
    mov %r1, %r6
    call 93
    mov %r1, %r7
    call 94
out:
    mov %r0, 0
    exit
