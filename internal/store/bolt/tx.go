package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

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
		return store.ErrTxDone
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
