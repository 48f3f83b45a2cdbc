//go:build !purego

package nn

//go:noescape
func adamwAVX512(p, gr, m, v, g2 *float32, n int, k *adamScalars)

func (j *adamJob) run(lo, hi int) {
	if !(haveAVX512 || haveAVX2) || lo == hi {
		j.runGo(lo, hi)
		return
	}
	var g2 *float32
	if j.g2 != nil {
		g2 = &j.g2[lo]
	}
	_, _, _ = j.g[hi-1], j.m[hi-1], j.v[hi-1]
	if !haveAVX512 {
		adamwAVX2(&j.p[lo], &j.g[lo], &j.m[lo], &j.v[lo], g2, hi-lo, &j.adamScalars)
		return
	}
	adamwAVX512(&j.p[lo], &j.g[lo], &j.m[lo], &j.v[lo], g2, hi-lo, &j.adamScalars)
}
