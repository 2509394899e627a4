//go:build !unix

package peertest

import "os/exec"

// ownGroup does nothing where there are no process groups.
func ownGroup(cmd *exec.Cmd) {}

// terminate stops the process: there is no gentler way here.
func terminate(cmd *exec.Cmd) { cmd.Process.Kill() }

// killGroup kills the process.
func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
