package unet

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time of the process so far:
// on a machine shared with other processes, the CPU time an operation
// takes is a steadier measure of its work than its wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
