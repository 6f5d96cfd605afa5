package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcapfilter"
	"github.com/gbpf/gbpf/tcpdump"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	print      printFlags
	iface      string
	list       bool
}

// printFlags are tcpdump's flags that shape the printed lines, shared by
// gbpf filter and gbpf capture.
type printFlags struct {
	numeric   int
	ether     bool
	verbose   int
	hex       int
	hexASCII  int
	ascii     int
	time      int
	absolute  bool
	quiet     bool
	lineBuf   bool
	noPromisc bool
	direction string
	bufSize   int
}

func addPrintFlags(fl *pflag.FlagSet, f *printFlags) {
	fl.CountVarP(&f.numeric, "numeric", "n", "do not convert addresses and ports to names")
	fl.BoolVarP(&f.ether, "ether", "e", false, "print the link-level header")
	fl.CountVarP(&f.verbose, "verbose", "v", "more protocol detail (-v, -vv, -vvv)")
	fl.CountVarP(&f.hex, "hex", "x", "print each packet in hex (-xx with its link header)")
	fl.CountVarP(&f.hexASCII, "hex-ascii", "X", "print each packet in hex and ASCII (-XX with its link header)")
	fl.CountVarP(&f.ascii, "ascii", "A", "print each packet in ASCII (-AA with its link header)")
	fl.CountVarP(&f.time, "time", "t", "time stamps: -t none, -tt Unix, -ttt delta, -tttt date, -ttttt since first")
	fl.BoolVarP(&f.absolute, "absolute-tcp-sequence-numbers", "S", false, "print absolute TCP sequence numbers")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print less protocol information")
	fl.BoolVarP(&f.lineBuf, "line-buffered", "l", false, "flush the output after each packet")
	fl.BoolVarP(&f.noPromisc, "no-promiscuous-mode", "p", false, "do not put the interface in promiscuous mode")
	fl.StringVarP(&f.direction, "direction", "Q", "inout", "capture direction: in, out or inout")
	fl.IntVarP(&f.bufSize, "buffer-size", "B", 0, "capture buffer size in KiB")
}

// printer returns the tcpdump renderer for f.
func (f printFlags) printer(lt pcapfilter.LinkType) *tcpdump.Printer {
	opts := tcpdump.Options{
		Numeric: f.numeric, Ether: f.ether, Verbose: f.verbose, Hex: f.hex, HexASCII: f.hexASCII,
		ASCII: f.ascii, Time: f.time, Absolute: f.absolute, Quiet: f.quiet,
	}
	if f.numeric == 0 {
		opts.Names = tcpdump.NewSystemResolver("/etc/services")
	}
	return tcpdump.New(tcpdump.LinkType(lt.DLT()), opts)
}

// packetWriter prints packets as tcpdump does through a buffer, flushed
// after each packet with -l.
type packetWriter struct {
	w    *bufio.Writer
	p    *tcpdump.Printer
	line []byte
	each bool
}

func newPacketWriter(out io.Writer, lt pcapfilter.LinkType, f printFlags) *packetWriter {
	return &packetWriter{w: bufio.NewWriterSize(out, 1<<16), p: f.printer(lt), each: f.lineBuf}
}

func (pw *packetWriter) print(pk pcapfilter.Packet) error {
	pw.line = pw.p.Format(pw.line[:0], pk.Timestamp, pk.Data, pk.Length)
	if _, err := pw.w.Write(pw.line); err != nil {
		return err
	}
	if pw.each {
		return pw.w.Flush()
	}
	return nil
}

func (pw *packetWriter) flush() error { return pw.w.Flush() }

