package bench

import (
	"os/exec"
	"syscall"
)

// orphanGuard makes the kernel send the server SIGTERM when this process
// dies, so a killed benchmark leaves no server behind.
func orphanGuard(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
