package secret

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxLen is the longest secret, in bytes, that is accepted.
const MaxLen = 64 << 10

// ErrEmpty is returned when there is no line to read at all.
var ErrEmpty = errors.New("no password: the input is empty")

// ReadLine reads the first line of r as a secret. It strips exactly one
// trailing "\n" and, when crlf is true, one "\r" just before it; nothing
// else (spaces, a second line ending) is removed. A lone "\n" gives the
// empty string; no input at all is [ErrEmpty]. Nothing after the first "\n"
// is read into the result, and at most MaxLen+2 bytes are read.
func ReadLine(r io.Reader, crlf bool) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxLen+2))
	line, err := br.ReadBytes('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return "", ErrEmpty
	case err != nil && err != io.EOF:
		return "", fmt.Errorf("reading password: %w", err)
	}
	s := string(line)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = t
		if crlf {
			s = strings.TrimSuffix(s, "\r")
		}
	}
	if len(s) > MaxLen {
		return "", fmt.Errorf("password longer than %d bytes", MaxLen)
	}
	return s, nil
}

// FileOptions says how a named file is checked.
type FileOptions struct {
	// CRLF strips a "\r" before the final "\n".
	CRLF bool
	// Owned refuses a file that is not owned by the calling user or root,
	// or that its group or others may write.
	Owned bool
}

// ReadFile reads the first line of the regular file at path as a secret.
// The file is opened without blocking and checked on the opened descriptor,
// so a FIFO never blocks and nothing is read from a device or a directory.
// Errors name no path; callers add the one they were given.
func ReadFile(path string, opts FileOptions) (string, error) {
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("is %s, not a regular file", describeMode(fi.Mode()))
	}
	if fi.Size() > MaxLen+2 {
		return "", fmt.Errorf("is %d bytes; a password file holds at most %d", fi.Size(), MaxLen+2)
	}
	if opts.Owned {
		if err := checkOwner(fi); err != nil {
			return "", err
		}
	}
	pw, err := ReadLine(fh, opts.CRLF)
	if errors.Is(err, ErrEmpty) {
		return "", errors.New("the file is empty")
	}
	return pw, err
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a plain file (" + m.Type().String() + ")"
}

// Policy says which files a seeding file may name in password_file.
type Policy struct {
	// Dir is the seeding file's directory; relative paths resolve against
	// it. Empty means the working directory (a file read from stdin).
	Dir string
	// AllowOutside lets absolute paths and paths that leave Dir (with ".."
	// or through a symbolic link) be read.
	AllowOutside bool
}

// ErrOutside is wrapped when a path leaves the seeding file's directory.
var ErrOutside = errors.New("is outside the seeding file's directory (give --allow-password-files-outside to read it)")

// Resolve returns the path a password_file names, or an error if the
// policy refuses it.
func (p Policy) Resolve(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty path")
	}
	if strings.ContainsRune(name, 0) {
		return "", errors.New("path holds a NUL byte")
	}
	dir := p.Dir
	if dir == "" {
		dir = "."
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if p.AllowOutside {
		return path, nil
	}
	if filepath.IsAbs(name) {
		return "", ErrOutside
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(base); err == nil {
		base = real
	}
	target, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if !within(base, target) {
		return "", ErrOutside
	}
	// A symbolic link inside may point outside; judge where it leads. A
	// path that does not resolve is left for the open to report.
	if real, err := filepath.EvalSymlinks(target); err == nil && !within(base, real) {
		return "", ErrOutside
	}
	return path, nil
}

func within(base, target string) bool {
	rel, err := filepath.Rel(base, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
