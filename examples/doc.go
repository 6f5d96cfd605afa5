// Package examples holds gbpf's example BPF programs: C sources in bpf/,
// compiled with clang -O2 -g -target bpf into the committed .o files beside
// them (see bpf/Makefile; the only build dependency is clang), and the tests
// that load each one with gbpf, run it on packets, tracepoint records or raw
// input, and check its results and map contents, on every engine (checked
// interpreter, verified interpreter, JIT) and, where the kernel allows,
// against the same object loaded into Linux: through cilium/ebpf
// (kernel_test.go) and through gbpf's own API with the Kernel backend
// (backends_test.go, attach_test.go: return values, map contents, reader
// records and links to tracepoints, uprobes, XDP, tc and cgroups).
//
// bpf/include/gbpf.h is a small hand-written header with the types, map
// macros and helper declarations the programs use, numbered as in Linux so
// that the objects also load into the kernel.
//
// The programs, and what they exercise:
//
//	xdp_proto_count  XDP over a pcap: array, per-CPU array, hash
//	tp_hist          tracepoint log2 histogram, bpf-to-bpf call
//	syscount         libbpf-tools style: CO-RE, .rodata options, hash, atomics
//	hash_counter     hash lookup, update (NOEXIST), delete
//	array_stats      socket filter, __sk_buff, array
//	legacy_maps      maps defined in the legacy "maps" section
//	percpu_hash      per-CPU hash, get_smp_processor_id
//	lru_hash         LRU hash eviction
//	lru_percpu_hash  LRU per-CPU hash
//	ringbuf          ringbuf reserve, submit, discard, output, query
//	perf_output      perf event array, perf_event_output
//	queue_stack      queue and stack: push, pop, peek
//	lpm_trie         longest prefix match
//	tail_call        program arrays, tail calls and their limit of 33
//	map_in_map       array of maps, hash of maps
//	globals          .data, .rodata (set before load), .bss
//	printk           trace_printk, snprintf
//	current_task     get_current_pid_tgid, uid_gid, comm (kprobe)
//	clock            ktime_get_ns, ktime_get_boot_ns, jiffies64,
//	                 get_prandom_u32, get_numa_node_id
//	loop             bpf_loop callbacks
//	for_each         bpf_for_each_map_elem callbacks
//	strncmp          bpf_strncmp
//	probe_read       probe_read_kernel, probe_read_user, probe_read_kernel_str
//	spin_lock        bpf_spin_lock in a map value, concurrent runs
//	kconfig          __kconfig externs: LINUX_KERNEL_VERSION, CONFIG_*
//	kprobe_args      kprobe pt_regs arguments
//	subprog          several programs, static and global subprograms
//	pinned           a map pinned by name (LIBBPF_PIN_BY_NAME), shared by
//	                 collections (bpffs, or the runtime's pin registry)
package examples

//go:generate make -C bpf
