package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// A staged write ends with a copy that its stages wrote in several
// transactions, and such a copy holds space that no record uses: the pages
// its last stage freed (every page that stage rewrote, which at 1,000,000
// users and 10,000 groups is every group's index bucket: a sixth of the
// file), the half-empty pages where one stage's appends stopped and the
// next one's began, and the room bbolt adds at the end of a growing file.
// Before publishing, compact writes the copy's buckets, in key order, into
// a new file: the same keys, values, nested buckets and bucket sequences,
// each bucket's pages filled to fillCompact (the audit log's to fillAudit),
// nested index buckets included, with no free pages and no slack at the
// end. The new file is what is published; the copy is removed.

// compactTxBytes bounds the memory of one transaction of compact: bbolt
// holds a transaction's nodes in memory until it commits, an entry for each
// pair (about compactPairBytes) beside its key and value. Each commit
// rewrites only the last pages of the buckets being filled, so rounds cost
// few free pages. A variable for the tests.
var compactTxBytes = 4 << 20

// compactPairBytes is what bbolt's node holds for a pair beside its key and
// value: the inode and the copy of the key's slice header.
const compactPairBytes = 80

// fillCompact is the fill factor of a compacted file's pages, but for the
// audit log's (fillAudit). A transaction's writes fill pages to fillRecords
// and fillIndex, leaving room for later inserts between its keys; a
// compacted file is what a bulk write leaves, and 0.95 still leaves room
// for one more user record of a typical size, or seven index entries, on
// each page (bench/'s scale data set at 1,000,000 users: 488 bytes per
// user, against 513 at 0.9 and 466 at 1.0).
const fillCompact = 0.95

// fillOf is the fill factor, in a compacted file, of the top-level bucket
// name and of the buckets nested in it.
func fillOf(name []byte) float64 {
	if bytes.Equal(name, bucketAudit) {
		return fillAudit
	}
	return fillCompact
}

// compactFile writes the contents of the bbolt file src (which nothing may
// hold open), the staged copy of the database db, into a new file beside
// it, as described above, and returns the new file's name, synced: src
// may be removed once it returns. The new file is named after db, not src,
// so that its name is no longer than a stage file's. On an error it
// removes what it made, and src can still be published as it is (unless
// the error is ErrCorrupt or ctx's).
//
// src is read in rounds of about compactTxBytes, each in its own open of src,
// which ends with the commit of what it copied: the pages of src that a
// read touched stay in the process's resident set for as long as src is
// mapped (see UpdateStaged), and the values being copied are those pages
// until the commit.
func compactFile(ctx context.Context, src, db string) (name string, err error) {
	defer func() {
		if err == nil {
			return
		}
		if name != "" {
			_ = os.Remove(name)
		}
	}()
	f, err := createBeside(db, "compact")
	if err != nil {
		return "", fmt.Errorf("compact %s: %w", db, err)
	}
	name = f.Name()
	// The copy already has the database's mode and owner.
	fi, err := os.Stat(src)
	if err == nil {
		err = f.Chmod(fi.Mode().Perm())
		if own, ok := ownerOf(fi); err == nil && ok {
			err = matchOwner(f, own)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return name, fmt.Errorf("compact %s: %w", db, err)
	}
	c := &compactor{ctx: ctx, src: src}
	if err := c.run(name); err != nil {
		return name, fmt.Errorf("compact %s: %w", db, err)
	}
	// Synced before src goes: a file system that reports a full disk
	// only when it writes back (delayed allocation, NFS, quotas) says so
	// here, while src can still be published instead.
	if err := syncFile(name); err != nil {
		return name, fmt.Errorf("compact %s: %w", db, err)
	}
	return name, nil
}

// compactor copies a bbolt file into another in rounds.
type compactor struct {
	ctx  context.Context
	src  string
	dst  *bbolt.DB
	tx   *bbolt.Tx // dst's
	fill float64   // of the top-level bucket being copied
	// path is the names of the buckets being copied, outermost first.
	path [][]byte
	// bytes is what the round has copied; at compactTxBytes, put stops
	// the round with errRoundFull and leaves in resume the path and the
	// key it did not copy.
	bytes  int
	resume [][]byte
}

var errRoundFull = errors.New("compaction round full")

func (c *compactor) run(name string) (err error) {
	// A damaged page of src makes bbolt panic, or fault, where it is read.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: bbolt: %v", store.ErrCorrupt, p)
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	probe, err := boltOpen(c.src, &bbolt.Options{ReadOnly: true, Timeout: stageLockTimeout})
	if err != nil {
		return err
	}
	pageSize := probe.Info().PageSize
	if err := probe.Close(); err != nil {
		return err
	}
	c.dst, err = boltOpen(name, &bbolt.Options{
		Timeout:         stageLockTimeout,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: writerMmapSize(false),
		PageSize:        pageSize,
		NoSync:          true,
		// bbolt would otherwise grow the file ahead of its pages
		// (AllocSize, 16 MiB at a time) and sync it at each growth:
		// this way the file ends at its last page.
		NoGrowSync: true,
	})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.dst.Close(); err == nil {
			err = cerr
		}
	}()
	for first := true; first || c.resume != nil; first = false {
		if err := c.round(); err != nil {
			return err
		}
	}
	return nil
}

