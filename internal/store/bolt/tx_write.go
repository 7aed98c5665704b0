package bolt

// A transaction's writes (tx.go has its reads).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"authctl/internal/store"
)

// writeBucket returns the bucket to change.
func (t *txn) writeBucket(name []byte) (*bbolt.Bucket, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if !t.writable {
		return nil, store.ErrReadOnly
	}
	b := t.tx.Bucket(name)
	if b == nil {
		return nil, t.missingBucket(name)
	}
	b.FillPercent = fillRecords
	if bytes.Equal(name, bucketAudit) {
		b.FillPercent = fillAudit
	}
	return b, nil
}

// The fill factors of the buckets this package writes. bbolt splits a
// bucket's nodes when the transaction commits, filling each page up to the
// bucket's FillPercent (default 0.5) before starting the next; a bucket
// written in key order keeps its pages that full. Records and index entries
// are mostly added in key order (an apply writes users sorted, the indexes
// follow them), and 0.9 still leaves room for a later insert at a random
// place without splitting the page it lands on. The audit log's keys only
// ever grow, so its pages are filled completely. BenchmarkBytesPerUser
// measures the three choices.
var (
	fillRecords = 0.9
	fillAudit   = 1.0
	fillIndex   = 0.9
)

func (t *txn) writeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrCorrupt):
		return err
	case errors.Is(err, berrors.ErrTxNotWritable), errors.Is(err, berrors.ErrDatabaseReadOnly):
		return store.ErrReadOnly
	case errors.Is(err, berrors.ErrTxClosed):
		return store.ErrTxDone
	}
	return fmt.Errorf("%s: %w", t.s.path, err)
}

// put stores value (which must not be changed afterwards: bbolt keeps it
// until commit) under key.
func (t *txn) put(bucket []byte, kind, key string, value []byte) (err error) {
	if err := validKey(kind, key); err != nil {
		return err
	}
	defer t.recoverCorrupt(&err)
	b, err := t.writeBucket(bucket)
	if err != nil {
		return t.writeError(err)
	}
	return t.writeError(b.Put([]byte(key), value))
}

func validKey(kind, key string) error {
	if key == "" {
		return fmt.Errorf("store: %s with an empty key", kind)
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("store: %s key %q is not valid UTF-8", kind, key)
	}
	return nil
}

func putRecord(t *txn, bucket []byte, kind, key string, rec any) error {
	if err := validKey(kind, key); err != nil {
		return err
	}
	v, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("store: encode %s %q: %w", kind, key, err)
	}
	return t.put(bucket, kind, key, v)
}

func (t *txn) del(bucket []byte, kind, key string) (err error) {
	defer t.recoverCorrupt(&err)
	b, err := t.writeBucket(bucket)
	if err != nil {
		return t.writeError(err)
	}
	k := []byte(key)
	if b.Get(k) == nil {
		return notFound(kind, key)
	}
	return t.writeError(b.Delete(k))
}

func (t *txn) PutUser(u store.User) (err error) {
	if err := validKey("user", u.Username); err != nil {
		return err
	}
	if t.s.version >= 2 {
		old, err := t.replaced(u.Username)
		if err != nil {
			return err
		}
		if err := t.reindexing(func() error { return t.reindex(u.Username, old, membershipOf(&u)) }); err != nil {
			return err
		}
	}
	t.lastRead.valid = false
	// encodeRecord would take the record as an interface, which moves u
	// to the heap at every call.
	return t.put(bucketUsers, "user", u.Username, appendUser(make([]byte, 0, userSize(&u)), &u))
}

func (t *txn) DeleteUser(username string) error {
	defer func() { t.lastRead.valid = false }()
	if t.s.version >= 2 {
		old, err := get[store.User](t, bucketUsers, "user", username)
		if err != nil {
			return err
		}
		if err := t.reindexing(func() error { return t.reindex(username, membershipOf(&old), membership{}) }); err != nil {
			return err
		}
	}
	return t.del(bucketUsers, "user", username)
}

