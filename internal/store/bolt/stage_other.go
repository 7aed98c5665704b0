//go:build !unix

package bolt

import (
	"io/fs"
	"os"
)

// owner is what a renamed copy must share with the file it replaces.
type owner struct{ nlink uint64 }

// ownerOf reports false: without Unix rename semantics over an open file,
// UpdateStaged runs its stages in one transaction.
func ownerOf(fs.FileInfo) (owner, bool) { return owner{}, false }

func matchOwner(*os.File, owner) error { return nil }

// unheld reports false: without Unix renames no copy is ever staged.
func unheld(string) bool { return false }
