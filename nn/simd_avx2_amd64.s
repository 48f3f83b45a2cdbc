//go:build !purego

#include "textflag.h"

// The AVX2 (with FMA) kernels: the same formulas as the AVX-512 ones in
// rowops_amd64.s, silu_amd64.s, vec_amd64.s and adamw_amd64.s, eight
// lanes at a time, with VMASKMOVPS for the last n mod 8 values.

// ones8<> is eight all-ones lanes then eight zero lanes: the eight lanes
// at ones8<>+4(8−r) enable the first r.
DATA ones8<>+0(SB)/4, $0xffffffff
DATA ones8<>+4(SB)/4, $0xffffffff
DATA ones8<>+8(SB)/4, $0xffffffff
DATA ones8<>+12(SB)/4, $0xffffffff
DATA ones8<>+16(SB)/4, $0xffffffff
DATA ones8<>+20(SB)/4, $0xffffffff
DATA ones8<>+24(SB)/4, $0xffffffff
DATA ones8<>+28(SB)/4, $0xffffffff
DATA ones8<>+32(SB)/4, $0
DATA ones8<>+36(SB)/4, $0
DATA ones8<>+40(SB)/4, $0
DATA ones8<>+44(SB)/4, $0
DATA ones8<>+48(SB)/4, $0
DATA ones8<>+52(SB)/4, $0
DATA ones8<>+56(SB)/4, $0
DATA ones8<>+60(SB)/4, $0
GLOBL ones8<>(SB), RODATA|NOPTR, $64

// MASK8 sets Y15 to enable the first CX (1..7) lanes, clobbering AX and
// BX.
#define MASK8 \
	LEAQ    ones8<>+32(SB), AX; \
	MOVQ    CX, BX; \
	SHLQ    $2, BX; \
	SUBQ    BX, AX; \
	VMOVDQU (AX), Y15

// HSUM8 reduces the 8 lanes of Y0 into X0's low lane, clobbering Y1.
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VMOVHLPS     X0, X0, X1; \
	VADDPS       X1, X0, X0; \
	VMOVSHDUP    X0, X1; \
	VADDSS       X1, X0, X0

// func sumBiasAVX2(x, pb *float32, n int) float32
TEXT ·sumBiasAVX2(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), DI
	MOVQ   pb+8(FP), DX
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0

sbloop:
	CMPQ    CX, $8
	JLT     sbtail
	VMOVUPS (DI), Y2
	TESTQ   DX, DX
	JZ      sbnob
	VADDPS  (DX), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DX

sbnob:
	VADDPS Y2, Y0, Y0
	ADDQ   $32, DI
	SUBQ   $8, CX
	JMP    sbloop

sbtail:
	TESTQ      CX, CX
	JZ         sbdone
	MASK8
	VMASKMOVPS (DI), Y15, Y2
	TESTQ      DX, DX
	JZ         sbtnob
	VMASKMOVPS (DX), Y15, Y3
	VADDPS     Y3, Y2, Y2
	VMASKMOVPS Y2, Y15, (DI)

sbtnob:
	VADDPS Y2, Y0, Y0

sbdone:
	HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumSqDevAVX2(x *float32, n int, mean float32) float32
