//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gbpf/gbpf/pcapfilter"
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
}

func newCaptureCmd() *cobra.Command {
	var f captureFlags
	cmd := &cobra.Command{
		Use:   "capture -i IFACE [-w OUT.pcap] [-c N] [-s SNAPLEN] EXPR...",
		Short: "Capture packets from a network interface through a tcpdump filter",
		Long: `capture opens an AF_PACKET socket on IFACE, attaches the compiled filter to it
with SO_ATTACH_FILTER so that the kernel drops what does not match, and prints one
line per packet (or writes them to a pcap file with -w). Where the kernel refuses
the filter, gbpf filters in user space. On exit (after -c packets, or on ctrl-C)
it prints the packets received and dropped, from PACKET_STATISTICS.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runCapture(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), strings.Join(args, " "), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.iface, "interface", "i", "", "capture on `IFACE` (required)")
	fl.StringVarP(&f.write, "write", "w", "", "write packets to `FILE` (pcap, or pcapng for a .pcapng name)")
	fl.IntVarP(&f.limit, "limit", "c", 0, "stop after N packets")
	fl.Uint32VarP(&f.snaplen, "snaplen", "s", 0, "bytes to keep of each packet (default 262144)")
	fl.BoolVarP(&f.noOptimize, "no-optimize", "O", false, "do not run the optimiser")
	fl.BoolVar(&f.userSpace, "userspace", false, "filter in gbpf instead of in the kernel")
	_ = cmd.MarkFlagRequired("interface")
	return cmd
}

func runCapture(ctx context.Context, out, errOut io.Writer, expr string, f captureFlags) (err error) {
	capt, err := pcapfilter.OpenLive(f.iface, expr, pcapfilter.LiveOptions{
		Snaplen: f.snaplen, Optimize: !f.noOptimize, UserSpace: f.userSpace,
	})
	if err != nil {
		return err
	}
	defer capt.Close()
	where := "filter attached in the kernel"
	if !capt.KernelFiltered() {
		where = "filtering in user space"
	}
	fmt.Fprintf(errOut, "listening on %s, link-type %v, snapshot length %d bytes (%s)\n", f.iface, capt.LinkType(), capt.Snaplen(), where)
	var w *packetFile
	if f.write != "" {
		if w, err = createPacketFile(f.write, capt.LinkType(), capt.Snaplen()); err != nil {
			return err
		}
		defer w.closeInto(&err)
	}
	n := 0
	for (f.limit <= 0 || n < f.limit) && ctx.Err() == nil {
		p, rerr := capt.Next()
		if errors.Is(rerr, pcapfilter.ErrTimeout) {
			continue
		}
		if rerr != nil {
			return rerr
		}
		n++
		if w != nil {
			if err := w.write(p); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(out, packetSummary(capt.LinkType(), p))
	}
	st, err := capt.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "%d packet%s captured\n%d packet%s received by filter\n%d packet%s dropped by kernel\n",
		n, plural(n), st.Received, plural(int(st.Received)), st.Dropped, plural(int(st.Dropped)))
	return nil
}
