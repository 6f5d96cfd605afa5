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
		off := jt(p).offset - (p.offset + slen) - 1
		if off >= 256 {
			if p.longjt == 0 {
				p.longjt++
				return false, nil
			}
			cs.f[dst].Jt = uint8(extra)
			extra++
			cs.f[dst+extra] = cbpf.Instruction{Op: cbpf.ClassJMP | cbpf.JmpJA, K: uint32(off - extra)}
		} else {
			cs.f[dst].Jt = uint8(off)
		}
		off = jf(p).offset - (p.offset + slen) - 1
		if off >= 256 {
			if p.longjf == 0 {
				p.longjf++
				return false, nil
			}
			cs.f[dst].Jf = uint8(extra)
			extra++
			cs.f[dst+extra] = cbpf.Instruction{Op: cbpf.ClassJMP | cbpf.JmpJA, K: uint32(off - extra)}
		} else {
			cs.f[dst].Jf = uint8(off)
		}
	}
	return true, nil
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
