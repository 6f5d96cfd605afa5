package cbpf

// Metadata is the packet metadata that Linux ancillary loads read (the
// fields of struct sk_buff the SKF_AD_* offsets expose). The caller fills
// it; a nil *Metadata reads as all zeros.
type Metadata struct {
	Protocol    uint16 // EtherType of the packet, host order (SKF_AD_PROTOCOL)
	PktType     uint32 // PACKET_HOST, PACKET_BROADCAST, ... (SKF_AD_PKTTYPE)
	Ifindex     uint32 // receiving interface index (SKF_AD_IFINDEX)
	Mark        uint32 // skb mark (SKF_AD_MARK)
	Queue       uint32 // queue mapping (SKF_AD_QUEUE)
	Hatype      uint32 // ARPHRD_* type of the device (SKF_AD_HATYPE)
	RXHash      uint32 // receive hash (SKF_AD_RXHASH)
	CPU         uint32 // CPU the filter runs on (SKF_AD_CPU)
	VLANTCI     uint16 // VLAN tag control information (SKF_AD_VLAN_TAG)
	VLANPresent bool   // whether a VLAN tag was stripped (SKF_AD_VLAN_TAG_PRESENT)
	VLANTPID    uint16 // VLAN protocol, host order (SKF_AD_VLAN_TPID)
	PayOffset   uint32 // offset of the transport payload (SKF_AD_PAY_OFFSET)
	NetOffset   uint32 // offset of the network header in the packet, for NetOff loads
	// Random, if set, supplies SKF_AD_RANDOM values; otherwise the VM uses
	// math/rand/v2.
	Random func() uint32
}