TEXT ·sumSqDevAVX2(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS mean+16(FP), Y4
	VXORPS       Y0, Y0, Y0

ssloop:
	CMPQ        CX, $8
	JLT         sstail
	VMOVUPS     (DI), Y2
	VSUBPS      Y4, Y2, Y2
	VFMADD231PS Y2, Y2, Y0
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         ssloop

sstail:
	TESTQ       CX, CX
	JZ          ssdone
	MASK8
	VMASKMOVPS  (DI), Y15, Y2
	VSUBPS      Y4, Y2, Y2
	VANDPS      Y15, Y2, Y2
	VFMADD231PS Y2, Y2, Y0

ssdone:
	HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAVX2(y, x *float32, n int, mean, rs float32)
TEXT ·normAVX2(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS mean+24(FP), Y4
	VBROADCASTSS rs+28(FP), Y5

nloop:
	CMPQ    CX, $8
	JLT     ntail
	VMOVUPS (SI), Y2
	VSUBPS  Y4, Y2, Y2
	VMULPS  Y5, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     nloop

ntail:
	TESTQ      CX, CX
	JZ         ndone
	MASK8
	VMASKMOVPS (SI), Y15, Y2
	VSUBPS     Y4, Y2, Y2
	VMULPS     Y5, Y2, Y2
	VMASKMOVPS Y2, Y15, (DI)

ndone:
	VZEROUPPER
	RET

// func sumDotAVX2(gr, y *float32, n int) (sg, sgy float32)
TEXT ·sumDotAVX2(SB), NOSPLIT, $0-32
	MOVQ   gr+0(FP), SI
	MOVQ   y+8(FP), DX
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y6, Y6, Y6

sdloop:
	CMPQ        CX, $8
	JLT         sdtail
	VMOVUPS     (SI), Y2
	VADDPS      Y2, Y0, Y0
	VFMADD231PS (DX), Y2, Y6
	ADDQ        $32, SI
	ADDQ        $32, DX
	SUBQ        $8, CX
	JMP         sdloop

sdtail:
	TESTQ       CX, CX
	JZ          sddone
	MASK8
	VMASKMOVPS  (SI), Y15, Y2
	VMASKMOVPS  (DX), Y15, Y3
	VADDPS      Y2, Y0, Y0
	VFMADD231PS Y3, Y2, Y6

sddone:
	HSUM8
	VMOVSS  X0, sg+24(FP)
	VMOVAPS Y6, Y0
	HSUM8
	VMOVSS  X0, sgy+28(FP)
	VZEROUPPER
	RET

// func lnBackAVX2(dst, gr, y *float32, n int, mg, c, rs float32, acc bool)
TEXT ·lnBackAVX2(SB), NOSPLIT, $0-45
	MOVQ         dst+0(FP), DI
	MOVQ         gr+8(FP), SI
	MOVQ         y+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mg+32(FP), Y4
	VBROADCASTSS c+36(FP), Y5
	VBROADCASTSS rs+40(FP), Y6
	MOVBLZX      acc+44(FP), R8

lbloop:
	CMPQ         CX, $8
	JLT          lbtail
	VMOVUPS      (SI), Y2
	VSUBPS       Y4, Y2, Y2
	VFNMADD231PS (DX), Y5, Y2
	VMULPS       Y6, Y2, Y2
	TESTQ        R8, R8
	JZ           lbst
	VADDPS       (DI), Y2, Y2

lbst:
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     lbloop

lbtail:
	TESTQ        CX, CX
	JZ           lbdone
	MASK8
	VMASKMOVPS   (SI), Y15, Y2
	VMASKMOVPS   (DX), Y15, Y3
	VSUBPS       Y4, Y2, Y2
	VFNMADD231PS Y3, Y5, Y2
	VMULPS       Y6, Y2, Y2
	TESTQ        R8, R8
	JZ           lbtst
	VMASKMOVPS   (DI), Y15, Y3
	VADDPS       Y3, Y2, Y2

lbtst:
	VMASKMOVPS Y2, Y15, (DI)

lbdone:
	VZEROUPPER
	RET

// Constants of expf (expf.go), eight lanes each.
#define C8(off, v) \
	DATA silu8<>+(off)(SB)/4, v; \
	DATA silu8<>+(off+4)(SB)/4, v; \
	DATA silu8<>+(off+8)(SB)/4, v; \
	DATA silu8<>+(off+12)(SB)/4, v; \
	DATA silu8<>+(off+16)(SB)/4, v; \
	DATA silu8<>+(off+20)(SB)/4, v; \
	DATA silu8<>+(off+24)(SB)/4, v; \
	DATA silu8<>+(off+28)(SB)/4, v

C8(0, $0x42c80000)   // 100: −z is clamped to [−100, 100]
C8(32, $0xc2c80000)  // −100
C8(64, $0x3fb8aa3b)  // log2(e)
C8(96, $0x3f318000)  // ln2 high part
C8(128, $0xb95e8083) // ln2 low part
C8(160, $0x39506967) // c6
C8(192, $0x3ab743ce) // c5
C8(224, $0x3c088908) // c4
C8(256, $0x3d2aa9c1) // c3
C8(288, $0x3e2aaaaa) // c2
C8(320, $0x3f000000) // c1
C8(352, $0x3f800000) // 1
C8(384, $127)        // the float32 exponent bias, as an integer
GLOBL silu8<>(SB), RODATA|NOPTR, $416

// SILU8 computes, for z in Y0, a = silu(z) into Y1 and d = silu'(z) into
// Y2, as expf and silu in Go do: s = 1/(1 + e^−z), a = z·s, d = s·(1 +
// z·(1 − s)). The scaling by 2^n, |n| ≤ 145, is two exact multiplies by
// 2^(n>>1) and 2^(n−n>>1), each a normal float32, so overflow and
// underflow round as IEEE arithmetic does. Clobbers Y3..Y5.
#define SILU8 \
	VXORPS       Y1, Y1, Y1; \
	VSUBPS       Y0, Y1, Y1; \
	VMINPS       silu8<>+0(SB), Y1, Y1; \
	VMAXPS       silu8<>+32(SB), Y1, Y1; \
	VMULPS       silu8<>+64(SB), Y1, Y2; \
	VROUNDPS     $0, Y2, Y2; \
	VFNMADD231PS silu8<>+96(SB), Y2, Y1; \
	VFNMADD231PS silu8<>+128(SB), Y2, Y1; \
	VMOVUPS      silu8<>+160(SB), Y3; \
	VFMADD213PS  silu8<>+192(SB), Y1, Y3; \
	VFMADD213PS  silu8<>+224(SB), Y1, Y3; \
	VFMADD213PS  silu8<>+256(SB), Y1, Y3; \
	VFMADD213PS  silu8<>+288(SB), Y1, Y3; \
	VFMADD213PS  silu8<>+320(SB), Y1, Y3; \
	VMULPS       Y1, Y1, Y4; \
	VFMADD213PS  Y1, Y4, Y3; \
	VADDPS       silu8<>+352(SB), Y3, Y3; \
	VCVTPS2DQ    Y2, Y4; \
	VPSRAD       $1, Y4, Y5; \
	VPSUBD       Y5, Y4, Y4; \
	VPADDD       silu8<>+384(SB), Y5, Y5; \
	VPSLLD       $23, Y5, Y5; \
	VMULPS       Y5, Y3, Y3; \
	VPADDD       silu8<>+384(SB), Y4, Y4; \
	VPSLLD       $23, Y4, Y4; \
	VMULPS       Y4, Y3, Y3; \
	VADDPS       silu8<>+352(SB), Y3, Y3; \
	VMOVUPS      silu8<>+352(SB), Y4; \
	VDIVPS       Y3, Y4, Y3; \
	VMULPS       Y3, Y0, Y1; \
	VSUBPS       Y3, Y4, Y4; \
	VFMADD213PS  silu8<>+352(SB), Y0, Y4; \
	VMULPS       Y4, Y3, Y2

// func biasSiLUAVX2(y, d, b *float32, n int)
TEXT ·biasSiLUAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX

bsloop:
	CMPQ    CX, $8
	JLT     bstail
	VMOVUPS (DI), Y0
	VADDPS  (DX), Y0, Y0
	SILU8
	VMOVUPS Y1, (DI)
	TESTQ   SI, SI
	JZ      bsnod
	VMOVUPS Y2, (SI)
	ADDQ    $32, SI

bsnod:
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  bsloop

bstail:
	TESTQ      CX, CX
	JZ         bsdone
	MASK8
	VMASKMOVPS (DI), Y15, Y0
	VMASKMOVPS (DX), Y15, Y6
	VADDPS     Y6, Y0, Y0
	SILU8
	VMASKMOVPS Y1, Y15, (DI)
	TESTQ      SI, SI
	JZ         bsdone
	VMASKMOVPS Y2, Y15, (SI)

bsdone:
	VZEROUPPER
	RET

// func addToAVX2(dst, a *float32, n int)
// dst += a.
TEXT ·addToAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX

atloop:
	CMPQ    CX, $8
	JLT     attail
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     atloop

attail:
	TESTQ      CX, CX
	JZ         atdone
	MASK8
	VMASKMOVPS (DI), Y15, Y0
	VMASKMOVPS (SI), Y15, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)

atdone:
	VZEROUPPER
	RET

// func add3AVX2(dst, a, b *float32, n int)
// dst = a + b.
TEXT ·add3AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX

a3loop:
	CMPQ    CX, $8
	JLT     a3tail
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     a3loop

a3tail:
	TESTQ      CX, CX
	JZ         a3done
	MASK8
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (DX), Y15, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)

