//go:build !linux

package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "bpf() syscall unavailable: %s is not Linux\n", runtime.GOOS)
	os.Exit(1)
}
