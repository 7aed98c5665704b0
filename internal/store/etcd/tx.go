package etcd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"authctl/internal/store"
)

// maxAttempts bounds how often Update runs fn against conflicting writers.
const maxAttempts = 100

// pageSize is how many keys one range request returns while iterating.
const pageSize = 500

// entry is one buffered write: a put of val, or a delete.
type entry struct {
	val     []byte
	deleted bool
}

// txn implements store.Reader and store.Writer. Reads go to the cluster at
// one revision (rev, fixed by the first read) through the buffer of this
// transaction's own writes.
type txn struct {
	s        *etcdStore
	ctx      context.Context
	writable bool
	done     bool
	rev      int64

	buf  map[string]entry
	keys []string // buffered keys, sorted
	// rangeDel holds [from, to) ranges deleted as a whole (the audit log).
	rangeDel [][2]string
	// seen caches point reads: at a fixed revision a key's value never
	// changes, so reading it again costs no round trip.
	seen map[string]cached
}

type cached struct {
	val []byte
	ok  bool
}

var _ store.Writer = (*txn)(nil)

func (t *txn) end() { t.done = true }

func (t *txn) check() error {
	if t.done {
		return store.ErrTxDone
	}
	return nil
}

// get runs one read against the cluster at the transaction's revision.
func (t *txn) get(r rangeRequest) (rangeResponse, error) {
	r.Revision = t.rev
	ctx, cancel := context.WithTimeout(t.ctx, t.s.settings.RequestTimeout)
	defer cancel()
	resp, err := t.s.cli.rangeKeys(ctx, r)
	if err != nil {
		if hasStatus(err, msgCompacted) {
			return rangeResponse{}, fmt.Errorf("%s: %w: the cluster compacted the revision this transaction reads; run it again", t.s.location(), store.ErrConflict)
		}
		if t.ctx.Err() != nil {
			return rangeResponse{}, t.ctx.Err()
		}
		return rangeResponse{}, t.s.rpcError(ctx, err)
	}
	if t.rev == 0 {
		t.rev = resp.Revision
	}
	return resp, nil
}

// isHash reports whether key is under P hash/.
func (t *txn) isHash(key string) bool {
	return strings.HasPrefix(key, t.s.prefix+"hash/")
}

// denied reports (and remembers) a refusal to read P hash/.
func (t *txn) denied(key string, err error) bool {
	if t.isHash(key) && errors.Is(err, ErrRefused) && strings.Contains(err.Error(), "permission denied") {
		t.s.hashDenied.Store(true)
		return true
	}
	return false
}

