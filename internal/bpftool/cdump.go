package bpftool

import (
	"fmt"
	"strings"
)

// cDumper writes BTF types as C, following the order and layout rules of
// libbpf's btf_dump (the C output of bpftool btf dump ... format c):
// each named type after the types it needs by value, forward
// declarations where pointers close a cycle, anonymous types inline,
// explicit padding fields where members leave gaps.
type cDumper struct {
	b     *BTF
	out   []byte
	state map[uint32]*cState
	// Names seen, for the ___N suffixes of duplicates: one table for
	// struct, union and enum tags, one for typedefs and enumerators.
	typeNames, identNames map[string]int
	// inline holds the anonymous types being written inside others, and
	// budget bounds the output, against cyclic or pathological BTF.
	inline   map[uint32]bool
	aligning map[uint32]bool
	ordering map[uint32]bool
	budget   int
}

type cState struct {
	ordered, ordering bool
	emitted, emitting bool
	fwdEmitted        bool
	referenced        bool
	nameResolved      bool
	name              string
}

func newCDumper(b *BTF) *cDumper {
	d := &cDumper{b: b, state: map[uint32]*cState{}, typeNames: map[string]int{}, identNames: map[string]int{},
		inline: map[uint32]bool{}, aligning: map[uint32]bool{}, ordering: map[uint32]bool{}, budget: 1 << 26}
	void := d.st(0)
	void.ordered, void.emitted = true, true
	// Mark the types other types refer to: an anonymous enum nothing
	// refers to is a top-level declaration of constants.
	for id := uint32(1); id <= b.LastID() && id != 0; id++ {
		t := b.TypeByID(id)
		switch t.Kind {
		case KindVolatile, KindConst, KindRestrict, KindPtr, KindTypedef, KindFunc, KindVar, KindDeclTag, KindTypeTag:
			d.st(t.SizeType).referenced = true
		case KindArray:
			d.st(t.Index).referenced = true
			d.st(t.Elem).referenced = true
		case KindStruct, KindUnion, KindFuncProto, KindDatasec:
			for _, m := range t.Members {
				d.st(m.Type).referenced = true
			}
		}
	}
	return d
}

func (d *cDumper) st(id uint32) *cState {
	s := d.state[id]
	if s == nil {
		s = &cState{}
		d.state[id] = s
	}
	return s
}

func (d *cDumper) printf(format string, args ...any) {
	if len(d.out) < d.budget {
		d.out = fmt.Appendf(d.out, format, args...)
	}
}

func (d *cDumper) t(id uint32) *Type { return d.b.typeOrVoid(id) }

func pfx(lvl int) string {
	if lvl > 13 {
		lvl = 13
	}
	return strings.Repeat("\t", lvl)
}

// dumpType emits id and, before it, what it depends on.
func (d *cDumper) dumpType(id uint32) {
	var queue []uint32
	if _, err := d.order(id, false, &queue, 0); err != nil {
		return
	}
	for _, q := range queue {
		d.emit(q, 0)
	}
}

