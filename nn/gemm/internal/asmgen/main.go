// Command asmgen generates the amd64 assembly micro-kernels of package gemm
// with avo (github.com/mmcloughlin/avo). Run it through go generate in
// nn/gemm:
//
//	go generate ./nn/gemm
//
// It writes kern_amd64.s and its Go declarations kern_stubs_amd64.go.
//
// Every kernel computes one tile of C from a sliver of op(A) and a panel
// of B, with the Go signature
//
//	func(kc int, a *float32, rs, cs int, b *float32, bs int,
//	     c *float32, ldc int, alpha, beta float32, mask uint32, mode int,
//	     pf *float32, pfs int)
//
// Element (r, p) of the A sliver is at a[r*rs+p*cs] and element (p, j) of
// the B panel at b[p*bs+j]; strides are in elements. For each row r and
// column j of the tile it forms acc = Σ_p A(r,p)·B(p,j), summed in order of
// p with one fused multiply-add per term, starting from zero. It then
// stores alpha·acc (mode 0, C not read) or fma(beta, C, alpha·acc)
// (mode 1). Bit j of mask enables column j; the full mask writes the tile
// with plain stores.
//
// Each k step also prefetches into L2 (PREFETCHT1) the line at pf, then
// advances pf by pfs bytes: the driver points this thin stream at data
// the next sliver or k block will need, so its load from L3 overlaps the
// arithmetic. pfs = 0 keeps prefetching one line.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const signature = "func(kc int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, alpha, beta float32, mask uint32, mode int, pf *float32, pfs int)"

// Register roles shared by all kernels. AX, R11 and R13 point at rows 0, 8
// and 16 of the current k column of A; DX, R8, R9 and R10 hold 1, 3, 5 and
// 7 row strides in bytes, so rows 0..7 past a base are reachable with one
// scaled-index address. R14 and R15 are left alone (g register, and unsafe
// in dynamically linked builds); BP is not used.
var (
	rA     = []Register{RAX, R11, R13}
	rL     = RDX
	rL3    = R8
	rL5    = R9
	rL7    = R10
	rCS    = R12
	rB     = RBX
	rBS    = RSI
	rCount = RCX
	rC     = RDI // C in prologue and epilogue, the prefetch stream in the loop
)

// rowAddr returns the address of row r of the A sliver at the current k.
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

// prologue loads the arguments, prefetches the rows of the C tile (lines
// per row given by lineOffs) and sets up the A addressing registers.
func prologue(mr int, lineOffs []int) {
	Load(Param("c"), rC)
	Load(Param("ldc"), rL)
	SHLQ(U8(2), rL)
	for r := 0; r < mr; r++ {
		for _, off := range lineOffs {
			PREFETCHT0(Mem{Base: rC, Disp: off})
		}
		if r+1 < mr {
			ADDQ(rL, rC)
		}
	}

	Load(Param("kc"), rCount)
	Load(Param("a"), rA[0])
	Load(Param("b"), rB)
	Load(Param("bs"), rBS)
	SHLQ(U8(2), rBS)
	Load(Param("cs"), rCS)
	SHLQ(U8(2), rCS)
	Load(Param("rs"), rL)
	SHLQ(U8(2), rL)
	if mr > 3 {
		LEAQ(Mem{Base: rL, Index: rL, Scale: 2}, rL3)
	}
	if mr > 5 {
		LEAQ(Mem{Base: rL, Index: rL, Scale: 4}, rL5)
	}
	if mr > 7 {
		LEAQ(Mem{Base: rL3, Index: rL, Scale: 4}, rL7)
	}
	if mr > 8 {
		LEAQ(Mem{Base: rA[0], Index: rL, Scale: 8}, rA[1])
	}
	if mr > 16 {
		LEAQ(Mem{Base: rA[1], Index: rL, Scale: 8}, rA[2])
	}
	Load(Param("pf"), rC) // C is reloaded in the epilogue
}

// advance issues the k step's prefetch, moves the A bases one column on
// and the B pointer one row on, then loops while the count stays positive.
func advance(mr int, loop string) {
	PREFETCHT1(Mem{Base: rC})
	ADDQ(paramAddr("pfs"), rC)
	ADDQ(rBS, rB)
	for i := 0; i*8 < mr; i++ {
		ADDQ(rCS, rA[i])
	}
	DECQ(rCount)
	JNZ(LabelRef(loop))
}

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

