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
		for i, v := range a {
			dst[i] += v
		}
	case ewSum:
		b := j.b[lo:hi]
		for i, v := range a {
			dst[i] = v + b[i]
		}
	case ewRowBias:
		// ewGrain is a multiple of no particular width, so index the bias
		// by position modulo its length.
		cols := len(j.b)
		c := lo % cols
		for i, v := range a {
			dst[i] = v + j.b[c]
			c++
			if c == cols {
				c = 0
			}
		}
	}
}

func (j *ewJob) do(mode ewMode, dst, a, b []float32, n int) {
	*j = ewJob{mode, dst[:n], a[:n], b}
	parallelFor(n, ewGrain, j)
}
