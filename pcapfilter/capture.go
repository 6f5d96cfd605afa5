package pcapfilter

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Packet is one packet read from a capture file.
type Packet struct {
	Timestamp time.Time
	Data      []byte // the captured bytes
	Length    int    // the packet's length on the wire
}

// CaptureReader reads packets from a pcap or pcapng file.
type CaptureReader struct {
	linkType LinkType
	snaplen  uint32
	src      packetSource
}

// packetSource is what pcapgo's pcap and pcapng readers have in common.
type packetSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// fileLinkType maps a LINKTYPE_ value of a capture file to a DLT value.
func fileLinkType(v int) int {
	switch v {
	case 101: // LINKTYPE_RAW
		return DLTRaw
	case 14: // DLT_RAW on OpenBSD
		return DLTRaw
	}
	return v
}

// NewCaptureReader detects the format (pcap in either byte order and
// time resolution, or pcapng) and returns a reader for its packets.
func NewCaptureReader(r io.Reader) (*CaptureReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("reading capture header: %w", err)
	}
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, fmt.Errorf("reading pcapng: %w", err)
		}
		var snaplen uint32
		if ifc, err := ng.Interface(0); err == nil {
			snaplen = ifc.SnapLength
		}
		return &CaptureReader{
			linkType: toLinkType(fileLinkType(int(ng.LinkType()))),
			snaplen:  snaplen,
			src:      ng,
		}, nil
	}
	pr, err := newPcapReader(br)
	if err != nil {
		return nil, fmt.Errorf("reading pcap: %w", err)
	}
	return &CaptureReader{
		linkType: toLinkType(fileLinkType(pr.linkType)),
		snaplen:  pr.snaplen,
		src:      pr,
	}, nil
}

// maxCaplen is the largest record libpcap accepts in a pcap file.
const maxCaplen = 262144

// pcapReader reads classic pcap files as libpcap does: a record longer
// than the file's snapshot length is cut to it, and a captured length
// above the original length is kept (tcpdump prints such packets).
type pcapReader struct {
	r        io.Reader
	order    binary.ByteOrder
	nano     bool
	snaplen  uint32
	linkType int
	hdr      [16]byte
	buf      []byte
}

func newPcapReader(r io.Reader) (*pcapReader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	p := &pcapReader{r: r}
	switch binary.LittleEndian.Uint32(h[:]) {
	case 0xa1b2c3d4:
		p.order = binary.LittleEndian
	case 0xa1b23c4d:
		p.order, p.nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		p.order = binary.BigEndian
	case 0x4d3cb2a1:
		p.order, p.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("unknown magic number 0x%08x", binary.LittleEndian.Uint32(h[:]))
	}
	p.snaplen = p.order.Uint32(h[16:])
	p.linkType = int(p.order.Uint32(h[20:]) & 0x03ffffff)
	return p, nil
}

// ZeroCopyReadPacketData returns the next record; its data is valid until
// the next call.
func (p *pcapReader) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	var ci gopacket.CaptureInfo
	if _, err := io.ReadFull(p.r, p.hdr[:]); err != nil {
		return nil, ci, err // io.EOF at a record boundary
	}
	sec, frac := p.order.Uint32(p.hdr[0:]), p.order.Uint32(p.hdr[4:])
	caplen, length := p.order.Uint32(p.hdr[8:]), p.order.Uint32(p.hdr[12:])
	if caplen > maxCaplen {
		return nil, ci, fmt.Errorf("record of %d bytes is larger than the maximum %d", caplen, maxCaplen)
	}
	keep := caplen
	if p.snaplen > 0 && keep > p.snaplen {
		keep = p.snaplen
	}
	if cap(p.buf) < int(caplen) {
		p.buf = make([]byte, caplen)
	}
	data := p.buf[:caplen]
	if _, err := io.ReadFull(p.r, data); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, ci, err
	}
	if p.nano {
		ci.Timestamp = time.Unix(int64(sec), int64(frac)).UTC()
	} else {
		ci.Timestamp = time.Unix(int64(sec), int64(frac)*1000).UTC()
	}
	ci.CaptureLength, ci.Length = int(keep), int(length)
	return data[:keep], ci, nil
}

func toLinkType(dlt int) LinkType {
	if dlt == DLTNull {
		return LinkTypeNull
	}
	return LinkType(dlt)
}

// LinkType returns the link layer of the capture's packets.
func (c *CaptureReader) LinkType() LinkType { return c.linkType }

// Snaplen returns the capture's snapshot length (0 if not recorded).
func (c *CaptureReader) Snaplen() uint32 { return c.snaplen }

// Next returns the next packet, or io.EOF after the last one. The
// packet's data is valid until the next call.
func (c *CaptureReader) Next() (Packet, error) {
	data, ci, err := c.src.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Packet{}, fmt.Errorf("truncated capture file: %w", err)
		}
		return Packet{}, err
	}
	return Packet{Timestamp: ci.Timestamp, Data: data, Length: ci.Length}, nil
}
