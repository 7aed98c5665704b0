package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"authctl/internal/store"
)

// SchemaVersion is the version of the file layout this package writes and
// the newest it reads.
const SchemaVersion = 1

// DefaultLockTimeout is used when OpenOptions.LockTimeout is zero.
const DefaultLockTimeout = 5 * time.Second

var (
	bucketUsers    = []byte("users")
	bucketGroups   = []byte("groups")
	bucketPerms    = []byte("perms")
	bucketSessions = []byte("sessions")
	bucketFailures = []byte("failures")
	bucketAudit    = []byte("audit")
	bucketMeta     = []byte("meta")
	// bucketInternal holds this package's own bookkeeping.
	bucketInternal = []byte("authctl")

	keySchemaVersion = []byte("schema_version")

	allBuckets = [][]byte{
		bucketUsers, bucketGroups, bucketPerms, bucketSessions,
		bucketFailures, bucketAudit, bucketMeta, bucketInternal,
	}
)

// boltStore implements store.Store on a *bbolt.DB.
type boltStore struct {
	db       *bbolt.DB
	path     string
	readOnly bool
	closed   atomic.Bool
}

var _ store.Store = (*boltStore)(nil)

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
			return os.OpenFile(name, flag, perm)
		},
	}

	db, err := boltOpen(path, bopts)
	if errors.Is(err, fs.ErrNotExist) && create {
		// Most likely the directory is missing. Only new directories get
		// 0700; an existing one is left alone.
		if mkErr := os.MkdirAll(filepath.Dir(path), 0o700); mkErr != nil {
			return nil, fmt.Errorf("create database directory: %w", mkErr)
		}
		db, err = boltOpen(path, bopts)
	}
	if err != nil {
		return nil, openError(path, readOnly, err)
	}

	s := &boltStore{db: db, path: path, readOnly: readOnly}
	if err := s.checkSchema(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
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

func openError(path string, readOnly bool, err error) error {
	switch {
	case errors.Is(err, store.ErrCorrupt):
		return err
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
	if readOnly {
		// bbolt tries to initialize an empty file, which fails on a
		// read-only descriptor with an unhelpful error.
		if fi, statErr := os.Stat(path); statErr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			return fmt.Errorf("%s: %w: empty file", path, store.ErrCorrupt)
		}
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// checkSchema reads the schema version and, on a writable store, creates
// whatever buckets are missing from an empty or new database.
func (s *boltStore) checkSchema() error {
	var needInit bool
	err := s.view(func(tx *bbolt.Tx) error {
		in := tx.Bucket(bucketInternal)
		if in == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return s.corrupt("not an authctl database (no schema version)")
			}
			// An empty bbolt file: a new database, or one whose creation
			// was interrupted. A reader sees it as an empty store.
			needInit = !s.readOnly
			return nil
		}
		v := in.Get(keySchemaVersion)
		if v == nil {
			return s.corrupt("not an authctl database (no schema version)")
		}
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil || n == 0 {
			return s.corrupt(fmt.Sprintf("bad schema version %q", v))
		}
		if n > SchemaVersion {
			return s.corrupt(fmt.Sprintf("database schema version %d is newer than this authctl supports", n))
		}
		if !s.readOnly {
			for _, name := range allBuckets {
				if tx.Bucket(name) == nil {
					needInit = true
				}
			}
		}
		return nil
	})
	if err != nil || !needInit {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		in := tx.Bucket(bucketInternal)
		if in.Get(keySchemaVersion) == nil {
			return in.Put(keySchemaVersion, []byte(strconv.Itoa(SchemaVersion)))
		}
		return nil
	})
}

// corrupt returns an error wrapping store.ErrCorrupt that names the file.
func (s *boltStore) corrupt(detail string) error {
	return fmt.Errorf("%s: %w: %s", s.path, store.ErrCorrupt, detail)
}

func (s *boltStore) corruptPanic(p any) error {
	return fmt.Errorf("%s: %w: bbolt: %v", s.path, store.ErrCorrupt, p)
}

// view and update are bbolt's View and Update with panics from bbolt itself
// (not from fn) and faults on the mapped file turned into ErrCorrupt, and
// bbolt's errors mapped onto the store's.
func (s *boltStore) view(fn func(*bbolt.Tx) error) error {
	return s.run(false, fn)
}

func (s *boltStore) update(fn func(*bbolt.Tx) error) error {
	return s.run(true, fn)
}

func (s *boltStore) run(writable bool, fn func(*bbolt.Tx) error) (err error) {
	var inFn, fnFailed bool
	defer func() {
		if inFn {
			// fn panicked: not ours to recover.
			return
		}
		if p := recover(); p != nil {
			err = s.corruptPanic(p)
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)

	wrapped := func(tx *bbolt.Tx) error {
		inFn = true
		ferr := fn(tx)
		inFn = false
		fnFailed = ferr != nil
		return ferr
	}
	if writable {
		err = s.db.Update(wrapped)
	} else {
		err = s.db.View(wrapped)
	}
	if err == nil || fnFailed {
		return err
	}
	// An error from bbolt itself: beginning or committing the transaction.
	switch {
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return store.ErrClosed
	case errors.Is(err, berrors.ErrDatabaseReadOnly):
		return store.ErrReadOnly
	}
	if writable {
		return fmt.Errorf("%s: commit: %w", s.path, err)
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

func (s *boltStore) begin(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

func (s *boltStore) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	return s.view(func(tx *bbolt.Tx) error {
		t := &txn{s: s, tx: tx}
		defer t.end()
		return fn(t)
	})
}

func (s *boltStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return store.ErrReadOnly
	}
	return s.update(func(tx *bbolt.Tx) error {
		t := &txn{s: s, tx: tx, writable: true}
		defer t.end()
		return fn(t)
	})
}

func (s *boltStore) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return store.ErrClosed
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}
