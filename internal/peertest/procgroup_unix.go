//go:build unix

package peertest

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own, so that the daemons
// it starts can be stopped with it.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// terminate asks the process to stop (SIGTERM).
func terminate(cmd *exec.Cmd) { syscall.Kill(cmd.Process.Pid, syscall.SIGTERM) }

// killGroup kills the process group cmd leads (SIGKILL).
func killGroup(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
