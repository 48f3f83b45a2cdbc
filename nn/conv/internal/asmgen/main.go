// Command asmgen generates the amd64 assembly micro-kernels of package conv
// with avo (github.com/mmcloughlin/avo). Run it through go generate in
// nn/conv:
//
//	go generate ./nn/conv
//
// It writes kern_amd64.s and its Go declarations kern_stubs_amd64.go.
//
// Every kernel computes one tile of C, rows × up to nr columns, as a sum
// of segments, with the Go signature
//
//	func(segs *int, nseg int, a *float32, rs, cs int, b *float32, bs int,
//	     c *float32, ldc int, bias *float32, mask uint32, mode int)
//
// Segment i (three ints at segs+24i: aoff, boff in bytes, n) contributes
// Σ_{p<n} A_i(r,p)·B_i(p,j), where A_i(r,p) is at a + aoff + (r·rs + p·cs)
// floats and B_i(p,j) at b + boff + (p·bs + j) floats. For each row r and
// column j the kernel sums the terms in order, segment after segment, with
// one fused multiply-add each, starting from zero, then forms t = acc +
// bias[j] (bias may be nil) and stores C = t (mode 0) or C = C + t
// (mode 1). Bit j of mask enables column j; the bias is read under the
// same mask.
//
// The kernels are convZ32xR (AVX-512, R×32 tiles, R = 1..12: two B
// vectors and R broadcasts per step feed 2R FMAs), convZ16xR (AVX-512,
// R×16, R = 1..16, FMAs with embedded broadcasts) and convY16xR
// (AVX2+FMA, R×16, R = 1..6).
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const signature = "func(segs *int, nseg int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, bias *float32, mask uint32, mode int)"

// Register roles. AX and R11 point at rows 0 and 8 of the current k step
// of A; DX, R8, R9 and R10 hold 1, 3, 5 and 7 row strides in bytes, so
// rows 0..7 past a base are one scaled-index address away. R14 and R15
// are left alone (the g register, and unsafe in dynamically linked
// builds); BP is not used.
var (
	rA     = []Register{RAX, R11}
	rL     = RDX
	rL3    = R8
	rL5    = R9
	rL7    = R10
	rCS    = R12
	rB     = RBX
	rBS    = RSI
	rCount = RCX
	rSeg   = RDI
	rNSeg  = R13
)

func rowAddr(r int) Mem {
	m := Mem{Base: rA[r/8]}
	switch r % 8 {
	case 1:
		m = m.Idx(rL, 1)
	case 2:
		m = m.Idx(rL, 2)
	case 3:
		m = m.Idx(rL3, 1)
	case 4:
		m = m.Idx(rL, 4)
	case 5:
		m = m.Idx(rL5, 1)
	case 6:
		m = m.Idx(rL3, 2)
	case 7:
		m = m.Idx(rL7, 1)
	}
	return m
}

func zmm(i int) VecPhysical {
	return []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}[i]
}

func ymm(i int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}[i]
}

// paramAddr is the stack address of the named argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// prologue loads the strides and the segment list.
func prologue(mr int) {
	Load(Param("segs"), rSeg)
	Load(Param("nseg"), rNSeg)
	Load(Param("rs"), rL)
	SHLQ(U8(2), rL)
	Load(Param("cs"), rCS)
	SHLQ(U8(2), rCS)
	Load(Param("bs"), rBS)
	SHLQ(U8(2), rBS)
	if mr > 3 {
		LEAQ(Mem{Base: rL, Index: rL, Scale: 2}, rL3)
	}
	if mr > 5 {
		LEAQ(Mem{Base: rL, Index: rL, Scale: 4}, rL5)
	}
	if mr > 7 {
		LEAQ(Mem{Base: rL3, Index: rL, Scale: 4}, rL7)
	}
}

// segLoop emits the loop over segments around body, the k step. It
// leaves the sums in the accumulators and falls through to the epilogue
// label name+"_store".
func segLoop(name string, mr int, body func()) {
	TESTQ(rNSeg, rNSeg)
	JZ(LabelRef(name + "_store"))
	Label(name + "_seg")
	Load(Param("a"), rA[0])
	ADDQ(Mem{Base: rSeg}, rA[0])
	Load(Param("b"), rB)
	ADDQ(Mem{Base: rSeg, Disp: 8}, rB)
	MOVQ(Mem{Base: rSeg, Disp: 16}, rCount)
	if mr > 8 {
		LEAQ(Mem{Base: rA[0], Index: rL, Scale: 8}, rA[1])
	}
	TESTQ(rCount, rCount)
	JZ(LabelRef(name + "_next"))
	Label(name + "_k")
	body()
	ADDQ(rBS, rB)
	for i := 0; i*8 < mr; i++ {
		ADDQ(rCS, rA[i])
	}
	DECQ(rCount)
	JNZ(LabelRef(name + "_k"))
	Label(name + "_next")
	ADDQ(U8(24), rSeg)
	DECQ(rNSeg)
	JNZ(LabelRef(name + "_seg"))
	Label(name + "_store")
}

