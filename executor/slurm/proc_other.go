//go:build !unix

package slurm

import "os/exec"

func detach(cmd *exec.Cmd) {}
