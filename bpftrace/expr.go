package bpftrace

import (
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
)

// typeOf returns the type of e without generating code for it.
func (g *gen) typeOf(e Expr) (Type, error) {
	ni, nl, nf, sp, floor, na := len(g.insns), len(g.labels), len(g.fixups), g.sp, g.floor, len(g.c.actions)
	ns := len(g.start)
	op, err := g.expr(e)
	g.insns, g.labels, g.fixups, g.sp, g.floor = g.insns[:ni], g.labels[:nl], g.fixups[:nf], sp, floor
	g.c.actions = g.c.actions[:na]
	g.start = g.start[:ns]
	return op.typ, err
}

// constInt evaluates an integer literal, possibly negated or a positional
// parameter.
func (g *gen) constInt(e Expr) (int64, bool) {
	switch e := e.(type) {
	case *IntLit:
		return e.V, true
	case *VarExpr:
		if v, ok := g.positional(e.Name); ok {
			if n, err := strconv.ParseInt(v, 0, 64); err == nil {
				return n, true
			}
		}
	case *UnaryExpr:
		if e.Op == "-" {
			v, ok := g.constInt(e.X)
			return -v, ok
		}
	}
	return 0, false
}

func isPositional(name string) bool {
	if name == "$#" {
		return true
	}
	_, err := strconv.Atoi(name[1:])
	return err == nil
}

// positional returns the value of $N ("" when not given, as bpftrace
// reads a missing parameter as 0 or "") or $#.
func (g *gen) positional(name string) (string, bool) {
	if name == "$#" {
		return strconv.Itoa(len(g.c.args)), true
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil {
		return "", false
	}
	if n >= 1 && n <= len(g.c.args) {
		return g.c.args[n-1], true
	}
	return "", true
}

// expr generates e: an integer ends in R0, a string in a stack buffer.
func (g *gen) expr(e Expr) (operand, error) {
	switch e := e.(type) {
	case *IntLit:
		g.movImm(isa.R0, e.V)
		return operand{typ: tInt64}, nil
	case *StrLit:
		return g.strLit(e.V, e.Span)
	case *VarExpr:
		if v, ok := g.positional(e.Name); ok {
			if v == "" {
				g.movImm(isa.R0, 0)
				return operand{typ: tInt64}, nil
			}
			if n, err := strconv.ParseInt(v, 0, 64); err == nil {
				g.movImm(isa.R0, n)
				return operand{typ: tInt64}, nil
			}
			return g.strLit(v, e.Span)
		}
		sv := g.vars[e.Name]
		if sv == nil {
			return operand{}, g.errorf(e.Span, "Undefined or undeclared variable: %s", e.Name)
		}
		if sv.typ.Kind == KindInt {
			g.ldx(isa.SizeDW, isa.R0, isa.R10, sv.off)
		}
		return operand{typ: sv.typ, off: sv.off}, nil
	case *MapExpr:
		return g.mapRead(e)
	case *Builtin:
		return g.builtin(e)
	case *FieldExpr:
		return g.field(e)
	case *CallExpr:
		return g.callExpr(e)
	case *UnaryExpr:
		op, err := g.expr(e.X)
		if err != nil {
			return op, err
		}
		if op.typ.Kind != KindInt {
			return op, g.errorf(Span{e.Span.Start, Pos{Line: e.Span.Start.Line, Col: e.Span.Start.Col + 1, Off: e.Span.Start.Off + 1}},
				"The %s operator can not be used on expressions of type '%s'", e.Op, op.typ)
		}
		switch e.Op {
		case "-":
			g.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Neg, isa.SourceK), Dst: isa.R0})
			return operand{typ: tInt64}, nil
		case "~":
			g.aluImm(isa.Xor, isa.R0, -1)
			return op, nil
		default: // "!"
			t := g.newLabel()
			g.movReg(isa.R1, isa.R0)
			g.movImm(isa.R0, 1)
			g.jmpImm(isa.JEq, isa.R1, 0, t)
			g.movImm(isa.R0, 0)
			g.bind(t)
			return operand{typ: tUint64}, nil
		}
	case *CastExpr:
		op, err := g.expr(e.X)
		if err != nil {
			return op, err
		}
		if op.typ.Kind != KindInt {
			return op, g.errorf(e.Span, "Cannot cast from \"%s\" to \"%s\"", op.typ, e.Type)
		}
		bits, signed := castBits(e.Type)
		if bits < 64 {
			g.aluImm(isa.LSh, isa.R0, int32(64-bits))
			if signed {
				g.aluImm(isa.ArSh, isa.R0, int32(64-bits))
			} else {
				g.aluImm(isa.RSh, isa.R0, int32(64-bits))
			}
		}
		return operand{typ: Type{Kind: KindInt, Size: 8, Signed: signed}}, nil
	case *CondExpr:
		return g.cond(e)
	case *BinaryExpr:
		return g.binary(e)
	}
	return operand{}, g.errorf(e.span(), "unsupported expression")
}

