// Command bpfprobe exits 0 when this process may use the bpf() syscall
// (it creates and closes a one-element array map), and 1 with the reason
// otherwise. .ci/run uses it to decide whether kernel tests are required.
package main
