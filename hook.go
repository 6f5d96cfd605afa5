package gbpf

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/helpers"
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
	h := &Hook{name: name, typ: t, rt: rt}
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
	c := h.rt.acquire()
	defer h.rt.release(c)
	if task == nil {
		task = &h.rt.task
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
	var in input
	var err error
	var dataIn, ctxIn []byte
	switch h.typ {
	case progtype.XDP, progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT, progtype.Raw:
		dataIn = data
	default:
		ctxIn = data
	}
	if in, err = c.prepare(p, dataIn, ctxIn); err != nil {
		return 0, fmt.Errorf("hook %s: %w", h.name, err)
	}
	in.bind(p)
	if err := c.reset(p, dataIn, ctxIn, in); err != nil {
		return 0, fmt.Errorf("hook %s: %w", h.name, err)
	}
	ret, _, err := c.run(ctx, p, task, in)
	if err != nil {
		return ret, fmt.Errorf("hook %s: program %s: %w", h.name, p.name, err)
	}
	return ret, nil
}
