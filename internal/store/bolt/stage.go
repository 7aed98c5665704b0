package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

var _ store.Stager = (*boltStore)(nil)

// testHookOpened, when set, is called with the name of every file the
// store's open has just opened, before bbolt waits for its lock.
var testHookOpened atomic.Pointer[func(name string)]

// stillAt reports whether path still names the file opened (whose FileInfo
// came from the open file): false when another file was renamed over the
// path, or the path was removed, after it was opened.
func stillAt(path string, opened fs.FileInfo) bool {
	cur, err := os.Stat(path)
	return err == nil && os.SameFile(cur, opened)
}

// stageLockTimeout bounds the wait for the lock of a stage copy, which
// nobody else knows about: it is never waited for in practice.
const stageLockTimeout = time.Second

// UpdateStaged implements store.Stager. The stages run on a copy of the
// database in a temporary file beside it (".<name>.stage-*"), opened with
// NoSync and NoGrowSync (bbolt neither syncs nor grows it ahead of its
// pages); publishing compacts the copy (or cuts it to its last page, should
// it extend past it: tidyCopy), syncs it, renames it over the database, syncs
// the directory and makes the store use the copy, which already holds the
// exclusive lock on the new file. The store holds the exclusive lock on the
// old file throughout, so no other process reads or writes meanwhile; an
// opener that opened the old file and waited for its lock notices the
// rename once it has the lock and opens the path again (see open).
//
// When a rename would change more than the contents (the path is a
// symbolic link, the file has other hard links or extended attributes, or
// the copy cannot be given the file's owner and mode), or the directory
// cannot take a new file or the copy, the stages run in one ordinary
// transaction instead (store.UpdateInOne).
func (s *boltStore) UpdateStaged(ctx context.Context, fn func(stage func(func(store.Writer) error) error) error) (err error) {
	if err := s.lockWrites(ctx); err != nil {
		return err
	}
	defer s.writeMu.Unlock()
	if s.closed.Load() {
		return store.ErrClosed
	}
	s.removeStaleCopies()

	tmp, err := s.newStageFile()
	if errors.Is(err, errCannotStage) {
		return store.UpdateInOne(ctx, heldStore{s}, fn)
	}
	if err != nil {
		return err
	}
	// Until it is published, the copy is removed whatever happens,
	// including a panic raised by fn.
	var cdb *bbolt.DB
	published := false
	defer func() {
		if published {
			return
		}
		if cdb != nil {
			_ = cdb.Close()
		}
		_ = os.Remove(tmp)
	}()

	cdb, err = s.openStageCopy(tmp)
	if err != nil {
		return err
	}
	c := &boltStore{db: cdb, path: s.path, version: s.version}
	// A handle on the copy for startWriteback (nil if it cannot be
	// opened: the writeback is only a head start for publish's fsync).
	wb, _ := os.Open(tmp)
	if wb != nil {
		defer wb.Close()
	}

	var stages store.Stages
	ferr := fn(func(f func(store.Writer) error) error {
		return stages.Run(ctx, func() error {
			if err := c.updateHeld(f); err != nil {
				return err
			}
			_ = startWriteback(wb)
			// bbolt reads through a shared mapping of the file, and
			// every page a stage read stays in the process's resident
			// set until the mapping goes: reopening the copy after each
			// stage keeps that to one stage's pages (at 1,000,000 users
			// a quarter of the peak RSS; BenchmarkStagedPutUsers100k).
			if err := cdb.Close(); err != nil {
				cdb = nil
				return fmt.Errorf("stage %s: close the copy: %w", s.path, err)
			}
			var oerr error
			cdb, oerr = s.openStageCopy(tmp)
			c.db = cdb
			return oerr
		})
	})
	if err := stages.End(ferr); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tidy := cdb
	cdb = nil
	if tmp, err = s.tidyCopy(ctx, tmp, tidy); err != nil {
		return err
	}
	if cdb, err = s.openStageCopy(tmp); err != nil {
		return err
	}
	return s.publish(tmp, cdb, &published)
}

// compactCopy is compactFile; a variable for the tests.
var compactCopy = compactFile

// compactFreeShare is the share of a staged copy's pages that must be free
// for tidyCopy to compact it: a compaction costs about as much as writing
// the records again, and is worth it where it gives back that much.
const compactFreeShare = 8 // 1/8

// tidyCopy closes cdb, the stage copy tmp, readies tmp for publishing and
// returns the name of the file to publish. Where at least 1/compactFreeShare of
// its pages are free (the pages its stages rewrote), it writes a compact
// copy (compactFile) and removes tmp; otherwise, and when the compaction
// fails for another reason than an interruption or damage, it publishes
// tmp, cut to the end of its last page should it extend past it (the
// copy is opened with NoGrowSync, so bbolt does not grow it ahead of its
// pages).
func (s *boltStore) tidyCopy(ctx context.Context, tmp string, cdb *bbolt.DB) (string, error) {
	var size int64
	err := cdb.View(func(tx *bbolt.Tx) error {
		size = tx.Size()
		return nil
	})
	st, pageSize := cdb.Stats(), cdb.Info().PageSize
	if cerr := cdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return tmp, fmt.Errorf("stage %s: close the copy: %w", s.path, err)
	}
	pages, free := int(size/int64(pageSize)), st.FreePageN+st.PendingPageN
	if free*compactFreeShare >= pages {
		name, err := compactCopy(ctx, tmp, s.path)
		if err == nil {
			_ = os.Remove(tmp)
			return name, nil
		}
		// Compaction only saves space: whatever stopped it but an
		// interruption or a damaged copy leaves the copy to publish as
		// it is (no room, no file handle, a name too long, an owner
		// the new file could not be given).
		if ctx.Err() != nil || errors.Is(err, store.ErrCorrupt) {
			return tmp, fmt.Errorf("stage %s: %w", s.path, err)
		}
	}
	if fi, err := os.Stat(tmp); err == nil && fi.Size() > size {
		if err := os.Truncate(tmp, size); err != nil {
			return tmp, fmt.Errorf("stage %s: %w", s.path, err)
		}
	}
	return tmp, nil
}

