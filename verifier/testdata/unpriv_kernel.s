# Unprivileged-mode rules, each with a program the Linux verifier rejects
# for a loader without CAP_PERFMON (allow_ptr_leaks and bypass_spec_v1
# false) with the message it gives, an accepted neighbour and the same
# program marked priv with root's verdict. TestKernelCorpus loads every
# case into the kernel in its mode; the messages are the kernel's.

# F4: comparing a pointer with a scalar tells the program about the address.

== frame pointer compared with a scalar register (F4)
#: reject R10 pointer comparison prohibited
    lddw %r2, 0x7f0000000000
    mov %r0, 0
    jle %r10, %r2, out
    mov %r0, 1
out:
    exit

== frame pointer compared with a scalar register as root
#: priv
#: accept
    lddw %r2, 0x7f0000000000
    mov %r0, 0
    jle %r10, %r2, out
    mov %r0, 1
out:
    exit

== scalar register compared with the context pointer
#: reject R1 pointer comparison prohibited
    mov %r2, 5
    mov %r0, 0
    jgt %r2, %r1, out
    mov %r0, 1
out:
    exit

== context pointer compared with an immediate
#: reject R1 pointer comparison prohibited
    mov %r0, 0
    jgt %r1, 0x1000, out
    mov %r0, 1
out:
    exit

== map value checked against null
#: map array key=4 value=8 entries=1
#: accept
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    ldxdw %r0, [%r0+0]
out:
    exit

== packet pointer compared with packet end
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    mov %r0, 2
    jgt %r4, %r3, out
    ldxw %r0, [%r2+0]
    and %r0, 1
out:
    exit

# F5: a narrow store over a spilled pointer would leave part of the address.

== partial overwrite of a spilled pointer (F5)
#: reject attempt to corrupt spilled pointer on stack
    stxdw [%r10-8], %r10
    stb [%r10-8], 0
    ldxdw %r0, [%r10-8]
    exit

== partial overwrite of a spilled pointer as root
#: priv
#: accept
    stxdw [%r10-8], %r10
    stb [%r10-8], 0
    ldxdw %r0, [%r10-8]
    exit

== full overwrite of a spilled pointer
#: accept
    stxdw [%r10-8], %r10
    stdw [%r10-8], 7
    ldxdw %r0, [%r10-8]
    exit

== narrow overwrite of a spilled scalar
#: accept
    mov %r1, 0x55
    stxdw [%r10-8], %r1
    stb [%r10-8], 0
    ldxdw %r0, [%r10-8]
    exit

# F6: a variable-offset read that may cover a spilled pointer. Without
# bypass_spec_v1 the kernel forbids every variable-offset stack access.

== variable-offset read over a spilled pointer
#: reject R4 variable stack access prohibited for !root, var_off=(0x0; 0x8) off=-16
    stxdw [%r10-8], %r10
    stdw [%r10-16], 0
    call 7
    mov %r3, %r0
    and %r3, 8
    mov %r4, %r10
    add %r4, -16
    add %r4, %r3
    ldxdw %r0, [%r4+0]
    exit

== variable-offset read over a spilled pointer as root
#: priv
#: accept
    stxdw [%r10-8], %r10
    stdw [%r10-16], 0
    call 7
    mov %r3, %r0
    and %r3, 8
    mov %r4, %r10
    add %r4, -16
    add %r4, %r3
    ldxdw %r0, [%r4+0]
    exit

== fixed-offset fill of a spilled pointer is a pointer
#: accept
    stxdw [%r10-8], %r10
    ldxdw %r4, [%r10-8]
    stdw [%r4-16], 3
    ldxdw %r0, [%r10-16]
    exit

# F7: an atomic fetch from a slot that holds a spilled pointer.

== atomic fetch-add on a spilled pointer (F7)
#: reject leaking pointer from stack off -8
    stxdw [%r10-8], %r10
    mov %r1, 0
    lock fetch add [%r10-8], %r1
    mov %r0, %r1
    exit

