package gbpf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/progtype"
)

// XDPHeadroom is the room left before an XDP packet, as Linux leaves
// XDP_PACKET_HEADROOM, so that a program could grow the packet at the
// front.
const XDPHeadroom = 256

// ethHeaderLen is the length of an Ethernet header.
const ethHeaderLen = 14

// maxPacket bounds the packets and inputs a run accepts, hooks included.
const maxPacket = 1 << 24

// Input limits of Program.Run, as Linux's BPF_PROG_TEST_RUN sets them on
// x86-64 (4 KiB pages): a packet lies in one page, after the headroom the
// kernel reserves and before the skb_shared_info it puts at the end.
const (
	pageSize = 4096
	// sharedInfoSize is SKB_DATA_ALIGN(sizeof(struct skb_shared_info)).
	sharedInfoSize = 320
	// skbHeadroom is NET_SKB_PAD + NET_IP_ALIGN.
	skbHeadroom = 64
	// maxXDPPacket and maxSkbPacket are the largest packets of XDP and
	// of socket filter and tc programs.
	maxXDPPacket = pageSize - XDPHeadroom - sharedInfoSize
	maxSkbPacket = pageSize - skbHeadroom - sharedInfoSize
	// maxRawInput bounds the memory of Raw programs, gbpf's own type.
	maxRawInput = maxPacket
)

// ErrInputTooLarge is returned by Program.Run for a packet or context
// larger than the program's type allows (see MaxInput).
var ErrInputTooLarge = errors.New("input too large")

// MaxInput returns the largest RunOptions.Data and RunOptions.Context that
// Program.Run accepts for programs of type t, or zeros for a type gbpf does
// not run. Packets and contexts follow Linux's BPF_PROG_TEST_RUN: an XDP
// packet of at most a page minus XDP_PACKET_HEADROOM and the tail room
// (3520 bytes), a socket filter or tc packet of at most a page minus
// NET_SKB_PAD and the tail room (3712), a context no larger than xdp_md or
// __sk_buff. A tracepoint record is at most progtype.MaxTraceSize bytes,
// kprobe registers a pt_regs, and Raw memory 16 MiB; tracepoint, kprobe and
// Raw programs take their input in either field. Program.MaxInput gives a
// program's own limits, which are larger for a program verified for a
// larger context. A caller reading input from a file or a pipe should read
// at most one byte more than the limit.
func MaxInput(t progtype.Type) (data, ctx int) {
	info, ok := progtype.Lookup(t)
	if !ok {
		return 0, 0
	}
	return maxInput(info, info.CtxSize)
}

// MaxInput returns the largest RunOptions.Data and RunOptions.Context that
// p's Run accepts: the limits of p's type (see the function MaxInput), or
// for a type whose context size is given at load time, at least the size
// p was verified for.
func (p *Program) MaxInput() (data, ctx int) { return maxInput(p.info, p.ctxSize) }

// maxInput is MaxInput for a program of type info verified for a context
// of ctxSize bytes.
func maxInput(info *progtype.Info, ctxSize int) (data, ctx int) {
	switch info.Type {
	case progtype.XDP:
		return maxXDPPacket, info.CtxSize
	case progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		return maxSkbPacket, info.CtxSize
	case progtype.Raw:
		n := max(maxRawInput, ctxSize)
		return n, n
	}
	n := max(info.CtxSize, ctxSize)
	if info.Type == progtype.Tracepoint {
		n = max(progtype.MaxTraceSize, ctxSize)
	}
	return n, n
}

// checkInput refuses a packet or a context larger than p takes.
func (p *Program) checkInput(data, ctx []byte) error {
	maxData, maxCtx := p.MaxInput()
	if len(data) > maxData {
		return fmt.Errorf("data of %d bytes: %v programs take at most %d: %w", len(data), p.info.Type, maxData, ErrInputTooLarge)
	}
	if len(ctx) > maxCtx {
		return fmt.Errorf("context of %d bytes: %v programs take at most %d: %w", len(ctx), p.info.Type, maxCtx, ErrInputTooLarge)
	}
	return nil
}

// input is a run's context and packet, materialised in a CPU's memory.
type input struct {
	r1, r2   uint64
	regions  [2]engine.Region
	nregions int
	// data is where the packet (or Raw input) lies, ctx the context.
	data, ctx       uint64
	dataLen, ctxLen int
	// seq tells the inputs prepared on a CPU apart (cpu.seq).
	seq uint64
}

