package tools

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/loader"
)

// measureGetppid measures getppid system calls, counted by a tracepoint
// program when mode traces.
func measureGetppid(mode Mode, opts OverheadOptions) (OverheadResult, error) {
	r := OverheadResult{Workload: "getppid", Mode: mode, Events: uint64(opts.Calls)}
	if mode == ModeHook {
		return measureGetppidHook(r, opts)
	}
	var s *session
	if mode != ModeNone {
		var err error
		s, err = startSession(mode, sessionSpec{object: "syscount", programs: []string{"sys_enter_getppid"}, ringPages: opts.RingPages})
		if err != nil {
			return r, err
		}
		defer s.close()
	}
	work := func() error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for range opts.Calls {
			unix.Getppid()
		}
		return nil
	}
	var finish func() error
	if s != nil {
		finish = s.be.sync
	}
	var err error
	if r.Wall, r.CPU, err = measure(work, finish); err != nil {
		return r, err
	}
	if s != nil {
		err := s.be.iterate("counts", func(key, value []byte) error {
			if len(key) == 4 && binary.LittleEndian.Uint32(key) == unix.SYS_GETPPID && len(value) == 8 {
				r.Counted = binary.LittleEndian.Uint64(value)
			}
			return nil
		})
		if err != nil {
			return r, err
		}
		r.Lost = s.be.stats().Lost
	}
	return r, nil
}

// measureDirectIO measures O_DIRECT writes of one page to a preallocated file.
func measureDirectIO(mode Mode, opts OverheadOptions) (OverheadResult, error) {
	r := OverheadResult{Workload: "direct-io", Mode: mode, Events: uint64(opts.IOs)}
	dir := opts.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "gbpf-overhead-*")
	if err != nil {
		return r, err
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_DIRECT|unix.O_CLOEXEC, 0)
	if err != nil {
		return r, fmt.Errorf("open %s with O_DIRECT: %w", name, err)
	}
	defer unix.Close(fd)
	buf, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return r, err
	}
	defer unix.Munmap(buf)
	// Allocate the file first so the measured writes do not allocate blocks.
	if err := unix.Fallocate(fd, 0, 0, int64(opts.IOs)*4096); err != nil && !errors.Is(err, syscall.EOPNOTSUPP) {
		return r, err
	}
	var b *Bitesize
	if mode != ModeNone {
		b, err = newBitesize(BitesizeOptions{Mode: mode, Comm: commOf()}, opts.RingPages)
		if err != nil {
			return r, err
		}
		defer b.Close()
	}
	work := func() error {
		for i := range opts.IOs {
			if _, err := unix.Pwrite(fd, buf, int64(i)*4096); err != nil {
				return fmt.Errorf("pwrite %s: %w", filepath.Base(name), err)
			}
		}
		return nil
	}
	var finish func() error
	if b != nil {
		finish = b.s.be.sync
	}
	if r.Wall, r.CPU, err = measure(work, finish); err != nil {
		return r, err
	}
	if b != nil {
		snap, err := b.Read(false)
		if err != nil {
			return r, err
		}
		r.Counted, r.Lost = snap.Total(), snap.Stats.Lost
	}
	return r, nil
}

// measureGetppidHook measures getppid system calls, each followed by a
// fire of a hook that runs syscount's program on the record the kernel
// would give it (syscalls:sys_enter_getppid: the common fields, then
// __syscall_nr).
func measureGetppidHook(r OverheadResult, opts OverheadOptions) (OverheadResult, error) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		return r, err
	}
	obj, err := Object("syscount")
	if err != nil {
		return r, err
	}
	spec, err := loader.LoadCollectionSpecFromBytes(obj)
	if err != nil {
		return r, fmt.Errorf("syscount object: %w", err)
	}
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt})
	if err != nil {
		return r, fmt.Errorf("gbpf runtime: %w", err)
	}
	defer coll.Close()
	prog := coll.Programs["sys_enter_getppid"]
	if prog == nil {
		return r, fmt.Errorf("syscount object has no program sys_enter_getppid")
	}
	hook, err := rt.NewHook("syscalls:sys_enter_getppid", prog.Type())
	if err != nil {
		return r, err
	}
	if err := hook.Attach(prog); err != nil {
		return r, err
	}
	record := make([]byte, 16)
	binary.LittleEndian.PutUint32(record[4:], uint32(os.Getpid()))
	binary.LittleEndian.PutUint32(record[8:], unix.SYS_GETPPID)
	work := func() error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for range opts.Calls {
			unix.Getppid()
			if _, err := hook.Fire(record); err != nil {
				return err
			}
		}
		return nil
	}
	if r.Wall, r.CPU, err = measure(work, nil); err != nil {
		return r, err
	}
	var key uint32 = unix.SYS_GETPPID
	if err := coll.Maps["counts"].Lookup(key, &r.Counted); err != nil {
		return r, fmt.Errorf("syscount counts: %w", err)
	}
	return r, nil
}
