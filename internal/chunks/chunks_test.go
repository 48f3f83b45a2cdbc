package chunks

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

func TestRunCoversEveryChunkOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		prev := runtime.GOMAXPROCS(procs)
		const n = 1000
		var hits [n]atomic.Int32
		var workers atomic.Int32
		err := Run(n, func() func(int) error {
			workers.Add(1)
			return func(c int) error { hits[c].Add(1); return nil }
		})
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		for c := range hits {
			if h := hits[c].Load(); h != 1 {
				t.Fatalf("GOMAXPROCS=%d: chunk %d ran %d times", procs, c, h)
			}
		}
		if w := workers.Load(); w < 1 || int(w) > procs {
			t.Errorf("GOMAXPROCS=%d: %d workers", procs, w)
		}
	}
}

func TestRunReturnsLowestChunkError(t *testing.T) {
	err := Run(50, func() func(int) error {
		return func(c int) error {
			if c == 7 || c == 31 {
				return fmt.Errorf("chunk %d", c)
			}
			return nil
		}
	})
	if err == nil || err.Error() != "chunk 7" {
		t.Errorf("error %v, want chunk 7's", err)
	}
	if Run(0, func() func(int) error { return func(int) error { return errors.New("x") } }) != nil {
		t.Error("no chunks reported an error")
	}
}

func TestEach(t *testing.T) {
	var sum atomic.Int64
	Each(100, func(c int) { sum.Add(int64(c)) })
	if sum.Load() != 4950 {
		t.Errorf("sum %d, want 4950", sum.Load())
	}
}
