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
//
// # Objects real loaders accept
//
// The loader takes the objects libbpf and iproute2 take, each convention
// noted in CollectionSpec.Notes:
//
//   - Symbols of size 0, as clang before 8 wrote programs and legacy map
//     definitions, take their size up to the next symbol of their section
//     (or its end), as libbpf and PREVAIL infer it.
//   - Legacy maps in the "maps" section: struct bpf_map_def, samples/bpf's
//     bpf_load.c definition (numa_node ignored) and iproute2's struct
//     bpf_elf_map, whose pinning marks the map pinned and whose inner_id
//     and inner_idx make a map-in-map: the outer map's inner_id names the
//     id of its inner map, which goes in at the inner map's inner_idx.
//   - Pinned maps (LIBBPF_PIN_BY_NAME, iproute2's pinning) are listed in
//     CollectionSpec.Pinned().
//   - A program that cannot be linked (a kfunc call, a memset or memcpy
//     libcall the object does not define) is left out with its reason in
//     CollectionSpec.Unlinked; the others load. An object none of whose
//     programs links is an error.
//   - Section names give the program type by libbpf's rules
//     (progtype.Section: exact names, kind/attach point, and the prefixes
//     libbpf once matched, such as "xdp_drop" or "socket1"), then by
//     cilium/ebpf's; a section neither knows (iproute2's "ingress") leaves
//     the type Unspec for the caller to set (gbpf verify --type).
//   - A perf event array of max_entries 0 is sized for the possible CPUs.
//   - An object without a license section has the empty license.
package loader
