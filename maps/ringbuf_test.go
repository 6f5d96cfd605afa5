package maps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

func newRing(t testing.TB, size uint32) (*RingBufMap, *RingBufReader) {
	t.Helper()
	m := mustNew(t, &Spec{Type: RingBuf, MaxEntries: size})
	rd, err := NewRingBufReader(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return m.(*RingBufMap), rd
}

func TestRingBufLayout(t *testing.T) {
	rb, rd := newRing(t, 4096)
	a := rb.Reserve(5)
	if a == 0 || a%8 != 0 {
		t.Fatalf("reserve: %#x", a)
	}
	hdr := a - RingBufHeaderSize
	if l := engine.Load32(hdr); l != 5|RingBufBusyBit {
		t.Errorf("header while reserved: %#x", l)
	}
	if rb.Query(RingBufProdPos) != 16 || rb.Query(RingBufConsPos) != 0 || rb.Query(RingBufAvailData) != 16 || rb.Query(RingBufRingSize) != 4096 {
		t.Errorf("positions: prod %d cons %d avail %d size %d", rb.Query(RingBufProdPos), rb.Query(RingBufConsPos), rb.Query(RingBufAvailData), rb.Query(RingBufRingSize))
	}
	// Not committed: the reader does not see it.
	rd.SetDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := rd.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read of a busy record: %v", err)
	}
	copy(engine.Bytes(a, 5), "hello")
	rb.Submit(a, 0)
	if l := engine.Load32(hdr); l != 5 {
		t.Errorf("header after submit: %#x", l)
	}
	rec, err := rd.Read()
	if err != nil || string(rec.RawSample) != "hello" || rec.Remaining != 0 {
		t.Fatalf("read %q %d %v", rec.RawSample, rec.Remaining, err)
	}
	// Discarded records are skipped.
	d := rb.Reserve(100)
	rb.Discard(d, 0)
	if engine.Load32(d-8) != 100|RingBufDiscardBit {
		t.Errorf("discarded header %#x", engine.Load32(d-8))
	}
	if r := rb.Output([]byte("after"), 0); r != 0 {
		t.Fatal(r)
	}
	rd.SetDeadline(time.Time{})
	if rec, err = rd.Read(); err != nil || string(rec.RawSample) != "after" {
		t.Fatalf("read %q %v", rec.RawSample, err)
	}
	if rb.Output(nil, 4) != errnoEINVAL {
		t.Error("output with unknown flags")
	}
}

func TestRingBufFullAndWrap(t *testing.T) {
	rb, rd := newRing(t, 4096)
	if rb.Reserve(4096) != 0 || rb.Reserve(4089) != 0 || rb.Reserve(4088) != 0 {
		t.Error("reserved more than the ring holds")
	}
	// Records of 1000 bytes (1008 with header): 4 fit, the 5th does not.
	for i := 0; i < 4; i++ {
		if r := rb.Output(bytes.Repeat([]byte{byte(i)}, 1000), 0); r != 0 {
			t.Fatalf("output %d: %d", i, r)
		}
	}
	if r := rb.Output(make([]byte, 1000), 0); r != -11 {
		t.Fatalf("output to full ring: %d, want -EAGAIN", r)
	}
	// Read and write many times so records wrap around the end; the
	// double mapping keeps each one contiguous.
	for i := 0; i < 50; i++ {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.RawSample) != 1000 || rec.RawSample[0] != rec.RawSample[999] {
			t.Fatalf("record %d corrupt", i)
		}
		if r := rb.Output(bytes.Repeat([]byte{byte(i + 4)}, 1000), 0); r != 0 {
			t.Fatalf("output: %d", r)
		}
	}
}

func TestRingBufReaderCloseAndDeadline(t *testing.T) {
	_, rd := newRing(t, 4096)
	rd.SetDeadline(time.Now().Add(-time.Second))
	if _, err := rd.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("past deadline: %v", err)
	}
	rd.SetDeadline(time.Time{})
	done := make(chan error)
	go func() {
		_, err := rd.Read()
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	rd.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestRingBufMapCloseWakesReader(t *testing.T) {
	m := mustNew(t, &Spec{Type: RingBuf, MaxEntries: 4096})
	rd, err := NewRingBufReader(m)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	done := make(chan error)
	go func() {
		_, err := rd.Read()
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	m.Close()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("read after map close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reader still blocked after the map was closed")
	}
	if rd.AvailableBytes() != 0 {
		t.Error("available bytes of a closed ring")
	}
}

func TestRingBufConcurrentProducers(t *testing.T) {
	rb, rd := newRing(t, 1<<14)
	const producers, each = 4, 2000
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; {
				a := rb.Reserve(16)
				if a == 0 {
					time.Sleep(10 * time.Microsecond) // full: let the reader drain
					continue
				}
				engine.Store64(a, uint64(p))
				engine.Store64(a+8, uint64(i))
				rb.Submit(a, 0)
				i++
			}
		}(p)
	}
	next := make([]uint64, producers)
	rec := RingBufRecord{}
	for n := 0; n < producers*each; n++ {
		if err := rd.ReadInto(&rec); err != nil {
			t.Fatal(err)
		}
		p, i := binary.NativeEndian.Uint64(rec.RawSample), binary.NativeEndian.Uint64(rec.RawSample[8:])
		if i != next[p] {
			t.Fatalf("producer %d: record %d, want %d", p, i, next[p])
		}
		next[p]++
	}
	wg.Wait()
}

