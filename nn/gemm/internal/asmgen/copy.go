package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

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