func (d *cDumper) order(id uint32, throughPtr bool, queue *[]uint32, depth int) (bool, error) {
	s := d.st(id)
	if s.ordered {
		return true, nil
	}
	if depth > 256 {
		return false, fmt.Errorf("btf: type %d nests too deeply", id)
	}
	t := d.t(id)
	if t.Kind == KindFuncProto {
		// A prototype among its own parameters' types (possible only
		// in corrupt BTF) would multiply the work at each level.
		if d.ordering[id] {
			return false, fmt.Errorf("btf: type cycle at %d", id)
		}
		d.ordering[id] = true
		defer delete(d.ordering, id)
	}
	if s.ordering {
		if (t.Kind == KindStruct || t.Kind == KindUnion) && throughPtr && t.Name != "" {
			return false, nil
		}
		return false, fmt.Errorf("btf: unsatisfiable type cycle at %d", id)
	}
	switch t.Kind {
	case KindInt, KindFloat:
		s.ordered = true
		return false, nil
	case KindPtr:
		strong, err := d.order(t.SizeType, true, queue, depth+1)
		s.ordered = true
		return strong, err
	case KindArray:
		return d.order(t.Elem, false, queue, depth+1)
	case KindStruct, KindUnion:
		if throughPtr && t.Name != "" {
			return false, nil
		}
		s.ordering = true
		for _, m := range t.Members {
			if _, err := d.order(m.Type, false, queue, depth+1); err != nil {
				return false, err
			}
		}
		if t.Name != "" {
			*queue = append(*queue, id)
		}
		s.ordering, s.ordered = false, true
		return true, nil
	case KindEnum, KindEnum64, KindFwd:
		if t.Name != "" || !s.referenced {
			*queue = append(*queue, id)
		}
		s.ordered = true
		return true, nil
	case KindTypedef:
		strong, err := d.order(t.SizeType, throughPtr, queue, depth+1)
		if err != nil {
			return false, err
		}
		if throughPtr && !strong {
			return false, nil
		}
		*queue = append(*queue, id)
		s.ordered = true
		return true, nil
	case KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return d.order(t.SizeType, throughPtr, queue, depth+1)
	case KindFuncProto:
		strong, err := d.order(t.SizeType, throughPtr, queue, depth+1)
		if err != nil {
			return false, err
		}
		for _, m := range t.Members {
			st, err := d.order(m.Type, throughPtr, queue, depth+1)
			if err != nil {
				return false, err
			}
			strong = strong || st
		}
		return strong, nil
	case KindFunc, KindVar, KindDatasec, KindDeclTag:
		s.ordered = true
		return false, nil
	}
	return false, fmt.Errorf("btf: type %d: unexpected kind %s", id, t.Kind)
}

func (d *cDumper) emit(id, cont uint32) {
	s := d.st(id)
	if s.emitted {
		return
	}
	t := d.t(id)
	top := cont == 0
	if s.emitting {
		if s.fwdEmitted {
			return
		}
		switch t.Kind {
		case KindStruct, KindUnion:
			if id == cont || t.Name == "" {
				return
			}
			d.structFwd(id, t)
			d.printf(";\n\n")
			s.fwdEmitted = true
		case KindTypedef:
			if t.Name != "__builtin_va_list" {
				d.typedefDef(id, t, 0)
				d.printf(";\n\n")
			}
			s.fwdEmitted = true
		}
		return
	}
	switch t.Kind {
	case KindInt:
		for _, a := range [][2]string{{"__Poly8_t", "unsigned char"}, {"__Poly16_t", "unsigned short"}, {"__Poly64_t", "unsigned long long"}, {"__Poly128_t", "unsigned __int128"}} {
			if d.typeName(id) == a[0] {
				d.printf("typedef %s %s;\n\n", a[1], a[0])
				break
			}
		}
		s.emitted = true
	case KindEnum, KindEnum64:
		if top {
			d.enumDef(id, t, 0)
			d.printf(";\n\n")
		}
		s.emitted = true
	case KindPtr, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		d.emit(t.SizeType, cont)
	case KindArray:
		d.emit(t.Elem, cont)
	case KindFwd:
		d.fwdDef(id, t)
		d.printf(";\n\n")
		s.emitted = true
	case KindTypedef:
		s.emitting = true
		d.emit(t.SizeType, id)
		if !s.fwdEmitted && t.Name != "__builtin_va_list" {
			d.typedefDef(id, t, 0)
			d.printf(";\n\n")
		}
		s.emitting, s.emitted = false, true
	case KindStruct, KindUnion:
		s.emitting = true
		if top || t.Name == "" {
			next := id
			if t.Name == "" {
				next = cont
			}
			for _, m := range t.Members {
				d.emit(m.Type, next)
			}
		} else if !s.fwdEmitted && id != cont {
			d.structFwd(id, t)
			d.printf(";\n\n")
			s.fwdEmitted = true
		}
		s.emitting = false
		if top {
			d.structDef(id, t, 0)
			d.printf(";\n\n")
			s.emitted = true
		}
	case KindFuncProto:
		d.emit(t.SizeType, cont)
		for _, m := range t.Members {
			d.emit(m.Type, cont)
		}
	}
}

