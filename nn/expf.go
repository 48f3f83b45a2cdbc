package nn

import "math"

// expf returns e^x in float32 to within about 2 ulp, without calling the
// float64 math.Exp (which would dominate SiLU). It reduces x = n·ln2 + r
// with |r| ≤ ln2/2 (Cody–Waite, ln2 split in two), evaluates a degree-6
// minimax polynomial for e^r (the Cephes expf coefficients) and scales by
// 2^n through the exponent bits.
func expf(x float32) float32 {
	const (
		hi     = 88.37626
		lo     = -87.33654 // below this e^x is subnormal in float32: return 0
		log2e  = 1.44269504088896341
		ln2hi  = 0.693359375
		ln2lo  = -2.12194440e-4
		magic  = 12582912 // 1.5·2^23: adding it rounds to an integer
		c6     = 1.9875691500e-4
		c5     = 1.3981999507e-3
		c4     = 8.3334519073e-3
		c3     = 4.1665795894e-2
		c2     = 1.6666665459e-1
		c1     = 5.0000001201e-1
		expOne = 127
	)
	if !(x < hi) { // also NaN
		if x != x {
			return x
		}
		return float32(math.Inf(1))
	}
	if x < lo {
		return 0
	}
	n := float32(x*log2e+magic) - magic
	r := x - n*ln2hi
	r -= n * ln2lo
	p := float32(c6)
	p = p*r + c5
	p = p*r + c4
	p = p*r + c3
	p = p*r + c2
	p = p*r + c1
	p = p*r*r + r + 1
	return p * math.Float32frombits(uint32(int32(n)+expOne)<<23)
}

// silu returns z·sigmoid(z) and its derivative sigmoid(z)·(1 + z·(1 − sigmoid(z))).
func silu(z float32) (a, d float32) {
	s := 1 / (1 + expf(-z))
	return z * s, s * (1 + z*(1-s))
}
