//go:build !purego

#include "textflag.h"

// func fluxRowAVX512(f, cm, c0, c1, c2, a *float64, lam float64, n int)
//
// fluxRow for n a multiple of 8, eight faces per iteration, with the same
// operations in the same order as fluxRowGo so that the results are
// identical: both branches are evaluated and selected with masks.
TEXT ·fluxRowAVX512(SB), NOSPLIT, $0-64
	MOVQ f+0(FP), DI
	MOVQ cm+8(FP), R8
	MOVQ c0+16(FP), R9
	MOVQ c1+24(FP), R10
	MOVQ c2+32(FP), R11
	MOVQ a+40(FP), SI
	VBROADCASTSD lam+48(FP), Z29
	MOVQ n+56(FP), CX
	MOVQ $0x3ff0000000000000, AX // 1.0
	VPBROADCASTQ AX, Z30
	VPXORQ       Z31, Z31, Z31
	XORQ         BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VMOVUPD (SI)(BX*8), Z0  // a
	VMOVUPD (R8)(BX*8), Z1  // cm
	VMOVUPD (R9)(BX*8), Z2  // c0
	VMOVUPD (R10)(BX*8), Z3 // c1
	VMOVUPD (R11)(BX*8), Z4 // c2
	VSUBPD  Z2, Z3, Z5      // d = c1 − c0
	VSUBPD  Z3, Z4, Z6      // e = c2 − c1          (a ≤ 0)
	VCMPPD  $0x1e, Z31, Z0, K1 // K1: a > 0 (ordered)
	VCMPPD  $0x0a, Z31, Z0, K4 // K4: not a > 0 (NaN included)
	VSUBPD  Z1, Z2, Z7
	VMOVAPD Z7, K1, Z6      // e = c0 − cm          (a > 0)
	VMOVAPD Z3, Z8
	VMOVAPD Z2, K1, Z8      // cu = a > 0 ? c0 : c1
	VMULPD  Z29, Z0, Z9     // t = λa
	VADDPD  Z9, Z30, Z10    // g = 1 + t
	VSUBPD  Z9, Z30, K1, Z10 // g = 1 − t           (a > 0)
	VMULPD  Z5, Z6, Z11     // e·d
	VCMPPD  $0x1e, Z31, Z11, K2 // K2: e·d > 0
	VMULPD  Z6, Z10, Z12    // g·e
	VMULPD  Z5, Z12, Z12    // g·e·d
	VADDPD  Z5, Z6, Z13     // e + d
	VDIVPD  Z13, Z12, Z12   // lim
	KANDW   K1, K2, K3
	KANDW   K4, K2, K5
	VADDPD  Z12, Z8, K3, Z8 // cf = c0 + lim
	VSUBPD  Z12, Z8, K5, Z8 // cf = c1 − lim
	VMULPD  Z8, Z0, Z8      // f = a·cf
	VMOVUPD Z8, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     loop

done:
	VZEROUPPER
	RET

// func updateRowAVX512(di, cm, cpl, cp, fx, fp, fy, force *float64, lam, dt, nu2, alpha float64, n int)
//
// updateRowGo for n a multiple of 8, with its operations in its order.
TEXT ·updateRowAVX512(SB), NOSPLIT, $0-104
	MOVQ di+0(FP), DI
	MOVQ cm+8(FP), R8
	MOVQ cpl+16(FP), R9
	MOVQ cp+24(FP), R10
	MOVQ fx+32(FP), R11
	MOVQ fp+40(FP), R12
	MOVQ fy+48(FP), R13
	MOVQ force+56(FP), R14
	VBROADCASTSD lam+64(FP), Z24
	VBROADCASTSD dt+72(FP), Z25
	VBROADCASTSD nu2+80(FP), Z26
	VBROADCASTSD alpha+88(FP), Z27
	MOVQ n+96(FP), CX
	MOVQ $0x4010000000000000, AX // 4.0
	VPBROADCASTQ AX, Z28
	XORQ BX, BX

uloop:
	CMPQ    BX, CX
	JGE     udone
	VMOVUPD 8(R10)(BX*8), Z0  // c = cp[j+1]
	VMOVUPD (R8)(BX*8), Z1    // cm
	VADDPD  (R9)(BX*8), Z1, Z1 // + cpl
	VADDPD  (R10)(BX*8), Z1, Z1 // + cp[j]
	VADDPD  16(R10)(BX*8), Z1, Z1 // + cp[j+2]
	VMULPD  Z28, Z0, Z2       // 4c
	VSUBPD  Z2, Z1, Z1        // lap
	VMOVUPD (R11)(BX*8), Z3   // fx
	VSUBPD  (R12)(BX*8), Z3, Z3 // − fp
	VADDPD  8(R13)(BX*8), Z3, Z3 // + fy[j+1]
	VSUBPD  (R13)(BX*8), Z3, Z3  // − fy[j]
	VMULPD  Z24, Z3, Z3       // λ·div
	VMULPD  Z26, Z1, Z1       // ν/h²·lap
	VADDPD  (R14)(BX*8), Z1, Z1 // + f
	VMULPD  Z27, Z0, Z4       // α·c
	VSUBPD  Z4, Z1, Z1
	VMULPD  Z25, Z1, Z1       // dt·(…)
	VSUBPD  Z3, Z0, Z0        // c − λ·div
	VADDPD  Z1, Z0, Z0
	VMOVUPD Z0, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     uloop

udone:
	VZEROUPPER
	RET