// resolveName returns the C name of id, with ___N for the Nth type of a
// name in its table.
func (d *cDumper) resolveName(id uint32, table map[string]int) string {
	t := d.t(id)
	if t.Name == "" {
		return ""
	}
	s := d.st(id)
	if s.nameResolved {
		return s.name
	}
	s.nameResolved, s.name = true, t.Name
	if t.Kind == KindFwd || (t.Kind == KindEnum && t.Vlen == 0) {
		return s.name
	}
	table[t.Name]++
	if n := table[t.Name]; n > 1 {
		s.name = fmt.Sprintf("%s___%d", t.Name, n)
	}
	return s.name
}

func (d *cDumper) typeName(id uint32) string  { return d.resolveName(id, d.typeNames) }
func (d *cDumper) identName(id uint32) string { return d.resolveName(id, d.identNames) }

func (d *cDumper) structFwd(id uint32, t *Type) {
	kw := "struct"
	if t.Kind == KindUnion {
		kw = "union"
	}
	sep := ""
	if t.Name != "" {
		sep = " "
	}
	d.printf("%s%s%s", kw, sep, d.typeName(id))
}

// alignOf is btf__align_of: a type's alignment, 1 for packed records.
func (d *cDumper) alignOf(id uint32, depth int) int {
	t := d.t(id)
	if depth > 64 {
		return 1
	}
	switch t.Kind {
	case KindInt, KindEnum, KindEnum64, KindFloat:
		return min(8, int(t.SizeType))
	case KindPtr:
		return 8
	case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return d.alignOf(t.SizeType, depth+1)
	case KindArray:
		return d.alignOf(t.Elem, depth+1)
	case KindStruct, KindUnion:
		if d.aligning[id] {
			return 1
		}
		d.aligning[id] = true
		defer delete(d.aligning, id)
		maxAlign := 1
		for _, m := range t.Members {
			a := d.alignOf(m.Type, depth+1)
			if a <= 0 {
				return 0
			}
			maxAlign = max(maxAlign, a)
			off, size := t.memberBits(m)
			if size == 0 && off%(8*uint32(a)) != 0 {
				return 1
			}
		}
		if int(t.SizeType)%maxAlign != 0 {
			return 1
		}
		return maxAlign
	}
	return 0
}