func castBits(t string) (int, bool) {
	signed := t[0] == 'i'
	n, _ := strconv.Atoi(t[len(t)-2:])
	if n == 0 {
		n, _ = strconv.Atoi(t[len(t)-1:])
	}
	return n, signed
}

// strLit puts a string constant on the stack.
func (g *gen) strLit(v string, sp Span) (operand, error) {
	if len(v) >= StrLen*4 {
		return operand{}, g.errorf(sp, "String is too long (over %d bytes)", StrLen*4)
	}
	n := len(v) + 1
	off, err := g.alloc(n, sp)
	if err != nil {
		return operand{}, err
	}
	b := make([]byte, (n+7)&^7)
	copy(b, v)
	for i := 0; i < len(b); i += 8 {
		w := int64(0)
		for j := 7; j >= 0; j-- {
			w = w<<8 | int64(b[i+j])
		}
		if w >= -1<<31 && w < 1<<31 {
			g.stImm(isa.SizeDW, isa.R10, off+int16(i), int32(w))
		} else {
			g.movImm(isa.R1, w)
			g.stx(isa.SizeDW, isa.R10, off+int16(i), isa.R1)
		}
	}
	return operand{typ: strType(n), off: off}, nil
}

// mapRead reads @m[k]: integers (and counts, sums, min, max) into R0,
// strings into a buffer.
func (g *gen) mapRead(m *MapExpr) (operand, error) {
	mi := g.c.mapFor(m)
	if !mi.assigned {
		if g.c.pass == 2 {
			return operand{}, g.errorf(m.Span, "Undefined map: @%s", m.Name)
		}
		// Pass 1: a map read before the probe that writes it.
		return operand{typ: tInt64}, nil
	}
	t := mi.Value
	switch t.Kind {
	case KindHist, KindLhist, KindStats:
		return operand{}, g.errorf(m.Span, "The map @%s of type %s cannot be used in an expression", m.Name, t)
	}
	var buf int16
	if t.Kind == KindStr {
		var err error
		if buf, err = g.alloc(StrLen, m.Span); err != nil {
			return operand{}, err
		}
		g.zero(buf, StrLen)
	}
	if err := g.lookup(m, mi); err != nil {
		return operand{}, err
	}
	done := g.newLabel()
	if t.Kind == KindStr {
		g.jmpImm(isa.JEq, isa.R0, 0, done)
		for i := 0; i < StrLen; i += 8 {
			g.ldx(isa.SizeDW, isa.R1, isa.R0, int16(i))
			g.stx(isa.SizeDW, isa.R10, buf+int16(i), isa.R1)
		}
		g.bind(done)
		return operand{typ: t, off: buf}, nil
	}
	g.jmpImm(isa.JEq, isa.R0, 0, done)
	if t.Kind == KindAvg {
		// total / count
		g.ldx(isa.SizeDW, isa.R1, isa.R0, 0)
		g.ldx(isa.SizeDW, isa.R0, isa.R0, 8)
		g.signedALU(isa.Div, isa.R0, isa.R1)
	} else {
		g.ldx(isa.SizeDW, isa.R0, isa.R0, 0)
	}
	g.bind(done)
	return operand{typ: Type{Kind: KindInt, Size: 8, Signed: t.Signed}}, nil
}

var builtinCalls = map[string]helpers.ID{
	"pid": helpers.GetCurrentPidTgid, "tid": helpers.GetCurrentPidTgid,
	"uid": helpers.GetCurrentUidGid, "gid": helpers.GetCurrentUidGid,
	"nsecs": helpers.KtimeGetNS, "elapsed": helpers.KtimeGetNS, "cpu": helpers.GetSmpProcessorID,
}

