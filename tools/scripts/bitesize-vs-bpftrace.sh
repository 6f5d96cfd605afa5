#!/usr/bin/env bash
# Shows that `gbpf tools bitesize` counts the same block I/O sizes as
# bpftrace's one-liner at block:block_rq_issue, in both modes, during
# direct-I/O dd runs. Needs root, bpftrace and a directory on a block device.
#
# usage: bitesize-vs-bpftrace.sh [path/to/gbpf] [directory]
#
# Both print kbytes in bpftrace's format, so the outputs compare line by
# line. Both are filtered to dd's requests so that nothing else on the
# machine blurs the comparison (drop "-c dd" and the bpftrace filter to see
# everything). Copy mode runs in a second dd run, not next to bpftrace: while
# any BPF program returning 0 is attached to a tracepoint, the kernel hands
# its records to no perf event.
set -euo pipefail
GBPF=${1:-gbpf}
DIR=${2:-.}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT" "$DIR/.gbpf-dd"' EXIT

workload() {
	dd if=/dev/zero of="$DIR/.gbpf-dd" bs=4k count=1024 oflag=direct status=none
	dd if=/dev/zero of="$DIR/.gbpf-dd" bs=64k count=16 oflag=direct status=none
}

# start_bpftrace FILE: runs the one-liner in the background until SIGINT.
start_bpftrace() {
	local prog='/comm == "dd"/ { @kbytes = hist(args.bytes / 1024); }'
	if ! bpftrace -d 2>/dev/null -e "tracepoint:block:block_rq_issue $prog" >/dev/null 2>&1 </dev/null; then
		prog='/comm == "dd"/ { @kbytes = hist(args->bytes / 1024); }'
	fi
	bpftrace -e "tracepoint:block:block_rq_issue $prog" >"$1" 2>/dev/null &
	BT=$!
	until grep -q Attaching "$1" 2>/dev/null; do sleep 0.1; done
	sleep 0.5
}

# stop PID: SIGINT until it exits (bpftrace 0.17 may miss the first).
stop() {
	while kill -INT "$1" 2>/dev/null; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$1" 2>/dev/null || break 2
			sleep 0.1
		done
	done
	wait "$1" 2>/dev/null || true
}

# start_gbpf MODE FILE
start_gbpf() {
	"$GBPF" tools bitesize --mode "$1" -c dd --format bpftrace >"$2" 2>&1 &
	GB=$!
	until grep -q Tracing "$2" 2>/dev/null; do sleep 0.1; done
}

show() {
	echo "--- $1"
	grep -E '^\[|^@' "$2" | sed 's/^@kbytes\[dd\]:/@kbytes:/; s/ *$//' || true
}

# agree A B SLACK: every bucket of the two outputs differs by at most SLACK.
agree() {
	awk -v slack="$3" '
		/^\[/ { label = $0; sub(/ +[0-9]+ \|.*/, "", label);
			match($0, /[0-9]+ \|/); c = substr($0, RSTART, RLENGTH - 2) + 0
			if (FILENAME == ARGV[1]) a[label] += c; else b[label] += c; seen[label] = 1 }
		END { bad = 0
			for (l in seen) { d = a[l] - b[l]; if (d < 0) d = -d; if (d > slack) { printf "  %s: %d vs %d\n", l, a[l], b[l]; bad = 1 } }
			exit bad }' "$1" "$2"
}

echo "== mode kernel, next to bpftrace, the same dd run"
start_gbpf kernel "$OUT/kernel"
start_bpftrace "$OUT/bt1"
workload
stop "$GB"
stop "$BT"
show "gbpf tools bitesize --mode kernel -c dd --format bpftrace" "$OUT/kernel"
show "bpftrace" "$OUT/bt1"

echo
echo "== mode copy, and bpftrace on a second, identical dd run"
start_bpftrace "$OUT/bt2"
workload
stop "$BT"
start_gbpf copy "$OUT/copy"
workload
stop "$GB"
show "gbpf tools bitesize --mode copy -c dd --format bpftrace" "$OUT/copy"
show "bpftrace" "$OUT/bt2"

echo
status=0
if agree "$OUT/kernel" "$OUT/bt1" 0; then
	echo "mode kernel: the same buckets as bpftrace over the same period"
else
	echo "mode kernel: buckets differ from bpftrace's"; status=1
fi
# Two dd runs differ by the odd request ext4 adds or merges.
if agree "$OUT/copy" "$OUT/bt2" 4; then
	echo "mode copy: the same buckets as bpftrace on an identical run, within 4 requests a bucket"
else
	echo "mode copy: buckets differ from bpftrace's by more than 4 requests"; status=1
fi
exit $status
