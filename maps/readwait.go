package maps

import (
	"os"
	"sync"
	"time"
)

// readWait is the blocking side the ring buffer and perf readers share:
// one Read at a time, a deadline, Close, and the loop that waits between
// attempts to take a record.
type readWait struct {
	mu       sync.Mutex // one Read at a time
	dmu      sync.Mutex // guards deadline
	deadline time.Time
	closed   chan struct{}
	once     sync.Once
	timer    *time.Timer
}

// init prepares w for use.
func (w *readWait) init() {
	w.closed = make(chan struct{})
	w.timer = time.NewTimer(time.Hour)
	w.timer.Stop()
}

// setDeadline sets the time after which read gives up; the caller wakes a
// blocked read so that it sees the new deadline.
func (w *readWait) setDeadline(t time.Time) {
	w.dmu.Lock()
	w.deadline = t
	w.dmu.Unlock()
}

// close runs detach, if not nil, and makes pending and future reads
// return os.ErrClosed; only the first call does anything.
func (w *readWait) close(detach func()) {
	w.once.Do(func() {
		if detach != nil {
			detach()
		}
		close(w.closed)
	})
}

// read calls try until it takes a record or fails, waiting for notify,
// the deadline (os.ErrDeadlineExceeded) or close (os.ErrClosed) between
// attempts.
func (w *readWait) read(notify <-chan struct{}, try func() (bool, error)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		select {
		case <-w.closed:
			return os.ErrClosed
		default:
		}
		ok, err := try()
		if ok || err != nil {
			return err
		}
		w.dmu.Lock()
		deadline := w.deadline
		w.dmu.Unlock()
		var expired <-chan time.Time
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return os.ErrDeadlineExceeded
			}
			w.timer.Reset(d)
			expired = w.timer.C
		}
		select {
		case <-notify:
		case <-expired:
		case <-w.closed:
		}
		w.timer.Stop()
	}
}

// wake sends on notify without blocking: a pending wake-up is enough.
func wake(notify chan struct{}) {
	select {
	case notify <- struct{}{}:
	default:
	}
}