func (g *gen) builtin(b *Builtin) (operand, error) {
	if id, ok := builtinCalls[b.Name]; ok {
		g.call(id)
		switch b.Name {
		case "pid", "gid":
			g.aluImm(isa.RSh, isa.R0, 32)
		case "tid", "uid":
			g.aluImm(isa.LSh, isa.R0, 32)
			g.aluImm(isa.RSh, isa.R0, 32)
		case "elapsed":
			g.start = append(g.start, len(g.insns))
			g.movImm(isa.R1, 1<<40) // patched with the start time
			g.aluReg(isa.Sub, isa.R0, isa.R1)
		}
		return operand{typ: tUint64}, nil
	}
	switch b.Name {
	case "comm":
		off, err := g.alloc(16, b.Span)
		if err != nil {
			return operand{}, err
		}
		g.zero(off, 16)
		g.frame(isa.R1, off)
		g.movImm(isa.R2, 16)
		g.call(helpers.GetCurrentComm)
		return operand{typ: strType(16), off: off}, nil
	case "probe":
		return g.strLit(g.pt.name, b.Span)
	case "arg0", "arg1", "arg2", "arg3", "arg4", "arg5":
		n := int(b.Name[3] - '0')
		switch g.pt.ap.Provider {
		case "hook":
			g.ldx(isa.SizeDW, isa.R0, rCtx, int16(8*n))
		case "uprobe":
			g.ldx(isa.SizeDW, isa.R0, rCtx, ptRegsArgs[n])
		default:
			return operand{}, g.errorf(b.Span, "The %s builtin can only be used with 'uprobe' and 'hook' probes here", b.Name)
		}
		return operand{typ: tUint64}, nil
	case "retval":
		if g.pt.ap.Provider != "uretprobe" {
			return operand{}, g.errorf(b.Span, "The retval builtin can only be used with 'uretprobe' probes here")
		}
		g.ldx(isa.SizeDW, isa.R0, rCtx, ptRegsAX)
		return operand{typ: tUint64}, nil
	case "args":
		return operand{}, g.errorf(b.Span, "args must be used with a field: args->name")
	}
	return operand{}, g.errorf(b.Span, "Unknown identifier: '%s'", b.Name)
}

// field reads args->name from the tracepoint record.
func (g *gen) field(e *FieldExpr) (operand, error) {
	if b, ok := e.X.(*Builtin); !ok || b.Name != "args" {
		return operand{}, g.errorf(e.Span, "Can not access field '%s' on this expression", e.Field)
	}
	if g.pt.format == nil {
		return operand{}, g.errorf(e.Span, "The args builtin can only be used with tracepoint probes (%s used here)", g.pt.ap.Provider)
	}
	f := g.pt.format.Field(e.Field)
	if f == nil {
		return operand{}, g.errorf(e.Span, "Struct/union of type 'struct _tracepoint_%s_%s' does not contain a field named '%s'", g.pt.group, g.pt.event, e.Field)
	}
	switch {
	case f.DataLoc || f.RelLoc:
		// A string stored in the record: read it from there.
		off, err := g.alloc(StrLen, e.Span)
		if err != nil {
			return operand{}, err
		}
		g.zero(off, StrLen)
		g.ldx(isa.SizeW, isa.R3, rCtx, int16(f.Offset))
		g.aluImm(isa.And, isa.R3, 0xffff)
		if f.RelLoc {
			g.aluImm(isa.Add, isa.R3, int32(f.Offset+f.Size))
		}
		g.aluReg(isa.Add, isa.R3, rCtx)
		g.frame(isa.R1, off)
		g.movImm(isa.R2, StrLen)
		g.call(helpers.ProbeReadKernelStr)
		return operand{typ: strType(StrLen), off: off}, nil
	case f.ArrayLen > 0 && isCharType(f):
		off, err := g.alloc(f.Size+1, e.Span)
		if err != nil {
			return operand{}, err
		}
		g.zero(off, (f.Size+8)&^7)
		g.copyCtx(off, f.Offset, f.Size)
		return operand{typ: strType(f.Size + 1), off: off}, nil
	case f.ArrayLen > 0 || f.Size > 8 || f.Size == 0:
		return operand{}, g.errorf(e.Span, "field '%s' of type '%s' is not supported", e.Field, f.Type)
	}
	// The C type decides the width and sign, as in bpftrace: syscall
	// records keep every argument in 8 bytes, an int in the low four.
	size, signed := f.Size, f.Signed
	if n, sg, ok := cTypeInt(f.Type); ok && n <= size {
		size, signed = n, sg
	}
	sizes := map[int]isa.Size{1: isa.SizeB, 2: isa.SizeH, 4: isa.SizeW, 8: isa.SizeDW}
	sz, ok := sizes[size]
	if !ok || f.Offset%size != 0 {
		return operand{}, g.errorf(e.Span, "field '%s' has an unsupported layout", e.Field)
	}
	g.ldx(sz, isa.R0, rCtx, int16(f.Offset))
	if signed && size < 8 {
		g.aluImm(isa.LSh, isa.R0, int32(64-8*size))
		g.aluImm(isa.ArSh, isa.R0, int32(64-8*size))
	}
	return operand{typ: Type{Kind: KindInt, Size: 8, Signed: signed}}, nil
}

