package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"authctl/internal/store"
)

// SchemaVersion is the version of the file layout this package writes and
// the newest it reads.
// Version 2 added the membership indexes (index.go); a writable open
// upgrades a version 1 database in place, in one transaction.
const SchemaVersion = 2

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
	// file is the file the store opened (and locked), to check before a
	// staged write replaces it that the path still names it.
	file fs.FileInfo
	// bare is set on a read-only store on a bbolt file without authctl's
	// buckets, which reads as an empty store.
	bare bool
	// version is the database's schema version, from checkSchema.
	version uint64
	closed  atomic.Bool

	// writeMu is held by every write (Update, UpdateStaged) from start to
	// end, so that no Update of this handle commits into the file that an
	// UpdateStaged is about to replace.
	writeMu sync.Mutex
	// gate guards db: every transaction holds it shared, and UpdateStaged
	// holds it exclusively while it swaps in the published copy.
	gate sync.RWMutex
}

var _ store.Store = (*boltStore)(nil)

// checkSchema reads the schema version and checks the file's structure:
// that it is as long as its meta page says, that every bucket of an
// authctl database is there and, for a writer, that every page in use is a
// branch or leaf page (checkPages). It creates the buckets of an empty or
// new database on a writable store.
func (s *boltStore) checkSchema() error {
	var needInit bool
	err := s.view(func(tx *bbolt.Tx) error {
		if err := s.checkSize(tx); err != nil {
			return err
		}
		in := tx.Bucket(bucketInternal)
		if in == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return s.corrupt("not an authctl database (no schema version)")
			}
			// An empty bbolt file: a new database, or one whose creation
			// was interrupted. A reader sees it as an empty store.
			needInit = !s.readOnly
			s.bare = s.readOnly
			s.version = SchemaVersion
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
		// A bucket missing from an existing database is damage, not an
		// empty table: reading it as empty would show no users, and
		// writing would recreate it under records that refer to it.
		s.version = n
		needInit = n < SchemaVersion && !s.readOnly
		required := allBuckets
		if n >= 2 {
			required = append(slices.Clip(allBuckets), indexBuckets...)
		}
		for _, name := range required {
			b := tx.Bucket(name)
			if b == nil {
				return s.corrupt(fmt.Sprintf("the %s bucket is missing", name))
			}
			// Touch the root page and the first and last leaves of
			// each bucket: a few pages, and every command reads
			// through them, so damage there is reported by name here
			// rather than midway through a command.
			c := b.Cursor()
			c.First()
			c.Last()
		}
		if !s.readOnly {
			return s.checkPages(tx)
		}
		return nil
	})
	if err != nil || !needInit {
		return err
	}
	// Create the buckets of a new database, or upgrade an older one: in
	// one transaction, so that a failed upgrade leaves the old version.
	err = s.update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		for _, name := range indexBuckets {
			if tx.Bucket(name) != nil {
				if err := tx.DeleteBucket(name); err != nil {
					return err
				}
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := buildIndexes(tx); err != nil {
			return s.corrupt(fmt.Sprintf("upgrading to schema version %d: %v", SchemaVersion, err))
		}
		return tx.Bucket(bucketInternal).Put(keySchemaVersion, []byte(strconv.Itoa(SchemaVersion)))
	})
	if err == nil {
		s.version = SchemaVersion
	}
	return err
}

// checkSize refuses a file shorter than the pages its meta page says are in
// use (a truncated copy, a full disk): bbolt maps such a file without
// complaint and faults or panics later, on whichever page is missing.
func (s *boltStore) checkSize(tx *bbolt.Tx) error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	if want := tx.Size(); fi.Size() < want {
		return s.corrupt(fmt.Sprintf("file is truncated: %d bytes, its pages need %d", fi.Size(), want))
	}
	return nil
}

