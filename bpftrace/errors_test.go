package bpftrace

import (
	"strings"
	"testing"
)

// errorCases are scripts that must be rejected, with the whole message:
// position, text, source line and marks. Messages that bpftrace 0.17
// gives word for word are marked (bpftrace).
var errorCases = []struct {
	name, src, want string
}{
	{"syntax-op", `BEGIN { @x = 1 +; }`, "stdin:1:17-18: ERROR: syntax error, unexpected ;\nBEGIN { @x = 1 +; }\n                ~"},
	{"undefined-var", "BEGIN { \n  @x = $y; }", "stdin:2:8-10: ERROR: Undefined or undeclared variable: $y\n  @x = $y; }\n       ~~"},                                                                                                         // (bpftrace)
	{"str-plus-int", `BEGIN { @x = "a" + 1; }`, "stdin:1:14-21: ERROR: Type mismatch for '+': comparing 'string[2]' with 'int64'\nBEGIN { @x = \"a\" + 1; }\n             ~~~~~~~"},                                                           // (bpftrace)
	{"map-type", `BEGIN { @x = 1; @x = "s"; }`, "stdin:1:17-19: ERROR: Type mismatch for @x: trying to assign value of type 'string[2]' when map already contains a value of type 'int64\nBEGIN { @x = 1; @x = \"s\"; }\n                ~~"}, // (bpftrace)
	{"printf-d-str", `BEGIN { printf("%d\n", "s"); }`, "stdin:1:9-28: ERROR: printf: %d specifier expects a value of type integer (string supplied)\nBEGIN { printf(\"%d\\n\", \"s\"); }\n        ~~~~~~~~~~~~~~~~~~~"},                       // (bpftrace)
	{"printf-s-int", `BEGIN { printf("%s\n", 1); }`, "stdin:1:9-26: ERROR: printf: %s specifier expects a value of type string (integer supplied)\nBEGIN { printf(\"%s\\n\", 1); }\n        ~~~~~~~~~~~~~~~~~"},                               // (bpftrace)
	{"printf-few", `BEGIN { printf("%d %d\n", 1); }`, "stdin:1:9-29: ERROR: printf: Not enough arguments for format string (1 supplied, 2 expected)\nBEGIN { printf(\"%d %d\\n\", 1); }\n        ~~~~~~~~~~~~~~~~~~~~"},                       // (bpftrace)
	{"unknown-func", `BEGIN { foo(); }`, "stdin:1:9-14: ERROR: Unknown function: foo\nBEGIN { foo(); }\n        ~~~~~"},
	{"count-arg", `BEGIN { @x = count(1); }`, "stdin:1:14-22: ERROR: count() requires no arguments (1 provided)\nBEGIN { @x = count(1); }\n             ~~~~~~~~"},                      // (bpftrace)
	{"count-var", `BEGIN { $x = count(); }`, "stdin:1:14-21: ERROR: count() should be directly assigned to a map\nBEGIN { $x = count(); }\n             ~~~~~~~"},                       // (bpftrace)
	{"lhist-args", `BEGIN { @x = lhist(1, 0, 10); }`, "stdin:1:14-29: ERROR: lhist() requires 4 arguments (3 provided)\nBEGIN { @x = lhist(1, 0, 10); }\n             ~~~~~~~~~~~~~~~"}, // (bpftrace)
	{"unknown-ident", `BEGIN { @x = nope; }`, "stdin:1:14-18: ERROR: Unknown identifier: 'nope'\nBEGIN { @x = nope; }\n             ~~~~"},                                              // (bpftrace)
	{"exit-arg", `BEGIN { exit(1); }`, "stdin:1:9-16: ERROR: exit() requires no arguments (1 provided)\nBEGIN { exit(1); }\n        ~~~~~~~"},                                           // (bpftrace)
	{"var-type", `BEGIN { $x = 1; $x = "a"; }`, "stdin:1:17-25: ERROR: Type mismatch for $x: trying to assign value of type 'string[2]' when variable already contains a value of type 'int64'\nBEGIN { $x = 1; $x = \"a\"; }\n                ~~~~~~~~"},
	{"neg-str", `BEGIN { @x = -"a"; }`, "stdin:1:14-15: ERROR: The - operator can not be used on expressions of type 'string[2]'\nBEGIN { @x = -\"a\"; }\n             ~"},                                                   // (bpftrace)
	{"ternary-types", `BEGIN { @x = 1 ? 2 : "a"; }`, "stdin:1:14-25: ERROR: Ternary operator must return the same type: have 'integer' and 'string'\nBEGIN { @x = 1 ? 2 : \"a\"; }\n             ~~~~~~~~~~~"},               // (bpftrace)
	{"hist-in-expr", `BEGIN { @x = count(); @y = @x + hist(1); }`, "stdin:1:33-40: ERROR: hist() should be directly assigned to a map\nBEGIN { @x = count(); @y = @x + hist(1); }\n                                ~~~~~~~"}, // (bpftrace)
	{"unterminated-string", `BEGIN { @ = "x }`, "stdin:1:13-17: ERROR: unterminated string\nBEGIN { @ = \"x }\n            ~~~~"},                                                                                            // (bpftrace)
	{"eof", `BEGIN { @ = "x"`, "stdin:1:16-17: ERROR: syntax error, unexpected end of file\nBEGIN { @ = \"x\"\n               ~"},
	{"args-begin", `BEGIN { @x = args->foo; }`, "stdin:1:14-23: ERROR: The args builtin can only be used with tracepoint probes (BEGIN used here)\nBEGIN { @x = args->foo; }\n             ~~~~~~~~~"},
	{"bad-probe", `kprobe:foo { }`, "stdin:1:1-11: ERROR: Invalid probe type: kprobe\nkprobe:foo { }\n~~~~~~~~~~"},
	{"no-field", `tracepoint:syscalls:sys_enter_openat { @x = args->nope; }`, "stdin:1:45-55: ERROR: Struct/union of type 'struct _tracepoint_syscalls_sys_enter_openat' does not contain a field named 'nope'\ntracepoint:syscalls:sys_enter_openat { @x = args->nope; }\n                                            ~~~~~~~~~~"},
	{"no-tracepoint", `tracepoint:syscalls:nope { }`, "stdin:1:1-25: ERROR: tracepoint not found: syscalls:nope\ntracepoint:syscalls:nope { }\n~~~~~~~~~~~~~~~~~~~~~~~~"}, // (bpftrace)
	{"no-wildcard-match", `tracepoint:nope:x* { }`, "stdin:1:1-19: ERROR: No probes to attach for tracepoint:nope:x*\ntracepoint:nope:x* { }\n~~~~~~~~~~~~~~~~~~"},
	{"undefined-map", `BEGIN { print(@nope); }`, "stdin:1:15-20: ERROR: Undefined map: @nope\nBEGIN { print(@nope); }\n              ~~~~~"},
	{"key-count", `BEGIN { @x[1] = 1; @x[1,2] = 2; }`, "stdin:1:20-27: ERROR: Argument mismatch for @x: trying to access with 2 arguments when map expects 1 arguments\nBEGIN { @x[1] = 1; @x[1,2] = 2; }\n                   ~~~~~~~"},
	{"key-type", `BEGIN { @x["a"] = 1; @x[1] = 2; }`, "stdin:1:25-26: ERROR: Argument mismatch for @x: trying to access with arguments: 'int64' when map expects arguments: 'string[64]'\nBEGIN { @x[\"a\"] = 1; @x[1] = 2; }\n                        ~"},
	{"if-str", `BEGIN { if ("a") {} }`, "stdin:1:13-16: ERROR: Invalid condition: string[2] is not an integer\nBEGIN { if (\"a\") {} }\n            ~~~"},
	{"time-int", `BEGIN { time(1); }`, "stdin:1:14-15: ERROR: time() expects a string literal (string provided)\nBEGIN { time(1); }\n             ~"},
	{"delete-int", `BEGIN { delete(1); }`, "stdin:1:16-17: ERROR: delete() expects a map to be provided\nBEGIN { delete(1); }\n               ~"},
	{"clear-int", `BEGIN { clear(1); }`, "stdin:1:15-16: ERROR: clear() expects a map to be provided\nBEGIN { clear(1); }\n              ~"},
	{"hist-read", `BEGIN { @h = hist(1); @y = @h; }`, "stdin:1:28-30: ERROR: The map @h of type hist cannot be used in an expression\nBEGIN { @h = hist(1); @y = @h; }\n                           ~~"},
	{"empty", ``, "stdin:1:1-2: ERROR: no probes: the program is empty\n\n~"},
	{"missing-brace", `BEGIN printf("x"); }`, "stdin:1:7-13: ERROR: syntax error, unexpected printf\nBEGIN printf(\"x\"); }\n      ~~~~~~"},
	{"bad-char", "BEGIN { @x = 1 ` 2; }", "stdin:1:16-17: ERROR: invalid character '`'\nBEGIN { @x = 1 ` 2; }\n               ~"},
	{"bad-escape", `BEGIN { printf("\q"); }`, "stdin:1:16-19: ERROR: invalid escape character '\\q'\nBEGIN { printf(\"\\q\"); }\n               ~~~"},
	{"bad-int", `BEGIN { @x = 12abc; }`, "stdin:1:14-19: ERROR: invalid integer: 12abc\nBEGIN { @x = 12abc; }\n             ~~~~~"},
	{"interval-unit", `interval:x:1 { }`, "stdin:1:1-13: ERROR: x is not an accepted unit of time\ninterval:x:1 { }\n~~~~~~~~~~~~"},
	{"interval-count", `interval:s:0 { }`, "stdin:1:1-13: ERROR: interval: invalid count \"0\"\ninterval:s:0 { }\n~~~~~~~~~~~~"},
	{"tracepoint-args", `tracepoint:syscalls { }`, "stdin:1:1-20: ERROR: tracepoint probe type requires 2 arguments\ntracepoint:syscalls { }\n~~~~~~~~~~~~~~~~~~~"},
	{"begin-args", `BEGIN:x { }`, "stdin:1:1-8: ERROR: BEGIN probe type requires 0 arguments\nBEGIN:x { }\n~~~~~~~"},
	{"arg0-begin", `BEGIN { @ = arg0; }`, "stdin:1:13-17: ERROR: The arg0 builtin can only be used with 'uprobe' and 'hook' probes here\nBEGIN { @ = arg0; }\n            ~~~~"},
	{"retval-uprobe", `BEGIN { @ = retval; }`, "stdin:1:13-19: ERROR: The retval builtin can only be used with 'uretprobe' probes here\nBEGIN { @ = retval; }\n            ~~~~~~"},
	{"uprobe-args", `uprobe:libc { }`, "stdin:1:1-12: ERROR: uprobe probe type requires 2 arguments\nuprobe:libc { }\n~~~~~~~~~~~"},
	{"uprobe-missing", `uprobe:/nonexistent/gbpf:f { }`, "stdin:1:1-27: ERROR: uprobe target /nonexistent/gbpf is not an ELF file\nuprobe:/nonexistent/gbpf:f { }\n~~~~~~~~~~~~~~~~~~~~~~~~~~"},
	{"uprobe-wildcard", `uprobe:/bin/sh:f* { }`, "stdin:1:1-18: ERROR: wildcards in uprobe function names are not supported\nuprobe:/bin/sh:f* { }\n~~~~~~~~~~~~~~~~~"},
	{"lhist-nonconst", `BEGIN { $m = 1; @ = lhist(1, $m, 10, 1); }`, "stdin:1:30-32: ERROR: lhist() min must be an integer literal\nBEGIN { $m = 1; @ = lhist(1, $m, 10, 1); }\n                             ~~"},
	{"lhist-step", `BEGIN { @ = lhist(1, 0, 10, 3); }`, "stdin:1:13-31: ERROR: lhist() step must divide max - min\nBEGIN { @ = lhist(1, 0, 10, 3); }\n            ~~~~~~~~~~~~~~~~~~"},
	{"lhist-range", `BEGIN { @ = lhist(1, 10, 0, 1); }`, "stdin:1:13-31: ERROR: lhist() min must be less than max (provided min 10 and max 0)\nBEGIN { @ = lhist(1, 10, 0, 1); }\n            ~~~~~~~~~~~~~~~~~~"},
	{"sum-str", `BEGIN { @ = sum("a"); }`, "stdin:1:17-20: ERROR: sum() only supports integer arguments (string[2] provided)\nBEGIN { @ = sum(\"a\"); }\n                ~~~"},
	{"agg-compound", `BEGIN { @ += count(); }`, "stdin:1:9-21: ERROR: count() cannot be used with +=\nBEGIN { @ += count(); }\n        ~~~~~~~~~~~~"},
	{"map-stmt", `BEGIN { @x; }`, "stdin:1:9-11: ERROR: syntax error: a map alone is not a statement\nBEGIN { @x; }\n        ~~"},
	{"printf-nonlit", `BEGIN { $f = "x"; printf($f); }`, "stdin:1:26-28: ERROR: printf() expects a string literal as its first argument\nBEGIN { $f = \"x\"; printf($f); }\n                         ~~"},
	{"printf-badverb", `BEGIN { printf("%q", 1); }`, "stdin:1:16-20: ERROR: printf: Unknown format string token: %q\nBEGIN { printf(\"%q\", 1); }\n               ~~~~"},
	{"printf-many", `BEGIN { printf("%d\n", 1, 2); }`, "stdin:1:9-29: ERROR: printf: Too many arguments for format string (2 supplied, 1 expected)\nBEGIN { printf(\"%d\\n\", 1, 2); }\n        ~~~~~~~~~~~~~~~~~~~~"},
	{"positional-assign", `BEGIN { $1 = 2; }`, "stdin:1:9-11: ERROR: cannot assign to positional parameter $1\nBEGIN { $1 = 2; }\n        ~~"},
	{"cast-str", `BEGIN { @ = (uint8)"a"; }`, "stdin:1:13-23: ERROR: Cannot cast from \"string[2]\" to \"uint8\"\nBEGIN { @ = (uint8)\"a\"; }\n            ~~~~~~~~~~"},
	{"str-cmp-lt", `BEGIN { @ = "a" < "b"; }`, "stdin:1:13-22: ERROR: Type mismatch for '<': comparing 'string[2]' with 'string[2]'\nBEGIN { @ = \"a\" < \"b\"; }\n            ~~~~~~~~~"},
	{"unterminated-comment", `BEGIN { } /* x`, "stdin:1:11-13: ERROR: unterminated comment\nBEGIN { } /* x\n          ~~"},
	{"stack", `BEGIN { printf("%s %s %s %s %s %s %s\n", str(1), str(2), str(3), str(4), str(5), str(6), str(7)); }`, ""},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.src, &Options{Tracepoints: testFormats})
			if err == nil {
				t.Fatalf("compiled; want error")
			}
			if tc.want != "" && err.Error() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", err, tc.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error is %T, not *Error", err)
			}
			if !strings.HasPrefix(err.Error(), "stdin:") {
				t.Errorf("error lacks position: %v", err)
			}
		})
	}
}
