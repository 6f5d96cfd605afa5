package tools

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"
)

// TestReplayPaced checks that a paced replay hands records out no sooner
// than they are due, in time order, and that a loop goes on past the end
// with later times.
func TestReplayPaced(t *testing.T) {
	path := filepath.Join("testdata", "block_rq_issue.rec")
	all, err := OpenRecordings(path)
	if err != nil {
		t.Fatal(err)
	}
	var times []uint64
	all.Read(0, func(r *Record) error { times = append(times, r.Time); return nil })
	n := len(times)
	span := time.Duration(times[n-1] - times[0])

	const speed = 0.5
	src, err := ReplayRecordings(ReplayOptions{Speed: speed, Loop: true}, path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var last uint64
	got := 0
	for got < 2*n+1 {
		err := src.Read(10*time.Millisecond, func(r *Record) error {
			if r.Time < last {
				t.Fatalf("record %d at %d, before the one before (%d)", got, r.Time, last)
			}
			if due := time.Duration(float64(r.Time-times[0]) / speed); time.Since(start) < due {
				t.Fatalf("record %d handed out %v after the start, due at %v", got, time.Since(start), due)
			}
			last = r.Time
			got++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Two passes and one record: at least twice the span, scaled.
	if el := time.Since(start); el < time.Duration(float64(2*span)/speed) {
		t.Errorf("%d records in %v: faster than the recording at speed %v (span %v)", got, el, speed, span)
	}
	if last <= times[n-1]+uint64(span) {
		t.Errorf("the third pass's first record at %d is not later than the second pass", last)
	}
	src.Close()
	// Close wakes a Read that waits: at this speed the second record is
	// due in hours.
	slow, err := ReplayRecordings(ReplayOptions{Speed: 1e-9}, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := slow.Read(0, func(*Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- slow.Read(time.Hour, func(*Record) error { return errors.New("a record long before it is due") })
	}()
	time.Sleep(20 * time.Millisecond)
	slow.Close()
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("Read after Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end a waiting Read")
	}

	once, err := ReplayRecordings(ReplayOptions{Speed: 100}, path)
	if err != nil {
		t.Fatal(err)
	}
	got = 0
	for {
		err := once.Read(time.Second, func(*Record) error { got++; return nil })
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if got != n {
		t.Errorf("a replay without loop gave %d records, want %d", got, n)
	}
	if _, err := ReplayRecordings(ReplayOptions{Speed: -1}, path); err == nil {
		t.Error("a negative speed is accepted")
	}
}