// packZ copies kc rows of a matrix into nsl strips of w ≤ 32 columns:
// strip s of row p (src[p*lds+s*w:], the columns enabled by mask, or by
// last for the last strip) goes to dst[s*kc*ldd+p*ldd:]. Rows are read in
// order, each from left to right, so the source streams through the
// hardware prefetchers. It packs the mr-row slivers of a transposed A
// (ldd = 16 or 32 ≥ mr, so each k step's stores fill whole cache lines)
// and the nr-column panels of B (ldd = w = nr).
func packZ() {
	TEXT("packZ", NOSPLIT, "func(kc int, src *float32, lds int, dst *float32, nsl, w, ldd int, mask, last uint32)")
	Pragma("noescape")
	Doc("packZ copies kc rows of nsl strips of w columns from src (row stride lds) to consecutive kc×ldd strips at dst.")
	src, lds, dst, wb, sb, s, d, n, db := RSI, RDX, RDI, R8, R9, R10, R11, R12, R13
	Load(Param("kc"), rCount)
	Load(Param("src"), src)
	Load(Param("lds"), lds)
	SHLQ(U8(2), lds)
	Load(Param("dst"), dst)
	Load(Param("w"), wb)
	SHLQ(U8(2), wb)
	Load(Param("ldd"), db)
	SHLQ(U8(2), db)
	MOVQ(rCount, sb)
	IMULQ(db, sb) // bytes per strip of dst
	mask := Load(Param("mask"), EAX)
	KMOVW(mask, K1)
	SHRL(U8(16), mask)
	KMOVW(mask, K2)
	mask = Load(Param("last"), EAX)
	KMOVW(mask, K3)
	SHRL(U8(16), mask)
	KMOVW(mask, K4)
	Label("packZ_row")
	MOVQ(src, s)
	MOVQ(dst, d)
	Load(Param("nsl"), n)
	DECQ(n)
	JZ(LabelRef("packZ_last"))
	Label("packZ_strip")
	VMOVUPS_Z(Mem{Base: s}, K1, Z0)
	VMOVUPS_Z(Mem{Base: s, Disp: 64}, K2, Z1)
	VMOVUPS(Z0, K1, Mem{Base: d})
	VMOVUPS(Z1, K2, Mem{Base: d, Disp: 64})
	ADDQ(wb, s)
	ADDQ(sb, d)
	DECQ(n)
	JNZ(LabelRef("packZ_strip"))
	Label("packZ_last")
	VMOVUPS_Z(Mem{Base: s}, K3, Z0)
	VMOVUPS_Z(Mem{Base: s, Disp: 64}, K4, Z1)
	VMOVUPS(Z0, K3, Mem{Base: d})
	VMOVUPS(Z1, K4, Mem{Base: d, Disp: 64})
	ADDQ(lds, src)
	ADDQ(db, dst)
	DECQ(rCount)
	JNZ(LabelRef("packZ_row"))
	VZEROUPPER()
	RET()
}

