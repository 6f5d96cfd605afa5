# Sum 1 + 2 + ... + n for the n in the input's first word, n < 1024:
# a bounded loop the verifier proves.
    ldxdw %r2, [%r1]
    and %r2, 1023
    mov %r0, 0
loop:
    jeq %r2, 0, done
    add %r0, %r2
    sub %r2, 1
    ja loop
done:
    exit
