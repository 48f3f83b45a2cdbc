package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// kernelZ32 is the AVX-512 kernel for an mr×32 tile (mr ≤ 12): two zmm
// columns of B per k, one explicit broadcast of each A element feeding two
// FMAs. Accumulators are Z0..Z23 (row r in Z2r, Z2r+1).
func kernelZ32(mr int) {
	name := fmt.Sprintf("kernZ32x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×32 tile with AVX-512.", name, mr))
	prologue(mr, []int{0, 64, 124})
	for i := 0; i < 2*mr; i++ {
		VPXORD(zmm(i), zmm(i), zmm(i))
	}
	loop := name + "_loop"
	Label(loop)
	VMOVUPS(Mem{Base: rB}, Z24)
	VMOVUPS(Mem{Base: rB, Disp: 64}, Z25)
	for r := 0; r < mr; r++ {
		t := zmm(26 + r%6)
		VBROADCASTSS(rowAddr(r), t)
		VFMADD231PS(Z24, t, zmm(2*r))
		VFMADD231PS(Z25, t, zmm(2*r+1))
	}
	advance(mr, loop)
	epilogueZ(name, mr, 2)
}

// kernelZ16 is the AVX-512 kernel for an mr×16 tile (mr ≤ 24): one zmm
// column of B per k and FMAs with an embedded broadcast of each A element.
// Row r accumulates in Zr.
func kernelZ16(mr int) {
	name := fmt.Sprintf("kernZ16x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×16 tile with AVX-512.", name, mr))
	prologue(mr, []int{0, 60})
	for i := 0; i < mr; i++ {
		VPXORD(zmm(i), zmm(i), zmm(i))
	}
	loop := name + "_loop"
	Label(loop)
	VMOVUPS(Mem{Base: rB}, Z24)
	for r := 0; r < mr; r++ {
		VFMADD231PS_BCST(rowAddr(r), Z24, zmm(r))
	}
	advance(mr, loop)
	epilogueZ(name, mr, 1)
}

