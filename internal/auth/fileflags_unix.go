//go:build unix

package auth

import (
	"errors"
	"os"
	"syscall"
)

// oNoFollow makes an open fail on a symbolic link instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// oCloExec keeps a slot file's descriptor out of child processes.
const oCloExec = syscall.O_CLOEXEC

// tryLockFile takes an exclusive lock on f without waiting: false when
// another process holds it.
func tryLockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