a3done:
	VZEROUPPER
	RET

// func mulAccAVX2(dst, a, b, acc *float32, n int)
// dst = a ⊙ b, then acc += dst if acc is not nil.
TEXT ·mulAccAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ acc+24(FP), R8
	MOVQ n+32(FP), CX

maloop:
	CMPQ    CX, $8
	JLT     matail
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	TESTQ   R8, R8
	JZ      manoacc
	VADDPS  (R8), Y0, Y2
	VMOVUPS Y2, (R8)
	ADDQ    $32, R8

manoacc:
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  maloop

matail:
	TESTQ      CX, CX
	JZ         madone
	MASK8
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (DX), Y15, Y1
	VMULPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
	TESTQ      R8, R8
	JZ         madone
	VMASKMOVPS (R8), Y15, Y2
	VADDPS     Y0, Y2, Y2
	VMASKMOVPS Y2, Y15, (R8)

madone:
	VZEROUPPER
	RET

// func adamwAVX2(p, gr, m, v, g2 *float32, n int, k *adamScalars)
// adamwAVX512 on eight lanes: the operation order of adamJob.runGo without
// fused multiply-adds, so it matches it bit for bit.
TEXT ·adamwAVX2(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         gr+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R9
	MOVQ         g2+32(FP), R8
	MOVQ         n+40(FP), CX
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Y8   // decay
	VBROADCASTSS 4(AX), Y9   // b1
	VBROADCASTSS 8(AX), Y10  // c1
	VBROADCASTSS 12(AX), Y11 // b2
	VBROADCASTSS 16(AX), Y12 // c2
	VBROADCASTSS 20(AX), Y13 // stepSize
	VBROADCASTSS 24(AX), Y14 // eps
	VBROADCASTSS 28(AX), Y7  // bc2sqrt
	VPCMPEQD     Y15, Y15, Y15

awloop:
	CMPQ  CX, $8
	JGE   awbody
	TESTQ CX, CX
	JZ    awdone
	MASK8
	MOVQ  $8, CX // last, masked pass

awbody:
	VMASKMOVPS (SI), Y15, Y0 // g
	TESTQ      R8, R8
	JZ         awnog2
	VMASKMOVPS (R8), Y15, Y6
	VADDPS     Y6, Y0, Y0
	VMASKMOVPS Y0, Y15, (SI)
	ADDQ       $32, R8

awnog2:
	VMASKMOVPS (DI), Y15, Y1 // p
	VMASKMOVPS (DX), Y15, Y2 // m
	VMASKMOVPS (R9), Y15, Y3 // v
	VMULPS     Y8, Y1, Y1    // p·decay
	VMULPS     Y9, Y2, Y2    // m·b1
	VMULPS     Y10, Y0, Y4   // g·c1
	VADDPS     Y4, Y2, Y2    // m
	VMULPS     Y11, Y3, Y3   // v·b2
	VMULPS     Y12, Y0, Y4   // c2·g
	VMULPS     Y0, Y4, Y4    // ·g
	VADDPS     Y4, Y3, Y3    // v
	VSQRTPS    Y3, Y5
	VDIVPS     Y7, Y5, Y5    // √v/bc2sqrt
	VADDPS     Y14, Y5, Y5   // + eps
	VMULPS     Y2, Y13, Y6   // stepSize·m
	VDIVPS     Y5, Y6, Y6    // /den
	VADDPS     Y6, Y1, Y1
	VMASKMOVPS Y1, Y15, (DI)
	VMASKMOVPS Y2, Y15, (DX)
	VMASKMOVPS Y3, Y15, (R9)
	ADDQ       $32, SI
	ADDQ       $32, DI
	ADDQ       $32, DX
	ADDQ       $32, R9
	SUBQ       $8, CX
	JMP        awloop

awdone:
	VZEROUPPER
	RET
