package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"authctl/internal/store"
)

// errTxDone is returned by a Reader or Writer used after its fn returned.
var errTxDone = fmt.Errorf("%w: transaction already ended (Reader or Writer used after fn returned)", store.ErrClosed)

// txn implements store.Reader and store.Writer on one bbolt transaction.
type txn struct {
	s        *boltStore
	tx       *bbolt.Tx
	writable bool
	// damage is the first ErrCorrupt a method returned: an Update with
	// damage rolls back whatever fn returns.
	damage error
	// lastRead is what the last User call of a writable txn found, for
	// PutUser, which needs the memberships of the record it replaces:
	// the auth package reads each user before it writes it, and this
	// saves PutUser reading and decoding it again. Any write of a user
	// forgets it.
	lastRead struct {
		valid, found bool
		name         string
		m            membership
	}
	// nested is the index buckets (a group's, a permission's) that
	// reindex has created or found in this transaction, by name: an
	// apply adds thousands of users to each, and bbolt's own lookup
	// wants the name as a new []byte each time. The indexes' nested
	// buckets are never deleted, so an entry stays valid until the
	// transaction ends.
	nested struct {
		groups, perms map[string]*bbolt.Bucket
	}
}

var _ store.Writer = (*txn)(nil)

// end makes later use of the txn an error instead of a read of memory that
// bbolt may have unmapped.
func (t *txn) end() { t.tx = nil }

func (t *txn) check() error {
	if t.tx == nil {
		return errTxDone
	}
	return nil
}

// recoverCorrupt, deferred directly, turns a bbolt panic into ErrCorrupt.
func (t *txn) recoverCorrupt(err *error) {
	if p := recover(); p != nil {
		*err = t.damaged(t.s.corruptPanic(p))
	}
}

// damaged records err as the transaction's damage and returns it.
func (t *txn) damaged(err error) error {
	if t.damage == nil {
		t.damage = err
	}
	return err
}

func (t *txn) decodeError(bucket, key []byte, err error) error {
	return t.damaged(fmt.Errorf("%s: %w: %s/%q: %w", t.s.path, store.ErrCorrupt, bucket, key, err))
}

// missingBucket is the error for a bucket that checkSchema found but the
// transaction does not (it cannot happen to a file that passed the check).
func (t *txn) missingBucket(name []byte) error {
	return t.damaged(t.s.corrupt(fmt.Sprintf("the %s bucket is missing", name)))
}

// bucket returns the named bucket. A read-only store on a bare bbolt file
// (an interrupted creation) has no buckets and reads as empty: bucket
// returns nil and no error. Anywhere else a missing bucket is damage.
func (t *txn) bucket(name []byte) (*bbolt.Bucket, error) {
	b := t.tx.Bucket(name)
	if b == nil && !t.s.bare {
		return nil, t.missingBucket(name)
	}
	return b, nil
}

func notFound(kind, key string) error {
	return &notFoundError{kind: kind, key: key}
}

// notFoundError is store.ErrNotFound for one key, formatted only when
// printed: a lookup that misses is the common case of a create (an apply
// of 100,000 new users makes 200,000 of them), not an error to report.
type notFoundError struct{ kind, key string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.kind, e.key, store.ErrNotFound)
}

func (e *notFoundError) Unwrap() error { return store.ErrNotFound }

// get decodes the record under key. The record is allocated only when
// the key is found: decodeRecord takes it as an interface, which moves it
// to the heap, and a miss is the common case of a create (an apply of
// 100,000 new users reads each one first).
func get[T any](t *txn, bucket []byte, kind, key string) (_ T, err error) {
	var zero T
	if err := t.check(); err != nil {
		return zero, err
	}
	defer t.recoverCorrupt(&err)
	b, err := t.bucket(bucket)
	if b == nil {
		return zero, cmp.Or(err, notFound(kind, key))
	}
	k := []byte(key)
	v := b.Get(k)
	if v == nil {
		return zero, notFound(kind, key)
	}
	rec := new(T)
	if err := decodeRecord(v, rec); err != nil {
		return zero, t.decodeError(bucket, k, err)
	}
	return *rec, nil
}

// each calls decode and then fn for every pair in bucket from start (nil
// for the first key) while the key has prefix. Panics in bbolt and decode
// are recovered; panics in fn are not. In a writable transaction the cursor
// is repositioned after each fn, since fn may have changed the bucket.
func (t *txn) each(bucket, start, prefix []byte, decode func(k, v []byte) error, fn func() error) error {
	return t.eachIn(func() (*bbolt.Bucket, error) { return t.bucket(bucket) }, start, prefix, decode, fn)
}

