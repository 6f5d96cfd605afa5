package pcapfilter

import (
	"strconv"
	"strings"
)

// The compiler resolves no names through the system: it knows the
// service, protocol and host names below, a fixed subset of a typical
// /etc/services, /etc/protocols and /etc/hosts.

type service struct {
	port     int
	tcp, udp bool
}

var services = map[string]service{
	"echo": {7, true, true}, "discard": {9, true, true}, "daytime": {13, true, true},
	"ftp-data": {20, true, false}, "ftp": {21, true, false}, "ssh": {22, true, false},
	"telnet": {23, true, false}, "smtp": {25, true, false}, "domain": {53, true, true},
	"bootps": {67, false, true}, "bootpc": {68, false, true}, "tftp": {69, false, true},
	"finger": {79, true, false}, "http": {80, true, false}, "www": {80, true, false},
	"kerberos": {88, true, true}, "pop3": {110, true, false}, "ntp": {123, false, true},
	"netbios-ns": {137, false, true}, "netbios-ssn": {139, true, false},
	"snmp": {161, true, true}, "snmp-trap": {162, true, true}, "bgp": {179, true, false},
	"ldap": {389, true, true}, "https": {443, true, true}, "microsoft-ds": {445, true, false},
	"isakmp": {500, false, true}, "who": {513, false, true}, "syslog": {514, false, true},
	"rsync": {873, true, false}, "imaps": {993, true, false}, "pop3s": {995, true, false},
	"nfs": {2049, true, true}, "mysql": {3306, true, false}, "sip": {5060, true, true},
	"postgresql": {5432, true, false},
}

// nameToPort resolves a service name like pcap_nametoport.
func nameToPort(name string) (port, proto int, ok bool) {
	s, found := services[name]
	if !found {
		return 0, 0, false
	}
	switch {
	case s.tcp && s.udp:
		return s.port, protoUndef, true
	case s.tcp:
		return s.port, ipprotoTCP, true
	default:
		return s.port, ipprotoUDP, true
	}
}

// nameToPortrange resolves "p1-p2" like pcap_nametoportrange.
func nameToPortrange(name string) (p1, p2, proto int, ok bool) {
	a, b, found := strings.Cut(name, "-")
	if !found {
		return 0, 0, 0, false
	}
	if x, err1 := strconv.Atoi(a); err1 == nil {
		// sscanf("%d-%d") accepts a leading number followed by digits.
		if y, err2 := strconv.Atoi(leadingInt(b)); err2 == nil {
			return x, y, protoUndef, true
		}
	}
	var pa, pb int
	if p1, pa, ok = nameToPort(a); !ok {
		return 0, 0, 0, false
	}
	if p2, pb, ok = nameToPort(b); !ok {
		return 0, 0, 0, false
	}
	if pa != pb {
		pa = protoUndef
	}
	return p1, p2, pa, true
}

func leadingInt(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

var ipProtocols = map[string]int{
	"ip": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "st": 5, "tcp": 6, "egp": 8,
	"igp": 9, "pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22, "rdp": 27, "iso-tp4": 29,
	"dccp": 33, "xtp": 36, "ddp": 37, "idpr-cmtp": 38, "ipv6": 41, "ipv6-route": 43,
	"ipv6-frag": 44, "idrp": 45, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "skip": 57,
	"ipv6-icmp": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "rspf": 73, "vmtp": 81, "eigrp": 88,
	"ospf": 89, "ax.25": 93, "ipip": 94, "etherip": 97, "encap": 98, "pim": 103,
	"ipcomp": 108, "vrrp": 112, "l2tp": 115, "isis": 124, "sctp": 132, "fc": 133,
	"mobility-header": 135, "udplite": 136, "mpls-in-ip": 137, "manet": 138, "hip": 139,
	"shim6": 140, "wesp": 141, "rohc": 142, "ethernet": 143,
}

var etherProtocols = map[string]int{
	"aarp": ethertypeAARP, "arp": ethertypeARP, "atalk": ethertypeAtalk, "decnet": ethertypeDN,
	"ip": ethertypeIP, "ip6": ethertypeIPv6, "lat": ethertypeLAT, "loopback": ethertypeLoopback,
	"mopdl": ethertypeMOPDL, "moprc": ethertypeMOPRC, "rarp": ethertypeRevARP, "sca": ethertypeSCA,
	"iso": llcsapISONS, "stp": llcsap8021D, "ipx": llcsapIPX, "netbeui": llcsapNetbeui,
}

// hosts is the host table: names and their addresses in resolver order.
var hosts = map[string][]string{
	"localhost": {"127.0.0.1"},
}
