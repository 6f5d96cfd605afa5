package bpftrace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
)

// exprCases are integer expressions with the value Go's constant
// arithmetic gives them, which is C's; each is compiled into its own
// script. (bpftrace 0.17 itself gives -7 / 2 = -4 and -7 % 3 = 0: its
// division of negative numbers is not C's, and gbpf does not copy it.)
var exprCases = []struct {
	expr string
	want int64
}{
	{"1", 1}, {"0", 0}, {"-1", -1}, {"2 + 3", 2 + 3}, {"2 - 3", 2 - 3}, {"2 * 3", 2 * 3},
	{"17 / 5", 17 / 5}, {"17 % 5", 17 % 5}, {"1 + 2 * 3 - 4", 1 + 2*3 - 4}, {"(1 + 2) * (3 - 4)", (1 + 2) * (3 - 4)},
	{"100 / 10 / 2", 100 / 10 / 2}, {"100 - 10 - 2", 100 - 10 - 2}, {"2 * 3 % 4", 2 * 3 % 4},
	{"0xff & 0x0f", 0xff & 0x0f}, {"0xf0 | 0x0f", 0xf0 | 0x0f}, {"0xff ^ 0x0f", 0xff ^ 0x0f},
	{"1 << 20", 1 << 20}, {"1 << 40", 1 << 40}, {"0x10000 >> 4", 0x10000 >> 4}, {"3 << 2 + 1", 3 << (2 + 1)},
	{"1 | 2 & 3", 1 | 2&3}, {"1 ^ 3 | 4", (1 ^ 3) | 4}, {"~5 & 0xff", ^5 & 0xff}, {"-(3 + 4)", -(3 + 4)},
	{"- -5", 5}, {"!0 + !1", 1}, {"!!7", 1}, {"1 < 2 == 1", 1}, {"3 > 2 > 0", 1}, {"5 >= 5 && 4 <= 4", 1},
	{"1 == 1 || 0", 1}, {"0 || 0 || 1", 1}, {"1 && 1 && 0", 0}, {"(1 < 2) + (2 < 3) + (3 < 4)", 3},
	{"10 > 5 ? 100 : 200", 100}, {"10 < 5 ? 100 : 200", 200}, {"1 ? 2 ? 3 : 4 : 5", 3}, {"0 ? 1 : 0 ? 2 : 3", 3},
	{"(1 ? 10 : 20) + 1", 11}, {"0x7fffffff + 1", 0x7fffffff + 1}, {"0xffffffff + 1", 0xffffffff + 1},
	{"4294967296 * 2", 4294967296 * 2}, {"-2147483648 - 1", -2147483648 - 1}, {"1000000 * 1000000", 1000000 * 1000000},
	{"1e6 + 1", 1000001}, {"1_000 + 1", 1001}, {"0x10 + 010", 0x10 + 8}, {"(int8)300", 44}, {"(uint8)-1", 255},
	{"(int16)40000", 40000 - 65536}, {"(uint16)-1", 65535}, {"(int32)0x80000000", -2147483648}, {"(uint32)-2", 4294967294},
	{"(int64)5 + 1", 6}, {"(uint64)7 / 2", 3}, {"-7 / 2", -7 / 2}, {"-7 % 3", -7 % 3}, {"7 / -2", 7 / -2},
	{"-8 >> 1", -8 >> 1}, {"1 << 63 >> 63", -1}, {"(uint64)(1 << 63) >> 63", 1}, {"(2 + 3) * (4 + 5) / 3", 15},
	{"12345 % 100 / 10", 4}, {"255 & ~15", 255 &^ 15}, {"6 & 3 | 8", 6&3 | 8}, {"(5 > 3) * 10", 10},
	{"3 != 3 ? 1 : 2", 2}, {"(1 << 10) - 1", 1023}, {"2 * -3", -6}, {"-2 * -3", 6}, {"100 - -100", 200},
	{"1 < -1", 0}, {"-1 < 1", 1}, {"-5 <= -5", 1}, {"-5 >= -4", 0},
}

