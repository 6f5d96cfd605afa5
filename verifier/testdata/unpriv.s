# The rules Linux applies to loaders without CAP_PERFMON (allow_ptr_leaks
# and bypass_spec_v1 false), which are gbpf's default, and the same
# programs under "#: priv", the rules for root.

# --- Returning a pointer (check_return_code).

== return the frame pointer as root
#: priv
#: accept
    mov %r0, %r10
    exit

== return a number read through a pointer
#: accept
    stxdw [%r10-8], %r10
    ldxdw %r1, [%r10-8]
    stdw [%r1-16], 7
    ldxdw %r0, [%r1-16]
    exit

# --- Stores of pointers into memory a program or its host can read.

== store a pointer into a map value as root
#: priv
#: map array key=4 value=8 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    stxdw [%r1+0], %r10
    mov %r0, 0
    exit

== store a number into a map value
#: map array key=4 value=8 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    stdw [%r1+0], 7
    mov %r0, 0
    exit

== store the frame pointer into the context
#: type sched_cls
#: reject R10 leaks addr into ctx
    stxw [%r1+8], %r10
    mov %r0, 0
    exit

== store the frame pointer into the context as root
#: type sched_cls
#: priv
#: accept
    stxw [%r1+8], %r10
    mov %r0, 0
    exit

== store a pointer into the packet
#: type xdp
#: reject R10 leaks addr into packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, out
    stxdw [%r2+0], %r10
out:
    mov %r0, 2
    exit

== store a pointer into the packet as root
#: type xdp
#: priv
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, out
    stxdw [%r2+0], %r10
out:
    mov %r0, 2
    exit

== store a pointer into ring buffer memory
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
    call 133
out:
    mov %r0, 0
    exit

== store a pointer into ring buffer memory as root
#: map ringbuf entries=4096
#: priv
#: accept
    lddw %r1, map_idx 0
    mov %r2, 8
    mov %r3, 0
    call 131
    jeq %r0, 0, out
    stxdw [%r0+0], %r10
    mov %r1, %r0
    mov %r2, 0
    call 133
out:
    mov %r0, 0
    exit

== atomic add of a pointer into a map value
#: map array key=4 value=8 entries=1
#: reject R2 leaks addr into mem
    lddw %r1, map_idx_value 0, 0
    mov %r2, %r10
    lock add [%r1+0], %r2
    mov %r0, 0
    exit

== atomic add of a pointer into a map value as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    mov %r2, %r10
    lock add [%r1+0], %r2
    mov %r0, 0
    exit

== cmpxchg with a pointer in r0
#: map array key=4 value=8 entries=1
#: reject R0 leaks addr into mem
    lddw %r1, map_idx_value 0, 0
    mov %r0, %r10
    mov %r2, 0
    lock cmpxchg [%r1+0], %r2
    mov %r0, 0
    exit

== cmpxchg with a pointer in r0 as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    mov %r0, %r10
    mov %r2, 0
    lock cmpxchg [%r1+0], %r2
    mov %r0, 0
    exit

# --- Pointers handed to helpers as data.

== helper reads a spilled number from the stack
#: map hash key=4 value=8 entries=4
#: accept
    stdw [%r10-8], 42
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

== map lookup with a never written key
#: map hash key=4 value=8 entries=4
#: reject invalid read from stack R2
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    mov %r0, 0
    exit

== map lookup with a never written key as root
#: map hash key=4 value=8 entries=4
#: priv
#: accept
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    mov %r0, 0
    exit

== helper writes over part of a spilled pointer
#: type kprobe
#: reject attempt to corrupt spilled pointer on stack
    stxdw [%r10-8], %r10
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 16
    ldxdw %r0, [%r10-8]
    exit

== helper writes over part of a spilled pointer as root
#: type kprobe
#: priv
#: accept
    stxdw [%r10-8], %r10
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 16
    ldxdw %r0, [%r10-8]
    exit

# --- Comparisons (check_cond_jmp_op).

