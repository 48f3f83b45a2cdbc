package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The Winograd F(2×2, 3×3) transforms (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016), one vector of channels
// (lanes floats) of nt tiles along a row per call. Strides are in bytes.
//
// winoIn computes each 4×4 input tile's V = Bᵀ·d·B,
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
//
// with d[i][j] at r_i + j·ps (four row pointers), storing V[4i+j] at v +
// (4i+j)·cs; per tile the rows advance 2·ps and v advances ts.
//
// winoOut computes each tile's Y = Aᵀ·M·A, Aᵀ = [1 1 1 0; 0 1 −1 −1],
// of the matrices M[ξ] at m + ξ·cs, adds the bias vector (bias may be
// nil), and stores Y[i][j] at y_i + j·ps (mode 0) or adds it there (mode
// 1); per tile m advances ts and the y_i 2·ps. Sums are formed in a fixed
// order: t0 = (M0 + M1) + M2 and t1 = (M1 − M2) − M3 down each column,
// the same across t, then + bias, then y + that.

// winoRegs are the general registers of the transforms: four bases (row
// pointers, or the bases of the four rows of ξ), a stride and its triple
// for the columns, and a second stride with its triple.
var (
	wBase        = []Register{R8, R9, R10, R11}
	wCS, wCS3    = R12, R13
	wRow         = []Register{RAX, RBX, RCX, RDX}
	wPS, wPS3    = RSI, RDI
	wOut0, wOut1 = RAX, RBX
)

// at returns the address of column j (0..3) from base with stride s, s3.
func at(base, s, s3 Register, j int) Mem {
	switch j {
	case 1:
		return Mem{Base: base, Index: s, Scale: 1}
	case 2:
		return Mem{Base: base, Index: s, Scale: 2}
	case 3:
		return Mem{Base: base, Index: s3, Scale: 1}
	}
	return Mem{Base: base}
}

// wStrides loads a stride parameter and its triple.
func wStrides(name string, s, s3 Register) {
	Load(Param(name), s)
	LEAQ(Mem{Base: s, Index: s, Scale: 2}, s3)
}