// kernelZ32 is the R×32 AVX-512 kernel: accumulators Z0..Z23 (row r in
// Z2r, Z2r+1), B in Z24, Z25, broadcasts in Z26..Z31.
func kernelZ32(mr int) {
	name := fmt.Sprintf("convZ32x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×32 tile with AVX-512.", name, mr))
	prologue(mr)
	for i := 0; i < 2*mr; i++ {
		VPXORD(zmm(i), zmm(i), zmm(i))
	}
	segLoop(name, mr, func() {
		VMOVUPS(Mem{Base: rB}, Z24)
		VMOVUPS(Mem{Base: rB, Disp: 64}, Z25)
		for r := 0; r < mr; r++ {
			t := zmm(26 + r%6)
			VBROADCASTSS(rowAddr(r), t)
			VFMADD231PS(Z24, t, zmm(2*r))
			VFMADD231PS(Z25, t, zmm(2*r+1))
		}
	})
	epilogueZ(name, mr, 2)
}

// kernelZ16 is the R×16 AVX-512 kernel: accumulators Z0..Z15, B in Z16,
// the A element broadcast from memory by each FMA.
func kernelZ16(mr int) {
	name := fmt.Sprintf("convZ16x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×16 tile with AVX-512.", name, mr))
	prologue(mr)
	for i := 0; i < mr; i++ {
		VPXORD(zmm(i), zmm(i), zmm(i))
	}
	segLoop(name, mr, func() {
		VMOVUPS(Mem{Base: rB}, Z16)
		for r := 0; r < mr; r++ {
			VFMADD231PS_BCST(rowAddr(r), Z16, zmm(r))
		}
	})
	epilogueZ(name, mr, 1)
}

