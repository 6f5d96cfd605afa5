package gbpf

import (
	"encoding/binary"
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

// maxPacket bounds the packets and inputs a run accepts.
const maxPacket = 1 << 24

// input is a run's context and packet, materialised in a CPU's memory.
type input struct {
	r1, r2   uint64
	regions  [2]engine.Region
	nregions int
	// data is where the packet (or Raw input) lies, ctx the context.
	data, ctx       uint64
	dataLen, ctxLen int
}

// prepare checks the input for p and makes room for it in c's memory.
func (c *cpu) prepare(p *Program, data, ctx []byte) (input, error) {
	var in input
	var err error
	if len(data) > maxPacket || len(ctx) > maxPacket {
		return in, fmt.Errorf("input of %d bytes is too large", max(len(data), len(ctx)))
	}
	switch p.info.Type {
	case progtype.XDP, progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		if len(data) < ethHeaderLen {
			return in, fmt.Errorf("packet of %d bytes: want at least an Ethernet header (%d bytes)", len(data), ethHeaderLen)
		}
		if len(ctx) > p.info.CtxSize {
			return in, fmt.Errorf("context of %d bytes: %v takes at most %d", len(ctx), p.info.Type, p.info.CtxSize)
		}
		if c.packet, err = lowBlock(c.packet, XDPHeadroom+len(data)); err != nil {
			return in, err
		}
		if c.ctx, err = lowBlock(c.ctx, p.info.CtxSize); err != nil {
			return in, err
		}
		in.data, in.dataLen = c.packet.Addr()+XDPHeadroom, len(data)
		in.ctx, in.ctxLen = c.ctx.Addr(), p.info.CtxSize
	case progtype.Raw:
		if ctx != nil && data != nil {
			return in, fmt.Errorf("%v programs take Data or Context, not both", p.info.Type)
		}
		if data == nil {
			data = ctx
		}
		if len(data) < p.ctxSize {
			return in, fmt.Errorf("input of %d bytes: the program needs at least %d", len(data), p.ctxSize)
		}
		if c.ctx, err = lowBlock(c.ctx, len(data)); err != nil {
			return in, err
		}
		in.ctx, in.ctxLen = c.ctx.Addr(), len(data)
		in.data, in.dataLen = in.ctx, len(data)
	default:
		if ctx == nil {
			ctx = data
		}
		n := max(len(ctx), p.ctxSize)
		if c.ctx, err = lowBlock(c.ctx, n); err != nil {
			return in, err
		}
		in.ctx, in.ctxLen = c.ctx.Addr(), n
	}
	return in, nil
}

// reset writes the input for one run.
func (c *cpu) reset(p *Program, data, ctx []byte, in input) error {
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
	case progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
		pkt := engine.Bytes(in.data, uint64(in.dataLen))
		copy(pkt, data)
		skb := engine.Bytes(in.ctx, uint64(in.ctxLen))
		clear(skb)
		copy(skb, ctx)
		fillSkb(skb, pkt, in.data, p.info.Type)
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
// on.
func fillSkb(skb, pkt []byte, addr uint64, t progtype.Type) {
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
	if le.Uint32(skb[progtype.SkBuffWireLen:]) == 0 {
		le.PutUint32(skb[progtype.SkBuffWireLen:], uint32(len(pkt)))
	}
	if t != progtype.SocketFilter {
		le.PutUint32(skb[progtype.SkBuffData:], start)
		le.PutUint32(skb[progtype.SkBuffDataEnd:], start+length)
		le.PutUint32(skb[progtype.SkBuffDataMeta:], start)
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
func (c *cpu) output(p *Program, opts *RunOptions, in input) {
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