// errCannotStage is newStageFile's answer when the database cannot be
// replaced by a renamed copy without changing more than its contents.
var errCannotStage = errors.New("cannot stage by rename")

// newStageFile copies the database into a new temporary file in its
// directory, with the database's mode and owner, and returns
// the file's name. It returns errCannotStage, having created nothing, when
// publishing the copy by rename would change something else.
func (s *boltStore) newStageFile() (name string, err error) {
	lfi, err := os.Lstat(s.path)
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", s.path, err)
	}
	if lfi.Mode()&fs.ModeSymlink != 0 {
		// A rename would replace the link, not the file it names.
		return "", errCannotStage
	}
	own, ok := ownerOf(lfi)
	if !ok || own.nlink > 1 {
		// The other names would keep the old contents.
		return "", errCannotStage
	}
	if hasXattrs(s.path) {
		// ACLs, a security label: the copy would not carry them.
		return "", errCannotStage
	}
	f, err := createBeside(s.path, "stage")
	if errors.Is(err, fs.ErrPermission) {
		// The directory takes no new file (the database itself is
		// writable, or the store would not be open for writing).
		return "", errCannotStage
	}
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", s.path, err)
	}
	name = f.Name()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("stage %s: %w", s.path, cerr)
		}
		if err != nil {
			_ = os.Remove(name)
		}
	}()
	// The copy gets the database's mode as it is (a group its owner let
	// read it keeps reading it), and its owner.
	if err := f.Chmod(lfi.Mode().Perm()); err != nil {
		return name, errCannotStage
	}
	if err := matchOwner(f, own); err != nil {
		return name, errCannotStage
	}
	err = s.view(func(tx *bbolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		// No room for a copy: one transaction needs less.
		return name, errCannotStage
	}
	if err != nil {
		return name, fmt.Errorf("stage %s: copy the database: %w", s.path, err)
	}
	return name, nil
}

// openStageCopy opens the copy as the store's writable open would, but
// without syncing each stage's commit: publish syncs it once.
func (s *boltStore) openStageCopy(tmp string) (*bbolt.DB, error) {
	db, err := boltOpen(tmp, &bbolt.Options{
		Timeout:         stageLockTimeout,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: writerMmapSize(false),
		NoSync:          true,
		// Without it bbolt grows the file 16 MiB ahead of its pages
		// and fsyncs it at each growth, in the middle of a stage:
		// publish syncs the copy once, and the file ends at its last
		// page.
		NoGrowSync: true,
	})
	if err != nil {
		return nil, fmt.Errorf("stage %s: open the copy: %w", s.path, err)
	}
	return db, nil
}

// publish makes the copy the database: sync, rename over the path, sync the
// directory, and swap the store onto the copy's bbolt.DB. It sets
// *published once the rename is done, after which the copy is the database
// and must not be removed.
func (s *boltStore) publish(tmp string, cdb *bbolt.DB, published *bool) error {
	// The store's later writes sync as usual, growth included.
	cdb.NoSync, cdb.NoGrowSync = false, false
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("stage %s: sync the copy: %w", s.path, err)
	}
	if err := s.stillOurs(); err != nil {
		return err
	}
	copied, err := os.Stat(tmp)
	if err != nil {
		return fmt.Errorf("stage %s: %w", s.path, err)
	}
	s.gate.Lock()
	if err := os.Rename(tmp, s.path); err != nil {
		s.gate.Unlock()
		return fmt.Errorf("stage %s: replace the database: %w", s.path, err)
	}
	old := s.db
	s.db, s.file = cdb, copied
	*published = true
	s.gate.Unlock()
	// Nothing was written through the old handle since the copy was
	// made; closing it releases the lock on the old, now nameless, file.
	_ = old.Close()
	if err := syncFile(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("%s: the change is in place but syncing its directory failed (it may not survive a crash): %w", s.path, err)
	}
	return nil
}

// stillOurs checks, just before the copy replaces it, that the path still
// names the file the store opened (and locked), as the only name of a
// regular file: had someone moved another file there meanwhile (a backup
// restored by hand), the copy, made from the file the store opened, would
// silently replace it.
func (s *boltStore) stillOurs() error {
	lfi, err := os.Lstat(s.path)
	if err != nil {
		return fmt.Errorf("stage %s: %w; nothing was written", s.path, err)
	}
	own, ok := ownerOf(lfi)
	if s.file == nil || !os.SameFile(lfi, s.file) || !ok || own.nlink > 1 {
		return fmt.Errorf("%s: %w: the file was replaced, moved or linked to while this change was being written; nothing was written: run the command again", s.path, store.ErrBusy)
	}
	return nil
}

// syncFile fsyncs the file or directory at name.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// heldStore is the store for a caller that already holds writeMu: its
// Update does not take it again.
type heldStore struct{ s *boltStore }

func (h heldStore) View(ctx context.Context, fn func(store.Reader) error) error {
	return h.s.View(ctx, fn)
}

func (h heldStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := h.s.begin(ctx); err != nil {
		return err
	}
	return h.s.updateHeld(fn)
}

func (h heldStore) Close() error { return nil }
