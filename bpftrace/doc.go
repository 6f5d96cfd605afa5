// Package bpftrace compiles scripts in bpftrace's language to gbpf's
// instructions and runs them: in the Linux kernel, or in gbpf's runtime.
//
// Compile parses a script, type-checks it and generates one isa.Program per
// attach point, with bpftrace's error messages ("stdin:1:14-21: ERROR:
// ...", the source line and marks under the range). Script.Start verifies
// every program with gbpf's verifier, loads and attaches them, prints
// "Attaching N probes..." and runs BEGIN; Session.Stop detaches them, runs
// END and prints every map as bpftrace does at exit.
//
// The language covered: probes BEGIN, END, tracepoint:GROUP:EVENT (with
// wildcards; args->field typed from tracefs format files),
// interval:{s,ms,us,hz}:N, uprobe:BINARY:FUNC and uretprobe:BINARY:FUNC
// (arg0 to arg5, retval; a library may be named as "libc"), and hook:NAME
// (in-process hooks, with arguments arg0 to arg5), several attach points
// per probe, /filters/; integers,
// strings, $scratch variables, $1... and $#, maps @name and @name[k1, k2];
// if/else, ?:, arithmetic, comparison, logical and bit operators, casts to
// the integer types; builtins pid, tid, uid, gid, comm, cpu, nsecs,
// elapsed, probe; functions printf, print, time, exit, clear, zero, delete,
// str, join; aggregations count, sum, avg, min, max, stats, hist, lhist.
//
// In ModeInProcess a Go program runs a script on its own events:
//
//	s, err := bpftrace.Compile(`hook:request { @lat = hist(arg0); }`, nil)
//	...
//	ss, err := s.Start(&bpftrace.RunOptions{Mode: bpftrace.ModeInProcess, Runtime: rt})
//	...
//	ss.Hook("request").Fire(record) // arg0 is the record's first 8 bytes
//	...
//	ss.Stop() // prints @lat
package bpftrace