func newFilterCmd() *cobra.Command {
	var f filterFlags
	cmd := &cobra.Command{
		Use:   "filter [-d|-dd|-ddd] [-O] [-s SNAPLEN] [-y LINKTYPE] [-r FILE [-w OUT] [-c N] [--count]] [-nevxXAtSq] EXPR...",
		Short: "Compile a tcpdump filter expression, print the program, or filter a capture file",
		Long: `filter compiles a pcap-filter expression (the language of tcpdump) to classic BPF.

With -d, -dd or -ddd it prints the program the way tcpdump does. With -r it reads
a pcap or pcapng file ("-" for standard input) and prints one line per matching
packet as tcpdump 4.99 does, with tcpdump's flags (-n, -e, -v, -x, -X, -A, -t, -S,
-q, ...), or with --count only the number of matching packets; -w writes the
matching packets to a pcap (or, for a .pcapng name, pcapng) file, "-" for standard
output. With -i it captures live, as gbpf capture does. The expression may be
given as several arguments, which are joined with spaces.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			expr := strings.Join(args, " ")
			if f.list {
				return listInterfaces(cmd.OutOrStdout())
			}
			if f.iface != "" {
				ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				return runCapture(ctx, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), expr, captureFlags{
					iface: f.iface, write: f.write, limit: f.limit, snaplen: f.snaplen,
					noOptimize: f.noOptimize, print: f.print, count: f.count,
				})
			}
			return runFilter(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), expr, f)
		},
	}
	fl := cmd.Flags()
	fl.CountVarP(&f.dump, "dump", "d", "print the program: -d listing, -dd C array, -ddd decimal")
	fl.BoolVarP(&f.noOptimize, "no-optimize", "O", false, "do not run the optimiser")
	fl.Uint32VarP(&f.snaplen, "snaplen", "s", 0, "snapshot length accepting filters return (default 262144, or the file's)")
	fl.StringVarP(&f.linkType, "linktype", "y", "EN10MB", "link-layer type: EN10MB, RAW, LINUX_SLL, LINUX_SLL2, NULL, LOOP, IPV4, IPV6")
	fl.StringVarP(&f.read, "read", "r", "", "read packets from `FILE` (pcap or pcapng; - for standard input)")
	fl.StringVarP(&f.write, "write", "w", "", "write matching packets to `FILE` (- for standard output)")
	fl.IntVarP(&f.limit, "limit", "c", 0, "stop after N matching packets")
	fl.BoolVar(&f.count, "count", false, "print only the number of matching packets")
	fl.StringVar(&f.engine, "engine", "", "engine that runs the filter: default (machine code where it can), interpreter, checked or jit")
	fl.StringVarP(&f.iface, "interface", "i", "", "capture live on `IFACE` instead of reading a file")
	fl.BoolVarP(&f.list, "list-interfaces", "D", false, "list the interfaces gbpf can capture on")
	addPrintFlags(fl, &f.print)
	return cmd
}

// openRead opens name for reading, "-" being in.
func openRead(in io.Reader, name string) (io.Reader, func() error, error) {
	if name == "-" {
		return in, func() error { return nil }, nil
	}
	file, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return file, file.Close, nil
}

func runFilter(in io.Reader, out, errOut io.Writer, expr string, f filterFlags) error {
	var cr *pcapfilter.CaptureReader
	if f.read != "" {
		r, closeFn, err := openRead(in, f.read)
		if err != nil {
			return err
		}
		defer closeFn()
		if cr, err = pcapfilter.NewCaptureReader(r); err != nil {
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
	var prog []cbpf.Instruction
	// An empty expression accepts every packet, whatever the link type;
	// it needs no program unless one is to be printed.
	if strings.TrimSpace(expr) != "" || f.dump > 0 || cr == nil {
		var err error
		if prog, err = pcapfilter.Compile(expr, opts); err != nil {
			return err
		}
	}
	if f.dump > 0 || cr == nil {
		style := pcapfilter.Style(min(max(f.dump, 1), 3))
		_, err := io.WriteString(out, pcapfilter.Format(prog, style))
		return err
	}
	name, desc := tcpdump.LinkTypeName(tcpdump.LinkType(cr.LinkType().DLT()))
	fmt.Fprintf(errOut, "reading from file %s, link-type %s (%s), snapshot length %d\n", f.read, name, desc, cr.Snaplen())
	if cr.LinkType() == pcapfilter.LinkTypeLinuxSLL2 {
		fmt.Fprintln(errOut, "Warning: interface names might be incorrect")
	}
	return filterFile(out, cr, prog, f)
}

func filterFile(out io.Writer, cr *pcapfilter.CaptureReader, prog []cbpf.Instruction, f filterFlags) (err error) {
	e, err := lookupEngine(f.engine)
	if err != nil {
		return err
	}
	var vm *cbpf.Filter
	if prog != nil {
		// libpcap runs protochain loops; the filter runs them in the VM.
		if vm, err = cbpf.NewFilter(prog, cbpf.FilterOptions{VMOptions: cbpf.VMOptions{BackwardJumps: true}, Engine: e}); err != nil {
			return err
		}
	}
	var w *packetFile
	if f.write != "" {
		if w, err = createPacketFile(f.write, out, cr.LinkType(), cr.Snaplen()); err != nil {
			return err
		}
		defer w.closeInto(&err)
	}
	pw := newPacketWriter(out, cr.LinkType(), f.print)
	defer func() {
		if ferr := pw.flush(); ferr != nil && err == nil {
			err = ferr
		}
	}()
	matched := 0
	for f.limit <= 0 || matched < f.limit {
		p, rerr := cr.Next()
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
		if vm != nil && vm.RunWire(p.Data, uint32(p.Length), nil) == 0 {
			continue
		}
		matched++
		switch {
		case w != nil:
			if err := w.write(p); err != nil {
				return err
			}
		case !f.count:
			if err := pw.print(p); err != nil {
				return err
			}
		}
	}
	if f.count {
		fmt.Fprintf(out, "%d packet%s\n", matched, plural(matched))
	}
	return nil
}

// listInterfaces prints the network interfaces gbpf captures on as
// tcpdump -D does: running ones first, then "any", loopback, the rest.
func listInterfaces(out io.Writer) error {
	ifs, err := net.Interfaces()
	if err != nil {
		return err
	}
	type entry struct {
		name  string
		flags []string
		merit int
	}
	var list []entry
	for _, ifc := range ifs {
		var e entry
		e.name = ifc.Name
		up, running, loop := ifc.Flags&net.FlagUp != 0, ifc.Flags&net.FlagRunning != 0, ifc.Flags&net.FlagLoopback != 0
		if !up {
			e.merit |= 1 << 3
		}
		if !running {
			e.merit |= 1 << 2
		}
		if loop {
			e.merit |= 1 << 1
		}
		if up {
			e.flags = append(e.flags, "Up")
		}
		if running {
			e.flags = append(e.flags, "Running")
		}
		switch {
		case loop:
			e.flags = append(e.flags, "Loopback")
		case up && running:
			e.flags = append(e.flags, "Connected")
		case up:
			e.flags = append(e.flags, "Disconnected")
		}
		list = append(list, e)
	}
	list = append(list, entry{name: "any (Pseudo-device that captures on all interfaces)", flags: []string{"Up", "Running"}, merit: 1 << 0})
	sort.SliceStable(list, func(i, j int) bool { return list[i].merit < list[j].merit })
	for i, e := range list {
		fl := strings.Join(e.flags, ", ")
		if fl == "" {
			fl = "none"
		}
		fmt.Fprintf(out, "%d.%s [%s]\n", i+1, e.name, fl)
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
