package seed

import (
	"os"
	"syscall"
	"time"
)

// changeTime is the inode change time of fi (a rewrite in place that keeps
// the modification time, as touch -r or rsync do, still changes it).
func changeTime(fi os.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
	}
	return time.Time{}
}
