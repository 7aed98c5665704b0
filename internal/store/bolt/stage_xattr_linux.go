package bolt

import (
	"errors"
	"syscall"
)

// hasXattrs reports whether the file at path carries extended attributes
// (POSIX ACLs, an SELinux label, file capabilities, anything a user set):
// a renamed copy would not, so such a database is not staged. An error
// other than "not supported" counts as having some.
func hasXattrs(path string) bool {
	n, err := syscall.Listxattr(path, nil)
	if errors.Is(err, syscall.ENOTSUP) {
		return false
	}
	return err != nil || n > 0
}
