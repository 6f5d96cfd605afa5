package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gbpf/gbpf/pcapfilter"
)

// runCapture captures packets on f.iface through the tcpdump filter expr.
func runCapture(ctx context.Context, out, errOut io.Writer, expr string, f captureFlags) (err error) {
	e, err := lookupEngine(f.engine)
	if err != nil {
		return err
	}
	capt, err := pcapfilter.OpenLive(f.iface, expr, pcapfilter.LiveOptions{
		Snaplen: f.snaplen, Optimize: !f.noOptimize, UserSpace: f.userSpace, Engine: e,
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
