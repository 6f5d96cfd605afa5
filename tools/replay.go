package tools

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// ReplayOptions paces a replay of recordings.
type ReplayOptions struct {
	// Speed scales the recording's clock: 1 replays the records as fast as
	// they happened, 0.1 ten times slower. 0 means 1.
	Speed float64
	// Loop starts the recording over when it ends, each pass later than
	// the one before by the recording's span, so that the tools see a
	// steady stream of events.
	Loop bool
}

// ReplayRecordings opens recordings as OpenRecordings does, but hands each
// record to copy mode only when its time, counted from the first record,
// has passed on the wall clock (scaled by opts.Speed), as a live source
// would. It is what `gbpf serve --replay` runs the tools on.
func ReplayRecordings(opts ReplayOptions, paths ...string) (RecordSource, error) {
	if opts.Speed < 0 {
		return nil, fmt.Errorf("replay: speed %v is negative", opts.Speed)
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	src, err := OpenRecordings(paths...)
	if err != nil {
		return nil, err
	}
	fs := src.(*fileSource)
	p := &pacedSource{fileSource: fs, speed: opts.Speed, loop: opts.Loop, closed: make(chan struct{})}
	if n := len(fs.recs); n > 0 {
		p.first = fs.recs[0].Time
		// The gap between passes is the mean gap between records, so
		// that a loop neither bunches nor stalls.
		span := fs.recs[n-1].Time - p.first
		p.period = span + span/uint64(n)
		if p.period == 0 {
			p.period = 1
		}
	}
	return p, nil
}

// pacedSource is a fileSource read against the wall clock.
type pacedSource struct {
	*fileSource
	speed  float64
	loop   bool
	first  uint64 // time of the first record
	period uint64 // what one pass adds to the records' times

	start time.Time // when the first Read came
	next  int       // the next record of the pass
	pass  uint64

	closeOnce sync.Once
	closed    chan struct{}
}

// due returns how long after start the record r of the current pass is
// due, and its time in that pass.
func (p *pacedSource) due(r *Record) (time.Duration, uint64) {
	t := r.Time + p.pass*p.period
	return time.Duration(float64(t-p.first) / p.speed), t
}

func (p *pacedSource) Read(timeout time.Duration, fn func(*Record) error) error {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	deadline := time.Now().Add(timeout)
	for {
		if p.next == len(p.recs) {
			if !p.loop || len(p.recs) == 0 {
				return io.EOF
			}
			p.next = 0
			p.pass++
		}
		elapsed := time.Since(p.start)
		handed := 0
		for p.next < len(p.recs) {
			r := p.recs[p.next]
			at, t := p.due(&r)
			if at > elapsed {
				break
			}
			r.Time = t
			p.next++
			handed++
			if err := fn(&r); err != nil {
				return err
			}
		}
		if handed > 0 || p.next == len(p.recs) {
			return nil
		}
		at, _ := p.due(&p.recs[p.next])
		wait := min(time.Until(deadline), at-elapsed)
		if wait <= 0 {
			return nil
		}
		select {
		case <-p.closed:
			return io.EOF
		case <-time.After(wait):
		}
	}
}

func (p *pacedSource) Close() error {
	p.closeOnce.Do(func() { close(p.closed) })
	return nil
}
