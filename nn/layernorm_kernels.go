package nn

import "math"

// lnEps is the variance floor of the layer norm (docs/method.md §2.4).
const lnEps = 1e-5

// layerNormRows writes the non-affine layer norm of each row of x into y:
//
//	ŷ = (x − mean)/√(var + 1e-5),  var = Σ(x − mean)²/(cols − 1)
//
// with the unbiased variance of SDA's zuko LayerNorm (docs/method.md §2.4). If pb is
// not nil it is first added to each row of x, in place (a bias left pending
// by the previous layer). If rstd is not nil it receives 1/√(var + 1e-5) per
// row. cols must be at least 2. y may equal x.
func layerNormRows(y, x, pb, rstd []float32, cols, lo, hi int) {
	inv := 1 / float32(cols)
	invm1 := 1 / float32(cols-1)
	for r := lo; r < hi; r++ {
		row := x[r*cols : r*cols+cols]
		mean := rowSumBias(row, pb) * inv
		ss := rowSumSqDev(row, mean)
		rs := float32(1 / math.Sqrt(float64(ss*invm1+lnEps)))
		if rstd != nil {
			rstd[r] = rs
		}
		rowNorm(y[r*cols:r*cols+cols], row, mean, rs)
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
		sg, sgy := rowSumDot(gr, yr)
		rowLNBack(dx[o:o+cols], gr, yr, sg*inv, sgy*invm1, rstd[r], acc)
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

func (j *lnJob) do(serial bool, y, x, pb, rstd []float32, rows, cols int) {
	*j = lnJob{y, x, pb, rstd, cols}
	runJob(serial, rows, rowGrain(cols), j)
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

func (j *lnBackJob) do(serial bool, dx, g, yhat, rstd []float32, acc bool, rows, cols int) {
	*j = lnBackJob{dx, g, yhat, rstd, acc, cols}
	runJob(serial, rows, rowGrain(cols), j)
}

// layerNormAddRows writes LN(x + pb) into y for rows [lo, hi), leaving x
// as it is: each row's sum is formed in y, then normalised there.
func layerNormAddRows(y, x, pb, rstd []float32, cols, lo, hi int) {
	for r := lo; r < hi; r++ {
		o := r * cols
		vAdd3(y[o:o+cols], x[o:o+cols], pb[:cols])
		layerNormRows(y, y, nil, rstd, cols, r, r+1)
	}
}

// lnAddJob runs layerNormAddRows over rows.
type lnAddJob struct {
	y, x, pb, rstd []float32
	cols           int
}

func (j *lnAddJob) run(lo, hi int) { layerNormAddRows(j.y, j.x, j.pb, j.rstd, j.cols, lo, hi) }

func (j *lnAddJob) do(serial bool, y, x, pb, rstd []float32, rows, cols int) {
	*j = lnAddJob{y, x, pb, rstd, cols}
	runJob(serial, rows, rowGrain(cols), j)
}
