// Package bench holds end-to-end benchmarks that cut across packages:
// guided posterior sampling with the real network, in the shapes of the
// PyTorch reference's measurements (shared/reference/peer-lorenz.md).
//
//	go test -run '^$' -bench . ./bench/
package bench