== compare a number with the frame pointer
#: reject R10 pointer comparison prohibited
    mov %r0, 0
    mov %r1, 0
    jeq %r1, %r10, out
    mov %r0, 1
out:
    exit

== compare two stack pointers
#: reject R10 pointer comparison prohibited
    mov %r0, 0
    mov %r1, %r10
    jeq %r1, %r10, out
    mov %r0, 1
out:
    exit

== compare two stack pointers as root
#: priv
#: accept
    mov %r0, 0
    mov %r1, %r10
    jeq %r1, %r10, out
    mov %r0, 1
out:
    exit

== compare the context pointer with 0
#: reject R1 pointer comparison prohibited
    mov %r0, 0
    jeq %r1, 0, out
    mov %r0, 1
out:
    exit

== compare a map value pointer with 0
#: map array key=4 value=8 entries=1
#: accept
    lddw %r1, map_idx_value 0, 0
    mov %r0, 0
    jeq %r1, 0, out
    mov %r0, 1
out:
    exit

== compare a map value pointer with 0 in 32 bits
#: map array key=4 value=8 entries=1
#: reject R1 pointer comparison prohibited
    lddw %r1, map_idx_value 0, 0
    mov %r0, 0
    jeq32 %r1, 0, out
    mov %r0, 1
out:
    exit

== compare a map value pointer with 0 in 32 bits as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    mov %r0, 0
    jeq32 %r1, 0, out
    mov %r0, 1
out:
    exit

== null check of a lookup
#: map hash key=4 value=8 entries=4
#: accept
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jne %r0, 0, found
    mov %r0, 0
    exit
found:
    ldxdw %r0, [%r0+0]
    exit

== compare a lookup with 5
#: map hash key=4 value=8 entries=4
#: reject R0 pointer comparison prohibited
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 5, out
out:
    mov %r0, 0
    exit

== compare a packet pointer with the packet end
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, 2
    jgt %r3, %r2, out
    mov %r0, 1
out:
    exit

== compare a packet pointer with the packet end for equality
#: type xdp
#: reject R2 pointer comparison prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, 2
    jeq %r2, %r3, out
    mov %r0, 1
out:
    exit

== compare a packet pointer with the packet end for equality as root
#: type xdp
#: priv
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, 2
    jeq %r2, %r3, out
    mov %r0, 1
out:
    exit

== compare a packet pointer with a number
#: type xdp
#: reject R2 pointer comparison prohibited
    ldxw %r2, [%r1+0]
    mov %r0, 2
    jgt %r2, 100, out
    mov %r0, 1
out:
    exit

== compare pkt_meta with a moved packet pointer
#: type xdp
#: reject R3 pointer comparison prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+8]
    add %r2, 4
    mov %r0, 2
    jlt %r3, %r2, out
    mov %r0, 1
out:
    exit

== pkt_meta checked against a moved packet pointer has no range
# data_meta is data in gbpf: meta+8 <= data+100 holds for any packet, and
# proves nothing about the 8 bytes at meta.
#: type xdp
#: priv
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+8]
    add %r2, 100
    mov %r4, %r3
    add %r4, 8
    jgt %r4, %r2, out
    ldxdw %r0, [%r3+0]
out:
    mov %r0, 2
    exit

== pkt_meta checked against the packet start
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+8]
    mov %r4, %r3
    add %r4, 8
    jgt %r4, %r2, out
    ldxdw %r0, [%r3+0]
out:
    mov %r0, 2
    exit

# --- Pointers turned into numbers (check_alu_op).

== 32-bit sign-extending move of a pointer
#: reject R10 partial copy of pointer
    movsx832 %r0, %r10
    exit

== sign-extending move of a pointer
#: reject R10 sign-extension part of pointer
    movsx3264 %r0, %r10
    mov %r0, 0
    exit

== negate a pointer as root
#: priv
#: accept
    mov %r0, %r10
    neg %r0
    exit

