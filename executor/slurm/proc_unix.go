//go:build unix

package slurm

import (
	"os/exec"
	"syscall"
)

// detach puts a Slurm command in a process group of its own, so that the
// Ctrl-C a terminal sends to the driver's group does not kill an sbatch
// half way (a job submitted whose id is lost); the driver cancels its
// jobs itself.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
