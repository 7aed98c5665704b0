//go:build unix

package bolt

import (
	"io/fs"
	"os"
	"syscall"
)

// owner is what a renamed copy must share with the file it replaces.
type owner struct {
	uid, gid int
	nlink    uint64
}

// ownerOf returns fi's owner and link count.
func ownerOf(fi fs.FileInfo) (owner, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return owner{}, false
	}
	return owner{uid: int(st.Uid), gid: int(st.Gid), nlink: uint64(st.Nlink)}, true
}

// matchOwner gives f the owner o unless it already has it.
func matchOwner(f *os.File, o owner) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	cur, ok := ownerOf(fi)
	if !ok {
		return syscall.EINVAL
	}
	if cur.uid == o.uid && cur.gid == o.gid {
		return nil
	}
	return f.Chown(o.uid, o.gid)
}

// unheld reports whether no process holds a lock on the regular file at
// path (the lock bbolt takes on a database it opens): whether a stage or
// compact file left beside the database is no one's.
func unheld(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}
