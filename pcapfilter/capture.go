package pcapfilter

import (
	"bufio"
	"bytes"
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
	pr, err := pcapgo.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("reading pcap: %w", err)
	}
	return &CaptureReader{
		linkType: toLinkType(fileLinkType(int(pr.LinkType()))),
		snaplen:  pr.Snaplen(),
		src:      pr,
	}, nil
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
