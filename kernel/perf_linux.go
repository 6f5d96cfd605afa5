package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ring is one CPU's perf event and its mmap'd ring buffer.
type ring struct {
	cpu  int
	fd   int
	mem  []byte // meta page + data
	meta *unix.PerfEventMmapPage
	data []byte
}

// TracepointReader copies every record of one tracepoint to user space
// through per-CPU perf rings. Its methods are safe for concurrent use; Read
// calls are serialised.
//
// The kernel gives perf events no records of a tracepoint while a BPF
// program attached to it returns 0 (perf_trace_run_bpf_submit), as the
// programs of bcc, bpftrace and gbpf's tools do: a reader then sees
// nothing, and no loss is reported either.
type TracepointReader struct {
	format *Format

	mu      sync.Mutex // held by Read and Close
	rings   []*ring
	epfd    int
	wakefd  int // eventfd that wakes Read for Close
	closed  atomic.Bool
	lost    atomic.Uint64
	samples atomic.Uint64
	scratch []byte // records that wrap around the end of a ring
	events  []unix.EpollEvent
	sample  Sample
}

// OpenTracepoint starts copying the records of tracepoint group:name to
// per-CPU rings. Call Read to consume them and Close to stop.
func OpenTracepoint(group, name string, opts ReaderOptions) (*TracepointReader, error) {
	format, err := TracepointFormat(group, name)
	if err != nil {
		return nil, err
	}
	pages := opts.RingPages
	if pages == 0 {
		pages = 64
	}
	if pages < 1 || pages&(pages-1) != 0 {
		return nil, fmt.Errorf("perf ring of %d pages: need a power of two", pages)
	}
	pageSize := os.Getpagesize()
	watermark := opts.Watermark
	if watermark <= 0 {
		watermark = pages * pageSize / 4
	}
	cpus := opts.CPUs
	if cpus == nil {
		if cpus, err = OnlineCPUs(); err != nil {
			return nil, err
		}
	}
	r := &TracepointReader{format: format, epfd: -1, wakefd: -1, scratch: make([]byte, 0, 4096)}
	ok := false
	defer func() {
		if !ok {
			r.release()
		}
	}()
	if r.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	if r.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, r.wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}); err != nil {
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_TRACEPOINT,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Config:      format.ID,
		Sample:      1,
		Sample_type: unix.PERF_SAMPLE_TIME | unix.PERF_SAMPLE_RAW,
		Bits:        unix.PerfBitDisabled | unix.PerfBitWatermark | unix.PerfBitUseClockID,
		Wakeup:      uint32(watermark),
		Clockid:     unix.CLOCK_MONOTONIC,
	}
	for i, cpu := range cpus {
		fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("perf_event_open %s:%s on cpu %d: %w", group, name, cpu, err)
		}
		rg := &ring{cpu: cpu, fd: fd}
		r.rings = append(r.rings, rg)
		rg.mem, err = unix.Mmap(fd, 0, (pages+1)*pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("mmap perf ring of cpu %d: %w", cpu, err)
		}
		rg.meta = (*unix.PerfEventMmapPage)(unsafe.Pointer(&rg.mem[0]))
		rg.data = rg.mem[pageSize:]
		if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			return nil, fmt.Errorf("epoll_ctl: %w", err)
		}
	}
	r.events = make([]unix.EpollEvent, len(r.rings)+1)
	for _, rg := range r.rings {
		if err := unix.IoctlSetInt(rg.fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
			return nil, fmt.Errorf("enable perf event on cpu %d: %w", rg.cpu, err)
		}
	}
	ok = true
	return r, nil
}

// Format returns the layout of the tracepoint's records.
func (r *TracepointReader) Format() *Format { return r.format }

// Lost returns how many records the kernel dropped because a ring was full.
// The kernel reports a loss with the next record that fits in the ring, so
// the count can lag until the tracepoint fires again.
func (r *TracepointReader) Lost() uint64 { return r.lost.Load() }

// Samples returns how many records Read has handed out.
func (r *TracepointReader) Samples() uint64 { return r.samples.Load() }