== atomic fetch-add on a spilled pointer as root
#: priv
#: accept
    stxdw [%r10-8], %r10
    mov %r1, 0
    lock fetch add [%r10-8], %r1
    mov %r0, %r1
    exit

== atomic xchg on a spilled pointer
#: reject leaking pointer from stack off -8
    stxdw [%r10-8], %r10
    mov %r1, 0
    lock xchg [%r10-8], %r1
    mov %r0, %r1
    exit

== atomic fetch-add on a spilled scalar
#: accept
    stdw [%r10-8], 40
    mov %r1, 2
    lock fetch add [%r10-8], %r1
    mov %r0, %r1
    exit

# F8: a helper that reads stack bytes holding a spilled pointer.

== helper reads a spilled pointer as map value (F8)
#: map hash key=4 value=8 entries=4
#: reject invalid read from stack R3 off -8+0 size 8
    stxdw [%r10-8], %r10
    stw [%r10-12], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -12
    mov %r3, %r10
    add %r3, -8
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

== helper reads a spilled pointer as map value as root
#: map hash key=4 value=8 entries=4
#: priv
#: accept
    stxdw [%r10-8], %r10
    stw [%r10-12], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -12
    mov %r3, %r10
    add %r3, -8
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

== helper reads a spilled pointer as map key
#: map hash key=8 value=8 entries=4
#: reject invalid read from stack R2 off -8+0 size 8
    stxdw [%r10-8], %r1
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -8
    call 1
    mov %r0, 0
    exit

== helper reads a spilled scalar as map value
#: map hash key=4 value=8 entries=4
#: accept
    stdw [%r10-8], 99
    stw [%r10-12], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -12
    mov %r3, %r10
    add %r3, -8
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

# F9: the difference of pointers into two maps is an address difference.

== pointer minus pointer into different maps (F9)
#: map array key=4 value=8 entries=1
#: map array key=4 value=8 entries=1
#: reject R1 pointer -= pointer prohibited
    lddw %r1, map_idx_value 0, 0
    lddw %r2, map_idx_value 1, 0
    sub %r1, %r2
    mov %r0, %r1
    exit

== pointer minus pointer into different maps as root
#: map array key=4 value=8 entries=1
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    lddw %r2, map_idx_value 1, 0
    sub %r1, %r2
    mov %r0, %r1
    exit

== map value pointer minus constant
#: map array key=4 value=16 entries=1
#: accept
    lddw %r1, map_idx_value 0, 8
    sub %r1, 8
    ldxdw %r0, [%r1+0]
    exit

# A pointer returned in r0.

== return a map value pointer
#: map array key=4 value=8 entries=1
#: reject R0 leaks addr as return value
    lddw %r0, map_idx_value 0, 0
    exit

== return a map value pointer as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r0, map_idx_value 0, 0
    exit

== return what a map value pointer points to
#: map array key=4 value=8 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    ldxdw %r0, [%r1+0]
    exit

== return the context pointer as root
#: priv
#: accept
    mov %r0, %r1
    exit

# A pointer stored where the program or Go can read it back as data.

== store the frame pointer into a map value
#: map array key=4 value=8 entries=1
#: reject R10 leaks addr into map
    lddw %r1, map_idx_value 0, 0
    stxdw [%r1+0], %r10
    mov %r0, 0
    exit

== store the frame pointer into a map value as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    stxdw [%r1+0], %r10
    mov %r0, 0
    exit

== store a scalar into a map value
#: map array key=4 value=8 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    stdw [%r1+0], 1
    mov %r0, 0
    exit

== store a pointer into the context
#: reject R10 leaks addr into ctx
    stxw [%r1+48], %r10
    mov %r0, 0
    exit

== store a pointer into the context as root
#: priv
#: accept
    stxw [%r1+48], %r10
    mov %r0, 0
    exit

== store a scalar into the context
#: accept
    mov %r2, 1
    stxw [%r1+48], %r2
    mov %r0, 0
    exit

== atomic add of a pointer to a map value
#: map array key=4 value=8 entries=1
#: reject R10 leaks addr into mem
    lddw %r1, map_idx_value 0, 0
    lock add [%r1+0], %r10
    mov %r0, 0
    exit

