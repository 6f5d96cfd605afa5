// Package helperid names the BPF helper functions: their ids, numbered as
// in Linux's enum bpf_func_id (the Imm of a call instruction whose Src is
// isa.PseudoCallHelper), and their kernel names. It imports nothing, so
// that packages that name helpers (program types, the assembler's
// formats) link no helper implementation; package helpers aliases it.
//
// The ids and names are generated from ids.txt, the kernel's list.
package helperid

//go:generate go run ../../internal/cmd/genhelperids -list ids.txt -ids ids.go -aliases ../ids.go

import "strconv"

// ID is a helper function id, numbered as in Linux's enum bpf_func_id.
type ID int32

// Name returns the kernel's name of helper id without the bpf_ prefix, such
// as "map_lookup_elem", or "" for an id gbpf does not know.
func Name(id ID) string {
	if id <= Unspec || id >= MaxID {
		return ""
	}
	return names[id]
}

// String returns the kernel's name of the helper with the bpf_ prefix, or
// the number for an unknown id.
func (id ID) String() string {
	if n := Name(id); n != "" {
		return "bpf_" + n
	}
	return "helper#" + strconv.FormatInt(int64(id), 10)
}
