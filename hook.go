package gbpf

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/progtype"
)

// ErrNoProgram is returned by Hook.Fire when no program is attached.
var ErrNoProgram = errors.New("no program attached")

// Hook is a named place in the host where events happen and a program of
// one type runs on each of them. The host fires it from any goroutine; the
// attached program can be replaced at any time: runs in flight finish on
// the program they started with, every later event runs the new one, and
// no event is lost.
type Hook struct {
	name string
	typ  progtype.Type
	rt   *Runtime
	prog atomic.Pointer[Program]
	// packet is set when the event is the program's packet or memory
	// (network and Raw programs) rather than its context.
	packet bool
	// slots are the inputs the hook prepared on each CPU of the runtime,
	// indexed by CPU number; a slot is used only by the run holding its
	// CPU.
	slots []hookSlot
}

// hookSlot is an event input a hook prepared on one CPU: the context and
// packet laid out for a program and a length, in the CPU's memory. An
// event of the same program and length on the same CPU only writes its
// bytes and the fields that change (hookSlot.load).
type hookSlot struct {
	prog        *Program
	packet, ctx *engine.Block // the CPU's memory when in was made
	dataLen     int
	in          input
}

// NewHook creates the hook name for programs of type t. Names are unique
// within a runtime.
func (rt *Runtime) NewHook(name string, t progtype.Type) (*Hook, error) {
	if _, ok := progtype.Lookup(t); !ok {
		return nil, fmt.Errorf("hook %s: program type %v: %w", name, t, ErrNotSupported)
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if _, ok := rt.hooks[name]; ok {
		return nil, fmt.Errorf("hook %s already exists", name)
	}
	h := &Hook{name: name, typ: t, rt: rt, slots: make([]hookSlot, rt.NumCPU())}
	switch t {
	case progtype.XDP, progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT, progtype.Raw:
		h.packet = true
	}
	rt.hooks[name] = h
	return h, nil
}

// Hook returns the hook called name, or nil.
func (rt *Runtime) Hook(name string) *Hook {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.hooks[name]
}

// Name returns the hook's name.
func (h *Hook) Name() string { return h.name }

// Type returns the type of programs the hook runs.
func (h *Hook) Type() progtype.Type { return h.typ }

func (h *Hook) check(p *Program) error {
	if p == nil {
		return fmt.Errorf("hook %s: nil program", h.name)
	}
	if p.info.Type != h.typ {
		return fmt.Errorf("hook %s: program %s is %v, the hook runs %v", h.name, p.name, p.info.Type, h.typ)
	}
	if p.rt != h.rt {
		return fmt.Errorf("hook %s: program %s belongs to another runtime", h.name, p.name)
	}
	return nil
}

// Attach attaches p to a hook that has no program.
func (h *Hook) Attach(p *Program) error {
	if err := h.check(p); err != nil {
		return err
	}
	if !h.prog.CompareAndSwap(nil, p) {
		return fmt.Errorf("hook %s: a program is attached; use Replace", h.name)
	}
	return nil
}

// Replace atomically swaps the attached program for p and returns the old
// one (nil if none was attached).
func (h *Hook) Replace(p *Program) (*Program, error) {
	if err := h.check(p); err != nil {
		return nil, err
	}
	return h.prog.Swap(p), nil
}

// Detach removes the attached program and returns it.
func (h *Hook) Detach() *Program { return h.prog.Swap(nil) }

// Program returns the attached program, or nil.
func (h *Hook) Program() *Program { return h.prog.Load() }

// Fire runs the attached program on one event: data is the packet of
// network hooks, the record of tracepoint hooks, the registers of kprobe
// hooks, or the input of Raw hooks. It returns the program's return value.
// It may be called from any number of goroutines at once.
func (h *Hook) Fire(data []byte) (uint64, error) {
	return h.FireTask(data, nil)
}

// FireTask is Fire for an event that happened in task (nil: the runtime's
// default task).
func (h *Hook) FireTask(data []byte, task *helpers.Task) (uint64, error) {
	//lint:ignore SA1012 a nil ctx is "no context": the run pays no ctx.Done check.
	return h.fireEvent(nil, data, task)
}

// FireContext is FireTask with a context that cancels the run: once ctx
// is done, the program stops within a millisecond and FireContext returns
// an error wrapping ctx.Err() (see Program.RunContext). A nil ctx never
// cancels.
func (h *Hook) FireContext(ctx context.Context, data []byte, task *helpers.Task) (uint64, error) {
	return h.fireEvent(ctx, data, task)
}

// fireEvent runs the attached program on one event until ctx (nil: never)
// is done.
func (h *Hook) fireEvent(ctx context.Context, data []byte, task *helpers.Task) (uint64, error) {
	p := h.prog.Load()
	c := h.rt.acquire(p)
	if task == nil {
		task = &h.rt.task
	}
	var ret uint64
	err := errNoProgram
	if p != nil {
		if s := &h.slots[c.id]; s.prog == p && s.dataLen == len(data) && s.packet == c.packet && s.ctx == c.ctx {
			// The event's input is laid out already: write its bytes
			// and run (fire without its arguments' shuffle).
			if h.packet {
				c.reset(p, data, nil, &s.in)
			} else {
				c.reset(p, nil, data, &s.in)
			}
			if ret, _, err = c.run(ctx, p, task, &s.in); err == nil {
				h.rt.release(c)
				return ret, nil
			}
			err = fmt.Errorf("hook %s: program %s: %w", h.name, p.name, err)
		} else {
			ret, err = h.fire(ctx, c, p, data, task)
		}
	}
	if err != nil {
		ret, err = h.fireAgain(ctx, c, data, task, err)
	}
	h.rt.release(c)
	return ret, err
}

// errNoProgram stands for ErrNoProgram until fireAgain names the hook.
var errNoProgram = errors.New("no program")

// fireAgain handles an event whose run failed with err: when its program
// was closed before the run could start, it runs the program attached now
// instead; otherwise it returns the error, saying where it happened.
func (h *Hook) fireAgain(ctx context.Context, c *cpu, data []byte, task *helpers.Task, err error) (uint64, error) {
	if err != errNoProgram && !errors.Is(err, errClosed) {
		return 0, err
	}
	for {
		p := h.prog.Load()
		if p == nil {
			return 0, fmt.Errorf("hook %s: %w", h.name, ErrNoProgram)
		}
		ret, err := h.fire(ctx, c, p, data, task)
		if errors.Is(err, errClosed) && h.prog.Load() != p {
			// The event picked a program that was replaced and closed
			// before it could start: run the new one instead.
			continue
		}
		return ret, err
	}
}

// fire runs p on one event.
func (h *Hook) fire(ctx context.Context, c *cpu, p *Program, data []byte, task *helpers.Task) (uint64, error) {
	var dataIn, ctxIn []byte
	if h.packet {
		dataIn = data
	} else {
		ctxIn = data
	}
	s := &h.slots[c.id]
	if s.prog != p || s.dataLen != len(data) || s.packet != c.packet || s.ctx != c.ctx {
		if err := h.prepare(c, s, p, dataIn, ctxIn); err != nil {
			return 0, err
		}
	}
	in := &s.in
	c.reset(p, dataIn, ctxIn, in)
	ret, _, err := c.run(ctx, p, task, in)
	if err != nil {
		return ret, fmt.Errorf("hook %s: program %s: %w", h.name, p.name, err)
	}
	return ret, nil
}

// prepare lays out s for events of len(dataIn)+len(ctxIn) bytes for p
// on c.
func (h *Hook) prepare(c *cpu, s *hookSlot, p *Program, dataIn, ctxIn []byte) error {
	s.prog = nil
	if err := c.prepare(p, dataIn, ctxIn, &s.in); err != nil {
		return fmt.Errorf("hook %s: %w", h.name, err)
	}
	s.in.bind(p)
	s.prog, s.packet, s.ctx, s.dataLen = p, c.packet, c.ctx, len(dataIn)+len(ctxIn)
	return nil
}