== byte swap a pointer as root
#: priv
#: accept
    mov %r0, %r10
    be32 %r0
    exit

# --- Pointer minus pointer.

== subtract stack pointers of one frame (allowed to anyone)
#: accept
#: kernel reject R1 pointer -= pointer prohibited
    mov %r1, %r10
    add %r1, -8
    sub %r1, %r10
    mov %r0, %r1
    exit

== subtract stack pointers of two frames
#: reject R1 pointer -= pointer prohibited
    mov %r1, %r10
    add %r1, -8
    call local frame
    exit
frame:
    mov %r0, %r10
    sub %r1, %r0
    mov %r0, %r1
    exit

== subtract stack pointers of two frames as root
#: priv
#: accept
    mov %r1, %r10
    add %r1, -8
    call local frame
    exit
frame:
    mov %r0, %r10
    sub %r1, %r0
    mov %r0, %r1
    exit

== subtract pointers into one lookup's value (allowed to anyone)
#: map hash key=4 value=16 entries=4
#: accept
#: kernel reject R1 pointer -= pointer prohibited
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r1, %r0
    add %r1, 8
    sub %r1, %r0
    mov %r0, %r1
out:
    exit

== subtract the values of two lookups
#: map hash key=4 value=16 entries=4
#: reject R6 pointer -= pointer prohibited
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    stw [%r10-4], 1
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    sub %r6, %r0
    mov %r0, %r6
out:
    exit

== subtract the values of two lookups as root
#: map hash key=4 value=16 entries=4
#: priv
#: accept
    stw [%r10-4], 0
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r6, %r0
    stw [%r10-4], 1
    lddw %r1, map_idx 0
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    sub %r6, %r0
    mov %r0, %r6
out:
    exit

== subtract stack pointers in 32 bits as root
#: priv
#: accept
    mov %r1, %r10
    sub32 %r1, %r10
    mov %r0, %r1
    exit

== packet length from data_end - data (allowed to anyone)
#: type xdp
#: accept
#: kernel reject R3 pointer -= pointer prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    sub %r3, %r2
    mov %r0, 2
    jgt %r3, 1000, out
    mov %r0, 1
out:
    exit

== offset of one packet pointer from another (allowed to anyone)
#: type xdp
#: accept
#: kernel reject R4 pointer -= pointer prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+8]
    mov %r4, %r2
    add %r4, 4
    sub %r4, %r3
    mov %r0, 2
    exit

== 32-bit difference of packet pointers
#: type xdp
#: reject R3 pointer -= pointer prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    sub32 %r3, %r2
    mov %r0, 2
    exit

# --- Pointer arithmetic (adjust_ptr_min_max_vals, sanitize_ptr_alu,
# sanitize_check_bounds).

== 32-bit subtraction from a pointer
#: reject R1 32-bit pointer arithmetic prohibited
    mov %r1, %r10
    sub32 %r1, 5
    mov %r0, %r1
    exit

== 32-bit subtraction from a pointer as root
#: priv
#: accept
    mov %r1, %r10
    sub32 %r1, 5
    mov %r0, %r1
    exit

== 32-bit addition to a pointer as root
#: priv
#: reject R0 32-bit pointer arithmetic prohibited
    mov %r0, %r10
    add32 %r0, 7
    mov %r0, 0
    exit

== variable stack offset (F6)
#: reject R4 variable stack access prohibited for !root, var_off=(0x0; 0x8) off=-16
    stxdw [%r10-8], %r10
    stdw [%r10-16], 0
    call 7
    mov %r3, %r0
    and %r3, 8
    mov %r4, %r10
    add %r4, -16
    add %r4, %r3
    ldxdw %r0, [%r4]
    exit

== variable stack offset as root reads a spilled pointer as a number
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
    ldxdw %r0, [%r4]
    exit

== constant stack offset in a register
#: accept
    mov %r1, %r10
    add %r1, -8
    mov %r2, -8
    add %r1, %r2
    stdw [%r1+0], 0
    ldxdw %r0, [%r1+0]
    exit