// prepare checks the input for p and makes room for it in c's memory. The
// limits of Program.Run's input (checkInput) are checked before; a hook
// gives network programs a packet and no context.
func (c *cpu) prepare(p *Program, data, ctx []byte, in *input) error {
	c.seq++
	*in = input{seq: c.seq}
	var err error
	if len(data) > maxPacket || len(ctx) > maxPacket {
		return fmt.Errorf("input of %d bytes is too large", max(len(data), len(ctx)))
	}
	switch p.info.Type {
	case progtype.XDP, progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		if len(data) < ethHeaderLen {
			return fmt.Errorf("packet of %d bytes: want at least an Ethernet header (%d bytes)", len(data), ethHeaderLen)
		}
		if c.packet, err = lowBlock(c.packet, XDPHeadroom+len(data)); err != nil {
			return err
		}
		if c.ctx, err = lowBlock(c.ctx, p.info.CtxSize); err != nil {
			return err
		}
		in.data, in.dataLen = c.packet.Addr()+XDPHeadroom, len(data)
		in.ctx, in.ctxLen = c.ctx.Addr(), p.info.CtxSize
	case progtype.Raw:
		if ctx != nil && data != nil {
			return fmt.Errorf("%v programs take Data or Context, not both", p.info.Type)
		}
		if data == nil {
			data = ctx
		}
		if len(data) < p.ctxSize {
			return fmt.Errorf("input of %d bytes: the program needs at least %d", len(data), p.ctxSize)
		}
		if c.ctx, err = ctxBlock(c.ctx, len(data)); err != nil {
			return err
		}
		in.ctx, in.ctxLen = c.ctx.Addr(), len(data)
		in.data, in.dataLen = in.ctx, len(data)
	default:
		if ctx == nil {
			ctx = data
		}
		n := max(len(ctx), p.ctxSize)
		if c.ctx, err = ctxBlock(c.ctx, n); err != nil {
			return err
		}
		in.ctx, in.ctxLen = c.ctx.Addr(), n
	}
	return nil
}

// reset writes the input for one run.
func (c *cpu) reset(p *Program, data, ctx []byte, in *input) error {
	switch p.info.Type {
	case progtype.XDP:
		pkt := engine.Bytes(in.data, uint64(in.dataLen))
		copy(pkt, data)
		md := engine.Bytes(in.ctx, uint64(in.ctxLen))
		clear(md)
		copy(md, ctx)
		le := binary.LittleEndian
		le.PutUint32(md[progtype.XDPMdData:], uint32(in.data))
		le.PutUint32(md[progtype.XDPMdDataEnd:], uint32(in.data)+uint32(in.dataLen))
		le.PutUint32(md[progtype.XDPMdDataMeta:], uint32(in.data))
		// The kernel's test run receives the packet on the loopback
		// device unless the context names another.
		if le.Uint32(md[progtype.XDPMdIngressIfindex:]) == 0 {
			le.PutUint32(md[progtype.XDPMdIngressIfindex:], 1)
		}
	case progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		pkt := engine.Bytes(in.data, uint64(in.dataLen))
		copy(pkt, data)
		skb := engine.Bytes(in.ctx, uint64(in.ctxLen))
		clear(skb)
		copy(skb, ctx)
		fillSkb(skb, pkt, in.data, p.info.Type, ctx != nil)
	case progtype.Raw:
		copy(engine.Bytes(in.ctx, uint64(in.ctxLen)), data)
		if data == nil {
			copy(engine.Bytes(in.ctx, uint64(in.ctxLen)), ctx)
		}
	default:
		if ctx == nil {
			ctx = data
		}
		b := engine.Bytes(in.ctx, uint64(in.ctxLen))
		clear(b)
		copy(b, ctx)
	}
	return nil
}

