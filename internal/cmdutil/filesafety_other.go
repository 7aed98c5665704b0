//go:build !unix

package cmdutil

import "io/fs"

// unsafeOwner: file ownership is not checked on this system.
func unsafeOwner(fs.FileInfo) string { return "" }

// permissionsChecked: Unix modes and owners mean nothing here.
const permissionsChecked = false
