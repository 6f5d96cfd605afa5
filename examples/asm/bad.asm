# Load from a register that holds a number, not an address.
    mov %r1, 0
    ldxdw %r0, [%r1+8]
    exit