// cIntTypes are the integer types of tracepoint fields by C name (x86-64):
// size in bytes and signedness.
var cIntTypes = map[string]struct {
	size   int
	signed bool
}{
	"char": {1, true}, "signed char": {1, true}, "unsigned char": {1, false}, "u8": {1, false}, "s8": {1, true},
	"__u8": {1, false}, "__s8": {1, true}, "bool": {1, false}, "_Bool": {1, false},
	"short": {2, true}, "unsigned short": {2, false}, "u16": {2, false}, "s16": {2, true}, "__u16": {2, false},
	"__s16": {2, true}, "umode_t": {2, false},
	"int": {4, true}, "unsigned int": {4, false}, "unsigned": {4, false}, "u32": {4, false}, "s32": {4, true},
	"__u32": {4, false}, "__s32": {4, true}, "pid_t": {4, true}, "uid_t": {4, false}, "gid_t": {4, false},
	"qid_t": {4, false}, "key_t": {4, true}, "mqd_t": {4, true}, "clockid_t": {4, true}, "timer_t": {4, true},
	"key_serial_t": {4, true}, "rwf_t": {4, true}, "mode_t": {4, false}, "dev_t": {4, false},
	"long": {8, true}, "unsigned long": {8, false}, "long long": {8, true}, "unsigned long long": {8, false},
	"u64": {8, false}, "s64": {8, true}, "__u64": {8, false}, "__s64": {8, true}, "size_t": {8, false},
	"ssize_t": {8, true}, "loff_t": {8, true}, "off_t": {8, true}, "time_t": {8, true}, "aio_context_t": {8, false},
}

// cTypeInt returns the size and signedness of an integer C type; pointers
// are unsigned 8-byte values.
func cTypeInt(t string) (int, bool, bool) {
	if strings.Contains(t, "*") {
		return 8, false, true
	}
	t = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(t, "const ", ""), "volatile ", ""))
	it, ok := cIntTypes[t]
	return it.size, it.signed, ok
}

func isCharType(f *kernel.Field) bool {
	t := f.Type
	return len(t) >= 4 && (t[:4] == "char" || len(t) > 13 && t[:13] == "unsigned char")
}

// copyCtx copies n bytes of the record at off into the stack at dst, with
// aligned loads as the kernel requires for context access.
func (g *gen) copyCtx(dst int16, off, n int) {
	for i := 0; i < n; {
		for _, s := range []struct {
			n  int
			sz isa.Size
		}{{8, isa.SizeDW}, {4, isa.SizeW}, {2, isa.SizeH}, {1, isa.SizeB}} {
			if (off+i)%s.n == 0 && i%s.n == 0 && n-i >= s.n {
				g.ldx(s.sz, isa.R1, rCtx, int16(off+i))
				g.stx(s.sz, isa.R10, dst+int16(i), isa.R1)
				i += s.n
				break
			}
		}
	}
}