// fillSkb sets the fields of a __sk_buff that the runtime knows from the
// packet, as the kernel's test run does: the packet is received on the
// loopback device, and a socket filter sees it from the network header
// on. As there, wire_len is the packet's length only when the run has a
// context (withCtx); without one it stays 0.
func fillSkb(skb, pkt []byte, addr uint64, t progtype.Type, withCtx bool) {
	le := binary.LittleEndian
	start := uint32(addr)
	length := uint32(len(pkt))
	if t == progtype.SocketFilter {
		start += ethHeaderLen
		length -= ethHeaderLen
	}
	le.PutUint32(skb[progtype.SkBuffLen:], length)
	// protocol holds h_proto in network byte order.
	le.PutUint32(skb[progtype.SkBuffProtocol:], uint32(le.Uint16(pkt[12:14])))
	le.PutUint32(skb[progtype.SkBuffPktType:], pktType(pkt[0:6]))
	if le.Uint32(skb[progtype.SkBuffIfindex:]) == 0 {
		le.PutUint32(skb[progtype.SkBuffIfindex:], 1)
	}
	if le.Uint32(skb[progtype.SkBuffIngressIfindex:]) == 0 {
		le.PutUint32(skb[progtype.SkBuffIngressIfindex:], 1)
	}
	if withCtx && le.Uint32(skb[progtype.SkBuffWireLen:]) == 0 {
		le.PutUint32(skb[progtype.SkBuffWireLen:], uint32(len(pkt)))
	}
	if t != progtype.SocketFilter {
		le.PutUint32(skb[progtype.SkBuffData:], start)
		le.PutUint32(skb[progtype.SkBuffDataEnd:], start+length)
		le.PutUint32(skb[progtype.SkBuffDataMeta:], start)
	}
}

// setPacket sets what the legacy packet loads of a socket filter or tc
// program of type t read, on a run of in: the whole frame, with skb->data
// where fillSkb puts it (a socket filter's at the network header, as the
// kernel's test run does, tc's at the Ethernet header); no packet for
// other types.
func setPacket(pk *engine.Packet, in *input, t progtype.Type) {
	switch t {
	case progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		addr := in.data
		*pk = engine.Packet{Start: addr, End: addr + uint64(in.dataLen), Data: addr, MAC: addr, Net: addr + ethHeaderLen}
		if t == progtype.SocketFilter {
			pk.Data = pk.Net
		}
	default:
		*pk = engine.Packet{}
	}
}

// pktType is PACKET_HOST, PACKET_BROADCAST or PACKET_MULTICAST for a
// destination MAC address.
func pktType(dst []byte) uint32 {
	switch {
	case dst[0]&dst[1]&dst[2]&dst[3]&dst[4]&dst[5] == 0xff:
		return 1
	case dst[0]&1 != 0:
		return 2
	}
	return 0
}

// bind fixes the registers and regions of a run on in.
func (in *input) bind(p *Program) {
	in.r1 = in.ctx
	in.nregions = 0
	add := func(r engine.Region) {
		in.regions[in.nregions] = r
		in.nregions++
	}
	switch p.info.Type {
	case progtype.XDP, progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		add(engine.Region{Start: in.data, End: in.data + uint64(in.dataLen), Writable: p.info.Type != progtype.SocketFilter})
		add(engine.Region{Start: in.ctx, End: in.ctx + uint64(in.ctxLen), Writable: p.info.Type != progtype.XDP})
	case progtype.Raw:
		in.r2 = uint64(in.ctxLen)
		add(engine.Region{Start: in.ctx, End: in.ctx + uint64(in.ctxLen), Writable: true})
	default:
		add(engine.Region{Start: in.ctx, End: in.ctx + uint64(in.ctxLen), Writable: p.info.CtxWritable})
	}
}

// output copies the packet and context after a run into opts's buffers.
func (c *cpu) output(p *Program, opts *RunOptions, in *input) {
	if opts.DataOut != nil && in.dataLen > 0 {
		start, end := in.data, in.data+uint64(in.dataLen)
		if p.info.Type == progtype.XDP {
			md := engine.Bytes(in.ctx, uint64(in.ctxLen))
			s := uint64(binary.LittleEndian.Uint32(md[progtype.XDPMdData:]))
			e := uint64(binary.LittleEndian.Uint32(md[progtype.XDPMdDataEnd:]))
			if s >= c.packet.Addr() && s <= e && e <= c.packet.Addr()+uint64(c.packet.Len()) {
				start, end = s, e
			}
		}
		opts.DataOut = append(opts.DataOut[:0], engine.Bytes(start, end-start)...)
	}
	if opts.ContextOut != nil {
		opts.ContextOut = append(opts.ContextOut[:0], engine.Bytes(in.ctx, uint64(in.ctxLen))...)
	}
}
