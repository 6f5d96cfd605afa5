== xdp_md data u32 read
#: type xdp
#: accept
    ldxw %r2, [%r1+0]
    mov %r0, 2
    exit

== xdp_md data u16 read
#: type xdp
#: reject invalid bpf_context access off=0 size=2
    ldxh %r2, [%r1+0]
    mov %r0, 2
    exit

== xdp_md data write
#: type xdp
#: reject invalid bpf_context access off=0 size=4
    mov %r2, 0
    stxw [%r1+0], %r2
    mov %r0, 2
    exit

== xdp_md data_end u32 read
#: type xdp
#: accept
    ldxw %r2, [%r1+4]
    mov %r0, 2
    exit

== xdp_md data_end u16 read
#: type xdp
#: reject invalid bpf_context access off=4 size=2
    ldxh %r2, [%r1+4]
    mov %r0, 2
    exit

== xdp_md data_end write
#: type xdp
#: reject invalid bpf_context access off=4 size=4
    mov %r2, 0
    stxw [%r1+4], %r2
    mov %r0, 2
    exit

== xdp_md data_meta u32 read
#: type xdp
#: accept
    ldxw %r2, [%r1+8]
    mov %r0, 2
    exit

== xdp_md data_meta u16 read
#: type xdp
#: reject invalid bpf_context access off=8 size=2
    ldxh %r2, [%r1+8]
    mov %r0, 2
    exit

== xdp_md data_meta write
#: type xdp
#: reject invalid bpf_context access off=8 size=4
    mov %r2, 0
    stxw [%r1+8], %r2
    mov %r0, 2
    exit

== xdp_md ingress_ifindex u32 read
#: type xdp
#: accept
    ldxw %r2, [%r1+12]
    mov %r0, 2
    exit

== xdp_md ingress_ifindex u16 read
#: type xdp
#: reject invalid bpf_context access off=12 size=2
    ldxh %r2, [%r1+12]
    mov %r0, 2
    exit

== xdp_md ingress_ifindex write
#: type xdp
#: reject invalid bpf_context access off=12 size=4
    mov %r2, 0
    stxw [%r1+12], %r2
    mov %r0, 2
    exit

== xdp_md rx_queue_index u32 read
#: type xdp
#: accept
    ldxw %r2, [%r1+16]
    mov %r0, 2
    exit

== xdp_md rx_queue_index u16 read
#: type xdp
#: reject invalid bpf_context access off=16 size=2
    ldxh %r2, [%r1+16]
    mov %r0, 2
    exit

== xdp_md rx_queue_index write
#: type xdp
#: reject invalid bpf_context access off=16 size=4
    mov %r2, 0
    stxw [%r1+16], %r2
    mov %r0, 2
    exit

== xdp_md egress_ifindex u32 read
#: type xdp
#: reject invalid bpf_context access off=20 size=4
    ldxw %r2, [%r1+20]
    mov %r0, 2
    exit

== xdp_md egress_ifindex u16 read
#: type xdp
#: reject invalid bpf_context access off=20 size=2
    ldxh %r2, [%r1+20]
    mov %r0, 2
    exit

== xdp_md egress_ifindex write
#: type xdp
#: reject invalid bpf_context access off=20 size=4
    mov %r2, 0
    stxw [%r1+20], %r2
    mov %r0, 2
    exit

== xdp_md past the end
#: type xdp
#: reject invalid bpf_context access off=24 size=4
    ldxw %r2, [%r1+24]
    mov %r0, 2
    exit

== xdp_md u64 read
#: type xdp
#: reject invalid bpf_context access off=0 size=8
    ldxdw %r2, [%r1+0]
    mov %r0, 2
    exit

== xdp_md misaligned
#: type xdp
#: reject invalid bpf_context access off=2 size=4
    ldxw %r2, [%r1+2]
    mov %r0, 2
    exit

== xdp_md negative offset
#: type xdp
#: reject invalid bpf_context access off=-4 size=4
    ldxw %r2, [%r1-4]
    mov %r0, 2
    exit

== xdp_md through a moved pointer
#: type xdp
#: reject dereference of modified ctx ptr R1 off=4 disallowed
    add %r1, 4
    ldxw %r2, [%r1+0]
    mov %r0, 2
    exit

