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
//
// The kernels are kernZ32xR (AVX-512, R×32 tiles, R = 1..12), kernZ16xR
// (AVX-512, R×16, R = 1..24) and kernY16xR (AVX2+FMA, R×16, R = 1..6).
// Beside them: packZ and transposeZ pack operands (copy.go), and
// fmaPeakZ/fmaPeakY measure the FMA throughput for the benchmarks.
package main

import (
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
