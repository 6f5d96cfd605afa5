// libcall.c: an object one program of which calls memset, which the
// object does not define, as clang leaves a libcall it cannot inline
// (built with -fno-builtin). Rebuild with build.sh.
typedef unsigned long size_t;
extern void *memset(void *s, int c, size_t n);

__attribute__((section("socket"), used)) int needs_memset(void *ctx)
{
	char buf[64];
	volatile size_t n = 64;
	memset(buf, 0, n);
	return buf[3];
}

__attribute__((section("socket"), used)) int plain(void *ctx)
{
	return 0;
}
