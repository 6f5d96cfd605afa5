== xdp read ethertype after bounds check
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 14
    jgt %r4, %r3, drop
    ldxh %r0, [%r2+12]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp read without bounds check
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxb %r0, [%r2+0]
    exit

== xdp read one byte past the check
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 14
    jgt %r4, %r3, drop
    ldxh %r0, [%r2+13]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp check in the wrong direction
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 14
    jle %r4, %r3, drop
    ldxh %r0, [%r2+12]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp check with end on the left
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jlt %r3, %r4, drop
    ldxdw %r0, [%r2+0]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp check with jge on the ok path
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    jge %r3, %r4, ok
    mov %r0, 1
    exit
ok:
    ldxw %r0, [%r2+0]
    mov %r0, 2
    exit

== xdp check with jlt on the ok path
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    jlt %r4, %r3, ok
    mov %r0, 1
    exit
ok:
    ldxw %r0, [%r2+0]
    mov %r0, 2
    exit

== xdp write to the packet
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 6
    jgt %r4, %r3, drop
    sth [%r2+4], 0xffff
    mov %r0, 3
    exit
drop:
    mov %r0, 1
    exit

== xdp store a pointer into the packet
#: type xdp
#: reject R1 leaks addr into packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, drop
    stxdw [%r2+0], %r1
drop:
    mov %r0, 1
    exit

== xdp range learned on a copy applies to the original
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r5, %r2
    mov %r4, %r2
    add %r4, 20
    jgt %r4, %r3, drop
    ldxw %r0, [%r5+16]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp variable offset needs a new check
#: priv
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 20
    jgt %r4, %r3, drop
    ldxb %r5, [%r2+0]
    and %r5, 15
    add %r2, %r5
    ldxb %r0, [%r2+0]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp variable offset with its own check
#: priv
#: type xdp
#: accept
# kernel: without bypass_spec_v1 the kernel cannot mask variable packet offsets against speculation and forbids them
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 20
    jgt %r4, %r3, drop
    ldxb %r5, [%r2+0]
    and %r5, 15
    add %r2, %r5
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, drop
    ldxw %r0, [%r2+0]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp ip header length from the packet
#: priv
#: type xdp
#: accept
# kernel: without bypass_spec_v1 the kernel cannot mask variable packet offsets against speculation and forbids them
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 34
    jgt %r4, %r3, pass
    ldxb %r5, [%r2+14]
    and %r5, 15
    lsh %r5, 2
    add %r5, 14
    mov %r6, %r2
    add %r6, %r5
    mov %r4, %r6
    add %r4, 8
    jgt %r4, %r3, pass
    ldxh %r0, [%r6+2]
pass:
    mov %r0, 2
    exit

== xdp negative packet offset
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, drop
    ldxb %r0, [%r2-1]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp unbounded variable packet offset
#: priv
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    ldxw %r5, [%r1+12]
    add %r2, %r5
    mov %r4, %r2
    add %r4, 1
    jgt %r4, %r3, drop
    ldxb %r0, [%r2+0]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp data_end is not memory
#: type xdp
#: reject R3 invalid mem access 'pkt_end'
    ldxw %r3, [%r1+4]
    ldxb %r0, [%r3-1]
    mov %r0, 2
    exit

== xdp packet minus packet
#: type xdp
#: accept
# kernel: without allow_ptr_leaks the kernel forbids every pointer difference; two pointers into the same packet differ by an offset, not an address, and gbpf allows it in both modes
#: kernel reject R0 pointer -= pointer prohibited
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, %r3
    sub %r0, %r2
    exit

== xdp packet compared with scalar
#: priv
#: type xdp
#: accept
# Root may compare a packet pointer with a scalar; unprivileged, it is F4
# (pointer comparison prohibited, unpriv.s).
    ldxw %r2, [%r1+0]
    mov %r0, 2
    jeq %r2, 5, out
    mov %r0, 1
out:
    exit

== xdp meta before data
#: type xdp
#: accept
    ldxw %r2, [%r1+8]
    ldxw %r3, [%r1+0]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, out
    ldxw %r0, [%r2+0]
out:
    mov %r0, 2
    exit

== xdp meta read unchecked
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+8]
    ldxw %r0, [%r2+0]
    mov %r0, 2
    exit

== xdp packet pointer spilled keeps its range
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, drop
    stxdw [%r10-8], %r2
    ldxdw %r5, [%r10-8]
    ldxdw %r0, [%r5+0]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp pass packet to helper as memory
#: type xdp
#: map hash key=4 value=8 entries=16
#: accept
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, drop
    lddw %r1, map_idx 0
    call 1
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp packet key too short for helper
#: type xdp
#: map hash key=8 value=8 entries=16
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 4
    jgt %r4, %r3, drop
    lddw %r1, map_idx 0
    call 1
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== socket filter cannot read data
#: reject invalid bpf_context access off=76 size=4
    ldxw %r2, [%r1+76]
    mov %r0, 0
    exit

== tc reads data
#: type tc
#: accept
    ldxw %r2, [%r1+76]
    ldxw %r3, [%r1+80]
    mov %r4, %r2
    add %r4, 1
    jgt %r4, %r3, out
    ldxb %r0, [%r2+0]
out:
    mov %r0, 0
    exit

== 32-bit comparison does not bound the packet
#: priv
#: type xdp
#: reject invalid access to packet
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 14
    jgt32 %r4, %r3, drop
    ldxh %r0, [%r2+12]
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit

== xdp loop over the packet bytes
#: type xdp
#: accept
# kernel: without bypass_spec_v1 the kernel also walks the branch a known condition does not take, as a speculative path; the loop then never converges
#: kernel reject The sequence of 8193 jumps is too complex
    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, 0
    mov %r6, 0
loop:
    mov %r4, %r2
    add %r4, 1
    jgt %r4, %r3, done
    ldxb %r5, [%r2+0]
    add %r0, %r5
    mov %r2, %r4
    add %r6, 1
    jlt %r6, 64, loop
done:
    mov %r0, 2
    exit
