package pcapfilter

import (
	"errors"
	"testing"
)

// invalidExprs are expressions tcpdump 4.99 rejects, with its message and
// the offset gbpf reports.
var invalidExprs = []struct {
	expr   string
	msg    string
	offset int
}{
	{"tcp and", "can't parse filter expression: syntax error", 7},
	{"host", "can't parse filter expression: syntax error", 4},
	{"foo", "can't parse filter expression: syntax error", 0},
	{"host foo", "unknown host 'foo'", 5},
	{"port 99999", "illegal port number 99999 > 65535", 5},
	{"ip[", "can't parse filter expression: syntax error", 3},
	{"ip[0", "can't parse filter expression: syntax error", 4},
	{"ip[0] =", "can't parse filter expression: syntax error", 7},
	{"tcp and 10.0.0.1", "syntax error in filter expression", 8},
	{"(host 1.1.1.1) or 2.2.2.2", "syntax error in filter expression", 18},
	{"host 1.1.1.1 and (2.2.2.2 or tcp)", "can't parse filter expression: syntax error", 18},
	{"ether proto foo", "unknown ether proto 'foo'", 12},
	{"proto foo", "unknown ip proto 'foo'", 6},
	{"net 10.0.0.1/8", "non-network bits set in \"10.0.0.1/8\"", 4},
	{"net 10.0.0.0/33", "mask length must be <= 32", 4},
	{"net 10.0.0.1 mask 255.0.0.0", "non-network bits set in \"10.0.0.1 mask 255.0.0.0\"", 4},
	{"host 10.0.0.0/8", "Mask syntax for networks only", 5},
	{"vlan 5000", "VLAN tag 5000 greater than maximum 4095", 0},
	{"mpls 1048576", "MPLS label 1048576 greater than maximum 1048575", 0},
	{"pppoes 65536", "PPPoE session number 65536 greater than maximum 65535", 0},
	{"port 80-90", "unknown port '80-90'", 5},
	{"portrange 1-99999", "illegal port number 99999 > 65535", 10},
	{"tcp port foo", "unknown port 'foo'", 9},
	{"udp port ssh", "port 'ssh' is tcp", 9},
	{"tcp port ntp", "port 'ntp' is udp", 9},
	{"ip proto tcp", "can't parse filter expression: syntax error", 9},
	{"ip6 proto udp", "can't parse filter expression: syntax error", 10},
	{"ether proto ip", "can't parse filter expression: syntax error", 12},
	{"tcp proto 6", "'tcp proto' is bogus", 10},
	{"arp proto 1", "arp does not encapsulate another protocol", 10},
	{"src port 22 and dst foo", "unknown host 'foo'", 20},
	{"ip[0:3] = 1", "data size must be 1, 2, or 4", 0},
	{"ip[0] / 0 = 1", "division by zero", 6},
	{"ip[0] % 0 = 1", "modulus by zero", 6},
	{"ip[0] << 32 = 1", "shift by more than 31 bits", 6},
	{"()", "can't parse filter expression: syntax error", 1},
	{"(", "can't parse filter expression: syntax error", 1},
	{")", "can't parse filter expression: syntax error", 0},
	{"tcp or or udp", "can't parse filter expression: syntax error", 7},
	{"and tcp", "can't parse filter expression: syntax error", 0},
	{"not", "can't parse filter expression: syntax error", 3},
	{"!", "can't parse filter expression: syntax error", 1},
	{"ether host 00:11:22:33:44", "bogus ethernet address 00:11:22:33:", 11},
	{"ether host 00:11:22:33:44:55:66", "bogus ethernet address 00:11:22:33:44:55:", 11},
	{"host 1.2.3.256", "invalid IPv4 address '1.2.3.256'", 5},
	{"host 999.1.1.1", "invalid IPv4 address '999.1.1.1'", 5},
	{"0x123456789 = 1", "number 0x123456789 overflows 32 bits", 0},
	{"09 = 1", "number 09 contains non-octal digit", 0},
	{"less", "can't parse filter expression: syntax error", 4},
	{"greater x", "can't parse filter expression: syntax error", 8},
	{"byte 1 ^ 2", "can't parse filter expression: syntax error", 7},
	{"tcp[0] = tcp", "can't parse filter expression: syntax error", 12},
	{"vlan and mpls and vlan", "no VLAN match after MPLS", 18},
	{"mpls and vlan", "no VLAN match after MPLS", 9},
	{"ip6 host 10.0.0.1", "'ip6' modifier applied to ip host", 9},
	{"ip host ::1", "'ip' modifier applied to ip6 host", 8},
	{"tcp host 10.0.0.1", "'tcp' modifier applied to host", 9},
	{"udp net 10.0.0.0/8", "'udp' modifier applied to net", 8},
	{"port 1.2.3.4", "'port' modifier applied to ip host", 5},
	{"gateway 10.0.0.1", "'gateway' requires a name", 8},
	{"gateway foo", "'gateway' not supported in this configuration", 8},
	{"src or dst or host 1.1.1.1", "can't parse filter expression: syntax error", 11},
	{"host 1.1.1.1 @ 2", "can't parse filter expression: syntax error", 13},
	{"ip[1:2] & 0xffff ==", "can't parse filter expression: syntax error", 19},
	{"len = = 1", "can't parse filter expression: syntax error", 6},
	{"fe80::1/129", "can't parse filter expression: syntax error", 0},
	{"net fe80::1/64", "non-network bits set in \"fe80::1/64\"", 4},
	{"radio[0] = 1", "radio information not present in capture", 0},
	{"ether[0] = 1 and link host 10.0.0.1", "illegal link layer address", 27},
}

func TestInvalidExpressions(t *testing.T) {
	if len(invalidExprs) < 50 {
		t.Fatalf("only %d invalid expressions", len(invalidExprs))
	}
	for _, tt := range invalidExprs {
		for _, optimize := range []bool{false, true} {
			_, err := Compile(tt.expr, Options{Optimize: optimize})
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("%q: error %v, want a *Error", tt.expr, err)
				continue
			}
			if pe.Msg != tt.msg || pe.Offset != tt.offset {
				t.Errorf("%q: %q at %d, want %q at %d", tt.expr, pe.Msg, pe.Offset, tt.msg, tt.offset)
			}
			if pe.Offset < 0 || pe.Offset > len(tt.expr) {
				t.Errorf("%q: offset %d outside the expression", tt.expr, pe.Offset)
			}
		}
	}
}

// TestInvalidExpressionsTcpdump checks that tcpdump words each error the
// same way.
func TestInvalidExpressionsTcpdump(t *testing.T) {
	tcpdump := tcpdumpPath(t)
	for _, tt := range invalidExprs {
		out, ok := tcpdumpListing(tcpdump, tt.expr, LinkTypeEthernet, false)
		if ok {
			t.Errorf("tcpdump accepts %q", tt.expr)
			continue
		}
		if want := "tcpdump: " + tt.msg + "\n"; out != want {
			t.Errorf("%q: tcpdump says %q, gbpf %q", tt.expr, out, tt.msg)
		}
	}
}
