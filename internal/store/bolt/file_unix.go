//go:build unix

package bolt

import "syscall"

// openFlags are added to every open of the database file: O_NONBLOCK, so
// that opening a FIFO put where the database should be returns at once
// (and is then refused as not a regular file) instead of waiting forever
// for a writer. It changes nothing for a regular file.
const openFlags = syscall.O_NONBLOCK
