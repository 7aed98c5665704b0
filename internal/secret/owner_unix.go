//go:build unix

package secret

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses files that someone other than the caller (or root)
// could have written.
func checkOwner(fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("is writable by its group or others (mode %04o); chmod go-w it", fi.Mode().Perm())
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Getuid(); int(st.Uid) != uid && st.Uid != 0 {
		return fmt.Errorf("is owned by uid %d, not by you (uid %d) or root", st.Uid, uid)
	}
	return nil
}
