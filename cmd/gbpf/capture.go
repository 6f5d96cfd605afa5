package main

import (
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func init() { addCommand(newCaptureCmd()) }

type captureFlags struct {
	iface      string
	write      string
	limit      int
	snaplen    uint32
	noOptimize bool
	userSpace  bool
	engine     string
	count      bool
	list       bool
	print      printFlags
}

func newCaptureCmd() *cobra.Command {
	var f captureFlags
	cmd := &cobra.Command{
		Use:   "capture -i IFACE [-w OUT.pcap] [-c N] [-s SNAPLEN] [-nevxXAtSq] EXPR...",
		Short: "Capture packets from a network interface through a tcpdump filter",
		Long: `capture opens an AF_PACKET socket on IFACE, attaches the compiled filter to it
with SO_ATTACH_FILTER so that the kernel drops what does not match, and prints one
line per packet as tcpdump 4.99 does, with tcpdump's flags (-n, -e, -v, -x, -X, -A,
-t, -S, -q, -l, ...), or writes them to a pcap file with -w ("-" for standard
output). Where the kernel refuses the filter, gbpf filters in user space. On exit
(after -c packets, or on ctrl-C) it prints the packets captured, received and
dropped, from PACKET_STATISTICS, as tcpdump does.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.list {
				return listInterfaces(cmd.OutOrStdout())
			}
			if f.iface == "" {
				return errors.New("capture needs an interface: -i IFACE (or -i any)")
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runCapture(ctx, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), strings.Join(args, " "), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.iface, "interface", "i", "", "capture on `IFACE` (required; any for all interfaces)")
	fl.StringVarP(&f.write, "write", "w", "", "write packets to `FILE` (pcap, or pcapng for a .pcapng name; - for standard output)")
	fl.IntVarP(&f.limit, "limit", "c", 0, "stop after N packets")
	fl.Uint32VarP(&f.snaplen, "snaplen", "s", 0, "bytes to keep of each packet (default 262144)")
	fl.BoolVarP(&f.noOptimize, "no-optimize", "O", false, "do not run the optimiser")
	fl.BoolVar(&f.userSpace, "userspace", false, "filter in gbpf instead of in the kernel")
	fl.StringVar(&f.engine, "engine", "", "engine of the user-space filter: default, interpreter, checked or jit")
	fl.BoolVar(&f.count, "count", false, "print only the number of captured packets")
	fl.BoolVarP(&f.list, "list-interfaces", "D", false, "list the interfaces gbpf can capture on")
	addPrintFlags(fl, &f.print)
	return cmd
}
