package bpftool

import (
	"fmt"
	"io"
)

func anon(name string) string {
	if name == "" {
		return "(anon)"
	}
	return name
}

var intEncodings = map[uint8]string{0: "(none)", IntSigned: "SIGNED", IntChar: "CHAR", IntBool: "BOOL"}

func intEncoding(e uint8) string {
	if s, ok := intEncodings[e]; ok {
		return s
	}
	return "UNKN"
}

var linkages = [...]string{"static", "global", "extern"}

func linkage(l uint32) string {
	if int(l) < len(linkages) {
		return linkages[l]
	}
	return "(unknown)"
}

func signedness(t *Type) string {
	if t.KFlag {
		return "SIGNED"
	}
	return "UNSIGNED"
}

// DumpRaw prints types as "bpftool btf dump" does in its raw format:
// the types of roots, or all of b's own types when roots is empty; plain
// text to w when j is nil, or else the JSON object {"types": [...]} to j.
func DumpRaw(w io.Writer, j *JSONWriter, b *BTF, roots []uint32) error {
	ids := roots
	if len(ids) == 0 {
		for id := b.FirstID(); id <= b.LastID() && id != 0; id++ {
			ids = append(ids, id)
		}
	}
	if j != nil {
		j.StartObject()
		j.Name("types")
		j.StartArray()
		for _, id := range ids {
			rawJSON(j, b, id, b.typeOrVoid(id))
		}
		j.EndArray()
		j.EndObject()
		return nil
	}
	var line []byte
	for _, id := range ids {
		line = rawPlain(line[:0], b, id, b.typeOrVoid(id))
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// typeOrVoid returns the type with id, or the void type's empty record.
func (b *BTF) typeOrVoid(id uint32) *Type {
	if t := b.TypeByID(id); t != nil {
		return t
	}
	return &Type{}
}

func rawPlain(out []byte, b *BTF, id uint32, t *Type) []byte {
	out = fmt.Appendf(out, "[%d] %s '%s'", id, t.Kind, anon(t.Name))
	switch t.Kind {
	case KindInt:
		out = fmt.Appendf(out, " size=%d bits_offset=%d nr_bits=%d encoding=%s", t.SizeType, t.IntOffset, t.IntBits, intEncoding(t.IntEncoding))
	case KindPtr, KindConst, KindVolatile, KindRestrict, KindTypedef, KindTypeTag:
		out = fmt.Appendf(out, " type_id=%d", t.SizeType)
	case KindArray:
		out = fmt.Appendf(out, " type_id=%d index_type_id=%d nr_elems=%d", t.Elem, t.Index, t.Nelems)
	case KindStruct, KindUnion:
		out = fmt.Appendf(out, " size=%d vlen=%d", t.SizeType, t.Vlen)
		for _, m := range t.Members {
			off, size := t.memberBits(m)
			out = fmt.Appendf(out, "\n\t'%s' type_id=%d bits_offset=%d", anon(m.Name), m.Type, off)
			if size != 0 {
				out = fmt.Appendf(out, " bitfield_size=%d", size)
			}
		}
	case KindEnum, KindEnum64:
		out = fmt.Appendf(out, " encoding=%s size=%d vlen=%d", signedness(t), t.SizeType, t.Vlen)
		for _, m := range t.Members {
			switch {
			case t.Kind == KindEnum && t.KFlag:
				out = fmt.Appendf(out, "\n\t'%s' val=%d", anon(m.Name), int32(m.Value))
			case t.Kind == KindEnum:
				out = fmt.Appendf(out, "\n\t'%s' val=%d", anon(m.Name), uint32(m.Value))
			case t.KFlag:
				out = fmt.Appendf(out, "\n\t'%s' val=%dLL", anon(m.Name), int64(m.Value))
			default:
				out = fmt.Appendf(out, "\n\t'%s' val=%dULL", anon(m.Name), m.Value)
			}
		}
	case KindFwd:
		kind := "struct"
		if t.KFlag {
			kind = "union"
		}
		out = fmt.Appendf(out, " fwd_kind=%s", kind)
	case KindFunc:
		out = fmt.Appendf(out, " type_id=%d linkage=%s", t.SizeType, linkage(uint32(t.Vlen)))
	case KindFuncProto:
		out = fmt.Appendf(out, " ret_type_id=%d vlen=%d", t.SizeType, t.Vlen)
		for _, m := range t.Members {
			out = fmt.Appendf(out, "\n\t'%s' type_id=%d", anon(m.Name), m.Type)
		}
	case KindVar:
		out = fmt.Appendf(out, " type_id=%d, linkage=%s", t.SizeType, linkage(t.Linkage))
	case KindDatasec:
		out = fmt.Appendf(out, " size=%d vlen=%d", t.SizeType, t.Vlen)
		for _, m := range t.Members {
			out = fmt.Appendf(out, "\n\ttype_id=%d offset=%d size=%d", m.Type, m.Offset, m.Size)
			if vt := b.TypeByID(m.Type); vt != nil {
				out = fmt.Appendf(out, " (%s '%s')", vt.Kind, anon(vt.Name))
			}
		}
	case KindFloat:
		out = fmt.Appendf(out, " size=%d", t.SizeType)
	case KindDeclTag:
		out = fmt.Appendf(out, " type_id=%d component_idx=%d", t.SizeType, t.Component)
	}
	return append(out, '\n')
}

func rawJSON(j *JSONWriter, b *BTF, id uint32, t *Type) {
	j.StartObject()
	j.UintField("id", uint64(id))
	j.StringField("kind", t.Kind.String())
	j.StringField("name", anon(t.Name))
	switch t.Kind {
	case KindInt:
		j.UintField("size", uint64(t.SizeType))
		j.UintField("bits_offset", uint64(t.IntOffset))
		j.UintField("nr_bits", uint64(t.IntBits))
		j.StringField("encoding", intEncoding(t.IntEncoding))
	case KindPtr, KindConst, KindVolatile, KindRestrict, KindTypedef, KindTypeTag:
		j.UintField("type_id", uint64(t.SizeType))
	case KindArray:
		j.UintField("type_id", uint64(t.Elem))
		j.UintField("index_type_id", uint64(t.Index))
		j.UintField("nr_elems", uint64(t.Nelems))
	case KindStruct, KindUnion:
		j.UintField("size", uint64(t.SizeType))
		j.UintField("vlen", uint64(t.Vlen))
		j.Name("members")
		j.StartArray()
		for _, m := range t.Members {
			off, size := t.memberBits(m)
			j.StartObject()
			j.StringField("name", anon(m.Name))
			j.UintField("type_id", uint64(m.Type))
			j.UintField("bits_offset", uint64(off))
			if size != 0 {
				j.UintField("bitfield_size", uint64(size))
			}
			j.EndObject()
		}
		j.EndArray()
	case KindEnum, KindEnum64:
		j.StringField("encoding", signedness(t))
		j.UintField("size", uint64(t.SizeType))
		j.UintField("vlen", uint64(t.Vlen))
		j.Name("values")
		j.StartArray()
		for _, m := range t.Members {
			j.StartObject()
			j.StringField("name", anon(m.Name))
			switch {
			case t.Kind == KindEnum && t.KFlag:
				j.IntField("val", int64(int32(m.Value)))
			case t.Kind == KindEnum:
				// bpftool widens the stored s32 with its sign.
				j.UintField("val", uint64(int64(int32(m.Value))))
			case t.KFlag:
				j.IntField("val", int64(m.Value))
			default:
				j.UintField("val", m.Value)
			}
			j.EndObject()
		}
		j.EndArray()
	case KindFwd:
		kind := "struct"
		if t.KFlag {
			kind = "union"
		}
		j.StringField("fwd_kind", kind)
	case KindFunc:
		j.UintField("type_id", uint64(t.SizeType))
		j.StringField("linkage", linkage(uint32(t.Vlen)))
	case KindFuncProto:
		j.UintField("ret_type_id", uint64(t.SizeType))
		j.UintField("vlen", uint64(t.Vlen))
		j.Name("params")
		j.StartArray()
		for _, m := range t.Members {
			j.StartObject()
			j.StringField("name", anon(m.Name))
			j.UintField("type_id", uint64(m.Type))
			j.EndObject()
		}
		j.EndArray()
	case KindVar:
		j.UintField("type_id", uint64(t.SizeType))
		j.StringField("linkage", linkage(t.Linkage))
	case KindDatasec:
		j.UintField("size", uint64(t.SizeType))
		j.UintField("vlen", uint64(t.Vlen))
		j.Name("vars")
		j.StartArray()
		for _, m := range t.Members {
			j.StartObject()
			j.UintField("type_id", uint64(m.Type))
			j.UintField("offset", uint64(m.Offset))
			j.UintField("size", uint64(m.Size))
			j.EndObject()
		}
		j.EndArray()
	case KindFloat:
		j.UintField("size", uint64(t.SizeType))
	case KindDeclTag:
		j.UintField("type_id", uint64(t.SizeType))
		j.IntField("component_idx", int64(t.Component))
	}
	j.EndObject()
}

// Signature returns the C declaration of type id as bpftool prints a
// function's prototype above its instructions ("int f(struct xdp_md *
// ctx)"), or "" when the type cannot be named.
func Signature(b *BTF, id uint32) string {
	out, ok := typeOnly(b, id, nil, 0)
	if len(out) > 4096 {
		return ""
	}
	if !ok {
		return ""
	}
	return string(out)
}

func typeOnly(b *BTF, id uint32, out []byte, depth int) ([]byte, bool) {
	if id == 0 {
		return append(out, "void "...), true
	}
	t := b.TypeByID(id)
	if t == nil || depth > 32 || len(out) > 4096 {
		return out, false
	}
	ok := true
	switch t.Kind {
	case KindInt, KindTypedef, KindFloat:
		out = fmt.Appendf(out, "%s ", t.Name)
	case KindStruct:
		out = fmt.Appendf(out, "struct %s ", t.Name)
	case KindUnion:
		out = fmt.Appendf(out, "union %s ", t.Name)
	case KindEnum, KindEnum64:
		out = fmt.Appendf(out, "enum %s ", t.Name)
	case KindArray:
		out, ok = typeOnly(b, t.Elem, out, depth+1)
		out = fmt.Appendf(out, "[%d]", t.Nelems)
	case KindPtr:
		out, ok = typeOnly(b, t.SizeType, out, depth+1)
		out = append(out, "* "...)
	case KindFwd:
		kind := "struct"
		if t.KFlag {
			kind = "union"
		}
		out = fmt.Appendf(out, "%s %s ", kind, t.Name)
	case KindVolatile, KindConst, KindRestrict:
		out = append(out, map[Kind]string{KindVolatile: "volatile ", KindConst: "const ", KindRestrict: "restrict "}[t.Kind]...)
		out, ok = typeOnly(b, t.SizeType, out, depth+1)
	case KindFuncProto:
		out, ok = funcSig(b, t, "", out, depth)
	case KindFunc:
		proto := b.TypeByID(t.SizeType)
		if proto == nil || proto.Kind != KindFuncProto {
			return out, false
		}
		out, ok = funcSig(b, proto, t.Name+"(", out, depth)
	case KindVar:
		if t.Linkage == 0 {
			out = append(out, "static "...)
		}
		out, ok = typeOnly(b, t.SizeType, out, depth+1)
		out = fmt.Appendf(out, " %s", t.Name)
	case KindDatasec:
		out = fmt.Appendf(out, "section (\"%s\") ", t.Name)
	default:
		return out, false
	}
	return out, ok
}

func funcSig(b *BTF, proto *Type, open string, out []byte, depth int) ([]byte, bool) {
	out, ok := typeOnly(b, proto.SizeType, out, depth+1)
	if !ok {
		return out, false
	}
	if open == "" {
		open = "("
	}
	out = append(out, open...)
	for i, m := range proto.Members {
		if i > 0 {
			out = append(out, ", "...)
		}
		if m.Type == 0 {
			out = append(out, "..."...)
			continue
		}
		if out, ok = typeOnly(b, m.Type, out, depth+1); !ok {
			return out, false
		}
		if m.Name != "" {
			out = append(out, m.Name...)
		} else if len(out) > 0 && out[len(out)-1] == ' ' {
			out = out[:len(out)-1]
		}
	}
	return append(out, ')'), true
}

// DumpC prints types as C declarations, as "bpftool btf dump ... format
// c" does: every named type of b (or the types roots need), each after
// the types it depends on, between bpftool's vmlinux.h guards.
func DumpC(w io.Writer, b *BTF, roots []uint32) error {
	d := newCDumper(b)
	ids := roots
	if len(ids) == 0 {
		for id := uint32(1); id <= b.LastID() && id != 0; id++ {
			ids = append(ids, id)
		}
	}
	d.printf("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n")
	d.printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n")
	for _, id := range ids {
		d.dumpType(id)
	}
	d.printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n")
	_, err := w.Write(d.out)
	return err
}
