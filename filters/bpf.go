package filters

import (
	"math"
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/internal/chunks"
)

// ParticlesPerChunk is the number of particles one worker propagates at a
// time, each chunk from its own stream. It is part of the definition of a
// run's output (changing it changes the draws), not a tuning knob.
const ParticlesPerChunk = 256

// A LogLik returns log p(y_j | x), the log-likelihood of observation j
// (0-based) given a particle's state x (length D, physical units) at the
// observed time. It is called concurrently from several goroutines and
// must not retain or modify x. It may return −Inf (zero likelihood) but
// not NaN or +Inf.
type LogLik func(j int, x []float64) float64

// A Result holds the output of a particle filter run.
type Result struct {
	// Paths holds the first Keep particle paths after the last
	// resampling, (Keep, L, D) row-major, physical units; state 0 of a
	// path is the first observed state.
	Paths []float64

	Keep, Length, Dim int // the shape of Paths: Config.Keep, Config.Length(), dynamics.StateSize(sys)

	// ESS holds, per observation, the effective sample size (Σw)²/Σw² of
	// the weights before resampling.
	ESS []float64

	// LogEvidence is the particle estimate of log p(y_1, …, y_Obs):
	// Σ_j log((1/M)·Σ_m exp(log p(y_j | x_m))).
	LogEvidence float64
}

// BPF runs the bootstrap particle filter of docs/method.md §6.1 on sys:
//
//	draw M particles from the prior and advance each BurnIn transitions;
//	for each observation j = 0 … Obs−1:
//	    advance every particle Step transitions, appending them to its path;
//	    weight particle m by w_m ∝ exp(logLik(j, x_m));
//	    resample whole paths multinomially: M independent draws with
//	    replacement, in draw order.
//
// It returns the paths without their first Step states, so that state 0 is
// the first observed one and L = Config.Length().
//
// Streams: the prior draw and burn-in of chunk c use
// dynamics.StreamSeeds(Seed, 0, 0, c), block j's transitions of chunk c use
// (Seed, 0, j+1, c), and resampling step j uses (Seed, 1, j). The sampler
// for the multinomial draws is Walker's alias method, exact in distribution.
//
// BPF returns an error wrapping ErrConfig, the error of sys.Validate, or a
// *WeightError.
func BPF(sys dynamics.System, cfg Config, logLik LogLik) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	f := newFilter(sys, cfg, logLik)
	f.initialise()
	res := &Result{Keep: cfg.Keep, Length: cfg.Length(), Dim: f.d, ESS: make([]float64, cfg.Obs)}
	for j := range cfg.Obs {
		f.propagate(j)
		maxLog, err := f.checkWeights(j)
		if err != nil {
			return nil, err
		}
		total, ess := f.weigh(maxLog)
		res.ESS[j] = ess
		res.LogEvidence += maxLog + math.Log(total/float64(cfg.Particles))
		f.resample(j, total)
	}
	res.Paths = f.trace()
	return res, nil
}

// filter holds one run's state. Particle m of block j (the Step states
// appended for observation j, before its resampling) lives at
// blocks[((j·M + m)·Step + s)·D + d]; anc[j·M + m] is the index, in block
// j, of the particle that resampling j placed at position m.
type filter struct {
	sys    dynamics.System
	cfg    Config
	logLik LogLik
	d      int
	nChunk int

	x0       []float64 // (M, D): states after the burn-in
	blocks   []float64 // (Obs, M, Step, D)
	anc      []int32   // (Obs, M)
	logw     []float64 // (M) log-likelihoods, then weights exp(logw − max)
	chunkSum []float64 // per chunk: Σw
	chunkSq  []float64 // per chunk: Σw²
	table    *aliasTable
}

func newFilter(sys dynamics.System, cfg Config, logLik LogLik) *filter {
	m, d := cfg.Particles, dynamics.StateSize(sys)
	nChunk := (m + ParticlesPerChunk - 1) / ParticlesPerChunk
	return &filter{
		sys: sys, cfg: cfg, logLik: logLik, d: d, nChunk: nChunk,
		x0:       make([]float64, m*d),
		blocks:   make([]float64, cfg.Obs*m*cfg.Step*d),
		anc:      make([]int32, cfg.Obs*m),
		logw:     make([]float64, m),
		chunkSum: make([]float64, nChunk),
		chunkSq:  make([]float64, nChunk),
		table:    newAliasTable(m),
	}
}

// chunkRange returns the particles [lo, hi) of chunk c.
func (f *filter) chunkRange(c int) (lo, hi int) {
	lo = c * ParticlesPerChunk
	return lo, min(lo+ParticlesPerChunk, f.cfg.Particles)
}

