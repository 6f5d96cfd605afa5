// Package cbpf implements classic BPF (cBPF), the packet filter machine of
// BSD and Linux socket filters: an accumulator A, an index register X and 16
// scratch words, all 32 bits wide.
//
// The semantics follow Linux: a packet load beyond the end of the packet ends
// the filter with return value 0, division or modulo by a zero X register
// returns 0, and the Linux ancillary loads (offsets from AdOff, such as
// AdProtocol or AdVLANTag) read the packet metadata the caller supplies.
// Check applies the kernel's checker rules (sk_chk_filter / bpf_check_classic)
// and names the offending instruction.
//
// Instructions are the kernel's struct sock_filter; they convert to and from
// the golang.org/x/net/bpf types. VM decodes a program once into an internal
// form and runs it without allocating. ToEBPF translates a program to eBPF.
package cbpf
