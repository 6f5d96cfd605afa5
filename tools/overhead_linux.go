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
)

// measureGetppid measures getppid system calls, counted by a tracepoint
// program when mode traces.
func measureGetppid(mode Mode, opts OverheadOptions) (OverheadResult, error) {
	r := OverheadResult{Workload: "getppid", Mode: mode, Events: uint64(opts.Calls)}
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
