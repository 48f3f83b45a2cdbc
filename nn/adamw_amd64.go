//go:build !purego

package nn

//go:noescape
func adamwAVX512(p, gr, m, v *float32, n int, k *adamScalars)

func (j *adamJob) run(lo, hi int) {
	if !haveAVX512 || lo == hi {
		j.runGo(lo, hi)
		return
	}
	adamwAVX512(&j.p[lo], &j.g[lo], &j.m[lo], &j.v[lo], hi-lo, &j.adamScalars)
}
