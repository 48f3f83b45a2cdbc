package gemm

// Panic messages for programmer errors. Sgemm has no data-dependent
// failures: NaN and Inf propagate as IEEE arithmetic says.
const (
	errNegative    = "gemm: negative dimension"
	errLDA         = "gemm: lda smaller than the row length of A"
	errLDB         = "gemm: ldb smaller than the row length of B"
	errLDC         = "gemm: ldc smaller than n"
	errShortA      = "gemm: a is too short for its shape and lda"
	errShortB      = "gemm: b is too short for its shape and ldb"
	errShortC      = "gemm: c is too short for m, n and ldc"
	errUnsupported = "gemm: kernel path not supported by this CPU"
)
