//go:build !purego

#include "textflag.h"

// SETMASK makes K1 cover the next min(CX, 16) lanes and sets CX to 16 for
// a last, masked pass when fewer than 16 remain. Clobbers AX.
#define SETMASK(body, done) \
	CMPQ  CX, $16; \
	JGE   body; \
	TESTQ CX, CX; \
	JZ    done; \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K1; \
	MOVQ  $16, CX

// func addToAVX512(dst, a *float32, n int)
// dst += a.
TEXT ·addToAVX512(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  n+16(FP), CX
	MOVQ  $0xffff, AX
	KMOVW AX, K1

atloop:
	SETMASK(atbody, atdone)

atbody:
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       atloop

atdone:
	VZEROUPPER
	RET

// func add3AVX512(dst, a, b *float32, n int)
// dst = a + b.
TEXT ·add3AVX512(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  b+16(FP), DX
	MOVQ  n+24(FP), CX
	MOVQ  $0xffff, AX
	KMOVW AX, K1

a3loop:
	SETMASK(a3body, a3done)

a3body:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	SUBQ      $16, CX
	JMP       a3loop

a3done:
	VZEROUPPER
	RET

// func mulAccAVX512(dst, a, b, acc *float32, n int)
// dst = a ⊙ b, then acc += dst if acc is not nil.
TEXT ·mulAccAVX512(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  b+16(FP), DX
	MOVQ  acc+24(FP), BX
	MOVQ  n+32(FP), CX
	MOVQ  $0xffff, AX
	KMOVW AX, K1

maloop:
	SETMASK(mabody, madone)

mabody:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VMULPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DI)
	TESTQ     BX, BX
	JZ        manoacc
	VMOVUPS.Z (BX), K1, Z2
	VADDPS    Z0, Z2, Z2
	VMOVUPS   Z2, K1, (BX)
	ADDQ      $64, BX

manoacc:
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP  maloop

madone:
	VZEROUPPER
	RET
