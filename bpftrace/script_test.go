package bpftrace

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
)

// runCases are scripts run in-process from BEGIN to exit(), with the output
// after "Attaching N probes...". Each output was checked against bpftrace
// 0.17 where bpftrace can run the script.
var runCases = []struct {
	name, src, want string
}{
	{"printf", `BEGIN { printf("hello\n"); exit(); }`, "hello\n\n\n"},
	{"printf-int", `BEGIN { printf("%d %i %u\n", 1, -2, 3); exit(); }`, "1 -2 3\n\n\n"},
	{"printf-width", `BEGIN { printf("%5d|%-5d|%05d\n", 42, 42, 42); exit(); }`, "   42|42   |00042\n\n\n"},
	{"printf-hex", `BEGIN { printf("%x %X %#x %o\n", 255, 255, 255, 8); exit(); }`, "ff FF 0xff 10\n\n\n"},
	{"printf-str", `BEGIN { printf("%s|%-4s|%4s|\n", "hi", "ab", "cd"); exit(); }`, "hi|ab  |  cd|\n\n\n"},
	{"printf-char", `BEGIN { printf("%c%c\n", 65, 66); exit(); }`, "AB\n\n\n"},
	{"printf-percent", `BEGIN { printf("100%% done %d\n", 5); exit(); }`, "100% done 5\n\n\n"},
	{"printf-percent-trailing", `BEGIN { printf("%d %%\n", 5); exit(); }`, "5 %%\n\n\n"},
	{"printf-noargs-percent", `BEGIN { printf("a %% b\n"); exit(); }`, "a %% b\n\n\n"},
	{"printf-long", `BEGIN { printf("%lu %ld %llu %lld %lx\n", 1, -1, 2, -2, 255); exit(); }`, "1 -1 2 -2 ff\n\n\n"},
	{"printf-pointer", `BEGIN { printf("%p\n", 4096); exit(); }`, "0x1000\n\n\n"},
	{"printf-escapes", `BEGIN { printf("a\tb\\c\"d\n"); exit(); }`, "a\tb\\c\"d\n\n\n"},
	{"printf-octal-escape", `BEGIN { printf("\101\x42\n"); exit(); }`, "AB\n\n\n"},
	{"arith-add", `BEGIN { printf("%d\n", 1 + 2); exit(); }`, "3\n\n\n"},
	{"arith-sub", `BEGIN { printf("%d\n", 1 - 2); exit(); }`, "-1\n\n\n"},
	{"arith-mul", `BEGIN { printf("%d\n", 6 * 7); exit(); }`, "42\n\n\n"},
	{"arith-div", `BEGIN { printf("%d\n", 7 / 2); exit(); }`, "3\n\n\n"},
	{"arith-mod", `BEGIN { printf("%d\n", 7 % 3); exit(); }`, "1\n\n\n"},
	{"arith-prec", `BEGIN { printf("%d\n", 1 + 2 * 3); exit(); }`, "7\n\n\n"},
	{"arith-paren", `BEGIN { printf("%d\n", (1 + 2) * 3); exit(); }`, "9\n\n\n"},
	{"arith-bits", `BEGIN { printf("%d %d %d\n", 6 & 3, 6 | 3, 6 ^ 3); exit(); }`, "2 7 5\n\n\n"},
	{"arith-shift", `BEGIN { printf("%d %d\n", 1 << 10, 1024 >> 3); exit(); }`, "1024 128\n\n\n"},
	{"arith-neg", `BEGIN { $x = 5; printf("%d\n", -$x); exit(); }`, "-5\n\n\n"},
	{"arith-not", `BEGIN { printf("%d %d\n", !0, !5); exit(); }`, "1 0\n\n\n"},
	{"arith-compl", `BEGIN { printf("%d\n", ~0); exit(); }`, "-1\n\n\n"},
	{"arith-big", `BEGIN { printf("%d\n", 0x100000000 + 1); exit(); }`, "4294967297\n\n\n"},
	{"arith-hex", `BEGIN { printf("%d\n", 0xff); exit(); }`, "255\n\n\n"},
	{"arith-exp", `BEGIN { printf("%d\n", 1e3); exit(); }`, "1000\n\n\n"},
	{"cmp-lt", `BEGIN { printf("%d %d\n", 1 < 2, 2 < 1); exit(); }`, "1 0\n\n\n"},
	{"cmp-le", `BEGIN { printf("%d %d\n", 2 <= 2, 3 <= 2); exit(); }`, "1 0\n\n\n"},
	{"cmp-gt", `BEGIN { printf("%d %d\n", 3 > 2, 2 > 3); exit(); }`, "1 0\n\n\n"},
	{"cmp-ge", `BEGIN { printf("%d %d\n", 2 >= 2, 1 >= 2); exit(); }`, "1 0\n\n\n"},
	{"cmp-eq", `BEGIN { printf("%d %d\n", 2 == 2, 1 == 2); exit(); }`, "1 0\n\n\n"},
	{"cmp-ne", `BEGIN { printf("%d %d\n", 2 != 2, 1 != 2); exit(); }`, "0 1\n\n\n"},
	{"cmp-signed", `BEGIN { printf("%d\n", -1 < 1); exit(); }`, "1\n\n\n"},
	{"logic-and", `BEGIN { printf("%d %d\n", 1 && 2, 1 && 0); exit(); }`, "1 0\n\n\n"},
	{"logic-or", `BEGIN { printf("%d %d\n", 0 || 2, 0 || 0); exit(); }`, "1 0\n\n\n"},
	{"logic-short", `BEGIN { if (0 && 1) { } printf("%d\n", 0 || 1); exit(); }`, "1\n\n\n"},
	{"ternary", `BEGIN { $x = 5; printf("%d\n", $x > 3 ? 10 : 20); exit(); }`, "10\n\n\n"},
	{"ternary-else", `BEGIN { $x = 1; printf("%d\n", $x > 3 ? 10 : 20); exit(); }`, "20\n\n\n"},
	{"ternary-str", `BEGIN { $x = 1; printf("%s\n", $x ? "yes" : "no"); exit(); }`, "yes\n\n\n"},
	{"if", `BEGIN { if (1) { printf("a\n"); } exit(); }`, "a\n\n\n"},
	{"if-false", `BEGIN { if (0) { printf("a\n"); } exit(); }`, "\n\n"},
	{"if-else", `BEGIN { if (0) { printf("a\n"); } else { printf("b\n"); } exit(); }`, "b\n\n\n"},
	{"if-elseif", `BEGIN { $x = 2; if ($x == 1) { printf("1\n"); } else if ($x == 2) { printf("2\n"); } else { printf("3\n"); } exit(); }`, "2\n\n\n"},
	{"if-nested", `BEGIN { if (1) { if (1) { printf("in\n"); } } exit(); }`, "in\n\n\n"},
	{"var", `BEGIN { $a = 3; $b = $a * 2; printf("%d\n", $b); exit(); }`, "6\n\n\n"},
	{"var-str", `BEGIN { $s = "abc"; printf("%s\n", $s); exit(); }`, "abc\n\n\n"},
	{"var-reassign", `BEGIN { $a = 1; $a = $a + 1; $a += 5; printf("%d\n", $a); exit(); }`, "7\n\n\n"},
	{"var-inc", `BEGIN { $a = 1; $a++; $a++; $a--; printf("%d\n", $a); exit(); }`, "2\n\n\n"},
	{"var-compound", `BEGIN { $a = 10; $a -= 3; $a *= 2; $a /= 7; $a <<= 3; printf("%d\n", $a); exit(); }`, "16\n\n\n"},
	{"str-eq", `BEGIN { $s = "abc"; printf("%d %d\n", $s == "abc", $s == "abd"); exit(); }`, "1 0\n\n\n"},
	{"str-ne", `BEGIN { printf("%d\n", "a" != "b"); exit(); }`, "1\n\n\n"},
	{"str-eq-len", `BEGIN { printf("%d\n", "abc" == "abcdefghij"); exit(); }`, "0\n\n\n"},
	{"comm", `BEGIN { printf("%d\n", comm == "` + "`commname`" + `"); exit(); }`, ""},
	{"cast-u8", `BEGIN { printf("%d\n", (uint8)257); exit(); }`, "1\n\n\n"},
	{"cast-i8", `BEGIN { printf("%d\n", (int8)255); exit(); }`, "-1\n\n\n"},
	{"cast-u32", `BEGIN { @u = (uint32)-1; exit(); }`, "\n\n@u: 4294967295\n"},
	{"cast-u16", `BEGIN { printf("%d\n", (uint16)65537); exit(); }`, "1\n\n\n"},
	{"map-int", `BEGIN { @x = 5; exit(); }`, "\n\n@x: 5\n"},
	{"map-neg", `BEGIN { @q = -5; exit(); }`, "\n\n@q: -5\n"},
	{"map-keyed", `BEGIN { @a[2] = 3; @a[1] = 5; exit(); }`, "\n\n@a[2]: 3\n@a[1]: 5\n"},
	{"map-sorted-value", `BEGIN { @a[1] = 30; @a[2] = 10; @a[3] = 20; exit(); }`, "\n\n@a[2]: 10\n@a[3]: 20\n@a[1]: 30\n"},
	{"map-order-names", `BEGIN { @b = 1; @a = 2; @c = 3; exit(); }`, "\n\n@a: 2\n@b: 1\n@c: 3\n"},
	{"map-tuple", `BEGIN { @c[1, "x"] = count(); exit(); }`, "\n\n@c[1, x]: 1\n"},
	{"map-tuple-3", `BEGIN { @c[1, "x", 2] = 7; exit(); }`, "\n\n@c[1, x, 2]: 7\n"},
	{"map-str-key", `BEGIN { @s["k"] = 1; exit(); }`, "\n\n@s[k]: 1\n"},
	{"map-str-value", `BEGIN { @s["k"] = "val"; exit(); }`, "\n\n@s[k]: val\n"},
	{"map-read", `BEGIN { @a = 4; printf("%d\n", @a * 2); exit(); }`, "8\n\n\n@a: 4\n"},
	{"map-read-missing", `BEGIN { @a[1] = 4; printf("%d\n", @a[2]); exit(); }`, "0\n\n\n@a[1]: 4\n"},
	{"map-read-str", `BEGIN { @s[1] = "hey"; printf("%s\n", @s[1]); exit(); }`, "hey\n\n\n@s[1]: hey\n"},
	{"map-inc", `BEGIN { @a++; @a++; exit(); }`, "\n\n@a: 2\n"},
	{"map-dec", `BEGIN { @a = 5; @a--; exit(); }`, "\n\n@a: 4\n"},
	{"map-compound", `BEGIN { @a = 5; @a += 10; @a *= 2; exit(); }`, "\n\n@a: 30\n"},
	{"map-keyed-inc", `BEGIN { @a["x"]++; @a["x"]++; @a["y"]++; exit(); }`, "\n\n@a[y]: 1\n@a[x]: 2\n"},
	{"anon-map", `BEGIN { @ = 1; exit(); }`, "\n\n@: 1\n"},
	{"anon-keyed", `BEGIN { @[1] = count(); @[2] = count(); @[2] = count(); exit(); }`, "\n\n@[1]: 1\n@[2]: 2\n"},
	{"count", `BEGIN { @c = count(); @c = count(); @c = count(); exit(); }`, "\n\n@c: 3\n"},
	{"sum", `BEGIN { @s = sum(5); @s = sum(7); exit(); }`, "\n\n@s: 12\n"},
	{"sum-neg", `BEGIN { @s = sum(5); @s = sum(-7); exit(); }`, "\n\n@s: -2\n"},
	{"avg", `BEGIN { @v = avg(7); @v = avg(8); exit(); }`, "\n\n@v: 7\n\n"},
	{"avg-keyed", `BEGIN { @s[1] = avg(10); @s[2] = avg(2); @s[3] = avg(5); exit(); }`, "\n\n@s[2]: 2\n@s[3]: 5\n@s[1]: 10\n\n"},
	{"min", `BEGIN { @m = min(5); @m = min(3); @m = min(9); exit(); }`, "\n\n@m: 3\n"},
	{"max", `BEGIN { @m = max(5); @m = max(3); @m = max(9); exit(); }`, "\n\n@m: 9\n"},
	{"min-neg", `BEGIN { @m = min(5); @m = min(-3); exit(); }`, "\n\n@m: -3\n"},
	{"stats", `BEGIN { @s = stats(10); @s = stats(20); exit(); }`, "\n\n@s: count 2, average 15, total 30\n\n"},
	{"stats-keyed", `BEGIN { @s[1] = stats(3); @s[2] = stats(4); @t = sum(2); exit(); }`,
		"\n\n@s[1]: count 1, average 3, total 3\n@s[2]: count 1, average 4, total 4\n\n@t: 2\n"},
	{"hist", `BEGIN { @h = hist(5); exit(); }`, "\n\n@h: \n[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"hist-zero", `BEGIN { @h = hist(0); @h = hist(1); @h = hist(1); exit(); }`,
		"\n\n@h: \n[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[1]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"hist-gap", `BEGIN { @h = hist(2); @h = hist(100); exit(); }`,
		"\n\n@h: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4, 8)                 0 |                                                    |\n[8, 16)                0 |                                                    |\n[16, 32)               0 |                                                    |\n[32, 64)               0 |                                                    |\n[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"hist-big", `BEGIN { @h = hist(5000); exit(); }`, "\n\n@h: \n[4K, 8K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"hist-keyed", `BEGIN { @h[1] = hist(3); @h[1] = hist(3); @h[2] = hist(300); @h[0] = hist(1); exit(); }`,
		"\n\n@h[0]: \n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@h[2]: \n[256, 512)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@h[1]: \n[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"lhist", `BEGIN { @l = lhist(3, 0, 10, 2); exit(); }`, "\n\n@l: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"lhist-under-over", `BEGIN { @l = lhist(50, 10, 20, 5); @l = lhist(1, 10, 20, 5); exit(); }`,
		"\n\n@l: \n(..., 10)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[10, 15)               0 |                                                    |\n[15, 20)               0 |                                                    |\n[20, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"print-map", `BEGIN { @x = 1; print(@x); printf("a\n"); exit(); }`, "@x: 1\na\n\n\n@x: 1\n"},
	{"print-top", `BEGIN { @[1] = count(); @[2] = count(); @[2] = count(); print(@, 1); exit(); }`, "@[2]: 2\n\n\n@[1]: 1\n@[2]: 2\n"},
	{"print-div", `BEGIN { @a = 1000; print(@a, 0, 10); exit(); }`, "@a: 100\n\n\n@a: 1000\n"},
	{"print-hist", `BEGIN { @h[1] = hist(3); print(@h); exit(); }`,
		"@h[1]: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n\n\n@h[1]: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"print-value", `BEGIN { print(5); exit(); }`, "5\n\n\n"},
	{"clear", `BEGIN { @a[1] = 1; clear(@a); exit(); }`, "\n\n\n"},
	{"clear-count", `BEGIN { @b = count(); clear(@b); exit(); }`, "\n\n@b: 0\n"},
	{"clear-avg", `BEGIN { @e[1] = avg(1); clear(@e); exit(); }`, "\n\n\n\n"},
	{"zero", `BEGIN { @a[1] = count(); @c[1] = 5; zero(@a); zero(@c); exit(); }`, "\n\n@a[1]: 0\n@c[1]: 0\n"},
	{"zero-hist", `BEGIN { @h[3] = hist(4); zero(@h); exit(); }`, "\n\n@h[3]: \n\n"},
	{"delete", `BEGIN { @a[1] = 1; @a[2] = 2; delete(@a[1]); exit(); }`, "\n\n@a[2]: 2\n"},
	{"exit-stops", `BEGIN { exit(); printf("after\n"); }`, "\n\n"},
	{"end", `BEGIN { exit(); } END { printf("end\n"); }`, "end\n\n\n"},
	{"end-map", `BEGIN { @a = 1; exit(); } END { @a = 2; }`, "\n\n@a: 2\n"},
	{"end-clear", `BEGIN { @a[1] = 1; exit(); } END { print(@a); clear(@a); }`, "@a[1]: 1\n\n\n\n"},
	{"two-begins", `BEGIN { printf("a\n"); } BEGIN { printf("b\n"); exit(); }`, "a\nb\n\n\n"},
	{"probe-builtin", `BEGIN { printf("%s\n", probe); exit(); }`, "BEGIN\n\n\n"},
	{"positional", `BEGIN { printf("%d %d\n", $1, $#); exit(); }`, "0 0\n\n\n"},
	{"pid", `BEGIN { @ok = pid > 0; exit(); }`, "\n\n@ok: 1\n"},
	{"tid", `BEGIN { @ok = tid > 0; exit(); }`, "\n\n@ok: 1\n"},
	{"nsecs", `BEGIN { @ok = nsecs > 0; exit(); }`, "\n\n@ok: 1\n"},
	{"elapsed", `BEGIN { @ok = elapsed < 100000000000; exit(); }`, "\n\n@ok: 1\n"},
	{"cpu", `BEGIN { @ok = cpu < 4096; exit(); }`, "\n\n@ok: 1\n"},
	{"uid", `BEGIN { @ok = uid >= 0; exit(); }`, "\n\n@ok: 1\n"},
	{"comm-key", `BEGIN { @[comm] = count(); exit(); }`, ""},
	{"comments", "// line\nBEGIN /* block */ { printf(\"c\\n\"); exit(); } // end", "c\n\n\n"},
	{"semicolons", `BEGIN { ; printf("x\n");; exit() }`, "x\n\n\n"},
	{"filter-true", `BEGIN /1/ { printf("y\n"); exit(); }`, "y\n\n\n"},
	{"filter-false", `BEGIN /0/ { printf("y\n"); } BEGIN { exit(); }`, "\n\n"},
	{"filter-expr", `BEGIN /2 > 1 && 1/ { printf("y\n"); exit(); }`, "y\n\n\n"},
	{"filter-div", `BEGIN /(4 / 2) == 2/ { printf("y\n"); exit(); }`, "y\n\n\n"},
	{"str-fn", `BEGIN { $s = str("lit"); printf("%s\n", $s); exit(); }`, "lit\n\n\n"},
	{"time", `BEGIN { time("%%\n"); exit(); }`, "%\n\n\n"},
}

func runScript(t *testing.T, src string, engine gbpf.Engine, args ...string) string {
	t.Helper()
	s, err := Compile(src, &Options{Tracepoints: testFormats, Args: args})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var out bytes.Buffer
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := s.Start(&RunOptions{Mode: ModeInProcess, Output: &out, Runtime: rt, Engine: engine})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	ss.Wait(context.Background())
	if err := ss.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	return out.String()
}

func TestRun(t *testing.T) {
	for _, tc := range runCases {
		for _, eng := range []gbpf.Engine{gbpf.EngineInterpreter, gbpf.EngineJIT} {
			t.Run(tc.name+"/"+eng.String(), func(t *testing.T) {
				got := runScript(t, tc.src, eng)
				got, ok := strings.CutPrefix(got, "Attaching ")
				if !ok {
					t.Fatalf("output does not start with Attaching: %q", got)
				}
				_, got, _ = strings.Cut(got, "...\n")
				if tc.want != "" && got != tc.want {
					t.Errorf("got\n%q\nwant\n%q", got, tc.want)
				}
			})
		}
	}
}