// TestRingBufMixedProducers mixes Output, Reserve+Submit and
// Reserve+Discard from several goroutines with flags; the reader sees
// every committed record once, and no discarded one.
func TestRingBufMixedProducers(t *testing.T) {
	rb, rd := newRing(t, 1<<13)
	const producers, each = 3, 1500
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Stop the producers before the ring is closed, even if the test fails.
	defer func() { close(stop); wg.Wait() }()
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			buf := make([]byte, 24)
			for i := 0; i < each; {
				select {
				case <-stop:
					return
				default:
				}
				binary.NativeEndian.PutUint64(buf, uint64(p))
				binary.NativeEndian.PutUint64(buf[8:], uint64(i))
				flags := []uint64{0, RingBufNoWakeup, RingBufForceWakeup}[i%3]
				switch i % 4 {
				case 0:
					if rb.Output(buf, flags|RingBufForceWakeup) != 0 {
						time.Sleep(10 * time.Microsecond)
						continue
					}
				case 1: // a discarded record in between
					// Without BPF_RB_NO_WAKEUP: a reader that stopped at
					// this record, busy until now, must be woken (on
					// Linux too), or it would wait while the ring fills.
					if a := rb.Reserve(40); a != 0 {
						engine.Store64(a, 0xdead)
						rb.Discard(a, flags&^RingBufNoWakeup)
					}
					fallthrough
				default:
					a := rb.Reserve(24)
					if a == 0 {
						time.Sleep(10 * time.Microsecond)
						continue
					}
					engine.Store64(a, uint64(p))
					engine.Store64(a+8, uint64(i))
					engine.Store64(a+16, 0)
					rb.Submit(a, RingBufForceWakeup)
				}
				i++
			}
		}(p)
	}
	next := make([]uint64, producers)
	var rec RingBufRecord
	rd.SetDeadline(time.Now().Add(20 * time.Second))
	for n := 0; n < producers*each; n++ {
		if err := rd.ReadInto(&rec); err != nil {
			t.Fatalf("after %d records: %v", n, err)
		}
		if len(rec.RawSample) != 24 {
			t.Fatalf("record of %d bytes (a discarded one?)", len(rec.RawSample))
		}
		p, i := binary.NativeEndian.Uint64(rec.RawSample), binary.NativeEndian.Uint64(rec.RawSample[8:])
		if p >= producers || i != next[p] {
			t.Fatalf("producer %d: record %d, want %d", p, i, next[p])
		}
		next[p]++
	}
	wg.Wait()
	if rb.Query(RingBufAvailData) != 0 {
		// Only discarded records may be left.
		rd.SetDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := rd.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("extra record: %v", err)
		}
	}
}

func TestPerfEventArray(t *testing.T) {
	SetNumCPU(2)
	defer SetNumCPU(defaultCPUs)
	m := mustNew(t, &Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 4})
	if m.Spec().MaxEntries != 2 {
		t.Fatalf("MaxEntries %d, want NumCPU", m.Spec().MaxEntries)
	}
	pm := m.(*PerfEventMap)
	if r := pm.Output(0, []byte("x")); r != errnoENOENT {
		t.Errorf("output without reader: %d", r)
	}
	if r := pm.Output(2, []byte("x")); r != errnoE2BIG {
		t.Errorf("output out of range: %d", r)
	}
	rd, err := NewPerfReader(m, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for i := 0; i < 5; i++ { // 16 bytes each: 4 fit, the 5th is lost
		r := pm.Output(1, []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8})
		if (i < 4) != (r == 0) || (i == 4 && r != errnoENOSPC) {
			t.Errorf("output %d: %d", i, r)
		}
	}
	pm.Output(0, []byte("cpu0"))
	var got []PerfRecord
	rd.SetDeadline(time.Now().Add(50 * time.Millisecond))
	for {
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	var samples1, lost uint64
	for _, r := range got {
		switch {
		case r.CPU == 1 && r.LostSamples == 0:
			if r.RawSample[0] != byte(samples1) || len(r.RawSample) != 9 {
				t.Errorf("cpu 1 sample %d: %x", samples1, r.RawSample)
			}
			samples1++
		case r.CPU == 1:
			lost += r.LostSamples
		case r.CPU == 0 && string(r.RawSample) != "cpu0":
			t.Errorf("cpu 0 sample %q", r.RawSample)
		}
	}
	if samples1 != 4 || lost != 1 || len(got) != 6 {
		t.Errorf("%d samples and %d lost on cpu 1, %d records; want 4, 1, 6", samples1, lost, len(got))
	}
	rd.Close()
	if r := pm.Output(0, []byte("x")); r != errnoENOENT {
		t.Errorf("output after reader closed: %d", r)
	}
}
