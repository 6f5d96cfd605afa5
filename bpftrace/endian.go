package bpftrace

import "encoding/binary"

var nativeEndian = binary.LittleEndian
