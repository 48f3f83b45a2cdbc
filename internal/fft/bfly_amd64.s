//go:build !purego

#include "textflag.h"

// Vectors hold four complex128 values as (re, im) pairs. A complex product
// w·z is computed as Go computes it, without fused multiply-adds, so that
// the results are bit-identical to the portable code:
//   re = wr·zr − wi·zi,  im = wr·zi + wi·zr
// as z·[wr]  +  swap(z)·[−wi, wi]  (the sign folded into the broadcast).

// SIGNS sets Z26 = sign bit in the even (real) lanes, Z27 = in the odd
// (imaginary) lanes. Clobbers AX, K1.
#define SIGNS \
	MOVQ         $0x8000000000000000, AX; \
	MOVQ         $0x55, R12; \
	KMOVW        R12, K1; \
	VPBROADCASTQ.Z AX, K1, Z26; \
	MOVQ         $0xaa, R12; \
	KMOVW        R12, K1; \
	VPBROADCASTQ.Z AX, K1, Z27

// TWID loads the twiddle at off(BX) into Zr = [wr…] and Zi = [−wi, wi…].
#define TWID(off, Zr, Zi) \
	VBROADCASTSD off(BX), Zr; \
	VBROADCASTSD off+8(BX), Zi; \
	VPXORQ       Z26, Zi, Zi

// CMUL sets Zd = w·Zs with w in (Zr, Zi); clobbers Z25.
#define CMUL(Zs, Zr, Zi, Zd) \
	VPERMILPD $0x55, Zs, Z25; \
	VMULPD    Zi, Z25, Z25; \
	VMULPD    Zr, Zs, Zd; \
	VADDPD    Z25, Zd, Zd

// MULI sets Zd = ∓i·Zs (forward: (im, −re), inverse: (−im, re)) with the
// sign vector in Z24.
#define MULI(Zs, Zd) \
	VPERMILPD $0x55, Zs, Zd; \
	VPXORQ    Z24, Zd, Zd

// func bfly4AVX512(y, x *[4]*complex128, inv bool, n int)
// The twiddle-free radix-4 butterfly over n values (n a multiple of 4).
TEXT ·bfly4AVX512(SB), NOSPLIT, $0-32
	MOVQ    y+0(FP), AX
	MOVQ    0(AX), R8
	MOVQ    8(AX), R9
	MOVQ    16(AX), R10
	MOVQ    24(AX), R11
	MOVQ    x+8(FP), AX
	MOVQ    0(AX), R13
	MOVQ    8(AX), R14
	MOVQ    16(AX), R15
	MOVQ    24(AX), SI
	MOVBQZX inv+16(FP), DX
	MOVQ    n+24(FP), CX
	SIGNS
	VMOVDQU64 Z27, Z24 // forward: negate the imaginary lanes
	CMPQ      DX, $0
	JEQ       b4sign
	VMOVDQU64 Z26, Z24 // inverse: the real lanes

b4sign:
	XORQ    DI, DI
	SHLQ    $4, CX

b4loop:
	CMPQ    DI, CX
	JGE     b4done
	VMOVUPD (R13)(DI*1), Z0 // a
	VMOVUPD (R14)(DI*1), Z1 // b
	VMOVUPD (R15)(DI*1), Z2 // c
	VMOVUPD (SI)(DI*1), Z3  // d
	VADDPD  Z2, Z0, Z4      // a + c
	VSUBPD  Z2, Z0, Z5      // a − c
	VADDPD  Z3, Z1, Z6      // b + d
	VSUBPD  Z3, Z1, Z7      // b − d
	MULI(Z7, Z7)            // ∓i(b − d)
	VADDPD  Z6, Z4, Z8
	VMOVUPD Z8, (R8)(DI*1)
	VADDPD  Z7, Z5, Z8
	VMOVUPD Z8, (R9)(DI*1)
	VSUBPD  Z6, Z4, Z8
	VMOVUPD Z8, (R10)(DI*1)
	VSUBPD  Z7, Z5, Z8
	VMOVUPD Z8, (R11)(DI*1)
	ADDQ    $64, DI
	JMP     b4loop

