//go:build !purego

#include "textflag.h"

// Constants of expf (expf.go), as float32 bits.
DATA silu<>+0(SB)/4, $0x42c80000  // 100: |−z| is clamped here; e^±100 is ±Inf/0 in float32
DATA silu<>+4(SB)/4, $0xc2c80000  // −100
DATA silu<>+8(SB)/4, $0x3fb8aa3b  // log2(e)
DATA silu<>+12(SB)/4, $0x3f318000 // ln2 high part
DATA silu<>+16(SB)/4, $0xb95e8083 // ln2 low part
DATA silu<>+20(SB)/4, $0x39506967 // c6
DATA silu<>+24(SB)/4, $0x3ab743ce // c5
DATA silu<>+28(SB)/4, $0x3c088908 // c4
DATA silu<>+32(SB)/4, $0x3d2aa9c1 // c3
DATA silu<>+36(SB)/4, $0x3e2aaaaa // c2
DATA silu<>+40(SB)/4, $0x3f000000 // c1
DATA silu<>+44(SB)/4, $0x3f800000 // 1
GLOBL silu<>(SB), RODATA|NOPTR, $48

// SILU computes, for z in Z0, a = silu(z) into Z1 and d = silu'(z) into Z2,
// as expf and silu in Go do: s = 1/(1 + e^−z), a = z·s, d = s·(1 + z·(1 − s)).
// VSCALEFPS applies 2^n with IEEE overflow and underflow.
#define SILU \
	VSUBPS       Z0, Z28, Z1; \
	VMINPS       Z16, Z1, Z1; \
	VMAXPS       Z17, Z1, Z1; \
	VMULPS       Z18, Z1, Z2; \
	VRNDSCALEPS  $0, Z2, Z2; \
	VFNMADD231PS Z19, Z2, Z1; \
	VFNMADD231PS Z20, Z2, Z1; \
	VMOVAPS      Z21, Z3; \
	VFMADD213PS  Z22, Z1, Z3; \
	VFMADD213PS  Z23, Z1, Z3; \
	VFMADD213PS  Z24, Z1, Z3; \
	VFMADD213PS  Z25, Z1, Z3; \
	VFMADD213PS  Z26, Z1, Z3; \
	VMULPS       Z1, Z1, Z4; \
	VFMADD213PS  Z1, Z4, Z3; \
	VADDPS       Z27, Z3, Z3; \
	VSCALEFPS    Z2, Z3, Z3; \
	VADDPS       Z27, Z3, Z3; \
	VDIVPS       Z3, Z27, Z3; \
	VMULPS       Z3, Z0, Z1; \
	VSUBPS       Z3, Z27, Z4; \
	VFMADD213PS  Z27, Z0, Z4; \
	VMULPS       Z4, Z3, Z2

// func biasSiLUAVX512(y, d, b *float32, n int)
TEXT ·biasSiLUAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS silu<>+0(SB), Z16
	VBROADCASTSS silu<>+4(SB), Z17
	VBROADCASTSS silu<>+8(SB), Z18
	VBROADCASTSS silu<>+12(SB), Z19
	VBROADCASTSS silu<>+16(SB), Z20
	VBROADCASTSS silu<>+20(SB), Z21
	VBROADCASTSS silu<>+24(SB), Z22
	VBROADCASTSS silu<>+28(SB), Z23
	VBROADCASTSS silu<>+32(SB), Z24
	VBROADCASTSS silu<>+36(SB), Z25
	VBROADCASTSS silu<>+40(SB), Z26
	VBROADCASTSS silu<>+44(SB), Z27
	VPXORD       Z28, Z28, Z28

loop:
	CMPQ    CX, $16
	JLT     tail
	VMOVUPS (DI), Z0
	VADDPS  (DX), Z0, Z0
	SILU
	VMOVUPS Z1, (DI)
	TESTQ   SI, SI
	JZ      nod
	VMOVUPS Z2, (SI)
	ADDQ    $64, SI

nod:
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP  loop

tail:
	TESTQ     CX, CX
	JZ        done
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K1
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (DX), K1, Z5
	VADDPS    Z5, Z0, Z0
	SILU
	VMOVUPS   Z1, K1, (DI)
	TESTQ     SI, SI
	JZ        done
	VMOVUPS   Z2, K1, (SI)

done:
	VZEROUPPER
	RET