# Pointer arithmetic that yields an address-derived scalar.

== frame pointer masked with and
#: reject R2 bitwise operator &= on pointer prohibited
    mov %r2, %r10
    and %r2, 0xff
    mov %r0, 0
    exit

== frame pointer masked with and as root
#: priv
#: reject R2 bitwise operator &= on pointer prohibited
    mov %r2, %r10
    and %r2, 0xff
    mov %r0, 0
    exit

== frame pointer 32-bit add
#: reject R2 32-bit pointer arithmetic prohibited
    mov %r2, %r10
    add32 %r2, -8
    mov %r0, 0
    exit

== frame pointer 32-bit add as root
#: priv
#: reject R2 32-bit pointer arithmetic prohibited
    mov %r2, %r10
    add32 %r2, -8
    mov %r0, 0
    exit

== frame pointer 32-bit subtract as root
#: priv
#: accept
    mov %r2, %r10
    sub32 %r2, 8
    mov %r0, %r2
    exit

== frame pointer 32-bit subtract
#: reject R2 32-bit pointer arithmetic prohibited
    mov %r2, %r10
    sub32 %r2, 8
    mov %r0, %r2
    exit

== frame pointer multiplied
#: reject R2 pointer arithmetic with *= operator prohibited
    mov %r2, %r10
    mul %r2, 2
    mov %r0, 0
    exit

== frame pointer shifted right
#: reject R2 pointer arithmetic with >>= operator prohibited
    mov %r2, %r10
    rsh %r2, 12
    mov %r0, 0
    exit

== negate a stack pointer
#: reject R2 pointer arithmetic prohibited
    mov %r2, %r10
    neg %r2
    mov %r0, 0
    exit

== negate a stack pointer as root
#: priv
#: accept
    mov %r2, %r10
    neg %r2
    mov %r0, %r2
    exit

== byte swap the frame pointer as root
#: priv
#: accept
    mov %r2, %r10
    be64 %r2
    mov %r0, %r2
    exit

== 32-bit copy of the frame pointer
#: reject R10 partial copy of pointer
    mov32 %r0, %r10
    exit

== 32-bit copy of the frame pointer as root
#: priv
#: accept
    mov32 %r0, %r10
    exit

== sign-extending copy of the frame pointer as root
#: priv
#: accept
    movsx3264 %r0, %r10
    exit

== frame pointer plus a constant
#: accept
    mov %r2, %r10
    add %r2, -8
    stdw [%r2+0], 4
    ldxdw %r0, [%r10-8]
    exit

== frame pointer plus context pointer as root
#: priv
#: reject R2 pointer += pointer prohibited
    mov %r2, %r10
    add %r2, %r1
    mov %r0, 0
    exit

# A pointer passed to a helper where the helper takes a value.

== pointer as a helper's value argument
#: map hash key=4 value=8 entries=4
#: reject R4 leaks addr into helper function
    stw [%r10-4], 0
    stdw [%r10-16], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, %r10
    call 2
    mov %r0, 0
    exit

== pointer as a helper's value argument as root
#: map hash key=4 value=8 entries=4
#: priv
#: accept
    stw [%r10-4], 0
    stdw [%r10-16], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, %r10
    call 2
    mov %r0, 0
    exit

== scalar as a helper's value argument
#: map hash key=4 value=8 entries=4
#: accept
    stw [%r10-4], 0
    stdw [%r10-16], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

== pointer as the index of a tail call
#: map prog_array key=4 value=4 entries=1
#: reject R3 leaks addr into helper function
    lddw %r2, map_idx 0
    mov %r3, %r10
    call 12
    mov %r0, 0
    exit

== scalar as the index of a tail call
#: map prog_array key=4 value=4 entries=1
#: accept
    lddw %r2, map_idx 0
    mov %r3, 0
    call 12
    mov %r0, 0
    exit

