package pcapfilter

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
)

// icode is the flow graph of a program being compiled.
type icode struct {
	root    *block
	curMark int
}

func (ic *icode) unMarkAll()             { ic.curMark++ }
func (ic *icode) isMarked(b *block) bool { return b.mark == ic.curMark }
func (ic *icode) mark(b *block)          { b.mark = ic.curMark }

func slength(s *slist) int {
	n := 0
	for ; s != nil; s = s.next {
		if s.s.code != nop {
			n++
		}
	}
	return n
}

func (ic *icode) countStmts(p *block) int {
	if p == nil || ic.isMarked(p) {
		return 0
	}
	ic.mark(p)
	n := ic.countStmts(jt(p)) + ic.countStmts(jf(p))
	return slength(p.stmts) + n + 1 + p.longjt + p.longjf
}

// convState is the array being filled from its end.
type convState struct {
	f    []cbpf.Instruction
	tail int
}

// convertCode lays out the blocks reachable from p, false branch first,
// from the end of the array backwards, like libpcap's convert_code_r. It
// returns false if a branch was too long and must be retried.
func (ic *icode) convertCode(cs *convState, p *block) (bool, error) {
	if p == nil || ic.isMarked(p) {
		return true, nil
	}
	ic.mark(p)
	if ok, err := ic.convertCode(cs, jf(p)); !ok || err != nil {
		return ok, err
	}
	if ok, err := ic.convertCode(cs, jt(p)); !ok || err != nil {
		return ok, err
	}
	slen := slength(p.stmts)
	cs.tail -= slen + 1 + p.longjt + p.longjf
	dst := cs.tail
	p.offset = dst
	// The first slen statements, for resolving block-local jumps.
	offset := make([]*slist, 0, slen)
	for src := p.stmts; src != nil && len(offset) < slen; src = src.next {
		offset = append(offset, src)
	}
	off := 0
	for src := p.stmts; src != nil; src = src.next {
		if src.s.code == nop {
			continue
		}
		cs.f[dst] = cbpf.Instruction{Op: uint16(src.s.code), K: src.s.k}
		if cbpf.Class(uint16(src.s.code)) == cbpf.ClassJMP && src.s.code != cbpf.ClassJMP|cbpf.JmpJA && off != slen-2 {
			if src.s.jt == nil || src.s.jf == nil {
				return false, fmt.Errorf("no jmp destination for block-local relative jump: off=%d", off)
			}
			var nt, nf int
			for i, o := range offset {
				if o == src.s.jt {
					if nt++; nt > 1 || i-off-1 >= 256 {
						return false, fmt.Errorf("bad block-local relative jump: off=%d", off)
					}
					cs.f[dst].Jt = uint8(i - off - 1)
				}
				if o == src.s.jf {
					if nf++; nf > 1 || i-off-1 >= 256 {
						return false, fmt.Errorf("bad block-local relative jump: off=%d", off)
					}
					cs.f[dst].Jf = uint8(i - off - 1)
				}
			}
			if nt == 0 || nf == 0 {
				return false, fmt.Errorf("no destination found for block-local relative jump: off=%d", off)
			}
		}
		dst++
		off++
	}
	cs.f[dst] = cbpf.Instruction{Op: uint16(p.s.code), K: p.s.k}
	if jt(p) != nil {
		extra := 0
		var ok bool
		if cs.f[dst].Jt, ok = cs.branch(dst, jt(p).offset-(p.offset+slen)-1, &p.longjt, &extra); !ok {
			return false, nil
		}
		if cs.f[dst].Jf, ok = cs.branch(dst, jf(p).offset-(p.offset+slen)-1, &p.longjf, &extra); !ok {
			return false, nil
		}
	}
	return true, nil
}

// branch returns the 8-bit jump field of the conditional jump at dst for
// a branch off instructions ahead. A branch of 256 or more goes through a
// "ja" placed after the jump (*extra counts them) and the field points at
// it; the first time a branch is too long, branch sets *long so that the
// next conversion round leaves room for the "ja", and returns false.
func (cs *convState) branch(dst, off int, long, extra *int) (uint8, bool) {
	if off < 256 {
		return uint8(off), true
	}
	if *long == 0 {
		*long = 1
		return 0, false
	}
	field := uint8(*extra)
	*extra++
	cs.f[dst+*extra] = cbpf.Instruction{Op: cbpf.ClassJMP | cbpf.JmpJA, K: uint32(off - *extra)}
	return field, true
}

// toFcode converts the flow graph to an instruction array.
func (ic *icode) toFcode() ([]cbpf.Instruction, error) {
	for {
		ic.unMarkAll()
		n := ic.countStmts(ic.root)
		cs := &convState{f: make([]cbpf.Instruction, n), tail: n}
		ic.unMarkAll()
		ok, err := ic.convertCode(cs, ic.root)
		if err != nil {
			return nil, err
		}
		if ok {
			return cs.f, nil
		}
	}
}
