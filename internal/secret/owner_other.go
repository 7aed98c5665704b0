//go:build !unix

package secret

import (
	"fmt"
	"io/fs"
)

// checkOwner refuses files that others may write; ownership is not checked
// on systems without Unix user ids.
func checkOwner(fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("is writable by its group or others (mode %04o)", fi.Mode().Perm())
	}
	return nil
}
