package tools

import (
	"encoding/binary"
	"fmt"
	"time"
)

// BitesizeOptions configures bitesize, as libbpf-tools' bitesize flags do.
type BitesizeOptions struct {
	// Comm traces only processes of this name (-c); at most 15 bytes
	// count, as the kernel's TASK_COMM_LEN.
	Comm string
	// Disk traces only this disk, as /proc/partitions names it (-d).
	Disk string
	// Mode is where the program runs; "" means DefaultMode.
	Mode Mode
	// Source, in copy mode, replays these records instead of copying live
	// ones (for tests and recordings).
	Source RecordSource
	// Partitions names disks; nil means /proc/partitions.
	Partitions Partitions
}

// Bitesize counts block I/O sizes, in kbytes, per process name, at
// block:block_rq_issue.
type Bitesize struct {
	s *session
}

// NewBitesize loads and attaches bitesize.
func NewBitesize(opts BitesizeOptions) (*Bitesize, error) { return newBitesize(opts, 0) }

func newBitesize(opts BitesizeOptions, ringPages int) (*Bitesize, error) {
	cfg := make([]byte, 32)
	if opts.Comm != "" {
		binary.LittleEndian.PutUint32(cfg[0:], 1)
		copy(cfg[16:31], opts.Comm)
	}
	if opts.Disk != "" {
		dev, err := diskDev(opts.Partitions, opts.Disk)
		if err != nil {
			return nil, err
		}
		binary.LittleEndian.PutUint32(cfg[4:], 1)
		binary.LittleEndian.PutUint32(cfg[8:], dev)
	}
	mode := opts.Mode
	if mode == "" {
		mode = DefaultMode()
	}
	s, err := startSession(mode, sessionSpec{object: "bitesize", programs: []string{"block_rq_issue"}, config: cfg, source: opts.Source, ringPages: ringPages})
	if err != nil {
		return nil, fmt.Errorf("bitesize: %w", err)
	}
	return &Bitesize{s: s}, nil
}

func diskDev(p Partitions, disk string) (uint32, error) {
	if p == nil {
		var err error
		if p, err = LoadPartitions(); err != nil {
			return 0, err
		}
	}
	return p.Dev(disk)
}

// Mode returns where the program runs.
func (b *Bitesize) Mode() Mode { return b.s.mode }

// Read returns the histograms counted so far; with clear, it starts the
// next interval from zero, as libbpf-tools does after printing.
func (b *Bitesize) Read(clear bool) (*Snapshot, error) {
	hs, err := b.s.readHists(clear, func(key []byte) Keyed {
		comm := cString(key)
		return Keyed{Labels: []Label{{"comm", comm}}, Section: "\nProcess Name = " + comm + "\n"}
	})
	if err != nil {
		return nil, fmt.Errorf("bitesize: %w", err)
	}
	return &Snapshot{Tool: "bitesize", Mode: b.s.mode, Time: time.Now(), ValType: "kbytes", Hists: hs, Stats: b.s.be.stats()}, nil
}

// Close detaches and frees bitesize.
func (b *Bitesize) Close() error { return b.s.close() }
