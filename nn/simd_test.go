package nn

import "testing"

// The CPU's kernel paths, as found before any test switches them.
var cpuAVX512, cpuAVX2 = haveAVX512, haveAVX2

// forAsmPaths runs f as a subtest once per assembly kernel path this CPU
// has (AVX-512, AVX2), with the package's kernels switched to it, and
// skips when there is none. Tests using it must not be parallel: the
// switch is package state.
func forAsmPaths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	paths := []struct {
		name         string
		ok           bool
		avx512, avx2 bool
	}{
		{"avx512", cpuAVX512, true, false},
		{"avx2", cpuAVX2, false, true},
	}
	ran := false
	for _, p := range paths {
		if !p.ok {
			continue
		}
		ran = true
		haveAVX512, haveAVX2 = p.avx512, p.avx2
		t.Run(p.name, f)
	}
	haveAVX512, haveAVX2 = cpuAVX512, cpuAVX2
	if !ran {
		t.Skip("no AVX-512 or AVX2 on this CPU: only the portable kernels exist")
	}
}
