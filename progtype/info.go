package progtype

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers/helperid"
)

// FieldKind is what the value of a context field is, as the verifier types
// a load of it.
type FieldKind uint8

// Field kinds.
const (
	// Scalar: a number.
	Scalar FieldKind = iota
	// PacketData: the address of the first byte of the packet
	// (PTR_TO_PACKET).
	PacketData
	// PacketEnd: the address one past the last byte of the packet
	// (PTR_TO_PACKET_END).
	PacketEnd
	// PacketMeta: the address of the packet's metadata, which ends where
	// the packet data begins (PTR_TO_PACKET_META).
	PacketMeta
)

// String returns the kind's short name: "scalar", "pkt", "pkt_end" or
// "pkt_meta".
func (k FieldKind) String() string {
	switch k {
	case Scalar:
		return "scalar"
	case PacketData:
		return "pkt"
	case PacketEnd:
		return "pkt_end"
	case PacketMeta:
		return "pkt_meta"
	}
	return fmt.Sprintf("FieldKind(%d)", uint8(k))
}

// Field is one field of a context structure.
type Field struct {
	Name string
	Off  int // byte offset in the context
	Size int // bytes
	// Read and Write tell whether a program may load and store it.
	Read, Write bool
	// Narrow allows loads narrower than Size at any naturally aligned
	// offset inside the field (the kernel's narrow context loads).
	// Pointer fields never allow it.
	Narrow bool
	Kind   FieldKind
}

// Info describes one program type.
type Info struct {
	Type Type
	// CtxSize is the size of the context in bytes. For types with
	// VarCtx it is the default when the program is loaded without one.
	CtxSize int
	// VarCtx: the context is a record whose size is given at load time
	// (tracepoint records, Raw input); any aligned read of 1, 2, 4 or 8
	// bytes within it is allowed and yields a scalar.
	VarCtx bool
	// CtxWritable allows stores into a VarCtx context (Raw).
	CtxWritable bool
	// Fields lists the fields of a fixed context; bytes outside every
	// field are not accessible.
	Fields []Field
	// CtxInR2 is set when R2 holds the context's length on entry (Raw):
	// the verifier types R2 as a scalar of at least CtxSize.
	CtxInR2 bool
	// Helpers lists the helpers a program of this type may call.
	Helpers []helperid.ID
	// RetMin and RetMax are the values the program's return value
	// means something for; RetChecked says whether the verifier rejects
	// a program that may return anything else (as Linux does for some
	// types, though not for XDP or socket filters).
	RetMin, RetMax int64
	RetChecked     bool
	// Runtime describes what the runtime puts in the context.
	Runtime string
}

// Field returns the field containing bytes [off, off+size), if any.
func (in *Info) Field(off, size int) (*Field, bool) {
	for i := range in.Fields {
		f := &in.Fields[i]
		if off >= f.Off && off+size <= f.Off+f.Size {
			return f, true
		}
	}
	return nil, false
}

// Allows reports whether a program of this type may call helper id.
func (in *Info) Allows(id helperid.ID) bool {
	for _, h := range in.Helpers {
		if h == id {
			return true
		}
	}
	return false
}

// Lookup returns the Info of t, or false if gbpf does not run programs of
// that type.
func Lookup(t Type) (*Info, bool) {
	in, ok := infos[t]
	return in, ok
}

// Types returns the program types gbpf runs.
func Types() []Type {
	return []Type{SocketFilter, Kprobe, SchedCLS, Tracepoint, XDP, Raw}
}
