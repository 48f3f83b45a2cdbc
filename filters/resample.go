package filters

import "math/rand/v2"

// An aliasTable draws indices i with probability w_i / Σw in O(1) each,
// by Walker's alias method as built by Vose (1991): column i keeps itself
// with probability prob[i] and otherwise gives alias[i].
type aliasTable struct {
	prob  []float64
	alias []int32
	work  []int32 // small items fill it from the front, large ones from the back
}

func newAliasTable(n int) *aliasTable {
	return &aliasTable{prob: make([]float64, n), alias: make([]int32, n), work: make([]int32, n)}
}

// build prepares draws proportional to w (len n, non-negative, total > 0).
// prob temporarily holds the scaled weights n·w_i/total.
func (t *aliasTable) build(w []float64, total float64) {
	n := len(w)
	prob, alias, work := t.prob[:n], t.alias[:n], t.work[:n]
	scale := float64(n) / total
	ns, nl := 0, n // small items in work[:ns], large ones in work[nl:]
	for i, wi := range w {
		p := wi * scale
		prob[i] = p
		alias[i] = int32(i)
		if p < 1 {
			work[ns] = int32(i)
			ns++
		} else {
			nl--
			work[nl] = int32(i)
		}
	}
	for ns > 0 && nl < n {
		ns--
		s := work[ns]
		l := work[nl]
		alias[s] = l // prob[s] stays the scaled weight of s
		p := (prob[l] + prob[s]) - 1
		prob[l] = p
		if p < 1 { // l moves from the large to the small list
			nl++
			work[ns] = l
			ns++
		}
	}
	// Leftovers on either list differ from exactly 1 by rounding only: the
	// scaled weights of the items still listed always sum to their count.
	for _, i := range work[nl:] {
		prob[i] = 1
	}
	for _, i := range work[:ns] {
		prob[i] = 1
	}
}

// draw writes len(dst) independent draws into dst, taking from rng, for
// each, one uniform index and one uniform float in that order.
func (t *aliasTable) draw(dst []int32, rng *rand.Rand) {
	n := len(t.prob)
	for k := range dst {
		i := int32(rng.IntN(n))
		if rng.Float64() >= t.prob[i] {
			i = t.alias[i]
		}
		dst[k] = i
	}
}
