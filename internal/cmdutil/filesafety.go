package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// UnsafeFileError is a database or session file that others could have
// written, or that sits where others could replace it. It exits 7, like a
// database that cannot be trusted to be read.
type UnsafeFileError struct {
	What, Path, Why string
}

func (e *UnsafeFileError) Error() string {
	return fmt.Sprintf("refusing to use %s %s: %s (fix the permissions, or pass --insecure-permissions)", e.What, e.Path, e.Why)
}

// CheckFileSafety checks a database or session file (which need not exist
// yet) the way ssh checks its keys: the file and every directory above it
// must belong to the user running authctl or to root; the file must not be
// writable by group or others, nor may a directory be (unless it is
// sticky, like /tmp, where others cannot replace what they do not own). A
// file readable by group or others is allowed, with a warning returned for
// the caller to print.
func CheckFileSafety(what, path string) (warning string, err error) {
	if !permissionsChecked {
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The file will be created: check the directories it would be
		// created in.
	case err != nil:
		return "", nil // the opener reports it
	case !fi.Mode().IsRegular():
		return "", nil // the opener refuses it
	default:
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		if why := unsafeOwner(fi); why != "" {
			return "", &UnsafeFileError{what, path, why}
		}
		if fi.Mode().Perm()&0o022 != 0 {
			return "", &UnsafeFileError{what, path, fmt.Sprintf("it is writable by group or others (mode %04o)", fi.Mode().Perm())}
		}
		if fi.Mode().Perm()&0o044 != 0 {
			warning = fmt.Sprintf("warning: %s %s is readable by group or others (mode %04o); chmod 600 it", what, path, fi.Mode().Perm())
		}
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err == nil {
			if why := unsafeOwner(di); why != "" {
				return "", &UnsafeFileError{what, path, "its directory " + dir + " " + why[len("it "):]}
			}
			if di.Mode().Perm()&0o022 != 0 && di.Mode()&fs.ModeSticky == 0 {
				return "", &UnsafeFileError{what, path, fmt.Sprintf("its directory %s is writable by group or others (mode %04o)", dir, di.Mode().Perm())}
			}
		}
		if parent := filepath.Dir(dir); parent == dir {
			break
		}
	}
	return warning, nil
}