// call generates a function used as a value.
func (g *gen) callExpr(c *CallExpr) (operand, error) {
	switch c.Name {
	case "str":
		if len(c.Args) < 1 || len(c.Args) > 2 {
			return operand{}, g.errorf(c.Span, "str() requires 1 or 2 arguments (%d provided)", len(c.Args))
		}
		n := StrLen
		if len(c.Args) == 2 {
			v, ok := g.constInt(c.Args[1])
			if !ok || v < 1 {
				return operand{}, g.errorf(c.Args[1].span(), "str() length must be a positive integer literal")
			}
			n = int(min(v+1, StrLen))
		}
		op, err := g.expr(c.Args[0])
		if err != nil {
			return op, err
		}
		if op.typ.Kind == KindStr {
			return op, nil
		}
		if op.typ.Kind != KindInt {
			return operand{}, g.errorf(c.Args[0].span(), "str() expects an integer or a pointer type as first argument (%s provided)", op.typ)
		}
		g.movReg(isa.R3, isa.R0)
		off, err := g.alloc(StrLen, c.Span)
		if err != nil {
			return operand{}, err
		}
		g.zero(off, StrLen)
		g.frame(isa.R1, off)
		g.movImm(isa.R2, int64(n))
		g.call(helpers.ProbeReadUserStr)
		return operand{typ: strType(StrLen), off: off}, nil
	case "printf", "exit", "time", "print", "clear", "zero", "delete":
		return operand{}, g.errorf(c.Span, "%s() should not be used in an expression", c.Name)
	}
	if _, ok := aggName[c.Name]; ok {
		return operand{}, g.errorf(c.Span, "%s() should be directly assigned to a map", c.Name)
	}
	return operand{}, g.errorf(c.Span, "Unknown function: %s", c.Name)
}

func (g *gen) cond(e *CondExpr) (operand, error) {
	c, err := g.expr(e.Cond)
	if err != nil {
		return c, err
	}
	if err := g.truth(c, e.Cond); err != nil {
		return c, err
	}
	ta, err := g.typeOf(e.A)
	if err != nil {
		return c, err
	}
	tb, err := g.typeOf(e.B)
	if err != nil {
		return c, err
	}
	if ta.Kind != tb.Kind || (ta.Kind != KindInt && ta.Kind != KindStr) {
		return c, g.errorf(e.Span, "Ternary operator must return the same type: have '%s' and '%s'", kindName(ta), kindName(tb))
	}
	els, done := g.newLabel(), g.newLabel()
	var buf int16
	if ta.Kind == KindStr {
		if buf, err = g.alloc(StrLen, e.Span); err != nil {
			return c, err
		}
	}
	g.jmpImm(isa.JEq, isa.R0, 0, els)
	for i, x := range []Expr{e.A, e.B} {
		if i == 1 {
			g.bind(els)
		}
		op, err := g.expr(x)
		if err != nil {
			return op, err
		}
		if ta.Kind == KindStr {
			g.copyStr(buf, StrLen, op)
		}
		if i == 0 {
			g.jmp(done)
		}
	}
	g.bind(done)
	if ta.Kind == KindStr {
		return operand{typ: strType(StrLen), off: buf}, nil
	}
	return operand{typ: Type{Kind: KindInt, Size: 8, Signed: ta.Signed || tb.Signed}}, nil
}

var aluOps = map[string]isa.ALUOp{
	"+": isa.Add, "-": isa.Sub, "*": isa.Mul, "/": isa.Div, "%": isa.Mod,
	"&": isa.And, "|": isa.Or, "^": isa.Xor, "<<": isa.LSh, ">>": isa.RSh,
}