== __sk_buff len u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+0]
    exit

== __sk_buff len u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+1]
    exit

== __sk_buff len write
#: type socket
#: reject invalid bpf_context access off=0 size=4
    mov %r2, 7
    stxw [%r1+0], %r2
    mov %r0, 0
    exit

== __sk_buff pkt_type u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+4]
    exit

== __sk_buff pkt_type u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+5]
    exit

== __sk_buff pkt_type write
#: type socket
#: reject invalid bpf_context access off=4 size=4
    mov %r2, 7
    stxw [%r1+4], %r2
    mov %r0, 0
    exit

== __sk_buff mark u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+8]
    exit

== __sk_buff mark u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+9]
    exit

== __sk_buff mark write
#: type socket
#: reject invalid bpf_context access off=8 size=4
    mov %r2, 7
    stxw [%r1+8], %r2
    mov %r0, 0
    exit

== __sk_buff queue_mapping u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+12]
    exit

== __sk_buff queue_mapping u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+13]
    exit

== __sk_buff queue_mapping write
#: type socket
#: reject invalid bpf_context access off=12 size=4
    mov %r2, 7
    stxw [%r1+12], %r2
    mov %r0, 0
    exit

== __sk_buff protocol u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+16]
    exit

== __sk_buff protocol u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+17]
    exit

== __sk_buff protocol write
#: type socket
#: reject invalid bpf_context access off=16 size=4
    mov %r2, 7
    stxw [%r1+16], %r2
    mov %r0, 0
    exit

== __sk_buff vlan_present u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+20]
    exit

== __sk_buff vlan_present u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+21]
    exit

== __sk_buff vlan_present write
#: type socket
#: reject invalid bpf_context access off=20 size=4
    mov %r2, 7
    stxw [%r1+20], %r2
    mov %r0, 0
    exit

== __sk_buff vlan_tci u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+24]
    exit

== __sk_buff vlan_tci u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+25]
    exit

== __sk_buff vlan_tci write
#: type socket
#: reject invalid bpf_context access off=24 size=4
    mov %r2, 7
    stxw [%r1+24], %r2
    mov %r0, 0
    exit

== __sk_buff vlan_proto u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+28]
    exit

== __sk_buff vlan_proto u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+29]
    exit

== __sk_buff vlan_proto write
#: type socket
#: reject invalid bpf_context access off=28 size=4
    mov %r2, 7
    stxw [%r1+28], %r2
    mov %r0, 0
    exit

== __sk_buff priority u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+32]
    exit

== __sk_buff priority u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+33]
    exit

== __sk_buff priority write
#: type socket
#: reject invalid bpf_context access off=32 size=4
    mov %r2, 7
    stxw [%r1+32], %r2
    mov %r0, 0
    exit

== __sk_buff ingress_ifindex u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+36]
    exit

== __sk_buff ingress_ifindex u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+37]
    exit

== __sk_buff ingress_ifindex write
#: type socket
#: reject invalid bpf_context access off=36 size=4
    mov %r2, 7
    stxw [%r1+36], %r2
    mov %r0, 0
    exit

== __sk_buff ifindex u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+40]
    exit

== __sk_buff ifindex u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+41]
    exit

== __sk_buff ifindex write
#: type socket
#: reject invalid bpf_context access off=40 size=4
    mov %r2, 7
    stxw [%r1+40], %r2
    mov %r0, 0
    exit

== __sk_buff tc_index u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+44]
    exit

== __sk_buff tc_index u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+45]
    exit

== __sk_buff tc_index write
#: type socket
#: reject invalid bpf_context access off=44 size=4
    mov %r2, 7
    stxw [%r1+44], %r2
    mov %r0, 0
    exit

== __sk_buff cb[0] u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+48]
    exit

== __sk_buff cb[0] u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+49]
    exit

== __sk_buff cb[0] write
#: type socket
#: accept
    mov %r2, 7
    stxw [%r1+48], %r2
    mov %r0, 0
    exit

== __sk_buff cb[1] u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+52]
    exit

