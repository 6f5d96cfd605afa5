#!/bin/sh
# build.sh rebuilds the real-programs corpus of loader's TestRealPrograms
# from public sources, as their own build systems compile them:
#
#   build.sh LIBBPF BCC XDP_TOOLS [LINUX [VMLINUX_BTF]]
#
# LIBBPF, BCC and XDP_TOOLS are checkouts of github.com/libbpf/libbpf,
# github.com/iovisor/bcc and github.com/xdp-project/xdp-tools; LINUX, if
# given, a Linux source tree whose BPF selftests' networking, verifier and
# loop programs (tools/testing/selftests/bpf/progs) join in. VMLINUX_BTF
# (default /sys/kernel/btf/vmlinux) gives the vmlinux.h that bcc's
# libbpf-tools include. CLANG (default: clang-19 if installed, else clang)
# compiles; objects are stripped of DWARF (BTF stays), so that the corpus
# stays small. A source that does not build here is listed and skipped.
set -eu
libbpf=$1 bcc=$2 xdptools=$3 linux=${4:-} btf=${5:-/sys/kernel/btf/vmlinux}
out=$(cd "$(dirname "$0")" && pwd)
if [ -z "${CLANG:-}" ]; then
	CLANG=clang
	command -v clang-19 >/dev/null && CLANG=clang-19
fi
STRIP=${STRIP:-llvm-strip}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# libbpf's headers as installed: <bpf/bpf_helpers.h> and friends.
mkdir -p "$tmp/inc/bpf"
cp "$libbpf"/src/bpf_helpers.h "$libbpf"/src/bpf_helper_defs.h "$libbpf"/src/bpf_tracing.h \
	"$libbpf"/src/bpf_core_read.h "$libbpf"/src/bpf_endian.h "$libbpf"/src/usdt.bpf.h "$tmp/inc/bpf/"
bpftool btf dump file "$btf" format c >"$tmp/inc/vmlinux.h"

failed=""
compile() { # compile OUT SRC FLAGS...
	o=$1 src=$2
	shift 2
	if $CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 "$@" -c "$src" -o "$tmp/obj.o" 2>"$tmp/err"; then
		$STRIP -g "$tmp/obj.o" -o "$o"
	else
		failed="$failed $(basename "$src")"
	fi
}

rm -rf "$out/libbpf-tools" "$out/xdp-tools" "$out/selftests"
mkdir -p "$out/libbpf-tools" "$out/xdp-tools"
for src in "$bcc"/libbpf-tools/*.bpf.c; do
	n=$(basename "$src" .bpf.c)
	compile "$out/libbpf-tools/$n.o" "$src" -I"$tmp/inc" -I"$bcc/libbpf-tools"
done
for src in "$xdptools"/xdp-*/*.bpf.c "$xdptools"/xdp-filter/xdpfilt_*.c "$xdptools"/xdp-dump/xdpdump_*.c \
	"$xdptools"/lib/util/*.bpf.c "$xdptools"/lib/libxdp/xsk_def_xdp_prog*.c "$xdptools"/lib/libxdp/xdp-dispatcher.c; do
	[ -f "$src" ] || continue
	n=$(basename "$src" .c)
	n=${n%.bpf}
	# xdp-tools builds against the system's uapi headers and C's bool.
	compile "$out/xdp-tools/$n.o" "$src" -I"$tmp/inc" -I"$xdptools/headers" -I"$xdptools/lib/util" -I"$(dirname "$src")" \
		-idirafter /usr/include/x86_64-linux-gnu -Dbool=_Bool -Dtrue=1 -Dfalse=0
done
if [ -n "$linux" ]; then
	mkdir -p "$out/selftests"
	st="$linux/tools/testing/selftests/bpf"
	for src in "$st"/progs/*.c; do
		n=$(basename "$src" .c)
		case $n in
		pyperf* | strobemeta*) continue ;; # megabytes each
		test_xdp* | xdp* | test_tc* | test_l4lb* | test_pkt* | test_sk* | test_tcp* | test_cls* | test_seg6* | \
			test_lwt* | test_parse* | test_global_func* | loop* | test_skb* | socket_cookie* | connect* | \
			bind* | test_sockmap* | test_verif*) ;;
		*) continue ;;
		esac
		compile "$out/selftests/$n.o" "$src" -I"$tmp/inc" -I"$st" -I"$st/progs" -idirafter /usr/include/x86_64-linux-gnu
	done
fi
[ -z "$failed" ] || echo "did not build:$failed" >&2
du -sh "$out"