// newWorker returns a per-goroutine chain and stream source.
func (f *filter) newWorker() (*dynamics.Chain, *rand.PCG, *rand.Rand) {
	src := rand.NewPCG(0, 0)
	return dynamics.NewChain(f.sys), src, rand.New(src)
}

// initialise draws x_0 for every particle: a prior draw, then BurnIn
// transitions in place.
func (f *filter) initialise() {
	d := f.d
	chunks.Do(f.nChunk, func() func(int) {
		ch, src, rng := f.newWorker()
		return func(c int) {
			src.Seed(dynamics.StreamSeeds(f.cfg.Seed, 0, 0, uint64(c)))
			lo, hi := f.chunkRange(c)
			for m := lo; m < hi; m++ {
				x := f.x0[m*d : (m+1)*d]
				f.sys.SamplePrior(x, rng)
				for range f.cfg.BurnIn {
					ch.Transition(x, x, rng)
				}
			}
		}
	})
}

// propagate fills block j: Step transitions per particle from the state
// that resampling j−1 placed at its position, and its log-likelihood.
func (f *filter) propagate(j int) {
	d, m, step := f.d, f.cfg.Particles, f.cfg.Step
	bs := step * d // floats per particle and block
	chunks.Do(f.nChunk, func() func(int) {
		ch, src, rng := f.newWorker()
		return func(c int) {
			src.Seed(dynamics.StreamSeeds(f.cfg.Seed, 0, uint64(j+1), uint64(c)))
			lo, hi := f.chunkRange(c)
			for p := lo; p < hi; p++ {
				var prev []float64
				if j == 0 {
					prev = f.x0[p*d : (p+1)*d]
				} else {
					a := int(f.anc[(j-1)*m+p])
					end := ((j-1)*m + a + 1) * bs
					prev = f.blocks[end-d : end]
				}
				blk := f.blocks[(j*m+p)*bs : (j*m+p+1)*bs]
				ch.Trajectory(blk, prev, rng)
				f.logw[p] = f.logLik(j, blk[bs-d:])
			}
		}
	})
}

// checkWeights returns the largest log-likelihood of observation j, or a
// *WeightError for a NaN or +Inf value or all values −Inf.
func (f *filter) checkWeights(j int) (float64, error) {
	best := math.Inf(-1)
	for p, v := range f.logw {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return 0, &WeightError{Obs: j, Particle: p, LogLik: v}
		}
		best = max(best, v)
	}
	if math.IsInf(best, -1) {
		return 0, &WeightError{Obs: j, Particle: -1, LogLik: best}
	}
	return best, nil
}

// weigh replaces the log-likelihoods by w = exp(logw − maxLog), in
// parallel, and returns Σw and the effective sample size (Σw)²/Σw².
// Chunk sums are added in chunk order, so the totals do not depend on
// GOMAXPROCS.
func (f *filter) weigh(maxLog float64) (total, ess float64) {
	chunks.Do(f.nChunk, func() func(int) {
		return func(c int) {
			lo, hi := f.chunkRange(c)
			var s, s2 float64
			for p := lo; p < hi; p++ {
				w := math.Exp(f.logw[p] - maxLog)
				f.logw[p] = w
				s += w
				s2 += w * w
			}
			f.chunkSum[c], f.chunkSq[c] = s, s2
		}
	})
	var s2 float64
	for c := range f.nChunk {
		total += f.chunkSum[c]
		s2 += f.chunkSq[c]
	}
	return total, total * total / s2
}

// resample draws the M ancestors of resampling j.
func (f *filter) resample(j int, total float64) {
	m := f.cfg.Particles
	f.table.build(f.logw, total)
	rng := rand.New(rand.NewPCG(dynamics.StreamSeeds(f.cfg.Seed, 1, uint64(j))))
	f.table.draw(f.anc[j*m:(j+1)*m], rng)
}

// trace copies the first Keep paths out of the blocks by following the
// ancestor indices back from the last resampling.
func (f *filter) trace() []float64 {
	d, m, step, obs := f.d, f.cfg.Particles, f.cfg.Step, f.cfg.Obs
	L, bs := f.cfg.Length(), step*d
	out := make([]float64, f.cfg.Keep*L*d)
	for k := range f.cfg.Keep {
		path := out[k*L*d : (k+1)*L*d]
		p := k
		for j := obs - 1; j >= 0; j-- {
			p = int(f.anc[j*m+p])
			blk := f.blocks[(j*m+p)*bs : (j*m+p+1)*bs]
			if j > 0 {
				copy(path[(1+(j-1)*step)*d:(1+j*step)*d], blk)
			} else {
				copy(path[:d], blk[bs-d:])
			}
		}
	}
	return out
}