// read returns the value of key as this transaction sees it.
func (t *txn) read(key string) ([]byte, bool, error) {
	if err := t.check(); err != nil {
		return nil, false, err
	}
	if e, ok := t.buf[key]; ok {
		return e.val, !e.deleted, nil
	}
	if t.inRangeDel(key) {
		return nil, false, nil
	}
	if t.isHash(key) && t.s.hashDenied.Load() {
		return nil, false, nil
	}
	if c, ok := t.seen[key]; ok {
		return c.val, c.ok, nil
	}
	resp, err := t.get(rangeRequest{Key: key})
	if err != nil {
		if t.denied(key, err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	if t.seen == nil {
		t.seen = map[string]cached{}
	}
	if len(resp.Kvs) == 0 {
		t.seen[key] = cached{}
		return nil, false, nil
	}
	t.seen[key] = cached{val: resp.Kvs[0].Value, ok: true}
	return resp.Kvs[0].Value, true, nil
}

func (t *txn) inRangeDel(key string) bool {
	for _, r := range t.rangeDel {
		if r[0] <= key && key < r[1] {
			return true
		}
	}
	return false
}

// --- cursor ------------------------------------------------------------------

// cursor walks the keys in [from, to) in order, merging the cluster's keys
// at the transaction's revision with the buffered writes. The buffer is
// consulted at each step, so writes made during the walk are seen.
type cursor struct {
	t        *txn
	to       string
	next     string // where the next page starts
	page     []keyValue
	i        int
	more     bool
	fetched  bool
	last     string
	started  bool
	keysOnly bool
	empty    bool // the cluster refused this range (hashes): buffer only
}

func (t *txn) newCursor(from, to string, keysOnly bool) *cursor {
	return &cursor{t: t, to: to, next: from, keysOnly: keysOnly,
		empty: t.isHash(from) && t.s.hashDenied.Load()}
}

// remote returns the next cluster key after c.last, or nil.
func (c *cursor) remote() (*keyValue, error) {
	for {
		for c.i < len(c.page) {
			kv := &c.page[c.i]
			if c.started && string(kv.Key) <= c.last {
				c.i++
				continue
			}
			return kv, nil
		}
		if c.empty || (c.fetched && !c.more) {
			return nil, nil
		}
		resp, err := c.t.get(rangeRequest{Key: c.next, End: c.to, Limit: pageSize, KeysOnly: c.keysOnly})
		if err != nil {
			if c.t.denied(c.next, err) {
				c.empty = true
				continue
			}
			return nil, err
		}
		c.page, c.i, c.more, c.fetched = resp.Kvs, 0, resp.More, true
		if n := len(resp.Kvs); n > 0 {
			c.next = string(resp.Kvs[n-1].Key) + "\x00"
		} else {
			c.more = false
		}
	}
}

// buffered returns the first buffered key after c.last in range, or "".
func (c *cursor) buffered(from string) (string, bool) {
	keys := c.t.keys
	var i int
	if c.started {
		i, _ = slices.BinarySearch(keys, c.last)
		if i < len(keys) && keys[i] == c.last {
			i++
		}
	} else {
		i, _ = slices.BinarySearch(keys, from)
	}
	if i < len(keys) && keys[i] < c.to {
		return keys[i], true
	}
	return "", false
}

// Next returns the next present key and its value; ok is false at the end.
func (c *cursor) Next(from string) (key string, val []byte, ok bool, err error) {
	for {
		kv, err := c.remote()
		if err != nil {
			return "", nil, false, err
		}
		bk, hasB := c.buffered(from)
		switch {
		case kv == nil && !hasB:
			return "", nil, false, nil
		case hasB && (kv == nil || bk <= string(kv.Key)):
			if kv != nil && bk == string(kv.Key) {
				c.i++
			}
			c.last, c.started = bk, true
			e := c.t.buf[bk]
			if e.deleted {
				continue
			}
			return bk, e.val, true, nil
		default:
			c.i++
			k := string(kv.Key)
			c.last, c.started = k, true
			if c.t.inRangeDel(k) {
				continue
			}
			return k, kv.Value, true, nil
		}
	}
}

// scan calls fn for every key in [from, to).
func (t *txn) scan(from, to string, keysOnly bool, fn func(key string, val []byte) error) error {
	if err := t.check(); err != nil {
		return err
	}
	c := t.newCursor(from, to, keysOnly)
	for {
		k, v, ok, err := c.Next(from)
		if err != nil || !ok {
			return err
		}
		if err := fn(k, v); err != nil {
			return err
		}
		if err := t.check(); err != nil {
			return err
		}
	}
}

// prefixEnd is the first key after every key starting with p: p with its
// last byte below 0xff incremented and what follows it dropped; "\x00"
// (to the end of the key space) when there is none.
func prefixEnd(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xff {
			return p[:i] + string([]byte{p[i] + 1})
		}
	}
	return "\x00"
}

// --- writes ------------------------------------------------------------------

func (t *txn) writable_() error {
	if err := t.check(); err != nil {
		return err
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	return nil
}

func (t *txn) put(key string, val []byte) {
	t.setBuf(key, entry{val: val})
}

func (t *txn) del(key string) {
	t.setBuf(key, entry{deleted: true})
}

func (t *txn) setBuf(key string, e entry) {
	if t.buf == nil {
		t.buf = map[string]entry{}
	}
	if _, ok := t.buf[key]; !ok {
		i, _ := slices.BinarySearch(t.keys, key)
		t.keys = slices.Insert(t.keys, i, key)
	}
	t.buf[key] = e
}

// deleteRange deletes [from, to) as a whole: buffered writes in it are
// dropped and one range delete is sent.
func (t *txn) deleteRange(from, to string) {
	i, _ := slices.BinarySearch(t.keys, from)
	j := i
	for j < len(t.keys) && t.keys[j] < to {
		delete(t.buf, t.keys[j])
		j++
	}
	t.keys = slices.Delete(t.keys, i, j)
	t.rangeDel = append(t.rangeDel, [2]string{from, to})
}

// ops turns the buffer into the transaction's operations and their size.
func (t *txn) ops() ([]op, int) {
	ops := make([]op, 0, len(t.keys)+len(t.rangeDel)+1)
	size := 0
	for _, r := range t.rangeDel {
		ops = append(ops, opDeleteRange(r[0], r[1]))
		size += len(r[0]) + len(r[1]) + 8
	}
	for _, k := range t.keys {
		e := t.buf[k]
		if e.deleted {
			ops = append(ops, opDelete(k))
			size += len(k) + 8
		} else {
			ops = append(ops, opPut(k, e.val))
			size += len(k) + len(e.val) + 16
		}
	}
	ck := t.s.key("commit")
	ops = append(ops, opPut(ck, nil))
	size += len(ck) + 64
	return ops, size
}

// TooLargeError is an Update that does not fit in one etcd transaction.
type TooLargeError struct {
	Ops, Bytes       int
	MaxOps, MaxBytes int
}

func (e *TooLargeError) Error() string {
	if e.Ops > e.MaxOps {
		return fmt.Sprintf("%v: this change writes %d keys in one transaction and the cluster takes at most %d (etcd's --max-txn-ops; raise it on every member and set etcd.max_txn_ops to match, or use --batch-size); nothing was written",
			ErrTooLarge, e.Ops, e.MaxOps)
	}
	return fmt.Sprintf("%v: this change is %d bytes in one transaction and the cluster takes at most %d (etcd's --max-request-bytes; raise it on every member and set etcd.max_request_bytes to match, or use --batch-size); nothing was written",
		ErrTooLarge, e.Bytes, e.MaxBytes)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// commit sends the buffered writes if nothing was committed since rev;
// ok is false on a conflict.
func (t *txn) commit() (ok bool, err error) {
	if len(t.keys) == 0 && len(t.rangeDel) == 0 {
		return true, nil
	}
	ops, size := t.ops()
	set := t.s.settings
	if len(ops) > set.MaxTxnOps || size > set.MaxRequestBytes {
		return false, &TooLargeError{Ops: len(ops), Bytes: size, MaxOps: set.MaxTxnOps, MaxBytes: set.MaxRequestBytes}
	}
	var cmps []compare
	if t.rev != 0 {
		cmps = append(cmps, compare{Key: t.s.key("commit"), Target: cmpMod, Result: cmpLess, Revision: t.rev + 1})
	}
	ctx, cancel := context.WithTimeout(t.ctx, set.RequestTimeout)
	defer cancel()
	ok, err = t.s.cli.txn(ctx, cmps, ops)
	if err != nil {
		if t.ctx.Err() != nil {
			return false, t.ctx.Err()
		}
		return false, t.s.rpcError(ctx, err)
	}
	return ok, nil
}

func (s *etcdStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return store.ErrReadOnly
	}
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		t := &txn{s: s, ctx: ctx, writable: true}
		err := fn(t)
		t.end()
		if err != nil {
			return err
		}
		ok, err := t.commit()
		if err != nil || ok {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%s: %w %d times; run it again", s.location(), store.ErrConflict, attempt)
		}
		// Another writer committed since this one read: wait a little
		// (jittered, growing) and run fn again at a newer revision.
		d := backoff/2 + rand.N(backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}