func TestExpressions(t *testing.T) {
	for _, tc := range exprCases {
		t.Run(tc.expr, func(t *testing.T) {
			src := fmt.Sprintf("BEGIN { printf(\"%%d\\n\", %s); @v = %s; exit(); }", tc.expr, tc.expr)
			want := fmt.Sprintf("%d\n\n\n@v: %d\n", tc.want, tc.want)
			for _, eng := range []gbpf.Engine{gbpf.EngineInterpreter, gbpf.EngineJIT} {
				got := runScript(t, src, eng)
				_, got, _ = strings.Cut(got, "...\n")
				// An unsigned result prints unsigned in the map, as in bpftrace.
				if u := fmt.Sprintf("%d\n\n\n@v: %d\n", tc.want, uint64(tc.want)); got != want && got != u {
					t.Errorf("%s on %v: got %q, want %q", src, eng, got, want)
				}
			}
		})
	}
}

// moreCases are scripts with their whole output, run in-process.
var moreCases = []struct {
	name, src string
	args      []string
	want      string
}{
	{"positional-int", `BEGIN { printf("%d %d\n", $1 + 1, $#); exit(); }`, []string{"41"}, "42 1\n\n\n"},
	{"positional-str", `BEGIN { printf("%s\n", str($2)); exit(); }`, []string{"1", "two"}, "two\n\n\n"},
	{"positional-count", `BEGIN { @n = $#; exit(); }`, []string{"a", "b", "c"}, "\n\n@n: 3\n"},
	{"positional-missing", `BEGIN { @n = $3; exit(); }`, []string{"a"}, "\n\n@n: 0\n"},
	{"positional-hex", `BEGIN { @n = $1; exit(); }`, []string{"0x10"}, "\n\n@n: 16\n"},
	{"positional-lhist", `BEGIN { @l = lhist(5, 0, $1, 5); exit(); }`, []string{"10"}, "\n\n@l: \n[5, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"interval", `interval:ms:5 { @n++; if (@n == 3) { exit(); } }`, nil, "\n\n@n: 3\n"},
	{"interval-print", `interval:ms:5 { @n++; @c = count(); if (@n == 2) { print(@c); exit(); } }`, nil, "@c: 2\n\n\n@c: 2\n@n: 2\n"},
	{"interval-clear", `BEGIN { @a = 1; } interval:ms:5 { clear(@a); exit(); }`, nil, "\n\n\n"},
	{"multi-point", `BEGIN, END { @n = count(); } BEGIN { exit(); }`, nil, "\n\n@n: 2\n"},
	{"vars-per-probe", `BEGIN { $x = 1; @a = $x; } BEGIN { $x = "s"; @b = $x; exit(); }`, nil, "\n\n@a: 1\n@b: s\n"},
	{"var-branches", `BEGIN { if (1) { $x = 5; } @v = $x; exit(); }`, nil, "\n\n@v: 5\n"},
	{"var-untaken", `BEGIN { if (0) { $x = 5; } @v = $x; exit(); }`, nil, "\n\n@v: 0\n"},
	{"str-var-copy", `BEGIN { $a = "one"; $b = $a; $a = "two"; printf("%s %s\n", $a, $b); exit(); }`, nil, "two one\n\n\n"},
	{"map-str-key-var", `BEGIN { $k = "key"; @m[$k] = 3; printf("%d\n", @m["key"]); exit(); }`, nil, "3\n\n\n@m[key]: 3\n"},
	{"map-two-str-keys", `BEGIN { @m["a", "b"] = 1; exit(); }`, nil, "\n\n@m[a, b]: 1\n"},
	{"map-mixed", `BEGIN { @m[1, "a", 2, "b"] = count(); exit(); }`, nil, "\n\n@m[1, a, 2, b]: 1\n"},
	{"map-delete-missing", `BEGIN { @m[1] = 1; delete(@m[2]); exit(); }`, nil, "\n\n@m[1]: 1\n"},
	{"map-in-filter", `BEGIN { @on = 1; } BEGIN /@on/ { printf("on\n"); exit(); }`, nil, "on\n\n\n@on: 1\n"},
	{"map-in-filter-off", `BEGIN { @on = 0; } BEGIN /@on/ { printf("on\n"); } BEGIN { exit(); }`, nil, "\n\n@on: 0\n"},
	{"map-ternary-key", `BEGIN { $r = -5; @m[$r < 0 ? -1 : 1] = count(); exit(); }`, nil, "\n\n@m[-1]: 1\n"},
	{"map-count-read", `BEGIN { @c = count(); @c = count(); printf("%d\n", @c); exit(); }`, nil, "2\n\n\n@c: 2\n"},
	{"map-sum-read", `BEGIN { @s = sum(3); @s = sum(4); @t = @s * 2; exit(); }`, nil, "\n\n@s: 7\n@t: 14\n"},
	{"map-avg-read", `BEGIN { @a = avg(3); @a = avg(5); @t = @a; exit(); }`, nil, "\n\n@a: 4\n\n@t: 4\n"},
	{"map-max-read", `BEGIN { @m = max(3); @m = max(5); @t = @m + 1; exit(); }`, nil, "\n\n@m: 5\n@t: 6\n"},
	{"print-stats", `BEGIN { @s = stats(3); print(@s); exit(); }`, nil, "@s: count 1, average 3, total 3\n\n\n\n@s: count 1, average 3, total 3\n\n"},
	{"print-top-hist", `BEGIN { @h[1] = hist(1); @h[2] = hist(1); @h[2] = hist(1); print(@h, 1); exit(); }`, nil,
		"@h[2]: \n[1]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n\n\n@h[1]: \n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@h[2]: \n[1]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"zero-sum", `BEGIN { @s = sum(5); zero(@s); exit(); }`, nil, "\n\n@s: 0\n"},
	// clear() is done by user space when its event arrives, after the
	// probe: as in bpftrace, it also removes what the probe set after it.
	{"clear-async", `BEGIN { @a[1] = 1; clear(@a); @a[2] = 2; exit(); }`, nil, "\n\n\n"},
	{"printf-many-args", `BEGIN { printf("%d %d %d %d %d %d %d\n", 1, 2, 3, 4, 5, 6, 7); exit(); }`, nil, "1 2 3 4 5 6 7\n\n\n"},
	{"printf-str-int-mix", `BEGIN { printf("%s=%d %s=%d\n", "a", 1, "b", 2); exit(); }`, nil, "a=1 b=2\n\n\n"},
	{"printf-neg-hex", `BEGIN { printf("%x\n", -1); exit(); }`, nil, "ffffffffffffffff\n\n\n"},
	{"printf-unsigned-neg", `BEGIN { printf("%u\n", -1); exit(); }`, nil, "18446744073709551615\n\n\n"},
	{"printf-plus", `BEGIN { printf("%+d\n", 5); exit(); }`, nil, "+5\n\n\n"},
	{"printf-comm-width", `BEGIN { printf("[%-3s]\n", "abcdef"); exit(); }`, nil, "[abcdef]\n\n\n"},
	{"if-str-cmp", `BEGIN { $s = "x"; if ($s == "x") { printf("yes\n"); } exit(); }`, nil, "yes\n\n\n"},
	{"if-map-str", `BEGIN { @s = "abc"; if (@s != "abc") { printf("no\n"); } else { printf("same\n"); } exit(); }`, nil, "same\n\n\n@s: abc\n"},
	{"else-if-chain", `BEGIN { $i = 0; if ($i == 1) { @r = 1; } else if ($i == 2) { @r = 2; } else if ($i == 0) { @r = 3; } exit(); }`, nil, "\n\n@r: 3\n"},
	{"nested-ternary-str", `BEGIN { $n = 2; printf("%s\n", $n == 1 ? "one" : $n == 2 ? "two" : "many"); exit(); }`, nil, "two\n\n\n"},
	{"time-default", `BEGIN { $t = 1; exit(); }`, nil, "\n\n"},
	{"end-only", `END { printf("bye\n"); } BEGIN { exit(); }`, nil, "bye\n\n\n"},
	{"end-print-clear", `BEGIN { @c["x"] = count(); exit(); } END { printf("\nTop:\n"); print(@c, 10); clear(@c); }`, nil, "\nTop:\n@c[x]: 1\n\n\n\n"},
	{"lhist-keyed", `BEGIN { @l["a"] = lhist(5, 0, 10, 5); exit(); }`, nil, "\n\n@l[a]: \n[5, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"hist-zero-value", `BEGIN { @h = hist(0); exit(); }`, nil, "\n\n@h: \n[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
}

func TestMoreScripts(t *testing.T) {
	for _, tc := range moreCases {
		for _, eng := range []gbpf.Engine{gbpf.EngineInterpreter, gbpf.EngineJIT} {
			t.Run(tc.name+"/"+eng.String(), func(t *testing.T) {
				got := runScript(t, tc.src, eng, tc.args...)
				_, got, _ = strings.Cut(got, "...\n")
				if got != tc.want {
					t.Errorf("got\n%q\nwant\n%q", got, tc.want)
				}
			})
		}
	}
}
