package nn

import "sdapipe/nn/nntest"

// The float64 mirrors of the ops (package nntest) are the oracles twice
// over: their VJPs are checked against central differences, and the
// float32 ops are checked against them.
var (
	linear64    = nntest.Linear64
	linear64VJP = nntest.Linear64VJP
	silu64      = nntest.SiLU64
	dsilu64     = nntest.DSiLU64
	mapSlice    = nntest.Map
	mul64       = nntest.Mul64
	add64       = nntest.Add64
	ln64        = nntest.LN64
	ln64VJP     = nntest.LN64VJP
	timeFeat64  = nntest.TimeFeat64
	concat64    = nntest.Concat64
	to32        = nntest.To32
	to64        = nntest.To64
	near        = nntest.Near
	randVec     = nntest.RandVec
	conv64      = nntest.Conv64
	conv64VJP   = nntest.Conv64VJP
	up64        = nntest.Up64
	up64VJP     = nntest.Up64VJP
)

const (
	fdRel, fdAbs   = nntest.FDRel, nntest.FDAbs
	f32Rel, f32Abs = nntest.F32Rel, nntest.F32Abs
)
