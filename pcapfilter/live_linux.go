package pcapfilter

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/cbpf"
	"golang.org/x/sys/unix"
)

// ErrTimeout is returned by LiveCapture.Next when no packet arrived within
// the read timeout.
var ErrTimeout = errors.New("capture read timeout")

// LiveOptions control a live capture.
type LiveOptions struct {
	Snaplen  uint32        // bytes kept of each packet; 0 means DefaultSnaplen
	Optimize bool          // run the optimiser on the filter
	Netmask  uint32        // for "ip broadcast"
	Timeout  time.Duration // read timeout of Next; 0 means 200ms
	// UserSpace filters in gbpf instead of attaching the program to the
	// socket (the fallback taken when the kernel refuses the filter).
	UserSpace bool
	// Engine runs the user-space filter (see cbpf.FilterOptions.Engine).
	Engine abi.Engine
	// Direction keeps only the packets received (DirectionIn) or sent
	// (DirectionOut); the zero value keeps both, as tcpdump -Q inout.
	Direction Direction
	// BufferSize is the socket's receive buffer in bytes (tcpdump -B
	// gives KiB); 0 keeps the system's default.
	BufferSize int
	// NoPromiscuous leaves the interface out of promiscuous mode
	// (tcpdump -p); by default the capture puts it in, as tcpdump does,
	// for as long as the capture is open. The any pseudo-interface is
	// never promiscuous.
	NoPromiscuous bool
}

// Direction selects packets by the way they cross the interface.
type Direction int

// Directions of LiveOptions.Direction.
const (
	DirectionInOut Direction = iota
	DirectionIn
	DirectionOut
)

// LiveStats are a capture's counters.
type LiveStats struct {
	Received uint32 // packets the socket received (after the kernel filter)
	Dropped  uint32 // packets the kernel dropped for lack of buffer space
	Matched  uint64 // packets Next returned
}

// LiveCapture captures packets from a network interface through an
// AF_PACKET socket, with the filter attached in the kernel
// (SO_ATTACH_FILTER) where allowed.
type LiveCapture struct {
	fd         int
	ifindex    int
	loopback   bool
	any        bool // the "any" pseudo-interface: cooked (LINUX_SLL2) headers
	oob        [64]byte
	direction  Direction
	linkType   LinkType
	snaplen    uint32
	filter     *cbpf.Filter // filters in user space when the kernel does not
	buf        []byte
	matched    uint64
	received   uint64
	dropped    uint64
	kernelProg []cbpf.Instruction
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// interfaceHatype reads the ARPHRD_ type of a network interface.
func interfaceHatype(iface string) (int, error) {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/type")
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", iface, err)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// OpenLive opens iface for capturing the packets expr matches.
//
// The interface "any" captures on every interface, as tcpdump -i any
// does: packets carry a Linux cooked v2 header (LinkTypeLinuxSLL2) built
// from the socket's address, and the filter runs in user space.
func OpenLive(iface, expr string, opts LiveOptions) (*LiveCapture, error) {
	if iface == "any" {
		return openAny(expr, opts)
	}
	hatype, err := interfaceHatype(iface)
	if err != nil {
		return nil, err
	}
	var lt LinkType
	switch hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		lt = LinkTypeEthernet
	case unix.ARPHRD_NONE:
		lt = LinkTypeRaw
	default:
		return nil, fmt.Errorf("interface %s: unsupported hardware type %d", iface, hatype)
	}
	snaplen := opts.Snaplen
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	prog, err := Compile(expr, Options{LinkType: lt, Snaplen: snaplen, Optimize: opts.Optimize, Netmask: opts.Netmask})
	if err != nil {
		return nil, err
	}
	ifi, err := ifindexOf(iface)
	if err != nil {
		return nil, err
	}
	// A socket with protocol 0 receives nothing until bind, so the filter
	// is in place before the first packet arrives.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening AF_PACKET socket: %w", err)
	}
	c := &LiveCapture{fd: fd, ifindex: ifi, loopback: hatype == unix.ARPHRD_LOOPBACK, linkType: lt, snaplen: snaplen, direction: opts.Direction}
	if !opts.UserSpace {
		if err := c.attach(prog); err != nil {
			opts.UserSpace = true
		}
	}
	if opts.UserSpace {
		if c.filter, err = cbpf.NewFilter(prog, cbpf.FilterOptions{VMOptions: cbpf.VMOptions{BackwardJumps: true}, Engine: opts.Engine}); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 200 * time.Millisecond
	}
	if err := setSocketOptions(fd, timeout, opts.BufferSize); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding to %s: %w", iface, err)
	}
	if !opts.NoPromiscuous {
		// As libpcap does: a membership of the socket, which the kernel
		// drops (and with it the interface's promiscuity) when the
		// socket closes.
		mreq := unix.PacketMreq{Ifindex: int32(ifi), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("putting %s in promiscuous mode: %w", iface, err)
		}
	}
	c.buf = make([]byte, max(int(snaplen), 65536)+1)
	return c, nil
}

// setSocketOptions sets the read timeout and, if bufSize is not 0, the
// receive buffer size.
func setSocketOptions(fd int, timeout time.Duration, bufSize int) error {
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("setting read timeout: %w", err)
	}
	if bufSize > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, bufSize); err != nil {
			return fmt.Errorf("setting the buffer size: %w", err)
		}
	}
	// Packets carry the kernel's receive time, as libpcap's do.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return fmt.Errorf("asking for time stamps: %w", err)
	}
	return nil
}