== __sk_buff cb[1] u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+53]
    exit

== __sk_buff cb[1] write
#: type socket
#: accept
    mov %r2, 7
    stxw [%r1+52], %r2
    mov %r0, 0
    exit

== __sk_buff cb[2] u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+56]
    exit

== __sk_buff cb[2] u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+57]
    exit

== __sk_buff cb[2] write
#: type socket
#: accept
    mov %r2, 7
    stxw [%r1+56], %r2
    mov %r0, 0
    exit

== __sk_buff cb[3] u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+60]
    exit

== __sk_buff cb[3] u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+61]
    exit

== __sk_buff cb[3] write
#: type socket
#: accept
    mov %r2, 7
    stxw [%r1+60], %r2
    mov %r0, 0
    exit

== __sk_buff cb[4] u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+64]
    exit

== __sk_buff cb[4] u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+65]
    exit

== __sk_buff cb[4] write
#: type socket
#: accept
    mov %r2, 7
    stxw [%r1+64], %r2
    mov %r0, 0
    exit

== __sk_buff hash u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+68]
    exit

== __sk_buff hash u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+69]
    exit

== __sk_buff hash write
#: type socket
#: reject invalid bpf_context access off=68 size=4
    mov %r2, 7
    stxw [%r1+68], %r2
    mov %r0, 0
    exit

== __sk_buff napi_id u32 read
#: type socket
#: accept
    ldxw %r0, [%r1+84]
    exit

== __sk_buff napi_id u8 read
#: type socket
#: accept
    ldxb %r0, [%r1+85]
    exit

== __sk_buff napi_id write
#: type socket
#: reject invalid bpf_context access off=84 size=4
    mov %r2, 7
    stxw [%r1+84], %r2
    mov %r0, 0
    exit

== __sk_buff tc_classid not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=72 size=4
    ldxw %r0, [%r1+72]
    exit

== __sk_buff data not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=76 size=4
    ldxw %r0, [%r1+76]
    exit

== __sk_buff data_end not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=80 size=4
    ldxw %r0, [%r1+80]
    exit

== __sk_buff family not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=88 size=4
    ldxw %r0, [%r1+88]
    exit

== __sk_buff remote_ip4 not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=92 size=4
    ldxw %r0, [%r1+92]
    exit

== __sk_buff local_port not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=136 size=4
    ldxw %r0, [%r1+136]
    exit

== __sk_buff data_meta not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=140 size=4
    ldxw %r0, [%r1+140]
    exit

== __sk_buff tstamp not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=152 size=4
    ldxw %r0, [%r1+152]
    exit

== __sk_buff wire_len not readable by socket filters
#: type socket
#: reject invalid bpf_context access off=160 size=4
    ldxw %r0, [%r1+160]
    exit

== __sk_buff cb store of a pointer
#: type socket
#: reject R10 leaks addr into ctx
    stxw [%r1+48], %r10
    mov %r0, 0
    exit

== __sk_buff store immediate
#: type socket
#: accept
    stw [%r1+48], 1
    mov %r0, 0
    exit

== __sk_buff u16 read misaligned
#: type socket
#: reject invalid bpf_context access off=1 size=2
    ldxh %r0, [%r1+1]
    exit

== __sk_buff u64 read
#: type socket
#: reject invalid bpf_context access off=0 size=8
    ldxdw %r0, [%r1+0]
    exit

== __sk_buff past the end
#: type socket
#: reject invalid bpf_context access off=192 size=4
    ldxw %r0, [%r1+192]
    exit

== __sk_buff len is a u32
#: type socket
#: accept
    ldxw %r0, [%r1+0]
    jle %r0, 0xffffffff, ok
    mov %r0, %r10
ok:
    exit

== tc writes mark
#: type tc
#: accept
    mov %r2, 1
    stxw [%r1+8], %r2
    mov %r0, 0
    exit

== tc writes priority
#: type tc
#: accept
    mov %r2, 1
    stxw [%r1+32], %r2
    mov %r0, 0
    exit

== tc writes tc_index
#: type tc
#: accept
    mov %r2, 1
    stxw [%r1+44], %r2
    mov %r0, 0
    exit

