package pcapfilter

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

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
}

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
func OpenLive(iface, expr string, opts LiveOptions) (*LiveCapture, error) {
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
	c := &LiveCapture{fd: fd, ifindex: ifi, loopback: hatype == unix.ARPHRD_LOOPBACK, linkType: lt, snaplen: snaplen}
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
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("setting read timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding to %s: %w", iface, err)
	}
	c.buf = make([]byte, max(int(snaplen), 65536)+1)
	return c, nil
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
	for {
		n, from, err := unix.Recvfrom(c.fd, c.buf, unix.MSG_TRUNC)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				return Packet{}, ErrTimeout
			}
			return Packet{}, fmt.Errorf("reading from AF_PACKET socket: %w", err)
		}
		ts := time.Now()
		if sll, ok := from.(*unix.SockaddrLinklayer); ok && c.loopback && sll.Pkttype == unix.PACKET_OUTGOING {
			continue // loopback packets are seen twice; keep the incoming copy
		}
		c.received++
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
