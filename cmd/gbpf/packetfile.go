package main

import (
	"io"
	"os"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/gbpf/gbpf/pcapfilter"
)

// packetFile is a pcap or pcapng file that packets are written to (the -w
// of gbpf filter and gbpf capture).
type packetFile struct {
	w interface {
		WritePacket(ci gopacket.CaptureInfo, data []byte) error
	}
	close func() error
}

// createPacketFile creates name, a pcapng file if the name ends in
// ".pcapng" and a pcap file otherwise, for packets of link type lt; the
// name "-" writes a pcap stream to stdout.
func createPacketFile(name string, stdout io.Writer, lt pcapfilter.LinkType, snaplen uint32) (*packetFile, error) {
	var file io.WriteCloser
	if name == "-" {
		file = nopCloser{stdout}
	} else {
		f, err := os.Create(name)
		if err != nil {
			return nil, err
		}
		file = f
	}
	llt := layers.LinkType(lt.DLT())
	if lt == pcapfilter.LinkTypeRaw {
		llt = layers.LinkTypeRaw
	}
	if strings.HasSuffix(name, ".pcapng") {
		w, err := pcapgo.NewNgWriter(file, llt)
		if err != nil {
			file.Close()
			return nil, err
		}
		return &packetFile{w: w, close: func() error {
			if err := w.Flush(); err != nil {
				file.Close()
				return err
			}
			return file.Close()
		}}, nil
	}
	w := pcapgo.NewWriter(file)
	if snaplen == 0 {
		snaplen = pcapfilter.DefaultSnaplen
	}
	if err := w.WriteFileHeader(snaplen, llt); err != nil {
		file.Close()
		return nil, err
	}
	return &packetFile{w: w, close: file.Close}, nil
}

// write appends p to the file.
func (pf *packetFile) write(p pcapfilter.Packet) error {
	ci := gopacket.CaptureInfo{Timestamp: p.Timestamp, CaptureLength: len(p.Data), Length: p.Length}
	return pf.w.WritePacket(ci, p.Data)
}

// closeInto flushes and closes the file, and stores the error in *err
// unless *err already holds one; callers defer it.
func (pf *packetFile) closeInto(err *error) {
	if cerr := pf.close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// nopCloser is a writer whose Close does nothing (standard output).
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