// epilogueZ adds the bias and stores (or adds) the accumulators, vecs zmm
// vectors per row (row r, vector v in Z(r·vecs+v)), through K1 (columns
// 0..15) and K2 (16..31). Z24..Z27 are free here.
func epilogueZ(name string, mr, vecs int) {
	acc := func(r, v int) VecPhysical { return zmm(r*vecs + v) }
	kreg := []Register{K1, K2}
	mask := Load(Param("mask"), EAX)
	KMOVW(mask, K1)
	if vecs == 2 {
		SHRL(U8(16), mask)
		KMOVW(mask, K2)
	}
	bias := Load(Param("bias"), RBX)
	TESTQ(bias, bias)
	JZ(LabelRef(name + "_nobias"))
	for v := 0; v < vecs; v++ {
		VMOVUPS_Z(Mem{Base: bias, Disp: 64 * v}, kreg[v], zmm(24+v))
	}
	for r := 0; r < mr; r++ {
		for v := 0; v < vecs; v++ {
			VADDPS(zmm(24+v), acc(r, v), acc(r, v))
		}
	}
	Label(name + "_nobias")
	c, ldc := RDI, RDX
	Load(Param("c"), c)
	Load(Param("ldc"), ldc)
	SHLQ(U8(2), ldc)
	full := uint32(1<<(16*vecs) - 1)
	Load(Param("mode"), RBX)
	rows := func(body func(r int)) {
		for r := 0; r < mr; r++ {
			body(r)
			if r+1 < mr {
				ADDQ(ldc, c)
			}
		}
		JMP(LabelRef(name + "_done"))
	}
	Load(Param("mask"), EAX)
	TESTQ(RBX, RBX)
	JNZ(LabelRef(name + "_acc"))
	CMPL(EAX, U32(full))
	JNE(LabelRef(name + "_store_masked"))
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS(acc(r, v), Mem{Base: c, Disp: 64 * v})
		}
	})
	Label(name + "_store_masked")
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS(acc(r, v), kreg[v], Mem{Base: c, Disp: 64 * v})
		}
	})
	Label(name + "_acc")
	CMPL(EAX, U32(full))
	JNE(LabelRef(name + "_acc_masked"))
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VADDPS(Mem{Base: c, Disp: 64 * v}, acc(r, v), acc(r, v))
			VMOVUPS(acc(r, v), Mem{Base: c, Disp: 64 * v})
		}
	})
	Label(name + "_acc_masked")
	rows(func(r int) {
		for v := 0; v < vecs; v++ {
			VMOVUPS_Z(Mem{Base: c, Disp: 64 * v}, kreg[v], Z24)
			VADDPS(Z24, acc(r, v), acc(r, v))
			VMOVUPS(acc(r, v), kreg[v], Mem{Base: c, Disp: 64 * v})
		}
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// kernelY16 is the R×16 AVX2+FMA kernel (R ≤ 6): accumulators Y0..Y11
// (row r in Y2r, Y2r+1), B in Y12, Y13, broadcasts in Y14, Y15.
func kernelY16(mr int, bits Mem) {
	name := fmt.Sprintf("convY16x%d", mr)
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×16 tile with AVX2 and FMA.", name, mr))
	prologue(mr)
	acc := func(r, v int) VecPhysical { return ymm(2*r + v) }
	for i := 0; i < 2*mr; i++ {
		VXORPS(ymm(i), ymm(i), ymm(i))
	}
	segLoop(name, mr, func() {
		VMOVUPS(Mem{Base: rB}, Y12)
		VMOVUPS(Mem{Base: rB, Disp: 32}, Y13)
		for r := 0; r < mr; r++ {
			t := ymm(14 + r%2)
			VBROADCASTSS(rowAddr(r), t)
			VFMADD231PS(Y12, t, acc(r, 0))
			VFMADD231PS(Y13, t, acc(r, 1))
		}
	})
	// Lane masks for VMASKMOVPS: lane j of Y14 (Y15) is all ones when bit
	// j (j+8) of mask is set.
	masks := []VecPhysical{Y14, Y15}
	mask := Load(Param("mask"), EAX)
	VMOVD(mask, X14)
	VPBROADCASTD(X14, Y14)
	VMOVDQU(Y14, Y15)
	VPAND(bits, Y14, Y14)
	VPCMPEQD(bits, Y14, Y14)
	VPAND(bits.Offset(32), Y15, Y15)
	VPCMPEQD(bits.Offset(32), Y15, Y15)
	bias := Load(Param("bias"), RBX)
	TESTQ(bias, bias)
	JZ(LabelRef(name + "_nobias"))
	for v := 0; v < 2; v++ {
		VMASKMOVPS(Mem{Base: bias, Disp: 32 * v}, masks[v], ymm(12+v))
	}
	for r := 0; r < mr; r++ {
		for v := 0; v < 2; v++ {
			VADDPS(ymm(12+v), acc(r, v), acc(r, v))
		}
	}
	Label(name + "_nobias")
	c, ldc := RDI, RDX
	Load(Param("c"), c)
	Load(Param("ldc"), ldc)
	SHLQ(U8(2), ldc)
	Load(Param("mode"), RBX)
	rows := func(body func(r int)) {
		for r := 0; r < mr; r++ {
			body(r)
			if r+1 < mr {
				ADDQ(ldc, c)
			}
		}
		JMP(LabelRef(name + "_done"))
	}
	TESTQ(RBX, RBX)
	JNZ(LabelRef(name + "_acc"))
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VMASKMOVPS(acc(r, v), masks[v], Mem{Base: c, Disp: 32 * v})
		}
	})
	Label(name + "_acc")
	rows(func(r int) {
		for v := 0; v < 2; v++ {
			VMASKMOVPS(Mem{Base: c, Disp: 32 * v}, masks[v], Y12)
			VADDPS(Y12, acc(r, v), acc(r, v))
			VMASKMOVPS(acc(r, v), masks[v], Mem{Base: c, Disp: 32 * v})
		}
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("!purego")
	bits := GLOBL("maskbits", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(1<<i))
	}
	for mr := 1; mr <= 12; mr++ {
		kernelZ32(mr)
	}
	for mr := 1; mr <= 16; mr++ {
		kernelZ16(mr)
	}
	for mr := 1; mr <= 6; mr++ {
		kernelY16(mr, bits)
	}
	winoIn("winoInZ", zmm, 16)
	winoOut("winoOutZ", zmm, 16)
	winoGrad("winoGradZ", zmm, 16)
	winoIn("winoInY", ymm, 8)
	winoOut("winoOutY", ymm, 8)
	winoGrad("winoGradY", ymm, 8)
	Generate()
}
