package nn

import "math"

// lnEps is the variance floor of the layer norm (spec §2.4).
const lnEps = 1e-5

// layerNormRows writes the non-affine layer norm of each row of x into y:
//
//	ŷ = (x − mean)/√(var + 1e-5),  var = Σ(x − mean)²/(cols − 1)
//
// with the unbiased variance of SDA's zuko LayerNorm (spec §2.4). If pb is
// not nil it is first added to each row of x, in place (a bias left pending
// by the previous layer). If rstd is not nil it receives 1/√(var + 1e-5) per
// row. cols must be at least 2. y may equal x.
func layerNormRows(y, x, pb, rstd []float32, cols, lo, hi int) {
	inv := 1 / float32(cols)
	invm1 := 1 / float32(cols-1)
	for r := lo; r < hi; r++ {
		row := x[r*cols : r*cols+cols]
		if pb != nil {
			for j := range row {
				row[j] += pb[j]
			}
		}
		mean := sum4(row) * inv
		var s0, s1 float32
		j := 0
		for ; j+1 < len(row); j += 2 {
			a, b := row[j]-mean, row[j+1]-mean
			s0 += a * a
			s1 += b * b
		}
		if j < len(row) {
			a := row[j] - mean
			s0 += a * a
		}
		rs := float32(1 / math.Sqrt(float64((s0+s1)*invm1+lnEps)))
		if rstd != nil {
			rstd[r] = rs
		}
		out := y[r*cols : r*cols+cols]
		for j, v := range row {
			out[j] = (v - mean) * rs
		}
	}
}

// layerNormBackRows writes (or, if acc, adds) the gradient of the layer
// norm with respect to its input into dx, given the output gradient g, the
// normalised output ŷ and rstd = 1/√(var + 1e-5) per row:
//
//	dx = rstd·(g − mean(g) − ŷ·Σ(g ⊙ ŷ)/(cols − 1))
//
// dx may equal g.
func layerNormBackRows(dx, g, yhat, rstd []float32, acc bool, cols, lo, hi int) {
	inv := 1 / float32(cols)
	invm1 := 1 / float32(cols-1)
	for r := lo; r < hi; r++ {
		o := r * cols
		gr, yr := g[o:o+cols], yhat[o:o+cols]
		var sg0, sg1, sy0, sy1 float32
		j := 0
		for ; j+1 < cols; j += 2 {
			sg0 += gr[j]
			sg1 += gr[j+1]
			sy0 += gr[j] * yr[j]
			sy1 += gr[j+1] * yr[j+1]
		}
		if j < cols {
			sg0 += gr[j]
			sy0 += gr[j] * yr[j]
		}
		mg := (sg0 + sg1) * inv
		c := (sy0 + sy1) * invm1
		rs := rstd[r]
		out := dx[o : o+cols]
		if acc {
			for j := range out {
				out[j] += rs * (gr[j] - mg - yr[j]*c)
			}
		} else {
			for j := range out {
				out[j] = rs * (gr[j] - mg - yr[j]*c)
			}
		}
	}
}

// sum4 sums v with four independent accumulators.
func sum4(v []float32) float32 {
	var a, b, c, d float32
	j := 0
	for ; j+3 < len(v); j += 4 {
		a += v[j]
		b += v[j+1]
		c += v[j+2]
		d += v[j+3]
	}
	for ; j < len(v); j++ {
		a += v[j]
	}
	return (a + b) + (c + d)
}

// lnJob runs layerNormRows over rows.
type lnJob struct {
	y, x, pb, rstd []float32
	cols           int
}

func (j *lnJob) run(lo, hi int) { layerNormRows(j.y, j.x, j.pb, j.rstd, j.cols, lo, hi) }

func (j *lnJob) do(y, x, pb, rstd []float32, rows, cols int) {
	*j = lnJob{y, x, pb, rstd, cols}
	parallelFor(rows, rowGrain(cols), j)
}

// lnBackJob runs layerNormBackRows over rows.
type lnBackJob struct {
	dx, g, yhat, rstd []float32
	acc               bool
	cols              int
}

func (j *lnBackJob) run(lo, hi int) {
	layerNormBackRows(j.dx, j.g, j.yhat, j.rstd, j.acc, j.cols, lo, hi)
}

func (j *lnBackJob) do(dx, g, yhat, rstd []float32, acc bool, rows, cols int) {
	*j = lnBackJob{dx, g, yhat, rstd, acc, cols}
	parallelFor(rows, rowGrain(cols), j)
}
