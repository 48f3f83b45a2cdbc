//go:build !purego

#include "textflag.h"

// func adamwAVX512(p, gr, m, v, g2 *float32, n int, k *adamScalars)
// One AdamW update of n values with the scalars k (adamScalars: decay, b1,
// c1, b2, c2, stepSize, eps, bc2sqrt), in the operation order of
// adamJob.runGo and without fused multiply-adds, so it matches it bit for
// bit. If g2 is not nil, gr += g2 first (stored back).
TEXT ·adamwAVX512(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         gr+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), BX
	MOVQ         g2+32(FP), R8
	MOVQ         n+40(FP), CX
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Z16  // decay
	VBROADCASTSS 4(AX), Z17  // b1
	VBROADCASTSS 8(AX), Z18  // c1
	VBROADCASTSS 12(AX), Z19 // b2
	VBROADCASTSS 16(AX), Z20 // c2
	VBROADCASTSS 20(AX), Z21 // stepSize
	VBROADCASTSS 24(AX), Z22 // eps
	VBROADCASTSS 28(AX), Z23 // bc2sqrt
	MOVQ         $0xffff, AX
	KMOVW        AX, K1

loop:
	CMPQ  CX, $16
	JGE   body
	TESTQ CX, CX
	JZ    done
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	MOVQ  $16, CX // last, masked pass

body:
	VMOVUPS.Z (SI), K1, Z0 // g
	TESTQ     R8, R8
	JZ        nog2
	VMOVUPS.Z (R8), K1, Z7
	VADDPS    Z7, Z0, Z0
	VMOVUPS   Z0, K1, (SI)
	ADDQ      $64, R8

nog2:
	VMOVUPS.Z (DI), K1, Z1 // p
	VMOVUPS.Z (DX), K1, Z2 // m
	VMOVUPS.Z (BX), K1, Z3 // v
	VMULPS    Z16, Z1, Z1  // p·decay
	VMULPS    Z17, Z2, Z2  // m·b1
	VMULPS    Z18, Z0, Z4  // g·c1
	VADDPS    Z4, Z2, Z2   // m
	VMULPS    Z19, Z3, Z3  // v·b2
	VMULPS    Z20, Z0, Z4  // c2·g
	VMULPS    Z0, Z4, Z4   // ·g
	VADDPS    Z4, Z3, Z3   // v
	VSQRTPS   Z3, Z5
	VDIVPS    Z23, Z5, Z5  // √v/bc2sqrt
	VADDPS    Z22, Z5, Z5  // + eps
	VMULPS    Z2, Z21, Z6  // stepSize·m
	VDIVPS    Z5, Z6, Z6   // /den
	VADDPS    Z6, Z1, Z1
	VMOVUPS   Z1, K1, (DI)
	VMOVUPS   Z2, K1, (DX)
	VMOVUPS   Z3, K1, (BX)
	ADDQ      $64, SI
	ADDQ      $64, DI
	ADDQ      $64, DX
	ADDQ      $64, BX
	SUBQ      $16, CX
	JMP       loop

done:
	VZEROUPPER
	RET