// eachIn is each over the bucket that get returns (nil for none).
func (t *txn) eachIn(get func() (*bbolt.Bucket, error), start, prefix []byte, decode func(k, v []byte) error, fn func() error) (err error) {
	if err := t.check(); err != nil {
		return err
	}
	inFn := false
	defer func() {
		if inFn {
			return
		}
		if p := recover(); p != nil {
			err = t.damaged(t.s.corruptPanic(p))
		}
	}()
	b, err := get()
	if b == nil {
		return err
	}
	c := b.Cursor()
	var k, v []byte
	if start == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(start)
	}
	var last []byte
	for k != nil && bytes.HasPrefix(k, prefix) {
		if err := decode(k, v); err != nil {
			return err
		}
		if t.writable {
			last = append(last[:0], k...)
		}
		inFn = true
		err := fn()
		inFn = false
		if err != nil {
			return err
		}
		if t.writable {
			k, v = c.Seek(last)
			if k != nil && bytes.Equal(k, last) {
				k, v = c.Next()
			}
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

// eachRecord is each for JSON records.
func eachRecord[T any](t *txn, bucket, start, prefix []byte, fn func(T) error) error {
	var rec T
	return t.each(bucket, start, prefix,
		func(k, v []byte) error {
			var zero T
			rec = zero
			if err := decodeRecord(v, &rec); err != nil {
				return t.decodeError(bucket, k, err)
			}
			return nil
		},
		func() error { return fn(rec) })
}

func (t *txn) User(username string) (store.User, error) {
	u, err := get[store.User](t, bucketUsers, "user", username)
	if t.writable {
		r := &t.lastRead
		r.valid, r.found, r.name = err == nil || errors.Is(err, store.ErrNotFound), err == nil, username
		// Copies: the caller owns the record it got, slices included.
		r.m = membership{groups: slices.Clone(u.Groups), perms: slices.Clone(u.Permissions), super: u.IsSuperuser}
	}
	return u, err
}

// replaced is the memberships of the stored user that a write of username
// replaces (zero when there is none).
func (t *txn) replaced(username string) (membership, error) {
	r := &t.lastRead
	if r.valid && r.name == username {
		r.valid = false
		if !r.found {
			return membership{}, nil
		}
		return r.m, nil
	}
	old, err := get[store.User](t, bucketUsers, "user", username)
	switch {
	case err == nil:
		return membershipOf(&old), nil
	case errors.Is(err, store.ErrNotFound):
		return membership{}, nil
	}
	return membership{}, err
}

func (t *txn) Users(prefix string, fn func(store.User) error) error {
	p := []byte(prefix)
	return eachRecord(t, bucketUsers, p, p, fn)
}

func (t *txn) Group(name string) (store.Group, error) {
	return get[store.Group](t, bucketGroups, "group", name)
}

func (t *txn) Groups(fn func(store.Group) error) error {
	return eachRecord(t, bucketGroups, nil, nil, fn)
}

func (t *txn) Permission(perm string) (store.Permission, error) {
	return get[store.Permission](t, bucketPerms, "permission", perm)
}

func (t *txn) Permissions(prefix string, fn func(store.Permission) error) error {
	p := []byte(prefix)
	return eachRecord(t, bucketPerms, p, p, fn)
}

func (t *txn) Session(id string) (store.Session, error) {
	return get[store.Session](t, bucketSessions, "session", id)
}

func (t *txn) Sessions(fn func(store.Session) error) error {
	return eachRecord(t, bucketSessions, nil, nil, fn)
}

func (t *txn) Failure(username string) (store.Failure, error) {
	return get[store.Failure](t, bucketFailures, "failure record", username)
}

func (t *txn) Failures(fn func(store.Failure) error) error {
	return eachRecord(t, bucketFailures, nil, nil, fn)
}

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

func (t *txn) decodeAudit(k, v []byte, rec *store.AuditRecord) error {
	if len(k) != 8 {
		return t.decodeError(bucketAudit, k, errors.New("audit key is not 8 bytes"))
	}
	*rec = store.AuditRecord{}
	if err := decodeRecord(v, rec); err != nil {
		return t.decodeError(bucketAudit, k, err)
	}
	rec.Seq = binary.BigEndian.Uint64(k)
	return nil
}

func (t *txn) Audit(after uint64, fn func(store.AuditRecord) error) error {
	if after == math.MaxUint64 {
		return t.check()
	}
	var rec store.AuditRecord
	return t.each(bucketAudit, seqKey(after+1), nil,
		func(k, v []byte) error { return t.decodeAudit(k, v, &rec) },
		func() error { return fn(rec) })
}

func (t *txn) LastAudit() (rec store.AuditRecord, err error) {
	if err := t.check(); err != nil {
		return rec, err
	}
	defer t.recoverCorrupt(&err)
	b, err := t.bucket(bucketAudit)
	if b == nil {
		return rec, cmp.Or(err, fmt.Errorf("audit log is empty: %w", store.ErrNotFound))
	}
	k, v := lastPair(b)
	if k == nil {
		return rec, fmt.Errorf("audit log is empty: %w", store.ErrNotFound)
	}
	err = t.decodeAudit(k, v, &rec)
	return rec, err
}

func (t *txn) AuditSeq() (_ uint64, err error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	defer t.recoverCorrupt(&err)
	b, err := t.bucket(bucketAudit)
	if b == nil {
		return 0, err
	}
	return b.Sequence(), nil
}

func (t *txn) Meta(key string) (_ []byte, err error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	defer t.recoverCorrupt(&err)
	b, err := t.bucket(bucketMeta)
	if b == nil {
		return nil, cmp.Or(err, notFound("meta key", key))
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, notFound("meta key", key)
	}
	return bytes.Clone(v), nil
}

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
		return errTxDone
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
