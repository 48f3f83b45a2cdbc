package metrics

import (
	"fmt"
	"math"
)

// Assign solves the linear assignment problem on the n×n cost matrix
// cost (row-major): it writes into dst (length n) a permutation with
// dst[i] the column of row i that minimises Σ_i cost[i, dst[i]], and
// returns that minimal total, summed in row order.
//
// The solver is Jonker & Volgenant's (1987) shortest augmenting path
// algorithm (LAPJV): column reduction, reduction transfer, two rounds of
// augmenting row reduction, then a Dijkstra-like search for an augmenting
// path from each remaining free row. It is exact: on return the column
// prices v and the implicit row prices u_i = cost[i, dst[i]] − v[dst[i]]
// satisfy cost[i, j] ≥ u_i + v_j up to rounding, which certifies
// optimality by LP duality. O(n³) in the worst case, far less in practice.
// It allocates O(n) scratch.
//
// Assign returns an error wrapping ErrNonFinite if a cost is NaN or
// infinite. It panics if len(cost) != n·n or len(dst) != n.
func Assign(dst []int, cost []float64, n int) (float64, error) {
	if n < 0 || len(cost) != n*n || len(dst) != n {
		panic("metrics: Assign needs an n×n cost matrix and a length-n dst")
	}
	for k, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return 0, fmt.Errorf("%w: cost[%d, %d] = %v", ErrNonFinite, k/n, k%n, c)
		}
	}
	rowsol, _ := solveLAP(cost, n)
	var total float64
	for i, j := range rowsol {
		dst[i] = int(j)
		total += cost[i*n+int(j)]
	}
	return total, nil
}

// lapState is the working state of one LAPJV solve.
type lapState struct {
	n      int
	c      []float64 // n×n costs, row-major
	rowsol []int32   // column assigned to row i, meaningful for assigned rows
	colsol []int32   // row assigned to column j, −1 if none
	v      []float64 // column prices
	free   []int32   // free rows
}

// solveLAP returns the optimal row → column assignment of the finite n×n
// cost matrix c and the final column prices.
func solveLAP(c []float64, n int) ([]int32, []float64) {
	s := &lapState{
		n: n, c: c,
		rowsol: make([]int32, n), colsol: make([]int32, n),
		v: make([]float64, n), free: make([]int32, n),
	}
	switch n {
	case 0:
		return s.rowsol, s.v
	case 1:
		s.v[0] = c[0]
		return s.rowsol, s.v
	}
	numFree := s.columnReduction()
	for range 2 {
		numFree = s.augmentingRowReduction(numFree)
	}
	s.augment(numFree)
	return s.rowsol, s.v
}

// columnReduction sets each column price to the column's minimum cost,
// assigns each column to its minimal row where that row is still free,
// then transfers the reduction of rows assigned exactly once to their
// column. It returns the number of free rows, listed in s.free.
func (s *lapState) columnReduction() int {
	n, c, v := s.n, s.c, s.v
	imin := make([]int32, n)
	for j := range v {
		v[j] = math.Inf(1)
		s.colsol[j] = -1
	}
	// Scan by rows (cache-friendly); ties keep the lowest row, as a
	// column-wise scan with strict < would.
	for i := range n {
		for j, cij := range c[i*n : (i+1)*n] {
			if cij < v[j] {
				v[j], imin[j] = cij, int32(i)
			}
		}
	}
	matches := make([]int32, n)
	for j := n - 1; j >= 0; j-- {
		i := imin[j]
		matches[i]++
		if matches[i] == 1 {
			s.rowsol[i], s.colsol[j] = int32(j), i
		} else if v[j] < v[s.rowsol[i]] {
			j1 := s.rowsol[i]
			s.rowsol[i], s.colsol[j], s.colsol[j1] = int32(j), i, -1
		}
	}
	numFree := 0
	for i := range n {
		switch matches[i] {
		case 0:
			s.free[numFree] = int32(i)
			numFree++
		case 1:
			// u_i becomes the row's second-best reduced cost; the
			// assigned column absorbs the difference.
			j1 := int(s.rowsol[i])
			row := c[i*n : (i+1)*n]
			m := math.Inf(1)
			for j, cij := range row {
				if h := cij - v[j]; h < m && j != j1 {
					m = h
				}
			}
			v[j1] -= m
		}
	}
	return numFree
}

