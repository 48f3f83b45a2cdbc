//go:build !amd64 || purego

package nn

func (j *adamJob) run(lo, hi int) { j.runGo(lo, hi) }