== tc writes tc_classid
#: type tc
#: accept
    mov %r2, 1
    stxw [%r1+72], %r2
    mov %r0, 0
    exit

== tc cannot write len
#: type tc
#: reject invalid bpf_context access off=0 size=4
    mov %r2, 1
    stxw [%r1+0], %r2
    mov %r0, 0
    exit

== tc cannot write protocol
#: type tc
#: reject invalid bpf_context access off=16 size=4
    mov %r2, 1
    stxw [%r1+16], %r2
    mov %r0, 0
    exit

== tc data is a packet pointer
#: type tc
#: reject invalid access to packet
    ldxw %r2, [%r1+76]
    ldxb %r0, [%r2+0]
    mov %r0, 0
    exit

== tc narrow load of data
#: type tc
#: reject invalid bpf_context access off=76 size=2
    ldxh %r2, [%r1+76]
    mov %r0, 0
    exit

== pt_regs r15 read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+0]
    exit

== pt_regs r12 read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+24]
    exit

== pt_regs r11 read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+48]
    exit

== pt_regs r8 read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+72]
    exit

== pt_regs dx read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+96]
    exit

== pt_regs orig_ax read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+120]
    exit

== pt_regs flags read
#: type kprobe
#: accept
    ldxdw %r0, [%r1+144]
    exit

== pt_regs read past the end
#: type kprobe
#: reject invalid bpf_context access off=168 size=8
    ldxdw %r0, [%r1+168]
    exit

== pt_regs narrow read
#: type kprobe
#: accept
    ldxw %r0, [%r1+112]
    exit

== pt_regs misaligned read
#: type kprobe
#: reject invalid bpf_context access off=4 size=8
    ldxdw %r0, [%r1+4]
    exit

== pt_regs write
#: type kprobe
#: reject invalid bpf_context access off=80 size=8
    mov %r2, 0
    stxdw [%r1+80], %r2
    mov %r0, 0
    exit

== tracepoint read in record
#: type tracepoint
#: ctxsize 64
#: accept
    ldxdw %r0, [%r1+56]
    exit

== tracepoint read past record
#: type tracepoint
#: ctxsize 64
#: reject invalid bpf_context access off=64 size=8
    ldxdw %r0, [%r1+64]
    exit

== tracepoint straddles the end
#: type tracepoint
#: ctxsize 64
#: reject invalid bpf_context access off=60 size=8
    ldxdw %r0, [%r1+60]
    exit

== tracepoint write
#: type tracepoint
#: ctxsize 64
#: reject invalid bpf_context access off=8 size=8
    mov %r2, 0
    stxdw [%r1+8], %r2
    mov %r0, 0
    exit

== tracepoint byte read
#: type tracepoint
#: ctxsize 64
#: accept
    ldxb %r0, [%r1+63]
    exit

== raw read input
#: type raw
#: ctxsize 16
#: accept
    ldxdw %r0, [%r1+8]
    exit

== raw write input
#: type raw
#: ctxsize 16
#: accept
    stdw [%r1+8], 1
    mov %r0, 0
    exit

== raw read past input
#: type raw
#: ctxsize 16
#: reject invalid access to memory, mem_size=16 off=16 size=1
    ldxb %r0, [%r1+16]
    exit

== raw with no input size
#: type raw
#: reject invalid access to memory, mem_size=0 off=0 size=1
    ldxb %r0, [%r1+0]
    exit

== raw length is at least the input size
#: type raw
#: ctxsize 16
#: accept
    mov %r0, 0
    jge %r2, 16, ok
    mov %r0, %r10
ok:
    exit

== raw variable index
#: priv
#: type raw
#: ctxsize 16
#: accept
    ldxb %r2, [%r1+0]
    and %r2, 15
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== raw variable index too big
#: priv
#: type raw
#: ctxsize 16
#: reject R1 max value is outside of the allowed memory range
    ldxb %r2, [%r1+0]
    and %r2, 31
    add %r1, %r2
    ldxb %r0, [%r1+0]
    exit

== raw returns a pointer
#: type raw
#: ctxsize 16
#: reject R0 leaks addr as return value
    mov %r0, %r1
    exit
