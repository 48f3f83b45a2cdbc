package nn

// ewMode selects what an ewJob computes on flat arrays.
type ewMode uint8

const (
	ewCopy    ewMode = iota // dst = a
	ewAdd                   // dst += a
	ewSum                   // dst = a + b
	ewRowBias               // dst = a + b broadcast over rows of len(b)
)

// ewJob is an element-wise pass over flat arrays, chunked by elements.
type ewJob struct {
	mode      ewMode
	dst, a, b []float32
}

// ewGrain is the chunk size of element-wise passes, in values.
const ewGrain = 16 << 10

func (j *ewJob) run(lo, hi int) {
	dst, a := j.dst[lo:hi], j.a[lo:hi]
	switch j.mode {
	case ewCopy:
		copy(dst, a)
	case ewAdd:
		vAddTo(dst, a)
	case ewSum:
		vAdd3(dst, a, j.b[lo:hi])
	}
}

func (j *ewJob) do(serial bool, mode ewMode, dst, a, b []float32, n int) {
	*j = ewJob{mode, dst[:n], a[:n], b}
	runJob(serial, n, ewGrain, j)
}
