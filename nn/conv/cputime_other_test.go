//go:build !linux

package conv

import "time"

// threadCPU is not measured off Linux; benchmarks then omit the metric.
func threadCPU() time.Duration { return 0 }
