package gemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestTune: GFLOP per thread-CPU-second, best and median of trials, w=1.
func TestTune(t *testing.T) {
	sel := os.Getenv("TUNE")
	if sel == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, s := range benchShapes {
		if sel != "all" && !strings.Contains(s.name, sel) {
			continue
		}
		o := newOperands(rand.New(rand.NewPCG(1, 2)), s.transA, s.transB, s.m, s.n, s.k, 0)
		cfg := Config{Workers: 1}
		call := func() { cfg.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc) }
		call()
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		reps := max(1, int(3e6/flops*1000)) // ~3 GFLOP... ~15ms per trial
		reps = max(1, int(4e9/flops))
		var rates []float64
		for range 15 {
			c0 := threadCPU()
			for range reps {
				call()
			}
			d := threadCPU() - c0
			rates = append(rates, flops*float64(reps)/d.Seconds()/1e9)
		}
		sort.Float64s(rates)
		fmt.Printf("%-22s cpu-GFLOP/s best %6.1f median %6.1f\n", s.name, rates[len(rates)-1], rates[len(rates)/2])
	}
}

func TestTunePeak(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var rates []float64
	for range 15 {
		c0 := threadCPU()
		fmaPeakZ(1 << 22)
		d := threadCPU() - c0
		rates = append(rates, 512*float64(1<<22)/d.Seconds()/1e9)
	}
	sort.Float64s(rates)
	fmt.Printf("%-22s cpu-GFLOP/s best %6.1f median %6.1f\n", "peak zmm", rates[len(rates)-1], rates[len(rates)/2])
}