== stack pointer moved to the frame pointer
#: reject R1 stack pointer arithmetic goes out of range, prohibited for !root; off=0
    mov %r1, %r10
    add %r1, 0
    mov %r0, 0
    exit

== stack pointer moved above the frame
#: reject R1 stack pointer arithmetic goes out of range, prohibited for !root; off=8
    mov %r1, 8
    add %r1, %r10
    stdw [%r1-16], 0
    mov %r0, 0
    exit

== stack pointer moved above the frame as root
#: priv
#: accept
    mov %r1, 8
    add %r1, %r10
    stdw [%r1-16], 0
    mov %r0, 0
    exit

== map value pointer moved out of the value
#: map array key=4 value=8 entries=1
#: reject R1 pointer arithmetic of map value goes out of range, prohibited for !root
    lddw %r1, map_idx_value 0, 0
    add %r1, 100
    sub %r1, 100
    ldxb %r0, [%r1+0]
    exit

== map value pointer moved out of the value as root
#: map array key=4 value=8 entries=1
#: priv
#: accept
    lddw %r1, map_idx_value 0, 0
    add %r1, 100
    sub %r1, 100
    ldxb %r0, [%r1+0]
    exit

== map value pointer plus a bounded index
#: map array key=4 value=64 entries=1
#: accept
    call 7
    mov %r2, %r0
    and %r2, 15
    lddw %r1, map_idx_value 0, 0
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== map value pointer plus an index of either sign
#: map array key=4 value=64 entries=1
#: reject R2 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root
    call 7
    mov %r2, %r0
    and %r2, 15
    sub %r2, 4
    lddw %r1, map_idx_value 0, 0
    add %r1, 32
    add %r1, %r2
    mov %r0, 0
    exit

== map value pointer plus an index of either sign as root
#: map array key=4 value=64 entries=1
#: priv
#: accept
    call 7
    mov %r2, %r0
    and %r2, 15
    sub %r2, 4
    lddw %r1, map_idx_value 0, 0
    add %r1, 32
    add %r1, %r2
    mov %r0, 0
    exit

== packet pointer plus a register
#: type xdp
#: reject R2 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root
    ldxw %r2, [%r1+0]
    mov %r5, 4
    add %r2, %r5
    mov %r0, 2
    exit

== packet pointer plus a register as root
#: type xdp
#: priv
#: accept
    ldxw %r2, [%r1+0]
    mov %r5, 4
    add %r2, %r5
    mov %r0, 2
    exit

== packet pointer plus a constant
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    add %r2, 4
    mov %r0, 2
    exit

== context pointer plus a register
#: type sched_cls
#: reject R1 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root
    mov %r2, 0
    add %r1, %r2
    ldxw %r0, [%r1+0]
    mov %r0, 0
    exit

== bottom of the stack plus a register
#: reject R1 tried to add beyond pointer bounds, pointer arithmetic with it prohibited for !root
    mov %r1, %r10
    add %r1, -512
    mov %r2, 8
    add %r1, %r2
    mov %r0, 0
    exit

== bottom of the stack plus a register as root
#: priv
#: accept
    mov %r1, %r10
    add %r1, -512
    mov %r2, 8
    add %r1, %r2
    mov %r0, 0
    exit

# --- Spilled pointers (check_stack_write, check_stack_read, check_atomic).

== partial write over a spilled number
#: accept
    stdw [%r10-8], 5
    stb [%r10-8], 0
    ldxdw %r0, [%r10-8]
    exit

== 8-byte store over a spilled pointer
#: accept
    stxdw [%r10-8], %r10
    stdw [%r10-8], 0
    ldxdw %r0, [%r10-8]
    exit

== spill of half a pointer
#: reject invalid size of register spill
    stxw [%r10-8], %r10
    ldxw %r0, [%r10-8]
    exit

