// Package bench holds end-to-end benchmarks that cut across packages:
// guided posterior sampling with the real network, in the shapes in which
// the PyTorch reference implementation of SDA was timed (one and 64
// trajectories of 65 states, 256 steps, C = 0, 1, 2).
//
//	go test -run '^$' -bench . ./bench/
package bench
