package diffusion

import "math"

// A Schedule is the perturbation kernel of a forward diffusion,
//
//	p(x(t) | x) = N(Mu(t)·x, Sigma(t)²·I),   t ∈ [0, 1],
//
// SDA (Rozet & Louppe 2023), §2; docs/method.md §2.1.
type Schedule interface {
	Mu(t float64) float64
	Sigma(t float64) float64
}

// DefaultEta is sdapipe's η, the floor of the VP cosine schedule (docs/method.md §0).
const DefaultEta = 1e-3

// VPCosine is the variance-preserving cosine schedule of the SDA reference
// code (docs/method.md §2.1):
//
//	μ(t) = cos(ω t)²,   ω = arccos(√η),
//	σ(t) = √(1 − μ(t)² + η²),
//
// so μ(0) = 1, σ(0) = η, μ(1) = η, σ(1) = 1. The η² inside σ is the code's
// stabiliser; the paper writes σ = √(1 − μ²). The zero value uses DefaultEta.
type VPCosine struct {
	Eta float64 // η ∈ (0, 1); 0 means DefaultEta
}

func (s VPCosine) eta() float64 {
	if s.Eta == 0 {
		return DefaultEta
	}
	return s.Eta
}

// Validate reports whether η lies in (0, 1).
func (s VPCosine) Validate() error {
	if e := s.eta(); !(e > 0 && e < 1) {
		return invalid("VP cosine schedule needs 0 < eta < 1, got %g", e)
	}
	return nil
}

// Mu returns μ(t) = cos(ω t)².
func (s VPCosine) Mu(t float64) float64 {
	c := math.Cos(math.Acos(math.Sqrt(s.eta())) * t)
	return c * c
}

// Sigma returns σ(t) = √(1 − μ² + η²). It evaluates 1 − μ² as
// sin²(ωt)·(1 + cos²(ωt)), which keeps full relative precision at small t
// where 1 − μ² cancels.
func (s VPCosine) Sigma(t float64) float64 {
	eta := s.eta()
	sin, cos := math.Sincos(math.Acos(math.Sqrt(eta)) * t)
	return math.Sqrt(sin*sin*(1+cos*cos) + eta*eta)
}
