package proc

import (
	"runtime"
	"sync"
	"testing"
)

func TestID(t *testing.T) {
	n := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for range 4 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if id := ID(); id < 0 || id >= n {
					t.Errorf("ID() = %d, want 0 to %d", id, n-1)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkID(b *testing.B) {
	for b.Loop() {
		ID()
	}
}
