//go:build !purego

#include "textflag.h"

// TAILMASK sets K1 to the low CX bits (CX < 16), clobbering AX.
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K1

// HSUM reduces the 16 lanes of Z0 into X0's low lane, clobbering Z1.
#define HSUM \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPS        X1, X0, X0; \
	VMOVHLPS      X0, X0, X1; \
	VADDPS        X1, X0, X0; \
	VMOVSHDUP     X0, X1; \
	VADDSS        X1, X0, X0

// func sumBiasAVX512(x, pb *float32, n int) float32
// Adds pb to x in place when pb is not nil and returns the sum of x.
TEXT ·sumBiasAVX512(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), DI
	MOVQ   pb+8(FP), DX
	MOVQ   n+16(FP), CX
	VPXORD Z0, Z0, Z0

sbloop:
	CMPQ    CX, $16
	JLT     sbtail
	VMOVUPS (DI), Z2
	TESTQ   DX, DX
	JZ      sbnob
	VADDPS  (DX), Z2, Z2
	VMOVUPS Z2, (DI)
	ADDQ    $64, DX

sbnob:
	VADDPS Z2, Z0, Z0
	ADDQ   $64, DI
	SUBQ   $16, CX
	JMP    sbloop

sbtail:
	TESTQ     CX, CX
	JZ        sbdone
	TAILMASK
	VMOVUPS.Z (DI), K1, Z2
	TESTQ     DX, DX
	JZ        sbtnob
	VMOVUPS.Z (DX), K1, Z3
	VADDPS    Z3, Z2, Z2
	VMOVUPS   Z2, K1, (DI)

sbtnob:
	VADDPS Z2, Z0, Z0

sbdone:
	HSUM
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumSqDevAVX512(x *float32, n int, mean float32) float32
// Returns Σ (x − mean)².
TEXT ·sumSqDevAVX512(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS mean+16(FP), Z4
	VPXORD       Z0, Z0, Z0

ssloop:
	CMPQ        CX, $16
	JLT         sstail
	VMOVUPS     (DI), Z2
	VSUBPS      Z4, Z2, Z2
	VFMADD231PS Z2, Z2, Z0
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         ssloop

sstail:
	TESTQ       CX, CX
	JZ          ssdone
	TAILMASK
	VMOVUPS.Z   (DI), K1, Z2
	VSUBPS.Z    Z4, Z2, K1, Z2
	VFMADD231PS Z2, Z2, Z0

ssdone:
	HSUM
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAVX512(y, x *float32, n int, mean, rs float32)
// Writes y = (x − mean)·rs.
TEXT ·normAVX512(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mean+24(FP), Z4
	VBROADCASTSS rs+28(FP), Z5

nloop:
	CMPQ    CX, $16
	JLT     ntail
	VMOVUPS (SI), Z2
	VSUBPS  Z4, Z2, Z2
	VMULPS  Z5, Z2, Z2
	VMOVUPS Z2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     nloop

ntail:
	TESTQ     CX, CX
	JZ        ndone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z2
	VSUBPS    Z4, Z2, Z2
	VMULPS    Z5, Z2, Z2
	VMOVUPS   Z2, K1, (DI)

ndone:
	VZEROUPPER
	RET

// func sumDotAVX512(gr, y *float32, n int) (sg, sgy float32)
// Returns Σ g and Σ g·y.
TEXT ·sumDotAVX512(SB), NOSPLIT, $0-32
	MOVQ   gr+0(FP), SI
	MOVQ   y+8(FP), DX
	MOVQ   n+16(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z6, Z6, Z6

sdloop:
	CMPQ        CX, $16
	JLT         sdtail
	VMOVUPS     (SI), Z2
	VADDPS      Z2, Z0, Z0
	VFMADD231PS (DX), Z2, Z6
	ADDQ        $64, SI
	ADDQ        $64, DX
	SUBQ        $16, CX
	JMP         sdloop

sdtail:
	TESTQ       CX, CX
	JZ          sddone
	TAILMASK
	VMOVUPS.Z   (SI), K1, Z2
	VMOVUPS.Z   (DX), K1, Z3
	VADDPS      Z2, Z0, Z0
	VFMADD231PS Z3, Z2, Z6

sddone:
	HSUM
	VMOVSS  X0, sg+24(FP)
	VMOVAPS Z6, Z0
	HSUM
	VMOVSS  X0, sgy+28(FP)
	VZEROUPPER
	RET

// func lnBackAVX512(dst, gr, y *float32, n int, mg, c, rs float32, acc bool)
// Writes (acc: adds) rs·(g − mg − y·c) into dx.
TEXT ·lnBackAVX512(SB), NOSPLIT, $0-45
	MOVQ         dst+0(FP), DI
	MOVQ         gr+8(FP), SI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mg+32(FP), Z4
	VBROADCASTSS c+36(FP), Z5
	VBROADCASTSS rs+40(FP), Z6
	MOVBLZX      acc+44(FP), BX

lbloop:
	CMPQ         CX, $16
	JLT          lbtail
	VMOVUPS      (SI), Z2
	VSUBPS       Z4, Z2, Z2
	VFNMADD231PS (DX), Z5, Z2
	VMULPS       Z6, Z2, Z2
	TESTQ        BX, BX
	JZ           lbst
	VADDPS       (DI), Z2, Z2

lbst:
	VMOVUPS Z2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     lbloop

lbtail:
	TESTQ        CX, CX
	JZ           lbdone
	TAILMASK
	VMOVUPS.Z    (SI), K1, Z2
	VMOVUPS.Z    (DX), K1, Z3
	VSUBPS       Z4, Z2, Z2
	VFNMADD231PS Z3, Z5, Z2
	VMULPS       Z6, Z2, Z2
	TESTQ        BX, BX
	JZ           lbtst
	VMOVUPS.Z    (DI), K1, Z3
	VADDPS       Z3, Z2, Z2

lbtst:
	VMOVUPS Z2, K1, (DI)

lbdone:
	VZEROUPPER
	RET