func winoIn(name string, vec func(int) VecPhysical, lanes int) {
	TEXT(name, NOSPLIT, "func(r0, r1, r2, r3 *float32, ps int, v *float32, cs, ts, nt int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is the Winograd F(2×2, 3×3) input transform of one %d-float channel vector.", name, lanes))
	for i, r := range wRow {
		Load(Param(fmt.Sprintf("r%d", i)), r)
	}
	wStrides("ps", wPS, wPS3)
	wStrides("cs", wCS, wCS3)
	Load(Param("v"), wBase[0])
	for i := 1; i < 4; i++ {
		LEAQ(Mem{Base: wBase[i-1], Index: wCS, Scale: 4}, wBase[i])
	}
	CMPQ(paramAddr("nt"), U8(0))
	JLE(LabelRef(name + "_done"))
	Label(name + "_tile")
	// Row i of Bᵀ combines input rows a and b: u = d[a] − d[b] (sub) or
	// d[a] + d[b].
	combs := []struct {
		a, b int
		sub  bool
	}{{0, 2, true}, {1, 2, false}, {2, 1, true}, {1, 3, true}}
	for i, rc := range combs {
		for j := 0; j < 4; j++ {
			VMOVUPS(at(wRow[rc.a], wPS, wPS3, j), vec(j))
			if rc.sub {
				VSUBPS(at(wRow[rc.b], wPS, wPS3, j), vec(j), vec(j))
			} else {
				VADDPS(at(wRow[rc.b], wPS, wPS3, j), vec(j), vec(j))
			}
		}
		// V[i][·] = u·B: u0 − u2, u1 + u2, u2 − u1, u1 − u3.
		VSUBPS(vec(2), vec(0), vec(4))
		VADDPS(vec(2), vec(1), vec(5))
		VSUBPS(vec(1), vec(2), vec(6))
		VSUBPS(vec(3), vec(1), vec(7))
		for j := 0; j < 4; j++ {
			VMOVUPS(vec(4+j), at(wBase[i], wCS, wCS3, j))
		}
	}
	for _, r := range wRow {
		LEAQ(Mem{Base: r, Index: wPS, Scale: 2}, r)
	}
	for _, b := range wBase {
		ADDQ(paramAddr("ts"), b)
	}
	DECQ(paramAddr("nt"))
	JNZ(LabelRef(name + "_tile"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func winoOut(name string, vec func(int) VecPhysical, lanes int) {
	TEXT(name, NOSPLIT, "func(m *float32, cs, ts int, y0, y1 *float32, ps int, bias *float32, mode, nt int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is the Winograd F(2×2, 3×3) output transform of one %d-float channel vector.", name, lanes))
	Load(Param("y0"), wOut0)
	Load(Param("y1"), wOut1)
	Load(Param("ps"), wPS)
	wStrides("cs", wCS, wCS3)
	Load(Param("m"), wBase[0])
	for i := 1; i < 4; i++ {
		LEAQ(Mem{Base: wBase[i-1], Index: wCS, Scale: 4}, wBase[i])
	}
	bias := vec(15)
	VXORPS(bias, bias, bias)
	Load(Param("bias"), RCX)
	TESTQ(RCX, RCX)
	JZ(LabelRef(name + "_nobias"))
	VMOVUPS(Mem{Base: RCX}, bias)
	Label(name + "_nobias")
	Load(Param("mode"), RDX)
	CMPQ(paramAddr("nt"), U8(0))
	JLE(LabelRef(name + "_done"))
	Label(name + "_tile")
	// Column j: t0j = (M[0][j] + M[1][j]) + M[2][j] in vec(4+j), t1j =
	// (M[1][j] − M[2][j]) − M[3][j] in vec(8+j).
	for j := 0; j < 4; j++ {
		VMOVUPS(at(wBase[1], wCS, wCS3, j), vec(0))
		VADDPS(at(wBase[0], wCS, wCS3, j), vec(0), vec(4+j))
		VADDPS(at(wBase[2], wCS, wCS3, j), vec(4+j), vec(4+j))
		VSUBPS(at(wBase[2], wCS, wCS3, j), vec(0), vec(8+j))
		VSUBPS(at(wBase[3], wCS, wCS3, j), vec(8+j), vec(8+j))
	}
	// Across: y_i0 = (t_i0 + t_i1) + t_i2, y_i1 = (t_i1 − t_i2) − t_i3.
	outs := []struct {
		t   int
		dst Mem
	}{{4, Mem{Base: wOut0}}, {8, Mem{Base: wOut1}}}
	for k, o := range outs {
		y0, y1 := vec(12), vec(13)
		VADDPS(vec(o.t+1), vec(o.t), y0)
		VADDPS(vec(o.t+2), y0, y0)
		VSUBPS(vec(o.t+2), vec(o.t+1), y1)
		VSUBPS(vec(o.t+3), y1, y1)
		VADDPS(bias, y0, y0)
		VADDPS(bias, y1, y1)
		d0, d1 := o.dst, Mem{Base: o.dst.Base, Index: wPS, Scale: 1}
		TESTQ(RDX, RDX)
		JZ(LabelRef(fmt.Sprintf("%s_store%d", name, k)))
		VADDPS(d0, y0, y0)
		VADDPS(d1, y1, y1)
		Label(fmt.Sprintf("%s_store%d", name, k))
		VMOVUPS(y0, d0)
		VMOVUPS(y1, d1)
	}
	LEAQ(Mem{Base: wOut0, Index: wPS, Scale: 2}, wOut0)
	LEAQ(Mem{Base: wOut1, Index: wPS, Scale: 2}, wOut1)
	for _, b := range wBase {
		ADDQ(paramAddr("ts"), b)
	}
	DECQ(paramAddr("nt"))
	JNZ(LabelRef(name + "_tile"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// winoGrad computes, for nt tiles along a row, the 4×4 transform D =
// A·dY·Aᵀ of each 2×2 block of the output gradient, dY[i][j] at y_i + j·ps
// (two row pointers), A = [1 0; 1 1; 1 −1; 0 −1]: the weight gradient's
// counterpart of V. D[4i+j] goes to d + (4i+j)·cs; per tile the rows
// advance 2·ps and d advances ts. Row i of A·dY is (x, y) = (dY0, dY1)
// combined as dY0, dY0 + dY1, dY0 − dY1, −dY1, and D's row i is (x, x + y,
// x − y, −y) of it.
func winoGrad(name string, vec func(int) VecPhysical, lanes int) {
	TEXT(name, NOSPLIT, "func(y0, y1 *float32, ps int, d *float32, cs, ts, nt int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is the Winograd F(2×2, 3×3) transform of the output gradient for the weight gradient, one %d-float channel vector.", name, lanes))
	Load(Param("y0"), wOut0)
	Load(Param("y1"), wOut1)
	Load(Param("ps"), wPS)
	wStrides("cs", wCS, wCS3)
	Load(Param("d"), wBase[0])
	for i := 1; i < 4; i++ {
		LEAQ(Mem{Base: wBase[i-1], Index: wCS, Scale: 4}, wBase[i])
	}
	zero := vec(15)
	VXORPS(zero, zero, zero)
	CMPQ(paramAddr("nt"), U8(0))
	JLE(LabelRef(name + "_done"))
	Label(name + "_tile")
	// dY[0][0], dY[0][1], dY[1][0], dY[1][1] in vec(0..3).
	VMOVUPS(Mem{Base: wOut0}, vec(0))
	VMOVUPS(Mem{Base: wOut0, Index: wPS, Scale: 1}, vec(1))
	VMOVUPS(Mem{Base: wOut1}, vec(2))
	VMOVUPS(Mem{Base: wOut1, Index: wPS, Scale: 1}, vec(3))
	// Rows of A·dY: (x, y) in vec(4+2i), vec(5+2i).
	VMOVUPS(vec(0), vec(4))
	VMOVUPS(vec(1), vec(5))
	VADDPS(vec(2), vec(0), vec(6))
	VADDPS(vec(3), vec(1), vec(7))
	VSUBPS(vec(2), vec(0), vec(8))
	VSUBPS(vec(3), vec(1), vec(9))
	VSUBPS(vec(2), zero, vec(10))
	VSUBPS(vec(3), zero, vec(11))
	for i := 0; i < 4; i++ {
		x, y := vec(4+2*i), vec(5+2*i)
		VMOVUPS(x, at(wBase[i], wCS, wCS3, 0))
		VADDPS(y, x, vec(12))
		VMOVUPS(vec(12), at(wBase[i], wCS, wCS3, 1))
		VSUBPS(y, x, vec(13))
		VMOVUPS(vec(13), at(wBase[i], wCS, wCS3, 2))
		VSUBPS(y, zero, vec(14))
		VMOVUPS(vec(14), at(wBase[i], wCS, wCS3, 3))
	}
	LEAQ(Mem{Base: wOut0, Index: wPS, Scale: 2}, wOut0)
	LEAQ(Mem{Base: wOut1, Index: wPS, Scale: 2}, wOut1)
	for _, b := range wBase {
		ADDQ(paramAddr("ts"), b)
	}
	DECQ(paramAddr("nt"))
	JNZ(LabelRef(name + "_tile"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
