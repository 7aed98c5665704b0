//go:build unix

package cmdutil

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// unsafeOwner says why fi, owned by neither the effective user nor root,
// is unsafe, or "".
func unsafeOwner(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := int(st.Uid); uid != os.Geteuid() && uid != 0 {
		return fmt.Sprintf("it is owned by another user (uid %d)", uid)
	}
	return ""
}

// permissionsChecked says that CheckFileSafety checks modes and owners.
const permissionsChecked = true