b4done:
	VZEROUPPER
	RET

// func bfly4twAVX512(y, x *[4]*complex128, w *[3]complex128, inv bool, n int)
// The radix-4 butterfly with output twiddles w[0..2] (n a multiple of 4).
TEXT ·bfly4twAVX512(SB), NOSPLIT, $0-40
	MOVQ    y+0(FP), AX
	MOVQ    0(AX), R8
	MOVQ    8(AX), R9
	MOVQ    16(AX), R10
	MOVQ    24(AX), R11
	MOVQ    x+8(FP), AX
	MOVQ    0(AX), R13
	MOVQ    8(AX), R14
	MOVQ    16(AX), R15
	MOVQ    24(AX), SI
	MOVQ    w+16(FP), BX
	MOVBQZX inv+24(FP), DX
	MOVQ    n+32(FP), CX
	SIGNS
	VMOVDQU64 Z27, Z24
	CMPQ      DX, $0
	JEQ       b4tsign
	VMOVDQU64 Z26, Z24

b4tsign:
	TWID(0, Z16, Z17)
	TWID(16, Z18, Z19)
	TWID(32, Z20, Z21)
	XORQ    DI, DI
	SHLQ    $4, CX

b4tloop:
	CMPQ    DI, CX
	JGE     b4tdone
	VMOVUPD (R13)(DI*1), Z0
	VMOVUPD (R14)(DI*1), Z1
	VMOVUPD (R15)(DI*1), Z2
	VMOVUPD (SI)(DI*1), Z3
	VADDPD  Z2, Z0, Z4
	VSUBPD  Z2, Z0, Z5
	VADDPD  Z3, Z1, Z6
	VSUBPD  Z3, Z1, Z7
	MULI(Z7, Z7)
	VADDPD  Z6, Z4, Z8
	VMOVUPD Z8, (R8)(DI*1)
	VADDPD  Z7, Z5, Z9
	CMUL(Z9, Z16, Z17, Z8)
	VMOVUPD Z8, (R9)(DI*1)
	VSUBPD  Z6, Z4, Z9
	CMUL(Z9, Z18, Z19, Z8)
	VMOVUPD Z8, (R10)(DI*1)
	VSUBPD  Z7, Z5, Z9
	CMUL(Z9, Z20, Z21, Z8)
	VMOVUPD Z8, (R11)(DI*1)
	ADDQ    $64, DI
	JMP     b4tloop

b4tdone:
	VZEROUPPER
	RET

// func bfly2AVX512(ya, yb, xa, xb *complex128, w complex128, n int)
// The radix-2 butterfly ya = a + b, yb = w·(a − b) (n a multiple of 4).
TEXT ·bfly2AVX512(SB), NOSPLIT, $0-56
	MOVQ ya+0(FP), R8
	MOVQ yb+8(FP), R9
	MOVQ xa+16(FP), R13
	MOVQ xb+24(FP), R14
	LEAQ w+32(FP), BX
	MOVQ n+48(FP), CX
	SIGNS
	TWID(0, Z16, Z17)
	XORQ DI, DI
	SHLQ $4, CX

b2loop:
	CMPQ    DI, CX
	JGE     b2done
	VMOVUPD (R13)(DI*1), Z0
	VMOVUPD (R14)(DI*1), Z1
	VADDPD  Z1, Z0, Z2
	VMOVUPD Z2, (R8)(DI*1)
	VSUBPD  Z1, Z0, Z3
	CMUL(Z3, Z16, Z17, Z2)
	VMOVUPD Z2, (R9)(DI*1)
	ADDQ    $64, DI
	JMP     b2loop

b2done:
	VZEROUPPER
	RET
