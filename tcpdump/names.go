package tcpdump

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

var linkTypeNames = map[int][2]string{
	0: {"NULL", "BSD loopback"}, 1: {"EN10MB", "Ethernet"}, 8: {"SLIP", "SLIP"}, 9: {"PPP", "PPP"},
	12: {"RAW", "Raw IP"}, 14: {"RAW", "Raw IP"}, 104: {"C_HDLC", "Cisco HDLC"}, 105: {"IEEE802_11", "802.11"},
	108: {"LOOP", "OpenBSD loopback"}, 113: {"LINUX_SLL", "Linux cooked v1"},
	127: {"IEEE802_11_RADIO", "802.11 plus radiotap header"}, 129: {"ARCNET_LINUX", "Linux ARCNET"},
	140: {"MTP2", "SS7 MTP2"}, 165: {"BACNET_MS_TP", "BACnet MS/TP"}, 192: {"PPI", "Per-Packet Information"},
	228: {"IPV4", "Raw IPv4"}, 229: {"IPV6", "Raw IPv6"}, 276: {"LINUX_SLL2", "Linux cooked v2"},
	281: {"DSA_TAG_BRCM", "Broadcom tag"}, 284: {"DSA_TAG_DSA", "Marvell DSA"}, 10: {"FDDI", "FDDI"},
	50: {"PPP_SERIAL", "PPP over serial"}, 51: {"PPP_ETHER", "PPPoE"}, 117: {"PFLOG", "OpenBSD pflog file"},
	239: {"NFLOG", "Linux netfilter log messages"}, 147: {"USER0", "USER 0"},
}

// LinkTypeName returns the name and description tcpdump prints for a link
// type ("EN10MB", "Ethernet").
func LinkTypeName(lt LinkType) (name, description string) {
	if n, ok := linkTypeNames[int(lt)]; ok {
		return n[0], n[1]
	}
	s := strconv.Itoa(int(lt))
	return "DLT_" + s, "DLT " + s
}

// SystemResolver names hosts through the system's resolver (the hosts
// file, then DNS) and ports through the services database, as tcpdump
// does without -n. Answers are cached; a lookup waits at most a second.
type SystemResolver struct {
	mu       sync.Mutex
	hosts    map[netip.Addr]string
	services map[string]string // "80/tcp" -> "http"
	once     sync.Once
	path     string
}

// NewSystemResolver returns a resolver reading the services database at
// servicesPath (usually /etc/services).
func NewSystemResolver(servicesPath string) *SystemResolver {
	return &SystemResolver{hosts: make(map[netip.Addr]string), path: servicesPath}
}

// Host returns the name of addr, or "".
func (r *SystemResolver) Host(addr netip.Addr) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.hosts[addr]; ok {
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, addr.String())
	n := ""
	if err == nil && len(names) > 0 {
		n = strings.TrimSuffix(names[0], ".")
	}
	r.hosts[addr] = n
	return n
}

// Port returns the service name of port for proto, or "".
func (r *SystemResolver) Port(proto string, port uint16) string {
	r.once.Do(func() {
		r.services = make(map[string]string)
		f, err := os.Open(r.path)
		if err != nil {
			return
		}
		defer f.Close()
		parseServices(f, r.services)
	})
	return r.services[strconv.Itoa(int(port))+"/"+proto]
}

func parseServices(rd io.Reader, m map[string]string) {
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if _, ok := m[f[1]]; !ok {
			m[f[1]] = f[0]
		}
	}
}
