package progtype

import (
	"testing"

	"github.com/gbpf/gbpf/helpers"
)

func TestNumbers(t *testing.T) {
	tests := []struct {
		t    Type
		want uint32
	}{
		{SocketFilter, 1}, {Kprobe, 2}, {SchedCLS, 3}, {SchedACT, 4}, {Tracepoint, 5}, {XDP, 6}, {PerfEvent, 7}, {RawTracepoint, 17},
	}
	for _, tt := range tests {
		if uint32(tt.t) != tt.want {
			t.Errorf("%v = %d, want %d", tt.t, tt.t, tt.want)
		}
	}
	if Raw < 1<<16 {
		t.Errorf("Raw = %d lies in Linux's range", Raw)
	}
}

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		want Type
	}{
		{"xdp", XDP}, {"XDP", XDP}, {"socket", SocketFilter}, {"SocketFilter", SocketFilter},
		{"tc", SchedCLS}, {"kprobe", Kprobe}, {"tracepoint", Tracepoint}, {"raw", Raw},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v", tt.in, got, err)
		}
	}
	if _, err := Parse("nonsense"); err == nil {
		t.Error("Parse accepted nonsense")
	}
	if XDP.String() != "XDP" || Type(999).String() != "Type(999)" {
		t.Error("String")
	}
}

func TestLayouts(t *testing.T) {
	for _, typ := range Types() {
		in, ok := Lookup(typ)
		if !ok {
			t.Fatalf("no Info for %v", typ)
		}
		if in.Type != typ {
			t.Errorf("%v: Info.Type = %v", typ, in.Type)
		}
		if len(in.Helpers) == 0 || !in.Allows(helpers.MapLookupElem) {
			t.Errorf("%v: cannot look up maps", typ)
		}
		for i, f := range in.Fields {
			if f.Off < 0 || f.Off+f.Size > in.CtxSize || f.Off%f.Size != 0 {
				t.Errorf("%v: field %s at %d size %d outside the %d-byte context or misaligned", typ, f.Name, f.Off, f.Size, in.CtxSize)
			}
			if f.Kind != Scalar && (f.Narrow || f.Write || f.Size != 4) {
				t.Errorf("%v: pointer field %s must be a read-only u32", typ, f.Name)
			}
			for _, g := range in.Fields[i+1:] {
				if f.Off < g.Off+g.Size && g.Off < f.Off+f.Size {
					t.Errorf("%v: fields %s and %s overlap", typ, f.Name, g.Name)
				}
			}
		}
	}
	xdp, _ := Lookup(XDP)
	if f, ok := xdp.Field(XDPMdDataEnd, 4); !ok || f.Kind != PacketEnd {
		t.Error("xdp_md data_end is not the packet end")
	}
	skb, _ := Lookup(SocketFilter)
	if _, ok := skb.Field(SkBuffData, 4); ok {
		t.Error("socket filters see __sk_buff data")
	}
	if f, ok := skb.Field(SkBuffCB+8, 4); !ok || !f.Write {
		t.Error("socket filters cannot write cb[2]")
	}
	if f, ok := skb.Field(SkBuffLen+2, 1); !ok || f.Name != "len" {
		t.Error("narrow field lookup")
	}
	if skb.Allows(helpers.ProbeRead) {
		t.Error("socket filters may call bpf_probe_read")
	}
	kp, _ := Lookup(Kprobe)
	if kp.CtxSize != 168 {
		t.Errorf("pt_regs is %d bytes", kp.CtxSize)
	}
}
