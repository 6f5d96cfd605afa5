// unlinked.c: an object one program of which calls a kernel function
// (kfunc) gbpf cannot link, and no license section. Rebuild with build.sh.
typedef unsigned int __u32;

extern __u32 bpf_gbpf_missing_kfunc(__u32 x) __attribute__((section(".ksyms")));

__attribute__((section("xdp"), used)) int needs_kfunc(void *ctx)
{
	return bpf_gbpf_missing_kfunc(2);
}

__attribute__((section("xdp"), used)) int plain(void *ctx)
{
	return 2;
}