func (d *cDumper) isPacked(t *Type) bool {
	maxAlign := 1
	for _, m := range t.Members {
		a := d.alignOf(m.Type, 0)
		off, size := t.memberBits(m)
		if a != 0 && size == 0 && off%(8*uint32(a)) != 0 {
			return true
		}
		maxAlign = max(maxAlign, a)
	}
	return int(t.SizeType)%maxAlign != 0
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

func (d *cDumper) bitPadding(cur, next, nextAlign int, inBitfield bool, lvl int) {
	if cur >= next {
		return
	}
	// A gap no C compiler leaves (corrupt BTF) gets no padding fields.
	if next-cur > 1<<20 {
		return
	}
	nextAlign = max(nextAlign, 1)
	pads := []struct {
		name string
		bits int
	}{{"long", 64}, {"int", 32}, {"short", 16}, {"char", 8}}
	var newOff, padBits int
	var padType string
	for _, p := range pads {
		padBits, padType = p.bits, p.name
		newOff = roundUp(cur, padBits)
		if newOff <= next {
			break
		}
	}
	if newOff > cur && newOff <= next {
		if inBitfield || (newOff == next && roundUp(cur, nextAlign*8) != newOff) || (newOff != next && next-newOff <= newOff-cur) {
			n := 0
			if inBitfield {
				n = newOff - cur
			}
			d.printf("\n%s%s: %d;", pfx(lvl), padType, n)
		}
		cur = newOff
	}
	for cur != next && len(d.out) < d.budget {
		bits := min(next-cur, padBits)
		if bits == padBits {
			d.printf("\n%s%s: %d;", pfx(lvl), padType, padBits)
			cur += bits
			continue
		}
		for i := len(pads) - 1; i >= 0; i-- {
			padType, padBits = pads[i].name, pads[i].bits
			if padBits < bits {
				continue
			}
			d.printf("\n%s%s: %d;", pfx(lvl), padType, bits)
			cur += bits
			break
		}
	}
}

func (d *cDumper) structDef(id uint32, t *Type, lvl int) {
	isStruct := t.Kind == KindStruct
	align := d.alignOf(id, 0)
	packed := isStruct && d.isPacked(t)
	d.structFwd(id, t)
	d.printf(" {")
	off, prevBitfield := 0, false
	for _, m := range t.Members {
		mOff32, mSz32 := t.memberBits(m)
		mOff, mSz := int(mOff32), int(mSz32)
		mAlign := 1
		if !packed {
			mAlign = d.alignOf(m.Type, 0)
		}
		d.bitPadding(off, mOff, mAlign, prevBitfield && mSz != 0, lvl+1)
		d.printf("\n%s", pfx(lvl+1))
		d.typeDecl(m.Type, m.Name, lvl+1, 0)
		if mSz != 0 {
			d.printf(": %d", mSz)
			off = mOff + mSz
			prevBitfield = true
		} else {
			size, err := d.b.ResolveSize(m.Type)
			if err != nil {
				size = 0
			}
			off = mOff + int(size)*8
			prevBitfield = false
		}
		d.printf(";")
	}
	if isStruct {
		d.bitPadding(off, int(t.SizeType)*8, align, false, lvl+1)
	}
	if len(t.Members) > 0 || t.SizeType != 0 {
		d.printf("\n%s}", pfx(lvl))
	} else {
		d.printf("}")
	}
	if packed {
		d.printf(" __attribute__((packed))")
	}
}

func (d *cDumper) enumDef(id uint32, t *Type, lvl int) {
	sep := ""
	if t.Name != "" {
		sep = " "
	}
	d.printf("enum%s%s", sep, d.typeName(id))
	if t.Vlen == 0 {
		return
	}
	d.printf(" {")
	for _, m := range t.Members {
		name := m.Name
		d.identNames[name]++
		if n := d.identNames[name]; n > 1 {
			name = fmt.Sprintf("%s___%d", name, n)
		}
		switch {
		case t.Kind == KindEnum && t.KFlag:
			d.printf("\n%s%s = %d,", pfx(lvl+1), name, int32(m.Value))
		case t.Kind == KindEnum:
			d.printf("\n%s%s = %d,", pfx(lvl+1), name, uint32(m.Value))
		case t.KFlag:
			d.printf("\n%s%s = %dLL,", pfx(lvl+1), name, int64(m.Value))
		default:
			d.printf("\n%s%s = %dULL,", pfx(lvl+1), name, m.Value)
		}
	}
	d.printf("\n%s}", pfx(lvl))
}

func (d *cDumper) fwdDef(id uint32, t *Type) {
	kw := "struct"
	if t.KFlag {
		kw = "union"
	}
	d.printf("%s %s", kw, d.typeName(id))
}

func (d *cDumper) typedefDef(id uint32, t *Type, lvl int) {
	name := d.identName(id)
	if t.SizeType == 0 && name == "__gnuc_va_list" {
		d.printf("typedef __builtin_va_list __gnuc_va_list")
		return
	}
	d.printf("typedef ")
	d.typeDecl(t.SizeType, name, lvl, 0)
}

func isMod(k Kind) bool {
	return k == KindVolatile || k == KindConst || k == KindRestrict || k == KindTypeTag
}

// typeDecl writes the declaration of fname with type id.
func (d *cDumper) typeDecl(id uint32, fname string, lvl, depth int) {
	var stack []uint32
	for n := 0; n < 256; n++ {
		stack = append(stack, id)
		if id == 0 {
			break
		}
		t := d.t(id)
		done := false
		switch t.Kind {
		case KindPtr, KindVolatile, KindConst, KindRestrict, KindFuncProto, KindTypeTag:
			id = t.SizeType
		case KindArray:
			id = t.Elem
		default:
			done = true
		}
		if done {
			break
		}
	}
	d.typeChain(&stack, fname, lvl, depth)
}

func (d *cDumper) emitMods(stack *[]uint32) {
	for len(*stack) > 0 {
		t := d.t((*stack)[len(*stack)-1])
		switch t.Kind {
		case KindVolatile:
			d.printf("volatile ")
		case KindConst:
			d.printf("const ")
		case KindRestrict:
			d.printf("restrict ")
		default:
			return
		}
		*stack = (*stack)[:len(*stack)-1]
	}
}

func (d *cDumper) dropMods(stack *[]uint32) {
	for len(*stack) > 0 && (*stack)[len(*stack)-1] != 0 && isMod(d.t((*stack)[len(*stack)-1]).Kind) {
		*stack = (*stack)[:len(*stack)-1]
	}
}

func (d *cDumper) emitName(name string, lastWasPtr bool) {
	if name != "" && !lastWasPtr {
		d.printf(" ")
	}
	d.printf("%s", name)
}

func (d *cDumper) typeChain(stack *[]uint32, fname string, lvl, depth int) {
	if depth > 64 {
		return
	}
	lastWasPtr := true
	for len(*stack) > 0 {
		id := (*stack)[len(*stack)-1]
		*stack = (*stack)[:len(*stack)-1]
		if id == 0 {
			d.emitMods(stack)
			d.printf("void")
			lastWasPtr = false
			continue
		}
		t := d.t(id)
		switch t.Kind {
		case KindInt, KindFloat:
			d.emitMods(stack)
			d.printf("%s", t.Name)
		case KindStruct, KindUnion:
			d.emitMods(stack)
			if t.Name == "" && !d.inline[id] && len(d.out) < d.budget {
				d.inline[id] = true
				d.structDef(id, t, lvl)
				delete(d.inline, id)
			} else {
				d.structFwd(id, t)
			}
		case KindEnum, KindEnum64:
			d.emitMods(stack)
			if t.Name == "" {
				d.enumDef(id, t, lvl)
			} else {
				d.printf("enum %s", d.typeName(id))
			}
		case KindFwd:
			d.emitMods(stack)
			d.fwdDef(id, t)
		case KindTypedef:
			d.emitMods(stack)
			d.printf("%s", d.identName(id))
		case KindPtr:
			if lastWasPtr {
				d.printf("*")
			} else {
				d.printf(" *")
			}
		case KindVolatile:
			d.printf(" volatile")
		case KindConst:
			d.printf(" const")
		case KindRestrict:
			d.printf(" restrict")
		case KindTypeTag:
			d.emitMods(stack)
			d.printf(" __attribute__((btf_type_tag(\"%s\")))", t.Name)
		case KindArray:
			d.dropMods(stack)
			if len(*stack) == 0 {
				d.emitName(fname, lastWasPtr)
				d.printf("[%d]", t.Nelems)
				return
			}
			multidim := d.t((*stack)[len(*stack)-1]).Kind == KindArray
			if fname != "" && !lastWasPtr {
				d.printf(" ")
			}
			if !multidim {
				d.printf("(")
			}
			d.typeChain(stack, fname, lvl, depth+1)
			if !multidim {
				d.printf(")")
			}
			d.printf("[%d]", t.Nelems)
			return
		case KindFuncProto:
			d.dropMods(stack)
			if len(*stack) > 0 {
				d.printf(" (")
				d.typeChain(stack, fname, lvl, depth+1)
				d.printf(")")
			} else {
				d.emitName(fname, lastWasPtr)
			}
			d.printf("(")
			// No parameters, or clang's lone void one: (void).
			if len(t.Members) == 0 || (len(t.Members) == 1 && t.Members[0].Type == 0) {
				d.printf("void)")
				return
			}
			if d.inline[id] {
				d.printf("...)")
				return
			}
			d.inline[id] = true
			for i, p := range t.Members {
				if i > 0 {
					d.printf(", ")
				}
				if i == len(t.Members)-1 && p.Type == 0 {
					d.printf("...")
					break
				}
				d.typeDecl(p.Type, p.Name, lvl, depth+1)
			}
			delete(d.inline, id)
			d.printf(")")
			return
		default:
			return
		}
		lastWasPtr = t.Kind == KindPtr
	}
	d.emitName(fname, lastWasPtr)
}