# The kernel cannot judge the next case as unprivileged: kprobe programs need
# CAP_PERFMON, which also sets allow_ptr_leaks. gbpf, unprivileged, offers no
# probe_read helper at all (whether the read succeeds tells which addresses
# are mapped), as Linux offers them only with CAP_PERFMON.

== probe_read_kernel of a stack address
#: type kprobe
#: reject cannot use helper bpf_probe_read_kernel#113 without privileges
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    mov %r3, %r10
    call 113
    mov %r0, 0
    exit

== probe_read_kernel of a stack address as root
#: type kprobe
#: priv
#: accept
    stdw [%r10-8], 0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    mov %r3, %r10
    call 113
    mov %r0, 0
    exit

# Stack bytes never written: Linux lets a loader with CAP_PERFMON read them
# (allow_uninit_stack).

== helper reads uninitialized stack
#: map hash key=4 value=8 entries=4
#: reject invalid read from stack R3 off
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

== helper reads uninitialized stack as root
#: map hash key=4 value=8 entries=4
#: priv
#: accept
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, 0
    call 2
    mov %r0, 0
    exit

== load of a never-written stack slot
#: reject invalid read from stack
    ldxdw %r0, [%r10-16]
    exit

== load of a never-written stack slot as root
#: priv
#: accept
    ldxdw %r0, [%r10-16]
    exit

== load of a never-written stack slot through a copy of r10
#: reject invalid read from stack R2 off=-8 size=8
    mov %r2, %r10
    add %r2, -8
    ldxdw %r0, [%r2+0]
    exit

# Comparing two pointers of different kinds.

== frame pointer compared with the context pointer
#: reject R1 pointer comparison prohibited
    mov %r0, 0
    jgt %r10, %r1, out
    mov %r0, 1
out:
    exit

== frame pointer compared with the context pointer as root
#: priv
#: accept
    mov %r0, 0
    jgt %r10, %r1, out
    mov %r0, 1
out:
    exit

# Pointers stored into memory other than the stack.

== store the frame pointer into the packet
#: type xdp
#: reject R10 leaks addr into packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    mov %r0, 2
    jgt %r4, %r3, out
    stxdw [%r2+0], %r10
out:
    exit

== store the frame pointer into the packet as root
#: type xdp
#: priv
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    mov %r0, 2
    jgt %r4, %r3, out
    stxdw [%r2+0], %r10
out:
    exit

== store the frame pointer into a ringbuf reservation
#: map ringbuf entries=4096
#: reject R10 leaks addr into mem
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stxdw [%r0+0], %r10
    mov %r1, %r0
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

== store a scalar into a ringbuf reservation
#: map ringbuf entries=4096
#: accept
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stdw [%r0+0], 1
    mov %r1, %r0
    mov %r2, 0
    call 132
out:
    mov %r0, 0
    exit

# A subprogram may hand a pointer back to its caller: it stays a pointer.

== subprogram returns the context pointer
#: accept
    call local f
    ldxw %r0, [%r0+0]
    exit
f:
    mov %r0, %r1
    exit

== subprogram returns the caller's stack pointer
# Linux refuses every stack pointer a subprogram returns, even one into
# the caller's frame that stays valid; so does gbpf.
#: reject cannot return stack pointer to the caller
    stdw [%r10-8], 5
    mov %r1, %r10
    add %r1, -8
    call local f
    ldxdw %r0, [%r0+0]
    exit
f:
    mov %r0, %r1
    exit

== subprogram returns its own stack pointer
#: reject cannot return stack pointer to the caller
    call local f
    ldxdw %r0, [%r0+0]
    exit
f:
    stdw [%r10-8], 5
    mov %r0, %r10
    add %r0, -8
    exit

== subprogram returns its own stack pointer as root
#: priv
#: reject cannot return stack pointer to the caller
    call local f
    ldxdw %r0, [%r0+0]
    exit
f:
    stdw [%r10-8], 5
    mov %r0, %r10
    add %r0, -8
    exit

== subprogram returns the context pointer the caller leaks
#: reject R0 leaks addr as return value
    call local f
    exit
f:
    mov %r0, %r1
    exit
