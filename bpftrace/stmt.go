package bpftrace

import (
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

func (g *gen) stmt(s Stmt) error {
	switch s := s.(type) {
	case *ExprStmt:
		if c, ok := s.X.(*CallExpr); ok {
			return g.callStmt(c)
		}
		if m, ok := s.X.(*MapExpr); ok {
			return g.errorf(m.Span, "syntax error: a map alone is not a statement")
		}
		_, err := g.expr(s.X)
		return err
	case *AssignStmt:
		return g.assign(s)
	case *IncStmt:
		op := "+="
		if s.Dec {
			op = "-="
		}
		return g.assign(&AssignStmt{Span: s.Span, Op: op, LHS: s.X, RHS: &IntLit{Span: s.Span, V: 1}})
	case *IfStmt:
		op, err := g.expr(s.Cond)
		if err != nil {
			return err
		}
		if err := g.truth(op, s.Cond); err != nil {
			return err
		}
		els, end := g.newLabel(), g.newLabel()
		g.jmpImm(isa.JEq, isa.R0, 0, els)
		if err := g.block(s.Then); err != nil {
			return err
		}
		thenDone := g.done
		if !thenDone {
			g.jmp(end)
		}
		g.bind(els)
		if err := g.block(s.Else); err != nil {
			return err
		}
		g.bind(end)
		g.done = thenDone && g.done
		return nil
	}
	return nil
}

// truth checks that op can be a condition: an integer.
func (g *gen) truth(op operand, e Expr) error {
	if op.typ.Kind != KindInt {
		return g.errorf(e.span(), "Invalid condition: %s is not an integer", op.typ)
	}
	return nil
}

func (g *gen) assign(s *AssignStmt) error {
	if v, ok := s.LHS.(*VarExpr); ok {
		return g.assignVar(s, v)
	}
	m := s.LHS.(*MapExpr)
	mi := g.c.mapFor(m)
	if call, ok := s.RHS.(*CallExpr); ok {
		if kind, ok := aggName[call.Name]; ok {
			if s.Op != "=" {
				return g.errorf(s.Span, "%s() cannot be used with %s", call.Name, s.Op)
			}
			return g.aggregate(m, mi, call, kind)
		}
	}
	if s.Op != "=" {
		// @x op= v: read, operate, write.
		bin := &BinaryExpr{Span: s.Span, Op: strings.TrimSuffix(s.Op, "="), X: m, Y: s.RHS}
		return g.assign(&AssignStmt{Span: s.Span, Op: "=", LHS: m, RHS: bin})
	}
	op, err := g.expr(s.RHS)
	if err != nil {
		return err
	}
	if op.typ.Kind != KindInt && op.typ.Kind != KindStr {
		return g.errorf(s.RHS.span(), "cannot assign %s to a map", op.typ)
	}
	// Save the value before the key is built.
	val, err := g.alloc(storedSize(op.typ), s.Span)
	if err != nil {
		return err
	}
	if op.typ.Kind == KindInt {
		g.stx(isa.SizeDW, isa.R10, val, isa.R0)
	} else {
		g.copyStr(val, StrLen, op)
	}
	if err := g.setMapType(mi, m, op.typ); err != nil {
		return err
	}
	key, err := g.key(m, mi)
	if err != nil {
		return err
	}
	g.ldMap(isa.R1, g.c.mapIndex(mi))
	g.frame(isa.R2, key)
	g.frame(isa.R3, val)
	g.movImm(isa.R4, 0)
	g.call(helpers.MapUpdateElem)
	return nil
}

// frame sets dst to R10+off.
func (g *gen) frame(dst isa.Register, off int16) {
	g.movReg(dst, isa.R10)
	g.aluImm(isa.Add, dst, int32(off))
}

// setMapType records or checks the value type of a map.
func (g *gen) setMapType(mi *MapInfo, m *MapExpr, t Type) error {
	if !mi.assigned {
		if g.c.pass == 2 {
			return g.errorf(m.Span, "internal error: map @%s has no type", m.Name)
		}
		mi.assigned = true
		mi.Value = t
		if t.Kind == KindStr {
			mi.Value = strType(StrLen)
		}
		return g.setKeyTypes(mi, m)
	}
	if !sameShape(mi.Value, t) {
		return g.errorf(m.Span, "Type mismatch for @%s: trying to assign value of type '%s' when map already contains a value of type '%s", m.Name, t, mi.Value)
	}
	return nil
}

// setKeyTypes records the key types of a map from its first assignment.
func (g *gen) setKeyTypes(mi *MapInfo, m *MapExpr) error {
	mi.Keys = nil
	for _, k := range m.Keys {
		t, err := g.typeOf(k)
		if err != nil {
			return err
		}
		if t.Kind == KindStr {
			t = strType(StrLen)
		}
		mi.Keys = append(mi.Keys, t)
	}
	return nil
}

// key builds the key of m on the stack (with room for a histogram slot)
// and returns its offset.
func (g *gen) key(m *MapExpr, mi *MapInfo) (int16, error) {
	if len(m.Keys) != len(mi.Keys) && mi.assigned {
		return 0, g.errorf(m.Span, "Argument mismatch for @%s: trying to access with %d arguments when map expects %d arguments", m.Name, len(m.Keys), len(mi.Keys))
	}
	size := keySize(mi.Keys, mi.hasSlot())
	if !mi.assigned {
		size = 8 * max(1, len(m.Keys))
	}
	key, err := g.alloc(size, m.Span)
	if err != nil {
		return 0, err
	}
	if len(m.Keys) == 0 {
		g.zero(key, size)
		return key, nil
	}
	off := key
	for i, k := range m.Keys {
		op, err := g.expr(k)
		if err != nil {
			return 0, err
		}
		want := tInt64
		if mi.assigned {
			want = mi.Keys[i]
		}
		if op.typ.Kind != want.Kind {
			return 0, g.errorf(k.span(), "Argument mismatch for @%s: trying to access with arguments: '%s' when map expects arguments: '%s'", m.Name, op.typ, want)
		}
		if op.typ.Kind == KindInt {
			g.stx(isa.SizeDW, isa.R10, off, isa.R0)
			off += 8
		} else {
			g.copyStr(off, StrLen, op)
			off += StrLen
		}
	}
	if mi.hasSlot() {
		g.stImm(isa.SizeDW, isa.R10, off, 0)
	}
	return key, nil
}

// copyStr copies string op into the n-byte buffer at dst, zero-padding.
func (g *gen) copyStr(dst int16, n int, op operand) {
	src := (op.typ.Size + 7) &^ 7
	for i := 0; i < n; i += 8 {
		if i < src && op.off+int16(i) != dst+int16(i) {
			g.ldx(isa.SizeDW, isa.R1, isa.R10, op.off+int16(i))
			g.stx(isa.SizeDW, isa.R10, dst+int16(i), isa.R1)
		} else if i >= src {
			g.stImm(isa.SizeDW, isa.R10, dst+int16(i), 0)
		}
	}
	// A string longer than n keeps its terminator.
	if src >= n {
		g.stImm(isa.SizeB, isa.R10, dst+int16(n-1), 0)
	}
}

// copyRaw copies n bytes (a multiple of 8) of stack from src to dst.
func (g *gen) copyRaw(dst, src int16, n int) {
	for i := 0; i < n; i += 8 {
		g.ldx(isa.SizeDW, isa.R1, isa.R10, src+int16(i))
		g.stx(isa.SizeDW, isa.R10, dst+int16(i), isa.R1)
	}
}

func (g *gen) assignVar(s *AssignStmt, v *VarExpr) error {
	if s.Op != "=" {
		bin := &BinaryExpr{Span: s.Span, Op: strings.TrimSuffix(s.Op, "="), X: v, Y: s.RHS}
		return g.assignVar(&AssignStmt{Span: s.Span, Op: "=", LHS: v, RHS: bin}, v)
	}
	if isPositional(v.Name) {
		return g.errorf(v.Span, "cannot assign to positional parameter %s", v.Name)
	}
	op, err := g.expr(s.RHS)
	if err != nil {
		return err
	}
	if op.typ.Kind != KindInt && op.typ.Kind != KindStr {
		return g.errorf(s.RHS.span(), "Value '%s' cannot be assigned to a scratch variable.", op.typ)
	}
	sv := g.vars[v.Name]
	if sv == nil {
		// Allocate above everything this statement uses so far, and keep
		// it for the rest of the probe.
		off, err := g.alloc(storedSize(op.typ), v.Span)
		if err != nil {
			return err
		}
		sv = &scratch{typ: op.typ, off: off}
		if op.typ.Kind == KindStr {
			sv.typ = strType(StrLen)
		}
		g.vars[v.Name] = sv
		g.varOf = append(g.varOf, off)
		g.floor = g.sp
	} else if sv.typ.Kind != op.typ.Kind {
		return g.errorf(s.Span, "Type mismatch for %s: trying to assign value of type '%s' when variable already contains a value of type '%s'", v.Name, op.typ, sv.typ)
	}
	if op.typ.Kind == KindInt {
		if op.typ.Signed != sv.typ.Signed {
			sv.typ.Signed = sv.typ.Signed || op.typ.Signed
		}
		g.stx(isa.SizeDW, isa.R10, sv.off, isa.R0)
	} else {
		g.copyStr(sv.off, StrLen, op)
	}
	return nil
}

// lookup emits a lookup of m's element: R0 is the value pointer or 0.
func (g *gen) lookup(m *MapExpr, mi *MapInfo) error {
	key, err := g.key(m, mi)
	if err != nil {
		return err
	}
	g.ldMap(isa.R1, g.c.mapIndex(mi))
	g.frame(isa.R2, key)
	g.call(helpers.MapLookupElem)
	return nil
}

// lookupOrInit emits code that leaves in R0 a pointer to the element of
// the map at key, created zeroed if missing; on failure it jumps to the
// end of the probe. It returns the jump's label target for the caller to
// go on at.
func (g *gen) lookupOrInit(mi *MapInfo, key int16, sp Span) error {
	idx := g.c.mapIndex(mi)
	have := g.newLabel()
	g.ldMap(isa.R1, idx)
	g.frame(isa.R2, key)
	g.call(helpers.MapLookupElem)
	g.jmpImm(isa.JNE, isa.R0, 0, have)
	zero, err := g.alloc(16, sp)
	if err != nil {
		return err
	}
	g.zero(zero, 16)
	g.ldMap(isa.R1, idx)
	g.frame(isa.R2, key)
	g.frame(isa.R3, zero)
	g.movImm(isa.R4, 1) // BPF_NOEXIST: another CPU may have made it
	g.call(helpers.MapUpdateElem)
	g.ldMap(isa.R1, idx)
	g.frame(isa.R2, key)
	g.call(helpers.MapLookupElem)
	g.jmpImm(isa.JEq, isa.R0, 0, g.ret)
	g.bind(have)
	return nil
}

// aggregate emits @m[k] = count() and the other aggregations.
func (g *gen) aggregate(m *MapExpr, mi *MapInfo, call *CallExpr, kind Kind) error {
	t := Type{Kind: kind, Size: 8, Signed: true}
	want := map[Kind]int{KindCount: 0, KindLhist: 4}
	n, ok := want[kind]
	if !ok {
		n = 1
	}
	if len(call.Args) != n {
		return g.errorf(call.Span, "%s() requires %s (%d provided)", call.Name, argCount(n), len(call.Args))
	}
	if kind == KindLhist {
		var vals [3]int64
		for i, a := range call.Args[1:] {
			lit, ok := g.constInt(a)
			if !ok {
				return g.errorf(a.span(), "lhist() %s must be an integer literal", []string{"min", "max", "step"}[i])
			}
			vals[i] = lit
		}
		t.Min, t.Max, t.Step = vals[0], vals[1], vals[2]
		switch {
		case t.Min < 0:
			return g.errorf(call.Args[1].span(), "lhist() min must be non-negative (provided min %d)", t.Min)
		case t.Min > t.Max:
			return g.errorf(call.Span, "lhist() min must be less than max (provided min %d and max %d)", t.Min, t.Max)
		case t.Step <= 0 || (t.Max-t.Min)/t.Step > 1000:
			return g.errorf(call.Span, "lhist() step is too large or too small for the given range")
		case (t.Max-t.Min)%t.Step != 0:
			return g.errorf(call.Span, "lhist() step must divide max - min")
		}
	}
	// The argument, saved on the stack.
	var arg int16
	if n > 0 {
		op, err := g.expr(call.Args[0])
		if err != nil {
			return err
		}
		if op.typ.Kind != KindInt {
			return g.errorf(call.Args[0].span(), "%s() only supports integer arguments (%s provided)", call.Name, op.typ)
		}
		t.Signed = op.typ.Signed || kind == KindAvg || kind == KindStats
		if kind == KindHist || kind == KindLhist || kind == KindCount {
			t.Signed = false
		}
		if arg, err = g.alloc(8, call.Span); err != nil {
			return err
		}
		g.stx(isa.SizeDW, isa.R10, arg, isa.R0)
	}
	if kind == KindCount {
		t.Signed = false
	}
	if err := g.setMapType(mi, m, t); err != nil {
		return err
	}
	key, err := g.key(m, mi)
	if err != nil {
		return err
	}
	if kind == KindHist || kind == KindLhist {
		slotOff := key + int16(keySize(mi.Keys, true)-8)
		g.ldx(isa.SizeDW, isa.R0, isa.R10, arg)
		if kind == KindHist {
			g.log2Slot()
		} else {
			g.linearSlot(mi.Value)
		}
		g.stx(isa.SizeDW, isa.R10, slotOff, isa.R0)
	}
	if err := g.lookupOrInit(mi, key, call.Span); err != nil {
		return err
	}
	switch kind {
	case KindCount, KindHist, KindLhist:
		g.movImm(isa.R1, 1)
		g.addMem(isa.R0, 0, isa.R1)
	case KindSum:
		g.ldx(isa.SizeDW, isa.R1, isa.R10, arg)
		g.addMem(isa.R0, 0, isa.R1)
	case KindAvg, KindStats:
		g.movImm(isa.R1, 1)
		g.addMem(isa.R0, 0, isa.R1)
		g.ldx(isa.SizeDW, isa.R1, isa.R10, arg)
		g.addMem(isa.R0, 8, isa.R1)
	case KindMin, KindMax:
		// value: [v, set]; store when unset or better.
		store, done := g.newLabel(), g.newLabel()
		g.ldx(isa.SizeDW, isa.R1, isa.R10, arg)
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 8)
		g.jmpImm(isa.JEq, isa.R2, 0, store)
		g.ldx(isa.SizeDW, isa.R2, isa.R0, 0)
		op := isa.JSGE // keep the old minimum when new >= old
		if kind == KindMax {
			op = isa.JSLE
		}
		if !t.Signed {
			op = map[isa.JumpOp]isa.JumpOp{isa.JSGE: isa.JGE, isa.JSLE: isa.JLE}[op]
		}
		g.jmpReg(op, isa.R1, isa.R2, done)
		g.bind(store)
		g.stx(isa.SizeDW, isa.R0, 0, isa.R1)
		g.stImm(isa.SizeDW, isa.R0, 8, 1)
		g.bind(done)
	}
	return nil
}