// epilogueZ scales the accumulators by alpha and writes them to C, with
// vecs zmm vectors per row (accumulator of row r, vector v is
// Z(r*vecs+v)). Mode 1 adds beta·C with one FMA per vector; a partial mask
// uses K1 (columns 0..15) and K2 (columns 16..31).
func epilogueZ(name string, mr, vecs int) {
	acc := func(r, v int) VecPhysical { return zmm(r*vecs + v) }
	alpha, beta, tmp := Z24, Z25, Z26
	VBROADCASTSS(paramAddr("alpha"), alpha)
	for r := 0; r < mr; r++ {
		for v := 0; v < vecs; v++ {
			VMULPS(alpha, acc(r, v), acc(r, v))
		}
	}
	Load(Param("c"), rC)
	Load(Param("ldc"), rL)
	SHLQ(U8(2), rL)
	mask := Load(Param("mask"), EAX)
	full := uint32(1<<(16*vecs) - 1)
	Load(Param("mode"), rB)
	TESTQ(rB, rB)
	JNZ(LabelRef(name + "_acc"))

	rows := func(body func(r int)) {
		for r := 0; r < mr; r++ {
			body(r)
			if r+1 < mr {
				ADDQ(rL, rC)
			}
		}
		JMP(LabelRef(name + "_done"))
	}
	setMasks := func() {
		KMOVW(mask, K1)
		if vecs == 2 {
			SHRL(U8(16), mask)
			KMOVW(mask, K2)
		}
	}
	kreg := []Register{K1, K2}

	// Mode 0: C = alpha·acc.
	CMPL(mask, U32(full))
	JNE(LabelRef(name + "_store_masked"))
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS(acc(r, v), Mem{Base: rC, Disp: 64 * v})
		}
	})
	Label(name + "_store_masked")
	setMasks()
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS(acc(r, v), kreg[v], Mem{Base: rC, Disp: 64 * v})
		}
	})

	// Mode 1: C = fma(beta, C, alpha·acc).
	Label(name + "_acc")
	VBROADCASTSS(paramAddr("beta"), beta)
	CMPL(mask, U32(full))
	JNE(LabelRef(name + "_acc_masked"))
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VFMADD231PS(Mem{Base: rC, Disp: 64 * v}, beta, acc(r, v))
			VMOVUPS(acc(r, v), Mem{Base: rC, Disp: 64 * v})
		}
	})
	Label(name + "_acc_masked")
	setMasks()
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS_Z(Mem{Base: rC, Disp: 64 * v}, kreg[v], tmp)
			VFMADD231PS(tmp, beta, acc(r, v))
			VMOVUPS(acc(r, v), kreg[v], Mem{Base: rC, Disp: 64 * v})
		}
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// kernelY16 is the AVX2+FMA kernel for an mr×16 tile (mr ≤ 6): two ymm
// columns of B per k, one explicit broadcast per A element feeding two
// FMAs. Row r accumulates in Y2r, Y2r+1.
func kernelY16(mr int, bits Mem) {
	name := fmt.Sprintf("kernY16x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×16 tile with AVX2 and FMA.", name, mr))
	prologue(mr, []int{0, 60})
	acc := func(r, v int) VecPhysical { return ymm(2*r + v) }
	for i := 0; i < 2*mr; i++ {
		VXORPS(ymm(i), ymm(i), ymm(i))
	}
	loop := name + "_loop"
	Label(loop)
	VMOVUPS(Mem{Base: rB}, Y12)
	VMOVUPS(Mem{Base: rB, Disp: 32}, Y13)
	for r := 0; r < mr; r++ {
		t := ymm(14 + r%2)
		VBROADCASTSS(rowAddr(r), t)
		VFMADD231PS(Y12, t, acc(r, 0))
		VFMADD231PS(Y13, t, acc(r, 1))
	}
	advance(mr, loop)

	// Epilogue: as epilogueZ, with lane masks Y14, Y15 built from the mask
	// bits for VMASKMOVPS. Y12 is free once alpha is applied.
	alpha, beta, tmp := Y12, Y13, Y12
	masks := []VecPhysical{Y14, Y15}
	VBROADCASTSS(paramAddr("alpha"), alpha)
	for r := 0; r < mr; r++ {
		VMULPS(alpha, acc(r, 0), acc(r, 0))
		VMULPS(alpha, acc(r, 1), acc(r, 1))
	}
	Load(Param("c"), rC)
	Load(Param("ldc"), rL)
	SHLQ(U8(2), rL)
	mask := Load(Param("mask"), EAX)
	Load(Param("mode"), rB)
	CMPL(mask, U32(0xffff))
	JE(LabelRef(name + "_full"))
	VMOVD(mask, X14)
	VPBROADCASTD(X14, Y14)
	VMOVDQU(Y14, Y15)
	VPAND(bits, Y14, Y14)
	VPCMPEQD(bits, Y14, Y14)
	VPAND(bits.Offset(32), Y15, Y15)
	VPCMPEQD(bits.Offset(32), Y15, Y15)
	rows := func(body func(r int)) {
		for r := 0; r < mr; r++ {
			body(r)
			if r+1 < mr {
				ADDQ(rL, rC)
			}
		}
		JMP(LabelRef(name + "_done"))
	}
	TESTQ(rB, rB)
	JNZ(LabelRef(name + "_acc_masked"))
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VMASKMOVPS(acc(r, v), masks[v], Mem{Base: rC, Disp: 32 * v})
		}
	})
	Label(name + "_acc_masked")
	VBROADCASTSS(paramAddr("beta"), beta)
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VMASKMOVPS(Mem{Base: rC, Disp: 32 * v}, masks[v], tmp)
			VFMADD231PS(tmp, beta, acc(r, v))
			VMASKMOVPS(acc(r, v), masks[v], Mem{Base: rC, Disp: 32 * v})
		}
	})
	Label(name + "_full")
	TESTQ(rB, rB)
	JNZ(LabelRef(name + "_acc"))
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VMOVUPS(acc(r, v), Mem{Base: rC, Disp: 32 * v})
		}
	})
	Label(name + "_acc")
	VBROADCASTSS(paramAddr("beta"), beta)
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VFMADD231PS(Mem{Base: rC, Disp: 32 * v}, beta, acc(r, v))
			VMOVUPS(acc(r, v), Mem{Base: rC, Disp: 32 * v})
		}
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
