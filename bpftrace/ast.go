package bpftrace

// Pos is a position in a script: 1-based line and column, and the byte
// offset.
type Pos struct {
	Line, Col, Off int
}

// Span is the source range of a node: [Start, End).
type Span struct {
	Start, End Pos
}

// Program is a parsed script.
type Program struct {
	Probes []*Probe
}

// Probe is one action block with the attach points that run it.
type Probe struct {
	Span   Span
	Points []*AttachPoint
	Pred   Expr // nil without a /filter/
	Body   []Stmt
}

// AttachPoint is one probe specifier as written, such as
// "tracepoint:syscalls:sys_enter_*" or "BEGIN".
type AttachPoint struct {
	Span Span
	Raw  string
	// Provider is "BEGIN", "END", "tracepoint", "interval", "hook".
	Provider string
	// Target and Func are the remaining fields: tracepoint category and
	// event; interval unit and count.
	Target, Func string
}

// Stmt is a statement.
type Stmt interface{ span() Span }

// Expr is an expression.
type Expr interface{ span() Span }

// ExprStmt is an expression evaluated for its effect, such as a call.
type ExprStmt struct {
	X Expr
}

// AssignStmt assigns to a map element or a scratch variable. Op is "="
// or a compound operator such as "+=".
type AssignStmt struct {
	Span Span
	Op   string
	LHS  Expr // *MapExpr or *VarExpr
	RHS  Expr
}

// IfStmt is if/else.
type IfStmt struct {
	Span Span
	Cond Expr
	Then []Stmt
	Else []Stmt
}

// IncStmt is x++ or x--.
type IncStmt struct {
	Span Span
	X    Expr
	Dec  bool
}

// IntLit is an integer literal.
type IntLit struct {
	Span Span
	V    int64
}

// StrLit is a string literal (escapes resolved).
type StrLit struct {
	Span Span
	V    string
}

// Builtin is a builtin variable such as pid or comm.
type Builtin struct {
	Span Span
	Name string
}

// VarExpr is a scratch variable $name.
type VarExpr struct {
	Span Span
	Name string
}

// MapExpr is @name or @name[keys].
type MapExpr struct {
	Span Span
	Name string // without '@'; "" for the anonymous map @
	Keys []Expr
}

// FieldExpr is args->field (or args.field).
type FieldExpr struct {
	Span  Span
	X     Expr
	Field string
}

// CallExpr is a function call.
type CallExpr struct {
	Span Span
	Name string
	Args []Expr
}

// BinaryExpr is a binary operation.
type BinaryExpr struct {
	Span Span
	Op   string
	X, Y Expr
}

// UnaryExpr is a unary operation: "-", "!", "~".
type UnaryExpr struct {
	Span Span
	Op   string
	X    Expr
}

// CondExpr is a ternary c ? a : b.
type CondExpr struct {
	Span       Span
	Cond, A, B Expr
}

// CastExpr is (type)x for an integer type.
type CastExpr struct {
	Span Span
	Type string
	X    Expr
}

func (s *ExprStmt) span() Span   { return s.X.span() }
func (s *AssignStmt) span() Span { return s.Span }
func (s *IfStmt) span() Span     { return s.Span }
func (s *IncStmt) span() Span    { return s.Span }
func (e *IntLit) span() Span     { return e.Span }
func (e *StrLit) span() Span     { return e.Span }
func (e *Builtin) span() Span    { return e.Span }
func (e *VarExpr) span() Span    { return e.Span }
func (e *MapExpr) span() Span    { return e.Span }
func (e *FieldExpr) span() Span  { return e.Span }
func (e *CallExpr) span() Span   { return e.Span }
func (e *BinaryExpr) span() Span { return e.Span }
func (e *UnaryExpr) span() Span  { return e.Span }
func (e *CondExpr) span() Span   { return e.Span }
func (e *CastExpr) span() Span   { return e.Span }