func (g *gen) binary(e *BinaryExpr) (operand, error) {
	if e.Op == "&&" || e.Op == "||" {
		return g.logical(e)
	}
	x, err := g.expr(e.X)
	if err != nil {
		return x, err
	}
	if x.typ.Kind == KindStr {
		return g.strCompare(e, x)
	}
	if x.typ.Kind != KindInt {
		return x, g.errorf(e.Span, "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, x.typ, "int64")
	}
	tmp, err := g.alloc(8, e.Span)
	if err != nil {
		return x, err
	}
	g.stx(isa.SizeDW, isa.R10, tmp, isa.R0)
	y, err := g.expr(e.Y)
	if err != nil {
		return y, err
	}
	if y.typ.Kind != KindInt {
		return y, g.errorf(e.Span, "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, x.typ, y.typ)
	}
	g.movReg(isa.R1, isa.R0)
	g.ldx(isa.SizeDW, isa.R0, isa.R10, tmp)
	signed := x.typ.Signed && y.typ.Signed
	if op, ok := aluOps[e.Op]; ok {
		if (op == isa.Div || op == isa.Mod) && signed {
			g.signedALU(op, isa.R0, isa.R1)
		} else {
			if op == isa.RSh && x.typ.Signed {
				op = isa.ArSh
			}
			g.aluReg(op, isa.R0, isa.R1)
		}
		return operand{typ: Type{Kind: KindInt, Size: 8, Signed: x.typ.Signed || y.typ.Signed}}, nil
	}
	jops := map[string][2]isa.JumpOp{
		"==": {isa.JEq, isa.JEq}, "!=": {isa.JNE, isa.JNE},
		"<": {isa.JLT, isa.JSLT}, "<=": {isa.JLE, isa.JSLE}, ">": {isa.JGT, isa.JSGT}, ">=": {isa.JGE, isa.JSGE},
	}
	j, ok := jops[e.Op]
	if !ok {
		return x, g.errorf(e.Span, "unknown operator %s", e.Op)
	}
	op := j[0]
	if x.typ.Signed || y.typ.Signed {
		op = j[1]
	}
	g.setIf(op)
	return operand{typ: tUint64}, nil
}

// setIf sets R0 to 1 if R0 op R1, else 0.
func (g *gen) setIf(op isa.JumpOp) {
	t := g.newLabel()
	g.movReg(isa.R2, isa.R0)
	g.movImm(isa.R0, 1)
	g.jmpReg(op, isa.R2, isa.R1, t)
	g.movImm(isa.R0, 0)
	g.bind(t)
}

// strCompare compares two strings with == or !=.
func (g *gen) strCompare(e *BinaryExpr, x operand) (operand, error) {
	if e.Op != "==" && e.Op != "!=" {
		yt, err := g.typeOf(e.Y)
		if err != nil {
			return x, err
		}
		return x, g.errorf(e.Span, "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, x.typ, yt)
	}
	y, err := g.expr(e.Y)
	if err != nil {
		return y, err
	}
	if y.typ.Kind != KindStr {
		return y, g.errorf(e.Span, "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, x.typ, y.typ)
	}
	// Both buffers are zero-padded: compare word by word up to the longer
	// one, reading the shorter as zeros past its end.
	xn, yn := (x.typ.Size+7)&^7, (y.typ.Size+7)&^7
	ne, done := g.newLabel(), g.newLabel()
	for i := 0; i < max(xn, yn); i += 8 {
		for k, s := range []struct {
			off int16
			n   int
		}{{x.off, xn}, {y.off, yn}} {
			r := isa.R1 + isa.Register(k)
			if i < s.n {
				g.ldx(isa.SizeDW, r, isa.R10, s.off+int16(i))
			} else {
				g.movImm(r, 0)
			}
		}
		g.jmpReg(isa.JNE, isa.R1, isa.R2, ne)
	}
	eq := int64(1)
	if e.Op == "!=" {
		eq = 0
	}
	g.movImm(isa.R0, eq)
	g.jmp(done)
	g.bind(ne)
	g.movImm(isa.R0, 1-eq)
	g.bind(done)
	return operand{typ: tUint64}, nil
}

func (g *gen) logical(e *BinaryExpr) (operand, error) {
	short := g.newLabel()
	x, err := g.expr(e.X)
	if err != nil {
		return x, err
	}
	if err := g.truth(x, e.X); err != nil {
		return x, err
	}
	done := g.newLabel()
	if e.Op == "&&" {
		g.jmpImm(isa.JEq, isa.R0, 0, short)
	} else {
		g.jmpImm(isa.JNE, isa.R0, 0, short)
	}
	y, err := g.expr(e.Y)
	if err != nil {
		return y, err
	}
	if err := g.truth(y, e.Y); err != nil {
		return y, err
	}
	t := g.newLabel()
	g.movReg(isa.R1, isa.R0)
	g.movImm(isa.R0, 1)
	g.jmpImm(isa.JNE, isa.R1, 0, t)
	g.movImm(isa.R0, 0)
	g.bind(t)
	g.jmp(done)
	g.bind(short)
	if e.Op == "&&" {
		g.movImm(isa.R0, 0)
	} else {
		g.movImm(isa.R0, 1)
	}
	g.bind(done)
	return operand{typ: tUint64}, nil
}

// The offsets in x86-64's struct pt_regs of the argument registers (di,
// si, dx, cx, r8, r9) and of ax, the return value.
var ptRegsArgs = [6]int16{112, 104, 96, 88, 72, 64}

const ptRegsAX = 80
