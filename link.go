package gbpf

import (
	"errors"
	"fmt"
	"sync"
)

// Link is an attachment of a program, as cilium/ebpf's link.Link: to a
// Hook of gbpf's runtime, or to a tracepoint, uprobe, XDP or tc interface
// or cgroup of the kernel. Close detaches the program; Update replaces it
// atomically, where the attachment allows it.
type Link interface {
	// Update replaces the attached program with p.
	Update(p *Program) error
	// Close detaches the program. Closing twice does nothing.
	Close() error
}

// AttachHook attaches p to the runtime hook h, which must have no program,
// and returns the link: Close detaches p (if it is still the hook's
// program), Update swaps in another program as Hook.Replace does. Programs
// of the Kernel backend run where the kernel runs them and attach to the
// kernel's attach points instead.
func (p *Program) AttachHook(h *Hook) (Link, error) {
	if p.kern != nil {
		return nil, fmt.Errorf("hook %s: program %s is in the kernel; hooks run runtime programs: %w", h.name, p.name, ErrNotSupported)
	}
	if err := h.Attach(p); err != nil {
		return nil, err
	}
	return &hookLink{h: h, p: p}, nil
}

// hookLink is the link of a program attached to a hook.
type hookLink struct {
	mu     sync.Mutex
	h      *Hook
	p      *Program
	closed bool
}

func (l *hookLink) Update(p *Program) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("link is closed")
	}
	if err := l.h.check(p); err != nil {
		return err
	}
	if !l.h.prog.CompareAndSwap(l.p, p) {
		return fmt.Errorf("hook %s: the link's program %s was replaced through the hook", l.h.name, l.p.name)
	}
	l.p = p
	return nil
}

func (l *hookLink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.h.prog.CompareAndSwap(l.p, nil)
	return nil
}