// Read waits up to timeout for records (a negative timeout waits until
// records arrive or Close is called), then hands every record in the rings
// to fn, in order per CPU. It returns the number of records handed out. If
// fn returns an error, Read stops and returns it; the records not yet seen
// stay in the rings. The Sample and its Raw bytes are reused: fn must not
// keep them.
func (r *TracepointReader) Read(timeout time.Duration, fn func(*Sample) error) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return 0, ErrClosed
	}
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	if _, err := unix.EpollWait(r.epfd, r.events, ms); err != nil && !errors.Is(err, unix.EINTR) {
		return 0, fmt.Errorf("epoll_wait: %w", err)
	}
	if r.closed.Load() {
		return 0, ErrClosed
	}
	total := 0
	for _, rg := range r.rings {
		n, err := r.drain(rg, fn)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Record layouts in the ring (include/uapi/linux/perf_event.h).
const (
	headerSize = 8 // u32 type, u16 misc, u16 size
)

// drain hands every complete record of rg to fn and frees their room.
func (r *TracepointReader) drain(rg *ring, fn func(*Sample) error) (int, error) {
	head := atomic.LoadUint64(&rg.meta.Data_head)
	tail := atomic.LoadUint64(&rg.meta.Data_tail)
	size := uint64(len(rg.data))
	n := 0
	for tail < head {
		rec := r.record(rg, tail, size)
		if rec == nil {
			break
		}
		recSize := uint64(binary.LittleEndian.Uint16(rec[6:]))
		var err error
		switch binary.LittleEndian.Uint32(rec) {
		case unix.PERF_RECORD_SAMPLE:
			// u64 time; u32 size; u8 data[size]
			if len(rec) >= headerSize+12 {
				rawLen := int(binary.LittleEndian.Uint32(rec[headerSize+8:]))
				if raw := rec[headerSize+12:]; rawLen <= len(raw) {
					r.sample = Sample{CPU: rg.cpu, Time: binary.LittleEndian.Uint64(rec[headerSize:]), Raw: raw[:rawLen]}
					r.samples.Add(1)
					n++
					err = fn(&r.sample)
				}
			}
		case unix.PERF_RECORD_LOST:
			// u64 id; u64 lost
			if len(rec) >= headerSize+16 {
				r.lost.Add(binary.LittleEndian.Uint64(rec[headerSize+8:]))
			}
		}
		tail += recSize
		if err != nil {
			atomic.StoreUint64(&rg.meta.Data_tail, tail)
			return n, err
		}
	}
	atomic.StoreUint64(&rg.meta.Data_tail, tail)
	return n, nil
}

// record returns the record at tail, copied into scratch when it wraps
// around the end of the ring, or nil if its header is malformed.
func (r *TracepointReader) record(rg *ring, tail, size uint64) []byte {
	off := tail % size
	var hdr [headerSize]byte
	for i := range hdr {
		hdr[i] = rg.data[(off+uint64(i))%size]
	}
	recSize := uint64(binary.LittleEndian.Uint16(hdr[6:]))
	if recSize < headerSize || recSize > size {
		return nil
	}
	if off+recSize <= size {
		return rg.data[off : off+recSize]
	}
	r.scratch = append(r.scratch[:0], rg.data[off:]...)
	r.scratch = append(r.scratch, rg.data[:recSize-(size-off)]...)
	return r.scratch
}

// Close stops the events, wakes a waiting Read and frees the rings.
func (r *TracepointReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	if r.wakefd >= 0 {
		var one [8]byte
		binary.LittleEndian.PutUint64(one[:], 1)
		_, _ = unix.Write(r.wakefd, one[:])
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.release()
}

func (r *TracepointReader) release() error {
	var errs []error
	for _, rg := range r.rings {
		_ = unix.IoctlSetInt(rg.fd, unix.PERF_EVENT_IOC_DISABLE, 0)
		if rg.mem != nil {
			errs = append(errs, unix.Munmap(rg.mem))
		}
		errs = append(errs, unix.Close(rg.fd))
	}
	r.rings = nil
	for _, fd := range []*int{&r.epfd, &r.wakefd} {
		if *fd >= 0 {
			errs = append(errs, unix.Close(*fd))
			*fd = -1
		}
	}
	return errors.Join(errs...)
}
