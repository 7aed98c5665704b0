package bolt

// Opening and creating a database file (bolt.go has the store's
// transactions and its structure checks).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"authctl/internal/store"
)

// Open opens the bbolt database at path; see the package documentation and
// store.OpenOptions.
func Open(path string, opts store.OpenOptions) (store.Store, error) {
	if path == "" {
		return nil, errors.New("bolt: empty database path")
	}
	if opts.ReadOnly && opts.Create {
		s, err := open(path, opts.ReadOnly, false, opts.LockTimeout)
		if !errors.Is(err, store.ErrNoDatabase) {
			return s, err
		}
		// Create it with a writable open, then reopen read-only.
		w, err := open(path, false, true, opts.LockTimeout)
		if err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("close %s after creating it: %w", path, err)
		}
		return open(path, true, false, opts.LockTimeout)
	}
	return open(path, opts.ReadOnly, opts.Create, opts.LockTimeout)
}

func open(path string, readOnly, create bool, timeout time.Duration) (_ *boltStore, err error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	// The file itself is only ever created by createNew.
	create, mayInit := false, create
	// opened is the file bbolt's last open call opened, to check that the
	// path still names it once the lock is held (see reopenReplaced).
	var opened fs.FileInfo
	bopts := &bbolt.Options{
		Timeout:      timeout,
		ReadOnly:     readOnly,
		FreelistType: bbolt.FreelistMapType,
		// A writer maps a large address range up front: as a big
		// transaction (a seeding apply) grows the file, bbolt would
		// otherwise remap about a dozen times during the commit, copying
		// every dirty node each time. The range is only reserved, not
		// used, and not for readers; on Windows bbolt would grow the file
		// to the mapping's size, so there the default is kept.
		InitialMmapSize: writerMmapSize(readOnly),
		// bbolt always passes O_CREATE for writable opens; strip it unless
		// asked to create, so that a missing file is reported rather than
		// created (and without a racy os.Stat beforehand).
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			if !create {
				flag &^= os.O_CREATE
			}
			f, err := os.OpenFile(name, flag|openFlags, perm)
			if errors.Is(err, syscall.EISDIR) {
				return nil, &notRegularError{"a directory"}
			}
			if err != nil {
				return nil, err
			}
			// Only a regular file is a database: not a FIFO (whose reads
			// would block forever), a device or a directory.
			fi, err := f.Stat()
			if err != nil || !fi.Mode().IsRegular() {
				f.Close()
				if err == nil {
					err = &notRegularError{kind(fi.Mode())}
				}
				return nil, err
			}
			// bbolt initialises an empty file as a new database. Only an
			// opener that may create one gets that; for the others an
			// empty file is a damaged database, left as it is.
			if fi.Size() == 0 && !mayInit {
				f.Close()
				return nil, errEmptyFile
			}
			opened = fi
			if h := testHookOpened.Load(); h != nil {
				(*h)(name)
			}
			return f, nil
		},
	}

	deadline := time.Now().Add(timeout)
	var db *bbolt.DB
	for {
		opened = nil
		db, err = boltOpen(path, bopts)
		if errors.Is(err, fs.ErrNotExist) && mayInit {
			if err := createNew(path, bopts); err != nil {
				return nil, err
			}
			db, err = boltOpen(path, bopts)
			if errors.Is(err, fs.ErrNotExist) {
				// Another name took the place (a dangling symbolic link):
				// nothing is created through it.
				return nil, fmt.Errorf("create database %s: something else is there (a symbolic link to a missing file?); not creating the database through it", path)
			}
		}
		if err != nil {
			return nil, openError(path, readOnly, err)
		}
		if opened == nil || stillAt(path, opened) {
			break
		}
		// The file was replaced while this open waited for its lock (an
		// UpdateStaged published a new one): the lock is on a file that
		// nobody will read again. Open the path anew, within the time
		// left.
		_ = db.Close()
		left := time.Until(deadline)
		if left <= 0 {
			return nil, openError(path, readOnly, berrors.ErrTimeout)
		}
		bopts.Timeout = left
	}

	s := &boltStore{db: db, path: path, readOnly: readOnly, file: opened}
	if err := s.checkSchema(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// createBeside creates a new file ".<base>.<kind>-<random>" in the
// directory of path: the name of a file that becomes the database by a
// rename or link, or is removed.
func createBeside(path, kind string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"."+kind+"-*")
}

// createNew makes a new, initialised database at path, or leaves path as it
// is. The database is built in a temporary file in the same directory and
// then linked into place, so that path never names a half-made database
// (a full disk used to leave an empty file there that every later command
// refused), a racing creator's database is never replaced, and nothing is
// created through a symbolic link planted at path. New directories get
// mode 0700; an existing one is left alone.
func createNew(path string, bopts *bbolt.Options) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := createBeside(path, "new")
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	o := *bopts
	o.OpenFile = nil
	db, err := boltOpen(tmp, &o)
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	s := &boltStore{db: db, path: tmp}
	err = s.checkSchema()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return nil
}

// writerMmapSize is the initial mapping for a writable open.
func writerMmapSize(readOnly bool) int {
	if readOnly || runtime.GOOS == "windows" || strconv.IntSize < 64 {
		return 0
	}
	return 1 << 30
}

// boltOpen is bbolt.Open that turns a panic on a damaged file into an error.
func boltOpen(path string, bopts *bbolt.Options) (db *bbolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%s: %w: bbolt: %v", path, store.ErrCorrupt, p)
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	return bbolt.Open(path, 0o600, bopts)
}

// errEmptyFile is an empty file opened without OpenOptions.Create.
var errEmptyFile = errors.New("empty file")

// notRegularError is a database path that names something other than a
// regular file.
type notRegularError struct{ kind string }

func (e *notRegularError) Error() string { return "not a regular file but " + e.kind }

// kind names a file mode's type for a message.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

func openError(path string, readOnly bool, err error) error {
	switch {
	case errors.Is(err, store.ErrCorrupt):
		return err
	case errors.Is(err, errEmptyFile):
		return fmt.Errorf("%s: database is unreadable: %w", path, store.ErrUninitialized)
	case errors.As(err, new(*notRegularError)):
		var nr *notRegularError
		errors.As(err, &nr)
		return fmt.Errorf("%s: %w: %s", path, store.ErrCorrupt, nr)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", path, store.ErrNoDatabase)
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%s: %w", path, store.ErrBusy)
	case errors.Is(err, berrors.ErrInvalid),
		errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrInvalidMapping):
		return fmt.Errorf("%s: %w: not a bbolt database or damaged: %w", path, store.ErrCorrupt, err)
	}
	// Any other error that is not the operating system's (permission
	// denied, I/O error) is bbolt's finding about the file's contents
	// ("file size too small").
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w: %w", path, store.ErrCorrupt, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}