// cmsgTime returns the SCM_TIMESTAMPNS time stamp of a control message
// buffer, or the zero time.
func cmsgTime(oob []byte) time.Time {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			break
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && l >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[unix.CmsgLen(0)]))
			return time.Unix(ts.Unix())
		}
		oob = oob[min(unix.CmsgSpace(l-unix.CmsgLen(0)), len(oob)):]
	}
	return time.Time{}
}

// openAny opens a cooked socket on every interface.
func openAny(expr string, opts LiveOptions) (*LiveCapture, error) {
	snaplen := opts.Snaplen
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	prog, err := Compile(expr, Options{LinkType: LinkTypeLinuxSLL2, Snaplen: snaplen, Optimize: opts.Optimize, Netmask: opts.Netmask})
	if err != nil {
		return nil, err
	}
	filter, err := cbpf.NewFilter(prog, cbpf.FilterOptions{VMOptions: cbpf.VMOptions{BackwardJumps: true}})
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening AF_PACKET socket: %w", err)
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 200 * time.Millisecond
	}
	if err := setSocketOptions(fd, timeout, opts.BufferSize); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL)}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding to all interfaces: %w", err)
	}
	return &LiveCapture{fd: fd, any: true, linkType: LinkTypeLinuxSLL2, snaplen: snaplen, filter: filter,
		direction: opts.Direction, buf: make([]byte, sll2Len+max(int(snaplen), 65536)+1)}, nil
}

// sll2Len is the length of a Linux cooked v2 header.
const sll2Len = 20

// putSLL2 writes the cooked v2 header of a packet received from sa.
func putSLL2(b []byte, sa *unix.SockaddrLinklayer) {
	b[0], b[1] = byte(sa.Protocol), byte(sa.Protocol>>8) // already in network order
	b[2], b[3] = 0, 0
	b[4], b[5], b[6], b[7] = byte(sa.Ifindex>>24), byte(sa.Ifindex>>16), byte(sa.Ifindex>>8), byte(sa.Ifindex)
	b[8], b[9] = byte(sa.Hatype>>8), byte(sa.Hatype)
	b[10] = sa.Pkttype
	b[11] = sa.Halen
	copy(b[12:20], sa.Addr[:])
}

func ifindexOf(iface string) (int, error) {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/ifindex")
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", iface, err)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func (c *LiveCapture) attach(prog []cbpf.Instruction) error {
	if len(prog) == 0 || len(prog) > cbpf.MaxInstructions {
		return errors.New("program length out of range")
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.SetsockoptSockFprog(c.fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
		return fmt.Errorf("SO_ATTACH_FILTER: %w", err)
	}
	c.kernelProg = prog
	return nil
}

// KernelFiltered reports whether the filter runs in the kernel.
func (c *LiveCapture) KernelFiltered() bool { return c.filter == nil }

// LinkType returns the link layer of the captured packets.
func (c *LiveCapture) LinkType() LinkType { return c.linkType }

// Snaplen returns the capture's snapshot length.
func (c *LiveCapture) Snaplen() uint32 { return c.snaplen }

// Next waits for the next matching packet; it returns ErrTimeout if none
// arrived within the read timeout. The packet's data is valid until the
// next call.
func (c *LiveCapture) Next() (Packet, error) {
	off := 0
	if c.any {
		off = sll2Len
	}
	for {
		n, oobn, _, from, err := unix.Recvmsg(c.fd, c.buf[off:], c.oob[:], unix.MSG_TRUNC)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				return Packet{}, ErrTimeout
			}
			return Packet{}, fmt.Errorf("reading from AF_PACKET socket: %w", err)
		}
		ts := cmsgTime(c.oob[:oobn])
		if ts.IsZero() {
			ts = time.Now()
		}
		sll, _ := from.(*unix.SockaddrLinklayer)
		if sll != nil && (c.loopback || c.any && sll.Hatype == unix.ARPHRD_LOOPBACK) &&
			c.direction != DirectionOut && sll.Pkttype == unix.PACKET_OUTGOING {
			// Loopback packets are seen twice, on lo and on any; keep
			// the incoming copy, as libpcap does.
			continue
		}
		if sll != nil && c.direction != DirectionInOut && (sll.Pkttype == unix.PACKET_OUTGOING) != (c.direction == DirectionOut) {
			continue
		}
		c.received++
		if c.any {
			if sll == nil {
				continue
			}
			putSLL2(c.buf, sll)
			n += off
		}
		data := c.buf[:min(n, len(c.buf)-1)]
		if c.filter != nil {
			keep := c.filter.RunWire(data, uint32(n), nil)
			if keep == 0 {
				continue
			}
			data = data[:min(len(data), int(keep))]
		}
		if len(data) > int(c.snaplen) {
			data = data[:c.snaplen]
		}
		c.matched++
		return Packet{Timestamp: ts, Data: data, Length: n}, nil
	}
}

// Stats returns the capture's counters: the kernel's PACKET_STATISTICS
// (which reset when read, so they are accumulated here) and the packets
// returned.
func (c *LiveCapture) Stats() (LiveStats, error) {
	st, err := unix.GetsockoptTpacketStats(c.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return LiveStats{}, fmt.Errorf("PACKET_STATISTICS: %w", err)
	}
	c.dropped += uint64(st.Drops)
	return LiveStats{Received: uint32(c.received), Dropped: uint32(c.dropped), Matched: c.matched}, nil
}

// Close closes the socket.
func (c *LiveCapture) Close() error { return unix.Close(c.fd) }
