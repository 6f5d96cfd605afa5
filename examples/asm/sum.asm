# Sum the 8-byte words of the input: r1 = input, r2 = its length.
# It walks a pointer up to input + length, which the verifier cannot
# bound: run it with --no-verify, on the checked interpreter.
    mov %r0, 0
    add %r2, %r1
loop:
    jge %r1, %r2, done
    ldxdw %r3, [%r1]
    add %r0, %r3
    add %r1, 8
    ja loop
done:
    exit