// reindexing runs fn, which changes the indexes, as a write.
func (t *txn) reindexing(fn func() error) (err error) {
	if err := t.check(); err != nil {
		return err
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	defer t.recoverCorrupt(&err)
	return fn()
}

func (t *txn) PutGroup(g store.Group) error {
	return putRecord(t, bucketGroups, "group", g.Name, &g)
}

func (t *txn) DeleteGroup(name string) error {
	return t.del(bucketGroups, "group", name)
}

func (t *txn) PutPermission(p store.Permission) error {
	return putRecord(t, bucketPerms, "permission", p.Perm, &p)
}

func (t *txn) DeletePermission(perm string) error {
	return t.del(bucketPerms, "permission", perm)
}

func (t *txn) PutSession(s store.Session) error {
	return putRecord(t, bucketSessions, "session", s.ID, &s)
}

func (t *txn) DeleteSession(id string) error {
	return t.del(bucketSessions, "session", id)
}

func (t *txn) PutFailure(f store.Failure) error {
	return putRecord(t, bucketFailures, "failure record", f.Username, &f)
}

func (t *txn) DeleteFailure(username string) error {
	return t.del(bucketFailures, "failure record", username)
}

func (t *txn) AppendAudit(rec store.AuditRecord) (_ uint64, err error) {
	defer t.recoverCorrupt(&err)
	b, err := t.writeBucket(bucketAudit)
	if err != nil {
		return 0, t.writeError(err)
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, t.writeError(err)
	}
	rec.Seq = seq
	// Not encodeRecord, whose interface argument would move rec to the
	// heap at every append.
	if err := b.Put(seqKey(seq), encodeAuditRecord(&rec)); err != nil {
		return 0, t.writeError(err)
	}
	return seq, nil
}

func (t *txn) DeleteAuditThrough(seq uint64) (err error) {
	defer t.recoverCorrupt(&err)
	b, err := t.writeBucket(bucketAudit)
	if err != nil {
		return t.writeError(err)
	}
	last, _ := lastPair(b)
	if last == nil {
		return nil
	}
	if len(last) == 8 && binary.BigEndian.Uint64(last) <= seq {
		// Everything goes: replace the bucket by an empty one with the
		// same sequence, which frees its pages at once instead of
		// leaving a tree of empty leaves until commit.
		next := b.Sequence()
		if err := t.tx.DeleteBucket(bucketAudit); err != nil {
			return t.writeError(err)
		}
		if _, err := t.tx.CreateBucket(bucketAudit); err != nil {
			return t.writeError(err)
		}
		if b, err = t.writeBucket(bucketAudit); err != nil {
			return t.writeError(err)
		}
		return t.writeError(b.SetSequence(next))
	}
	// Collect the keys first: deleting through a cursor moves it, and
	// restarting from First after each delete walks the leaves already
	// emptied, which is quadratic in the number of pages.
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) == 8 && binary.BigEndian.Uint64(k) > seq {
			break
		}
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return t.writeError(err)
		}
	}
	return nil
}

// lastPair is Cursor.Last made safe for a bucket whose leaves a transaction
// has emptied. bbolt's Last (v1.4 and v1.5) steps back over empty leaves
// with prev, and prev, on reaching the first leaf, puts the cursor back on
// that (empty) first leaf and returns nothing; Last's loop then finds an
// empty leaf again and never ends. This is what made a prune that emptied
// the audit log spin with the write lock held. First skips empty leaves
// correctly and reports an empty bucket, and Last terminates whenever some
// leaf still holds a key, so ask First before Last.
func lastPair(b *bbolt.Bucket) (k, v []byte) {
	c := b.Cursor()
	if k, _ := c.First(); k == nil {
		return nil, nil
	}
	return c.Last()
}

func (t *txn) PutMeta(key string, value []byte) error {
	// bbolt keeps the value until commit, so give it a copy; and never nil,
	// which bbolt would store as a value that reads back as missing.
	return t.put(bucketMeta, "meta key", key, append(make([]byte, 0, len(value)), value...))
}
