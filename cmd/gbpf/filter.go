package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcapfilter"
	"github.com/spf13/cobra"
)

func init() { addCommand(newFilterCmd()) }

// filterFlags are the options of gbpf filter, named like tcpdump's.
type filterFlags struct {
	dump       int
	noOptimize bool
	snaplen    uint32
	linkType   string
	read       string
	write      string
	limit      int
	count      bool
	engine     string
}

func newFilterCmd() *cobra.Command {
	var f filterFlags
	cmd := &cobra.Command{
		Use:   "filter [-d|-dd|-ddd] [-O] [-s SNAPLEN] [-y LINKTYPE] [-r FILE [-w OUT] [-c N] [--count]] EXPR...",
		Short: "Compile a tcpdump filter expression, print the program, or filter a capture file",
		Long: `filter compiles a pcap-filter expression (the language of tcpdump) to classic BPF.

With -d, -dd or -ddd it prints the program the way tcpdump does. With -r it reads
a pcap or pcapng file and prints one line per matching packet in the style of
tcpdump -n -S (a subset of protocols is decoded), or with --count only the number
of matching packets; -w writes the matching packets to a pcap (or, for a .pcapng
name, pcapng) file. The expression may be given as several arguments, which are
joined with spaces.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFilter(cmd.OutOrStdout(), strings.Join(args, " "), f)
		},
	}
	fl := cmd.Flags()
	fl.CountVarP(&f.dump, "dump", "d", "print the program: -d listing, -dd C array, -ddd decimal")
	fl.BoolVarP(&f.noOptimize, "no-optimize", "O", false, "do not run the optimiser")
	fl.Uint32VarP(&f.snaplen, "snaplen", "s", 0, "snapshot length accepting filters return (default 262144, or the file's)")
	fl.StringVarP(&f.linkType, "linktype", "y", "EN10MB", "link-layer type: EN10MB, RAW, LINUX_SLL, LINUX_SLL2, NULL, LOOP, IPV4, IPV6")
	fl.StringVarP(&f.read, "read", "r", "", "read packets from `FILE` (pcap or pcapng)")
	fl.StringVarP(&f.write, "write", "w", "", "write matching packets to `FILE`")
	fl.IntVarP(&f.limit, "limit", "c", 0, "stop after N matching packets")
	fl.BoolVar(&f.count, "count", false, "print only the number of matching packets")
	fl.StringVar(&f.engine, "engine", "", "engine that runs the filter: default (machine code where it can), interpreter, checked or jit")
	return cmd
}

func runFilter(out io.Writer, expr string, f filterFlags) error {
	var cr *pcapfilter.CaptureReader
	if f.read != "" {
		file, err := os.Open(f.read)
		if err != nil {
			return err
		}
		defer file.Close()
		if cr, err = pcapfilter.NewCaptureReader(file); err != nil {
			return fmt.Errorf("%s: %w", f.read, err)
		}
	}
	opts := pcapfilter.Options{Snaplen: f.snaplen, Optimize: !f.noOptimize}
	if cr != nil {
		opts.LinkType = cr.LinkType()
		if opts.Snaplen == 0 {
			opts.Snaplen = cr.Snaplen()
		}
	} else {
		lt, err := pcapfilter.ParseLinkType(f.linkType)
		if err != nil {
			return err
		}
		opts.LinkType = lt
	}
	prog, err := pcapfilter.Compile(expr, opts)
	if err != nil {
		return err
	}
	if f.dump > 0 || cr == nil {
		style := pcapfilter.Style(min(max(f.dump, 1), 3))
		_, err := io.WriteString(out, pcapfilter.Format(prog, style))
		return err
	}
	return filterFile(out, cr, prog, f)
}

func filterFile(out io.Writer, cr *pcapfilter.CaptureReader, prog []cbpf.Instruction, f filterFlags) (err error) {
	e, err := lookupEngine(f.engine)
	if err != nil {
		return err
	}
	// libpcap runs protochain loops; the filter runs them in the VM.
	vm, err := cbpf.NewFilter(prog, cbpf.FilterOptions{VMOptions: cbpf.VMOptions{BackwardJumps: true}, Engine: e})
	if err != nil {
		return err
	}
	var w *packetFile
	if f.write != "" {
		if w, err = createPacketFile(f.write, cr.LinkType(), cr.Snaplen()); err != nil {
			return err
		}
		defer w.closeInto(&err)
	}
	matched := 0
	for f.limit <= 0 || matched < f.limit {
		p, rerr := cr.Next()
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
		if vm.RunWire(p.Data, uint32(p.Length), nil) == 0 {
			continue
		}
		matched++
		switch {
		case w != nil:
			if err := w.write(p); err != nil {
				return err
			}
		case !f.count:
			fmt.Fprintln(out, packetSummary(cr.LinkType(), p))
		}
	}
	if f.count {
		fmt.Fprintf(out, "%d packet%s\n", matched, plural(matched))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// packetSummary prints a packet in the style of tcpdump -n -S for the
// common protocols: IPv4, IPv6, ARP, TCP, UDP, ICMP and ICMPv6.
func packetSummary(lt pcapfilter.LinkType, p pcapfilter.Packet) string {
	ts := p.Timestamp.Local().Format("15:04:05.000000")
	return ts + " " + describeLink(lt, p.Data, p.Length)
}

func describeLink(lt pcapfilter.LinkType, d []byte, wireLen int) string {
	switch lt {
	case pcapfilter.LinkTypeEthernet:
		if len(d) < 14 {
			return "[|ether]"
		}
		et, off := binary.BigEndian.Uint16(d[12:]), 14
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(d) >= off+4 {
			et, off = binary.BigEndian.Uint16(d[off+2:]), off+4
		}
		if et <= 1500 {
			return fmt.Sprintf("802.3, length %d", wireLen)
		}
		return describeNet(et, d[off:], wireLen)
	case pcapfilter.LinkTypeLinuxSLL:
		if len(d) < 16 {
			return "[|sll]"
		}
		return describeNet(binary.BigEndian.Uint16(d[14:]), d[16:], wireLen)
	case pcapfilter.LinkTypeLinuxSLL2:
		if len(d) < 20 {
			return "[|sll2]"
		}
		return describeNet(binary.BigEndian.Uint16(d[0:]), d[20:], wireLen)
	case pcapfilter.LinkTypeNull, pcapfilter.LinkTypeLoop:
		if len(d) < 4 {
			return "[|null]"
		}
		af := binary.LittleEndian.Uint32(d)
		if lt == pcapfilter.LinkTypeLoop {
			af = binary.BigEndian.Uint32(d)
		}
		if af == 2 {
			return describeNet(0x0800, d[4:], wireLen)
		}
		return describeNet(0x86dd, d[4:], wireLen)
	default:
		if len(d) > 0 && d[0]>>4 == 6 {
			return describeNet(0x86dd, d, wireLen)
		}
		return describeNet(0x0800, d, wireLen)
	}
}

func describeNet(et uint16, d []byte, wireLen int) string {
	switch et {
	case 0x0800:
		return describeIPv4(d)
	case 0x86dd:
		return describeIPv6(d)
	case 0x0806, 0x8035:
		return describeARP(d)
	}
	return fmt.Sprintf("ethertype 0x%04x, length %d", et, wireLen)
}

func describeIPv4(d []byte) string {
	if len(d) < 20 || d[0]>>4 != 4 {
		return "IP [|ip]"
	}
	ihl := int(d[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(d[2:]))
	src := netip.AddrFrom4([4]byte(d[12:16]))
	dst := netip.AddrFrom4([4]byte(d[16:20]))
	if frag := binary.BigEndian.Uint16(d[6:]) & 0x1fff; frag != 0 {
		return fmt.Sprintf("IP %s > %s: ip-proto-%d", src, dst, d[9])
	}
	if len(d) < ihl {
		return fmt.Sprintf("IP %s > %s: [|ip]", src, dst)
	}
	return describeTransport("IP", d[9], src, dst, d[ihl:min(len(d), max(total, ihl))], total-ihl)
}

func describeIPv6(d []byte) string {
	if len(d) < 40 {
		return "IP6 [|ip6]"
	}
	src := netip.AddrFrom16([16]byte(d[8:24]))
	dst := netip.AddrFrom16([16]byte(d[24:40]))
	plen := int(binary.BigEndian.Uint16(d[4:]))
	next, body := d[6], d[40:min(len(d), 40+plen)]
	// Walk the extension headers to the transport header.
	for i := 0; i < 256 && len(body) >= 8; i++ {
		var hl int
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			hl = (int(body[1]) + 1) * 8
		case 44: // fragment
			if binary.BigEndian.Uint16(body[2:])&0xfff8 != 0 {
				return fmt.Sprintf("IP6 %s > %s: frag, length %d", src, dst, plen)
			}
			hl = 8
		case 51: // authentication header
			hl = (int(body[1]) + 2) * 4
		default:
			return describeTransport("IP6", next, src, dst, body, len(body))
		}
		if hl > len(body) {
			break
		}
		next, body = body[0], body[hl:]
	}
	return describeTransport("IP6", next, src, dst, body, len(body))
}

func describeTransport(ipName string, proto byte, src, dst netip.Addr, d []byte, length int) string {
	switch proto {
	case 6:
		if len(d) < 20 {
			return fmt.Sprintf("%s %s > %s: [|tcp]", ipName, src, dst)
		}
		sp, dp := binary.BigEndian.Uint16(d), binary.BigEndian.Uint16(d[2:])
		seq, ack := binary.BigEndian.Uint32(d[4:]), binary.BigEndian.Uint32(d[8:])
		hl := int(d[12]>>4) * 4
		flags := d[13]
		payload := length - hl
		var fs strings.Builder
		for _, fl := range []struct {
			bit byte
			c   string
		}{{0x01, "F"}, {0x02, "S"}, {0x04, "R"}, {0x08, "P"}, {0x10, "."}, {0x20, "U"}, {0x40, "E"}, {0x80, "W"}} {
			if flags&fl.bit != 0 {
				fs.WriteString(fl.c)
			}
		}
		if fs.Len() == 0 {
			fs.WriteString("none")
		}
		s := fmt.Sprintf("%s %s.%d > %s.%d: Flags [%s]", ipName, src, sp, dst, dp, fs.String())
		if payload > 0 {
			s += fmt.Sprintf(", seq %d:%d", seq, seq+uint32(payload))
		} else if flags&0x07 != 0 {
			s += fmt.Sprintf(", seq %d", seq)
		}
		if flags&0x10 != 0 {
			s += fmt.Sprintf(", ack %d", ack)
		}
		return s + fmt.Sprintf(", win %d, length %d", binary.BigEndian.Uint16(d[14:]), max(payload, 0))
	case 17:
		if len(d) < 8 {
			return fmt.Sprintf("%s %s > %s: [|udp]", ipName, src, dst)
		}
		return fmt.Sprintf("%s %s.%d > %s.%d: UDP, length %d", ipName, src, binary.BigEndian.Uint16(d), dst,
			binary.BigEndian.Uint16(d[2:]), int(binary.BigEndian.Uint16(d[4:]))-8)
	case 1:
		if len(d) < 8 {
			return fmt.Sprintf("%s %s > %s: [|icmp]", ipName, src, dst)
		}
		switch d[0] {
		case 8, 0:
			kind := "request"
			if d[0] == 0 {
				kind = "reply"
			}
			return fmt.Sprintf("%s %s > %s: ICMP echo %s, id %d, seq %d, length %d", ipName, src, dst, kind,
				binary.BigEndian.Uint16(d[4:]), binary.BigEndian.Uint16(d[6:]), length)
		}
		return fmt.Sprintf("%s %s > %s: ICMP type %d, code %d, length %d", ipName, src, dst, d[0], d[1], length)
	case 58:
		if len(d) < 8 {
			return fmt.Sprintf("%s %s > %s: [|icmp6]", ipName, src, dst)
		}
		switch d[0] {
		case 128, 129:
			kind := "request"
			if d[0] == 129 {
				kind = "reply"
			}
			return fmt.Sprintf("%s %s > %s: ICMP6, echo %s, id %d, seq %d, length %d", ipName, src, dst, kind,
				binary.BigEndian.Uint16(d[4:]), binary.BigEndian.Uint16(d[6:]), length)
		}
		return fmt.Sprintf("%s %s > %s: ICMP6, type %d, length %d", ipName, src, dst, d[0], length)
	}
	return fmt.Sprintf("%s %s > %s: ip-proto-%d %d", ipName, src, dst, proto, length)
}

func describeARP(d []byte) string {
	if len(d) < 28 || binary.BigEndian.Uint16(d[2:]) != 0x0800 || d[4] != 6 || d[5] != 4 {
		return "ARP, [|arp]"
	}
	sha := d[8:14]
	spa := netip.AddrFrom4([4]byte(d[14:18]))
	tpa := netip.AddrFrom4([4]byte(d[24:28]))
	switch binary.BigEndian.Uint16(d[6:]) {
	case 1:
		return fmt.Sprintf("ARP, Request who-has %s tell %s, length %d", tpa, spa, len(d))
	case 2:
		return fmt.Sprintf("ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, length %d", spa,
			sha[0], sha[1], sha[2], sha[3], sha[4], sha[5], len(d))
	}
	return fmt.Sprintf("ARP, op %d, length %d", binary.BigEndian.Uint16(d[6:]), len(d))
}