// round copies from c.resume (nil: from the start) until the end of src
// or a full round, and commits.
func (c *compactor) round() (err error) {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	src, err := boltOpen(c.src, &bbolt.Options{ReadOnly: true, Timeout: stageLockTimeout})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := src.Close(); err == nil {
			err = cerr
		}
	}()
	if c.tx, err = c.dst.Begin(true); err != nil {
		return err
	}
	defer func() {
		if c.tx != nil {
			_ = c.tx.Rollback()
			c.tx = nil
		}
	}()
	resume := c.resume
	c.resume, c.path, c.bytes = nil, c.path[:0], 0
	err = src.View(func(stx *bbolt.Tx) error {
		return c.copyLevel(stx.Cursor(), func(k []byte) *bbolt.Bucket { return stx.Bucket(k) }, resume)
	})
	if err != nil && !errors.Is(err, errRoundFull) {
		return err
	}
	err = c.tx.Commit()
	c.tx = nil
	return err
}

// dstBucket returns the bucket of c.path in the destination, with its fill
// factor (bbolt's FillPercent belongs to a Bucket value, for one
// transaction).
func (c *compactor) dstBucket() *bbolt.Bucket {
	b := c.tx.Bucket(c.path[0])
	for _, name := range c.path[1:] {
		b = b.Bucket(name)
	}
	if b != nil {
		b.FillPercent = c.fill
	}
	return b
}

// copyLevel copies the pairs and buckets that cur walks (the top level
// when c.path is empty) into the destination bucket of c.path, from resume
// on: resume's first key is a bucket to enter and resume within, or, last,
// the first key still to copy.
func (c *compactor) copyLevel(cur *bbolt.Cursor, nested func(k []byte) *bbolt.Bucket, resume [][]byte) error {
	var dst *bbolt.Bucket
	if len(c.path) > 0 {
		dst = c.dstBucket()
	}
	k, v := cur.First()
	if len(resume) > 0 {
		k, v = cur.Seek(resume[0])
		if len(resume) > 1 {
			if !bytes.Equal(k, resume[0]) || v != nil {
				return fmt.Errorf("bucket %q changed while being copied", resume[0])
			}
			if err := c.enter(k, nested(k), resume[1:], false); err != nil {
				return err
			}
			k, v = cur.Next()
		}
	}
	for ; k != nil; k, v = cur.Next() {
		if v == nil {
			if b := nested(k); b != nil {
				if err := c.enter(k, b, nil, true); err != nil {
					return err
				}
				continue
			}
			v = []byte{}
		}
		if dst == nil {
			return fmt.Errorf("%q is not a bucket", k)
		}
		if c.bytes >= compactTxBytes {
			c.resume = append(cloneAll(c.path), bytes.Clone(k))
			return errRoundFull
		}
		c.bytes += len(k) + len(v) + compactPairBytes
		if err := dst.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// enter copies the source bucket src, named name in the current level,
// creating it in the destination (with src's sequence) unless resuming.
func (c *compactor) enter(name []byte, src *bbolt.Bucket, resume [][]byte, create bool) error {
	if len(c.path) == 0 {
		c.fill = fillOf(name)
	}
	if create {
		var b *bbolt.Bucket
		var err error
		if len(c.path) == 0 {
			b, err = c.tx.CreateBucket(name)
		} else {
			b, err = c.dstBucket().CreateBucket(name)
		}
		if err != nil {
			return fmt.Errorf("bucket %q: %w", name, err)
		}
		if err := b.SetSequence(src.Sequence()); err != nil {
			return err
		}
	}
	c.path = append(c.path, bytes.Clone(name))
	err := c.copyLevel(src.Cursor(), src.Bucket, resume)
	c.path = c.path[:len(c.path)-1]
	return err
}

func cloneAll(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = bytes.Clone(k)
	}
	return out
}
