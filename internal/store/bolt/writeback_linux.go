package bolt

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's dirty pages to disk
// now, and returns without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE alone). It makes nothing durable: the fsync that
// publishes a staged copy still does that, but finds most of the copy
// already written instead of writing all of it while the command waits.
// Its caller ignores an error: the fsync writes whatever this did not.
func startWriteback(f *os.File) error {
	if f == nil {
		return nil
	}
	return unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
}