// checkPages walks the header of every page in use and refuses the file if
// one is neither a branch nor a leaf page (a zeroed or overwritten page), so
// that a write never commits into a file whose reads would fail. It reads
// one header per page (and skips overflow pages), which costs a fraction of
// bbolt's full Tx.Check; see BenchmarkCheckPages.
func (s *boltStore) checkPages(tx *bbolt.Tx) error {
	hwm := int(tx.Size() / int64(s.db.Info().PageSize))
	for id := 2; id < hwm; {
		info, err := tx.Page(id)
		if err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		if info == nil {
			break
		}
		switch info.Type {
		case "branch", "leaf", "freelist":
			if info.Count == 0 && info.Type == "branch" {
				return s.corrupt(fmt.Sprintf("page %d is an empty branch page", id))
			}
		case "free":
			id++
			continue
		default:
			return s.corrupt(fmt.Sprintf("page %d is damaged (type %s)", id, info.Type))
		}
		if info.OverflowCount < 0 || info.OverflowCount >= hwm-id {
			return s.corrupt(fmt.Sprintf("page %d is damaged (overflow %d)", id, info.OverflowCount))
		}
		id += 1 + info.OverflowCount
	}
	return nil
}

// corrupt returns an error wrapping store.ErrCorrupt that names the file.
func (s *boltStore) corrupt(detail string) error {
	return fmt.Errorf("%s: %w: %s", s.path, store.ErrCorrupt, detail)
}

func (s *boltStore) corruptPanic(p any) error {
	return fmt.Errorf("%s: %w: bbolt: %v", s.path, store.ErrCorrupt, p)
}

// view and update are bbolt's View and Update with panics and faults on the
// mapped file turned into ErrCorrupt, and bbolt's errors mapped onto the
// store's. fn is this package's own code: any panic in it is bbolt's (it
// reads pages lazily, so a damaged page panics wherever it is first
// touched) and is recovered.
func (s *boltStore) view(fn func(*bbolt.Tx) error) error {
	return s.run(false, false, fn)
}

func (s *boltStore) update(fn func(*bbolt.Tx) error) error {
	return s.run(true, false, fn)
}

// run runs fn in a transaction. When caller is set, fn runs the caller's
// code: a panic that escapes it is the caller's own (the Reader and Writer
// methods recover bbolt's panics themselves) and propagates unchanged.
func (s *boltStore) run(writable, caller bool, fn func(*bbolt.Tx) error) (err error) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	var inFn, fnFailed bool
	defer func() {
		if inFn {
			// The caller's fn panicked: not ours to recover.
			return
		}
		if p := recover(); p != nil {
			err = s.corruptPanic(p)
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)

	wrapped := func(tx *bbolt.Tx) error {
		if writable {
			// Read by bbolt only while this transaction commits, and
			// only one writes at a time.
			s.db.AllocSize = growStep(tx.Size())
		}
		inFn = caller
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

// growStep is how far beyond its last page a write transaction grows the
// file when its commit needs more room (bbolt's AllocSize, set as each
// write begins): an eighth of the database, between 256 KiB and bbolt's own
// 16 MiB. bbolt's fixed step made a database holding one user a 16 MiB
// file; one that grows with the database keeps the growths (a truncate and
// an fsync each) as rare as bbolt's for a large one.
func growStep(size int64) int {
	return int(min(max(size/8, minGrowStep), maxGrowStep))
}

const (
	minGrowStep = 256 << 10 // 64 pages of 4 KiB
	maxGrowStep = 16 << 20  // bbolt's own step (its DefaultAllocSize)
)

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
	return s.run(false, true, func(tx *bbolt.Tx) error {
		t := &txn{s: s, tx: tx}
		defer t.end()
		return fn(t)
	})
}

func (s *boltStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := s.lockWrites(ctx); err != nil {
		return err
	}
	defer s.writeMu.Unlock()
	return s.updateHeld(fn)
}

// lockWrites takes writeMu for a write, which the caller unlocks, after
// checking that ctx allows it and the store is open for writing.
func (s *boltStore) lockWrites(ctx context.Context) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return store.ErrReadOnly
	}
	s.writeMu.Lock()
	return nil
}

// updateHeld is Update for a caller that holds writeMu.
func (s *boltStore) updateHeld(fn func(store.Writer) error) error {
	return s.run(true, true, func(tx *bbolt.Tx) error {
		t := &txn{s: s, tx: tx, writable: true}
		defer t.end()
		err := fn(t)
		if t.damage != nil {
			// A read or write in fn met a damaged page: whatever fn made
			// of that, nothing is committed into a damaged file.
			return t.damage
		}
		return err
	})
}

func (s *boltStore) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return store.ErrClosed
	}
	// Wait for a running write (an UpdateStaged may be about to swap db).
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.gate.Lock()
	defer s.gate.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}
