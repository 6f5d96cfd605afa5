package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gbpf/gbpf/pcapfilter"
	"github.com/gbpf/gbpf/tcpdump"
)

// runCapture captures packets on f.iface through the tcpdump filter expr.
func runCapture(ctx context.Context, in io.Reader, out, errOut io.Writer, expr string, f captureFlags) (err error) {
	e, err := lookupEngine(f.engine)
	if err != nil {
		return err
	}
	dir, ok := map[string]pcapfilter.Direction{"": pcapfilter.DirectionInOut, "inout": pcapfilter.DirectionInOut,
		"in": pcapfilter.DirectionIn, "out": pcapfilter.DirectionOut}[f.print.direction]
	if !ok {
		return fmt.Errorf("invalid direction %q: want in, out or inout", f.print.direction)
	}
	capt, err := pcapfilter.OpenLive(f.iface, expr, pcapfilter.LiveOptions{
		Snaplen: f.snaplen, Optimize: !f.noOptimize, UserSpace: f.userSpace, Engine: e,
		Direction: dir, BufferSize: f.print.bufSize * 1024, NoPromiscuous: f.print.noPromisc,
	})
	if err != nil {
		return err
	}
	defer capt.Close()
	if f.print.verbose == 0 && f.write == "" {
		fmt.Fprintln(errOut, "gbpf: verbose output suppressed, use -v[v]... for full protocol decode")
	}
	name, desc := tcpdump.LinkTypeName(tcpdump.LinkType(capt.LinkType().DLT()))
	fmt.Fprintf(errOut, "listening on %s, link-type %s (%s), snapshot length %d bytes\n", f.iface, name, desc, capt.Snaplen())
	if f.print.verbose > 0 && !capt.KernelFiltered() {
		fmt.Fprintln(errOut, "gbpf: the kernel refused the filter; filtering in user space")
	}
	var w *packetFile
	if f.write != "" {
		if w, err = createPacketFile(f.write, out, capt.LinkType(), capt.Snaplen()); err != nil {
			return err
		}
		defer w.closeInto(&err)
	}
	pw := newPacketWriter(out, capt.LinkType(), f.print)
	pw.each = pw.each || w == nil // a live capture shows each packet as it comes
	defer func() {
		if ferr := pw.flush(); ferr != nil && err == nil {
			err = ferr
		}
	}()
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
	if err := pw.flush(); err != nil {
		return err
	}
	if ctx.Err() != nil && w == nil {
		// As tcpdump: an interrupted line is ended before the summary.
		fmt.Fprintln(out)
	}
	if f.count {
		fmt.Fprintf(out, "%d packet%s\n", n, plural(n))
	}
	st, err := capt.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "%d packet%s captured\n%d packet%s received by filter\n%d packet%s dropped by kernel\n",
		n, plural(n), st.Received, plural(int(st.Received)), st.Dropped, plural(int(st.Dropped)))
	return nil
}
