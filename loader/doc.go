// Package loader turns BPF ELF objects, as clang -target bpf writes them,
// into gbpf collection specs: maps as maps.Spec, programs as isa.Program,
// global variables that can be set before load.
//
// Parsing goes through github.com/cilium/ebpf's LoadCollectionSpec, which
// needs no privileges and no kernel: BTF-defined and legacy maps, the
// .data, .rodata and .bss sections, subprograms (linked into every program
// that calls them), map-in-map and program-array initial values, CO-RE
// relocations and __kconfig externs.
//
// Programs refer to maps the way the verifier expects before a collection is
// created: an lddw whose Src is isa.PseudoMapIdx carries in Imm the index of
// the map in ProgramSpec.Maps, and one whose Src is isa.PseudoMapIdxValue
// also carries an offset into the map's value in the Imm of its second slot
// (global variables). CO-RE relocations are recorded per program and
// resolved against a target BTF (the running kernel's, or one the caller
// provides) by CollectionSpec.RelocateCORE.
package loader