// augmentingRowReduction assigns each free row to its cheapest column
// (in reduced cost), displacing that column's row, which is then
// processed next, while lowering the column's price so that the row's
// best and second-best reduced costs become equal. It keeps the
// invariant that every assigned row sits in a column of minimal reduced
// cost. It returns the number of rows still free.
func (s *lapState) augmentingRowReduction(prevFree int) int {
	n, c, v := s.n, s.c, s.v
	numFree := 0
	// With real costs the displacement chains grow long, with ever smaller
	// price decrements (about 80 steps per row on 1024 Gaussian points in
	// 195-D, each an O(n) row scan). Past this budget displaced rows are
	// left to the exact augmentation phase instead, which costs less: a
	// budget of n steps per round minimised the total work there.
	budget := n
	for k := 0; k < prevFree; {
		i := s.free[k]
		k++
		row := c[int(i)*n : (int(i)+1)*n]
		umin, usub := row[0]-v[0], math.Inf(1)
		j1, j2 := 0, -1
		for j := 1; j < n; j++ {
			h := row[j] - v[j]
			if h < usub {
				if h >= umin {
					usub, j2 = h, j
				} else {
					usub, umin, j2, j1 = umin, h, j1, j
				}
			}
		}
		i0 := s.colsol[j1]
		lowered := umin < usub
		if lowered {
			v[j1] -= usub - umin
		} else if i0 >= 0 {
			j1 = j2
			i0 = s.colsol[j2]
		}
		s.rowsol[i], s.colsol[j1] = int32(j1), i
		if i0 < 0 {
			continue
		}
		if lowered && budget > 0 {
			budget--
			k--
			s.free[k] = i0 // continue the chain with the displaced row
		} else {
			s.free[numFree] = i0
			numFree++
		}
	}
	return numFree
}

// augment finds, for each remaining free row, a shortest augmenting path
// in reduced costs (Dijkstra over columns), updates the prices of the
// columns scanned before the final distance, and flips the path.
func (s *lapState) augment(numFree int) {
	sp := &pathSearch{
		lapState: s,
		d:        make([]float64, s.n),
		pred:     make([]int32, s.n),
		cols:     make([]int32, s.n),
	}
	for f := range numFree {
		freeRow := s.free[f]
		end := sp.run(freeRow)
		for _, j := range sp.cols[:sp.last+1] {
			s.v[j] += sp.d[j] - sp.minD
		}
		for { // flip the alternating path back to the free row
			i := sp.pred[end]
			s.colsol[end] = i
			end, s.rowsol[i] = s.rowsol[i], end
			if i == freeRow {
				break
			}
		}
	}
}

// pathSearch is the scratch of one shortest augmenting path search.
// cols is a permutation of the columns: cols[:low] are scanned (their
// distance final), cols[low:up] sit at the current minimum distance minD
// and await scanning, cols[up:] are the rest. last+1 columns were scanned
// before the last minimum was taken.
type pathSearch struct {
	*lapState
	d             []float64 // tentative distance of each column
	pred          []int32   // row preceding each column on its path
	cols          []int32
	low, up, last int
	minD          float64
}

// run searches from freeRow and returns the unassigned column that ends
// a shortest augmenting path.
func (sp *pathSearch) run(freeRow int32) int32 {
	n, v := sp.n, sp.v
	row := sp.c[int(freeRow)*n : (int(freeRow)+1)*n]
	for j := range n {
		sp.d[j], sp.pred[j], sp.cols[j] = row[j]-v[j], freeRow, int32(j)
	}
	sp.low, sp.up, sp.last = 0, 0, 0
	for {
		if sp.up == sp.low {
			if end := sp.nextMinimum(); end >= 0 {
				return end
			}
		}
		if end := sp.scan(); end >= 0 {
			return end
		}
	}
}

// nextMinimum collects the unscanned columns of least distance into
// cols[low:up] and returns one of them that is unassigned, or −1.
func (sp *pathSearch) nextMinimum() int32 {
	cols, d := sp.cols, sp.d
	sp.last = sp.low - 1
	sp.minD = d[cols[sp.up]]
	sp.up++
	for k := sp.up; k < sp.n; k++ {
		j := cols[k]
		if h := d[j]; h <= sp.minD {
			if h < sp.minD {
				sp.up, sp.minD = sp.low, h
			}
			cols[k], cols[sp.up] = cols[sp.up], j
			sp.up++
		}
	}
	for _, j := range cols[sp.low:sp.up] {
		if sp.colsol[j] < 0 {
			return j
		}
	}
	return -1
}

// scan relaxes the distances of the columns beyond cols[:up] through the
// row assigned to the next column at minimum distance. It returns an
// unassigned column reached at minimum distance, or −1.
func (sp *pathSearch) scan() int32 {
	cols, d, v := sp.cols, sp.d, sp.v
	j1 := cols[sp.low]
	sp.low++
	i := sp.colsol[j1]
	rowi := sp.c[int(i)*sp.n : (int(i)+1)*sp.n]
	h := rowi[j1] - v[j1] - sp.minD
	for k := sp.up; k < sp.n; k++ {
		j := cols[k]
		v2 := rowi[j] - v[j] - h
		if v2 < d[j] {
			sp.pred[j] = i
			if v2 == sp.minD {
				if sp.colsol[j] < 0 {
					return j
				}
				cols[k], cols[sp.up] = cols[sp.up], j
				sp.up++
			}
			d[j] = v2
		}
	}
	return -1
}