// transposeZ transposes nblk 16×16 blocks: block t takes rows j = 0..15 of
// src (stride lds), columns 16t..16t+15, and writes them as rows
// 16t..16t+15 of dst (stride ldd), columns 0..15. It packs the panels of
// a transposed B. The 16×16 transpose is the usual network: 32-bit and
// 64-bit interleaves within 128-bit lanes, then a 4×4 transpose of the
// 128-bit lanes in two VSHUFF32X4 rounds; 64 shuffles per 256 floats.
func transposeZ() {
	TEXT("transposeZ", NOSPLIT, "func(nblk int, src *float32, lds int, dst *float32, ldd int)")
	Pragma("noescape")
	Doc("transposeZ writes the transposes of nblk 16×16 blocks of src (row stride lds) down dst (row stride ldd).")
	dst, ldd := RDI, RSI
	Load(Param("nblk"), rCount)
	Load(Param("src"), rA[0])
	Load(Param("lds"), rL)
	SHLQ(U8(2), rL)
	Load(Param("dst"), dst)
	Load(Param("ldd"), ldd)
	SHLQ(U8(2), ldd)
	LEAQ(Mem{Base: rL, Index: rL, Scale: 2}, rL3)
	LEAQ(Mem{Base: rL, Index: rL, Scale: 4}, rL5)
	LEAQ(Mem{Base: rL3, Index: rL, Scale: 4}, rL7)
	LEAQ(Mem{Base: rA[0], Index: rL, Scale: 8}, rA[1])
	TESTQ(rCount, rCount)
	JLE(LabelRef("transposeZ_done"))
	Label("transposeZ_loop")
	r := func(i int) VecPhysical { return zmm(i) }
	t := func(i int) VecPhysical { return zmm(16 + i) }
	for i := 0; i < 16; i++ {
		VMOVUPS(rowAddr(i), r(i))
	}
	// a[2i], a[2i+1]: 32-bit interleaves of rows 2i and 2i+1.
	for i := 0; i < 8; i++ {
		VUNPCKLPS(r(2*i+1), r(2*i), t(2*i))
		VUNPCKHPS(r(2*i+1), r(2*i), t(2*i+1))
	}
	// b[4i+c]: in 128-bit lane L, column 4L+c of rows 4i..4i+3.
	for i := 0; i < 4; i++ {
		VUNPCKLPD(t(4*i+2), t(4*i), r(4*i))
		VUNPCKHPD(t(4*i+2), t(4*i), r(4*i+1))
		VUNPCKLPD(t(4*i+3), t(4*i+1), r(4*i+2))
		VUNPCKHPD(t(4*i+3), t(4*i+1), r(4*i+3))
	}
	// For each c, X_i = b[4i+c]; out[4L+c] = [X0.L, X1.L, X2.L, X3.L].
	for c := 0; c < 4; c++ {
		x := func(i int) VecPhysical { return r(4*i + c) }
		y := func(i int) VecPhysical { return t(4*c + i) }
		VSHUFF32X4(U8(0x88), x(1), x(0), y(0)) // X0.L0 X0.L2 X1.L0 X1.L2
		VSHUFF32X4(U8(0xdd), x(1), x(0), y(1)) // X0.L1 X0.L3 X1.L1 X1.L3
		VSHUFF32X4(U8(0x88), x(3), x(2), y(2)) // X2.L0 X2.L2 X3.L0 X3.L2
		VSHUFF32X4(U8(0xdd), x(3), x(2), y(3)) // X2.L1 X2.L3 X3.L1 X3.L3
	}
	for c := 0; c < 4; c++ {
		y := func(i int) VecPhysical { return t(4*c + i) }
		// Output rows 4L+c for L = 0, 2, 1, 3.
		VSHUFF32X4(U8(0x88), y(2), y(0), r(c))    // L = 0
		VSHUFF32X4(U8(0xdd), y(2), y(0), r(8+c))  // L = 2
		VSHUFF32X4(U8(0x88), y(3), y(1), r(4+c))  // L = 1
		VSHUFF32X4(U8(0xdd), y(3), y(1), r(12+c)) // L = 3
	}
	for k := 0; k < 16; k++ {
		VMOVUPS(r(k), Mem{Base: dst})
		ADDQ(ldd, dst)
	}
	ADDQ(U32(64), rA[0])
	ADDQ(U32(64), rA[1])
	DECQ(rCount)
	JNZ(LabelRef("transposeZ_loop"))
	Label("transposeZ_done")
	VZEROUPPER()
	RET()
}

// peak emits a loop of n iterations of independent FMAs on nacc
// accumulators, for measuring the machine's FMA throughput.
func peak(name string, vec func(int) VecPhysical, nacc int, doc string) {
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(doc)
	Load(Param("n"), rCount)
	for i := 0; i < nacc+2; i++ {
		if vec(i).Size() == 64 {
			VPXORD(vec(i), vec(i), vec(i))
		} else {
			VXORPS(vec(i), vec(i), vec(i))
		}
	}
	TESTQ(rCount, rCount)
	JLE(LabelRef(name + "_done"))
	Label(name + "_loop")
	for i := 0; i < nacc; i++ {
		VFMADD231PS(vec(nacc), vec(nacc+1), vec(i))
	}
	DECQ(rCount)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// paramAddr is the stack address of the named argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func zmm(i int) VecPhysical {
	return []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}[i]
}

func ymm(i int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}[i]
}

func main() {
	bits := GLOBL("maskbits", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(1<<i))
	}
	for mr := 1; mr <= 12; mr++ {
		kernelZ32(mr)
	}
	for mr := 1; mr <= 24; mr++ {
		kernelZ16(mr)
	}
	for mr := 1; mr <= 6; mr++ {
		kernelY16(mr, bits)
	}
	packZ()
	transposeZ()
	peak("fmaPeakZ", zmm, 16, "fmaPeakZ runs n iterations of 16 independent zmm FMAs (512 flop).")
	peak("fmaPeakY", ymm, 12, "fmaPeakY runs n iterations of 12 independent ymm FMAs (192 flop).")
	Generate()
}
