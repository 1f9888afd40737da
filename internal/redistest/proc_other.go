//go:build !linux

package redistest

import "syscall"

// sysProcAttr returns nil: only Linux can tie the child's life to the test's.
func sysProcAttr() *syscall.SysProcAttr { return nil }