func argCount(n int) string {
	if n == 0 {
		return "no arguments"
	}
	return strconv.Itoa(n) + " argument" + plural(n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// log2Slot turns R0 into its log2 histogram slot (0 for 0, else
// floor(log2)+1), using R1 and R2.
func (g *gen) log2Slot() {
	zero := g.newLabel()
	g.jmpImm(isa.JEq, isa.R0, 0, zero)
	g.movImm(isa.R1, 1)
	for _, sh := range []int32{32, 16, 8, 4, 2, 1} {
		skip := g.newLabel()
		g.movReg(isa.R2, isa.R0)
		g.aluImm(isa.RSh, isa.R2, sh)
		g.jmpImm(isa.JEq, isa.R2, 0, skip)
		g.movReg(isa.R0, isa.R2)
		g.aluImm(isa.Add, isa.R1, sh)
		g.bind(skip)
	}
	g.movReg(isa.R0, isa.R1)
	g.bind(zero)
}

// linearSlot turns R0 into its slot of the lhist of type t.
func (g *gen) linearSlot(t Type) {
	under, over, done := g.newLabel(), g.newLabel(), g.newLabel()
	g.movImm(isa.R1, t.Min)
	g.jmpReg(isa.JSLT, isa.R0, isa.R1, under)
	g.movImm(isa.R1, t.Max)
	g.jmpReg(isa.JSGE, isa.R0, isa.R1, over)
	g.movImm(isa.R1, t.Min)
	g.aluReg(isa.Sub, isa.R0, isa.R1)
	g.movImm(isa.R1, t.Step)
	g.aluReg(isa.Div, isa.R0, isa.R1)
	g.aluImm(isa.Add, isa.R0, 1)
	g.jmp(done)
	g.bind(under)
	g.movImm(isa.R0, 0)
	g.jmp(done)
	g.bind(over)
	g.movImm(isa.R0, (t.Max-t.Min)/t.Step+1)
	g.bind(done)
}

// callStmt emits a function called for its effect.
func (g *gen) callStmt(c *CallExpr) error {
	switch c.Name {
	case "printf":
		return g.printf(c)
	case "exit":
		if len(c.Args) != 0 {
			return g.errorf(c.Span, "exit() requires no arguments (%d provided)", len(c.Args))
		}
		if err := g.event(Action{Kind: ActExit}, c.Span); err != nil {
			return err
		}
		g.jmp(g.ret)
		return nil
	case "time":
		f := "%H:%M:%S\n"
		if len(c.Args) > 1 {
			return g.errorf(c.Span, "time() takes up to one argument (%d provided)", len(c.Args))
		}
		if len(c.Args) == 1 {
			s, ok := c.Args[0].(*StrLit)
			if !ok {
				return g.errorf(c.Args[0].span(), "time() expects a string literal (string provided)")
			}
			f = s.V
		}
		return g.event(Action{Kind: ActTime, Format: f}, c.Span)
	case "print", "clear", "zero":
		return g.mapAction(c)
	case "join":
		return g.join(c)
	case "delete":
		if len(c.Args) != 1 {
			return g.errorf(c.Span, "delete() requires 1 argument (%d provided)", len(c.Args))
		}
		m, ok := c.Args[0].(*MapExpr)
		if !ok {
			return g.errorf(c.Args[0].span(), "delete() expects a map to be provided")
		}
		mi := g.c.mapFor(m)
		key, err := g.key(m, mi)
		if err != nil {
			return err
		}
		if mi.hasSlot() {
			return g.errorf(c.Span, "delete() of a histogram element is not supported")
		}
		g.ldMap(isa.R1, g.c.mapIndex(mi))
		g.frame(isa.R2, key)
		g.call(helpers.MapDeleteElem)
		return nil
	}
	if _, ok := aggName[c.Name]; ok {
		return g.errorf(c.Span, "%s() should be directly assigned to a map", c.Name)
	}
	_, err := g.expr(c)
	return err
}

// mapAction emits print(@m [, top [, div]]), clear(@m) and zero(@m).
func (g *gen) mapAction(c *CallExpr) error {
	maxArgs := 1
	if c.Name == "print" {
		maxArgs = 3
	}
	if len(c.Args) < 1 || len(c.Args) > maxArgs {
		return g.errorf(c.Span, "%s() requires 1 to %d arguments (%d provided)", c.Name, maxArgs, len(c.Args))
	}
	m, ok := c.Args[0].(*MapExpr)
	if !ok || len(m.Keys) > 0 {
		if c.Name == "print" {
			return g.printValue(c)
		}
		return g.errorf(c.Args[0].span(), "%s() expects a map to be provided", c.Name)
	}
	mi := g.c.mapFor(m)
	a := Action{Map: g.c.mapIndex(mi)}
	switch c.Name {
	case "print":
		a.Kind = ActPrint
		for i, arg := range c.Args[1:] {
			v, ok := g.constInt(arg)
			if !ok {
				return g.errorf(arg.span(), "print() expects an integer literal")
			}
			if i == 0 {
				a.Top = v
			} else {
				a.Div = v
			}
		}
	case "clear":
		a.Kind = ActClear
	case "zero":
		a.Kind = ActZero
	}
	return g.event(a, c.Span)
}

// printValue is print() of a non-map value: printed as printf("%d\n").
func (g *gen) printValue(c *CallExpr) error {
	if len(c.Args) != 1 {
		return g.errorf(c.Span, "print() of a value takes 1 argument")
	}
	t, err := g.typeOf(c.Args[0])
	if err != nil {
		return err
	}
	f := "%d\n"
	if t.Kind == KindStr {
		f = "%s\n"
	}
	return g.printf(&CallExpr{Span: c.Span, Name: "printf", Args: []Expr{&StrLit{Span: c.Span, V: f}, c.Args[0]}})
}

// event emits an event of action a with no payload.
func (g *gen) event(a Action, sp Span) error {
	id := g.c.addAction(a)
	buf, err := g.alloc(8, sp)
	if err != nil {
		return err
	}
	g.movImm(isa.R1, int64(id))
	g.stx(isa.SizeDW, isa.R10, buf, isa.R1)
	g.output(buf, 8)
	return nil
}

// output sends n bytes at buf to the ring buffer.
func (g *gen) output(buf int16, n int) {
	g.ldMap(isa.R1, eventsMap)
	g.frame(isa.R2, buf)
	g.movImm(isa.R3, int64(n))
	g.movImm(isa.R4, 0)
	g.call(helpers.RingbufOutput)
}

// printf emits printf(fmt, args...): an event with the arguments.
func (g *gen) printf(c *CallExpr) error {
	if len(c.Args) == 0 {
		return g.errorf(c.Span, "printf() requires at least 1 argument (0 provided)")
	}
	f, ok := c.Args[0].(*StrLit)
	if !ok {
		return g.errorf(c.Args[0].span(), "printf() expects a string literal as its first argument")
	}
	verbs, err := parseFormat(f.V)
	if err != nil {
		return g.errorf(f.Span, "%v", err)
	}
	args := c.Args[1:]
	if len(verbs) > len(args) {
		return g.errorf(c.Span, "printf: Not enough arguments for format string (%d supplied, %d expected)", len(args), len(verbs))
	}
	if len(verbs) < len(args) {
		return g.errorf(c.Span, "printf: Too many arguments for format string (%d supplied, %d expected)", len(args), len(verbs))
	}
	if len(args) > 7 {
		return g.errorf(c.Span, "printf() takes up to 7 arguments after the format (%d provided)", len(args))
	}
	a := Action{Kind: ActPrintf, Format: f.V}
	size := 8
	for i, arg := range args {
		t, err := g.typeOf(arg)
		if err != nil {
			return err
		}
		if err := verbs[i].check(t); err != nil {
			return g.errorf(c.Span, "printf: %v", err)
		}
		a.Args = append(a.Args, t)
		size += (t.Size + 7) &^ 7
	}
	buf, err := g.alloc(size, c.Span)
	if err != nil {
		return err
	}
	off := buf + 8
	for i, arg := range args {
		op, err := g.expr(arg)
		if err != nil {
			return err
		}
		if op.typ.Kind != a.Args[i].Kind || op.typ.Size != a.Args[i].Size {
			return g.errorf(arg.span(), "internal error: printf argument type changed")
		}
		if op.typ.Kind == KindInt {
			g.stx(isa.SizeDW, isa.R10, off, isa.R0)
		} else {
			g.copyRaw(off, op.off, (op.typ.Size+7)&^7)
		}
		off += int16((op.typ.Size + 7) &^ 7)
	}
	a.eventSize = size
	id := g.c.addAction(a)
	g.movImm(isa.R1, int64(id))
	g.stx(isa.SizeDW, isa.R10, buf, isa.R1)
	g.output(buf, size)
	return nil
}

// join() reads up to joinArgs strings of an array of user pointers, such
// as execve's argv, into the per-CPU scratch map and sends them as one
// event.
const (
	joinArgs    = 16
	joinArgSize = 256
	joinSize    = 8 + joinArgs*joinArgSize
)

func (g *gen) join(c *CallExpr) error {
	if len(c.Args) < 1 || len(c.Args) > 2 {
		return g.errorf(c.Span, "join() requires 1 or 2 arguments (%d provided)", len(c.Args))
	}
	delim := " "
	if len(c.Args) == 2 {
		s, ok := c.Args[1].(*StrLit)
		if !ok {
			return g.errorf(c.Args[1].span(), "join() delimiter must be a string literal")
		}
		delim = s.V
	}
	op, err := g.expr(c.Args[0])
	if err != nil {
		return err
	}
	if op.typ.Kind != KindInt {
		return g.errorf(c.Args[0].span(), "join() expects an integer or pointer argument (%s provided)", op.typ)
	}
	slots, err := g.alloc(24, c.Span) // argv, the element read, the buffer pointer
	if err != nil {
		return err
	}
	argv, elem, bufp := slots, slots+8, slots+16
	g.stx(isa.SizeDW, isa.R10, argv, isa.R0)
	id := g.c.addAction(Action{Kind: ActJoin, Format: delim})
	jm := g.c.joinMap()
	g.stImm(isa.SizeDW, isa.R10, elem, 0)
	g.ldMap(isa.R1, jm)
	g.frame(isa.R2, elem)
	g.call(helpers.MapLookupElem)
	g.jmpImm(isa.JEq, isa.R0, 0, g.ret)
	g.stx(isa.SizeDW, isa.R10, bufp, isa.R0)
	g.movImm(isa.R1, int64(id))
	g.stx(isa.SizeDW, isa.R0, 0, isa.R1)
	for i := range joinArgs {
		g.stImm(isa.SizeB, isa.R0, int16(8+i*joinArgSize), 0)
	}
	done := g.newLabel()
	for i := range joinArgs {
		g.frame(isa.R1, elem)
		g.movImm(isa.R2, 8)
		g.ldx(isa.SizeDW, isa.R3, isa.R10, argv)
		g.aluImm(isa.Add, isa.R3, int32(8*i))
		g.call(helpers.ProbeReadUser)
		g.jmpImm(isa.JNE, isa.R0, 0, done)
		g.ldx(isa.SizeDW, isa.R3, isa.R10, elem)
		g.jmpImm(isa.JEq, isa.R3, 0, done)
		g.ldx(isa.SizeDW, isa.R1, isa.R10, bufp)
		g.aluImm(isa.Add, isa.R1, int32(8+i*joinArgSize))
		g.movImm(isa.R2, joinArgSize)
		g.call(helpers.ProbeReadUserStr)
	}
	g.bind(done)
	g.ldMap(isa.R1, eventsMap)
	g.ldx(isa.SizeDW, isa.R2, isa.R10, bufp)
	g.movImm(isa.R3, joinSize)
	g.movImm(isa.R4, 0)
	g.call(helpers.RingbufOutput)
	return nil
}

// addMem adds src to the u64 at dst+off. Aggregations live in per-CPU
// maps, whose values no other CPU writes: no atomic operation is needed.
func (g *gen) addMem(dst isa.Register, off int16, src isa.Register) {
	g.ldx(isa.SizeDW, isa.R2, dst, off)
	g.aluReg(isa.Add, isa.R2, src)
	g.stx(isa.SizeDW, dst, off, isa.R2)
}
