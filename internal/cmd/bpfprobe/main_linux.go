package main

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapCreateAttr is the start of union bpf_attr for BPF_MAP_CREATE.
type mapCreateAttr struct {
	mapType    uint32
	keySize    uint32
	valueSize  uint32
	maxEntries uint32
	mapFlags   uint32
}

func main() {
	attr := mapCreateAttr{mapType: 2 /* BPF_MAP_TYPE_ARRAY */, keySize: 4, valueSize: 4, maxEntries: 1}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		fmt.Fprintln(os.Stderr, "bpf() syscall unavailable:", errno)
		os.Exit(1)
	}
	unix.Close(int(fd))
	fmt.Println("bpf() syscall works")
}