== spill of half a pointer as root
#: priv
#: reject invalid size of register spill
    stxw [%r10-8], %r10
    ldxw %r0, [%r10-8]
    exit

== atomic add to a spilled pointer
#: reject leaking pointer from stack off -8
    stxdw [%r10-8], %r10
    mov %r1, 1
    lock add [%r10-8], %r1
    mov %r0, 0
    exit

== atomic fetch of a spilled number
#: accept
    stdw [%r10-8], 3
    mov %r1, 0
    lock fetch add [%r10-8], %r1
    mov %r0, %r1
    exit

# --- Uninitialized stack (allow_uninit_stack).

== read of never written stack
#: reject invalid read from stack
    ldxdw %r0, [%r10-8]
    exit

== read of never written stack as root
#: priv
#: accept
    ldxdw %r0, [%r10-8]
    exit

== read of never written stack as root sizes the frame
#: priv
#: accept
    ldxdw %r0, [%r10-256]
    exit

# --- Legacy packet loads.

== pointer as the offset of a legacy packet load
#: reject R7 leaks addr into packet offset
#: kernel accept
    mov %r6, %r1
    mov %r7, %r10
    ldindb %r7, 0
    exit

== pointer as the offset of a legacy packet load as root
#: priv
#: accept
    mov %r6, %r1
    mov %r7, %r10
    ldindb %r7, 0
    exit

# --- Helpers Linux offers only to CAP_PERFMON: they read or print memory at
# an address the program chooses, and whether it can be read tells where
# the runtime's memory is.

== trace_printk without privileges
#: type kprobe
#: reject program of this type cannot use helper bpf_trace_printk#6
    stdw [%r10-8], 0x786c25
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    mov %r3, 7
    call 6
    mov %r0, 0
    exit

== trace_printk of a pointer as root
#: type kprobe
#: priv
#: accept
    stdw [%r10-8], 0x786c25
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    mov %r3, %r10
    call 6
    mov %r0, 0
    exit

== trace_printk from a socket filter
#: reject program of this type cannot use helper bpf_trace_printk#6
    stdw [%r10-8], 0x786c25
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    mov %r3, 7
    call 6
    mov %r0, 0
    exit

== probe_read_kernel of an address without privileges
#: type kprobe
#: reject program of this type cannot use helper bpf_probe_read_kernel#113
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    lddw %r3, 0xc000010000
    call 113
    mov %r0, 0
    exit

== probe_read_kernel of an address as root
#: type kprobe
#: priv
#: accept
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    lddw %r3, 0xc000010000
    call 113
    mov %r0, 0
    exit

# --- Tail calls (do_misc_fixups).

== tail call site with two program arrays
#: map prog_array key=4 value=4 entries=2
#: map prog_array key=4 value=4 entries=2
#: reject tail_call abusing map_ptr
    mov %r6, %r1
    call 7
    lddw %r2, map_idx 0
    jeq %r0, 0, l
    lddw %r2, map_idx 1
l:
    mov %r1, %r6
    mov %r3, 0
    call 12
    mov %r0, 0
    exit

== tail call site with two program arrays as root
#: map prog_array key=4 value=4 entries=2
#: map prog_array key=4 value=4 entries=2
#: priv
#: accept
    mov %r6, %r1
    call 7
    lddw %r2, map_idx 0
    jeq %r0, 0, l
    lddw %r2, map_idx 1
l:
    mov %r1, %r6
    mov %r3, 0
    call 12
    mov %r0, 0
    exit

== tail call sites with a program array each
#: map prog_array key=4 value=4 entries=2
#: map prog_array key=4 value=4 entries=2
#: accept
    mov %r6, %r1
    call 7
    jeq %r0, 0, l
    mov %r1, %r6
    lddw %r2, map_idx 1
    mov %r3, 0
    call 12
    mov %r0, 0
    exit
l:
    mov %r1, %r6
    lddw %r2, map_idx 0
    mov %r3, 0
    call 12
    mov %r0, 0
    exit
