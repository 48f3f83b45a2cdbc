//go:build !linux

package unet

import "time"

// processCPU is not measured off Linux; benchmarks then omit the metric.
func processCPU() time.Duration { return 0 }
