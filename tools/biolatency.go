package tools

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// BiolatencyOptions configures biolatency, as libbpf-tools' biolatency
// flags do.
type BiolatencyOptions struct {
	// Queued includes the time requests wait in the OS queue (-Q): the
	// clock starts at block_rq_insert rather than block_rq_issue.
	Queued bool
	// PerDisk keeps a histogram per disk (-D).
	PerDisk bool
	// PerFlag keeps a histogram per set of request flags (-F).
	PerFlag bool
	// Milliseconds counts in msecs rather than usecs (-m).
	Milliseconds bool
	// Disk traces only this disk (-d).
	Disk string
	// Extension also sums the latencies and counts them (-e), for the
	// average bcc prints.
	Extension bool
	// Mode is where the program runs; "" means DefaultMode.
	Mode Mode
	// Source, in copy mode, replays these records instead of copying live
	// ones.
	Source RecordSource
	// Partitions names disks; nil means /proc/partitions.
	Partitions Partitions
}

// Biolatency measures block I/O latency from issue (or insert) to
// completion.
type Biolatency struct {
	s     *session
	opts  BiolatencyOptions
	parts Partitions
}

// NewBiolatency loads and attaches biolatency.
func NewBiolatency(opts BiolatencyOptions) (*Biolatency, error) {
	parts := opts.Partitions
	if parts == nil {
		var err error
		if parts, err = LoadPartitions(); err != nil {
			return nil, fmt.Errorf("biolatency: %w", err)
		}
	}
	cfg := make([]byte, 28)
	if opts.Disk != "" {
		dev, err := parts.Dev(opts.Disk)
		if err != nil {
			return nil, fmt.Errorf("biolatency: %w", err)
		}
		binary.LittleEndian.PutUint32(cfg[0:], 1)
		binary.LittleEndian.PutUint32(cfg[4:], dev)
	}
	for i, on := range []bool{opts.PerDisk, opts.PerFlag, opts.Milliseconds, opts.Queued, opts.Extension} {
		if on {
			binary.LittleEndian.PutUint32(cfg[8+4*i:], 1)
		}
	}
	progs := []string{"block_rq_issue", "block_rq_complete"}
	if opts.Queued {
		progs = append([]string{"block_rq_insert"}, progs...)
	}
	mode := opts.Mode
	if mode == "" {
		mode = DefaultMode()
	}
	s, err := startSession(mode, sessionSpec{object: "biolatency", programs: progs, config: cfg, source: opts.Source})
	if err != nil {
		return nil, fmt.Errorf("biolatency: %w", err)
	}
	return &Biolatency{s: s, opts: opts, parts: parts}, nil
}

// Mode returns where the program runs.
func (b *Biolatency) Mode() Mode { return b.s.mode }

// Read returns the histograms counted so far; with clear, it starts the
// next interval from zero.
func (b *Biolatency) Read(clear bool) (*Snapshot, error) {
	hs, err := b.s.readHists(clear, b.label)
	if err != nil {
		return nil, fmt.Errorf("biolatency: %w", err)
	}
	unit := "usecs"
	if b.opts.Milliseconds {
		unit = "msecs"
	}
	snap := &Snapshot{Tool: "biolatency", Mode: b.s.mode, Time: time.Now(), ValType: unit, Hists: hs, Stats: b.s.be.stats()}
	if b.opts.Extension {
		if snap.Extension, err = b.readExtension(clear); err != nil {
			return nil, fmt.Errorf("biolatency: %w", err)
		}
	}
	return snap, nil
}

// readExtension reads the total and count of the latencies (struct { u64
// total; u64 count; } at key 0 of map extension), zeroing them with clear.
func (b *Biolatency) readExtension(clear bool) (*Extension, error) {
	var e Extension
	err := b.s.be.iterate("extension", func(_, value []byte) error {
		if len(value) < 16 {
			return fmt.Errorf("extension value of %d bytes", len(value))
		}
		e.Total += binary.LittleEndian.Uint64(value)
		e.Count += binary.LittleEndian.Uint64(value[8:])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if clear {
		if err := b.s.be.update("extension", make([]byte, 4), make([]byte, 16)); err != nil {
			return nil, err
		}
	}
	return &e, nil
}

// label names a hists key: struct { u32 dev; u32 pad; char rwbs[8]; }.
func (b *Biolatency) label(key []byte) Keyed {
	var k Keyed
	var section []string
	if b.opts.PerDisk && len(key) >= 4 {
		disk := b.parts.Name(binary.LittleEndian.Uint32(key))
		k.Labels = append(k.Labels, Label{"disk", disk})
		section = append(section, "\ndisk = "+disk+"\t")
	}
	if b.opts.PerFlag && len(key) >= 16 {
		flags := FlagsName(cString(key[8:16]))
		k.Labels = append(k.Labels, Label{"flags", flags})
		section = append(section, "flags = "+flags)
	}
	k.Section = strings.Join(section, "") + "\n"
	return k
}

// Close detaches and frees biolatency.
func (b *Biolatency) Close() error { return b.s.close() }
