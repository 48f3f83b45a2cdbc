package resmlp

import (
	"math/rand/v2"

	"sdapipe/nn/nntest"
)

var (
	linear64   = nntest.Linear64
	silu64     = nntest.SiLU64
	mapSlice   = nntest.Map
	add64      = nntest.Add64
	ln64       = nntest.LN64
	timeFeat64 = nntest.TimeFeat64
	concat64   = nntest.Concat64
	to64       = nntest.To64
	near       = nntest.Near
	randVec    = nntest.RandVec
)

const f32Rel, f32Abs = nntest.F32Rel, nntest.F32Abs

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }
