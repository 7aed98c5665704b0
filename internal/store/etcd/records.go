package etcd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"authctl/internal/store"
)

// Key prefixes under the store's prefix.
const (
	kUsers    = "users/"
	kHash     = "hash/"
	kGroups   = "groups/"
	kPerms    = "perms/"
	kSessions = "sessions/"
	kFailures = "failures/"
	kAudit    = "audit/"
	kMeta     = "meta/"
	kIdxGroup = "idx/group/"
	kIdxPerm  = "idx/perm/"
	kIdxSuper = "idx/super/"
	kAuditSeq = "auditseq"
)

func notFound(kind, key string) error {
	return fmt.Errorf("%s %q: %w", kind, key, store.ErrNotFound)
}

func (t *txn) decodeError(key string, err error) error {
	return fmt.Errorf("%s: %w: %q: %w", t.s.location(), store.ErrCorrupt, key, err)
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

// esc makes a name safe as a middle key segment.
func esc(s string) string {
	if !strings.ContainsAny(s, "%/") {
		return s
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(s)
}

func getRecord[T any](t *txn, sub, kind, key string) (rec T, err error) {
	k := t.s.key(sub, key)
	v, ok, err := t.read(k)
	if err != nil {
		return rec, err
	}
	if !ok {
		return rec, notFound(kind, key)
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, t.decodeError(k, err)
	}
	return rec, nil
}

func eachRecord[T any](t *txn, sub, prefix string, fn func(T) error) error {
	from := t.s.key(sub, prefix)
	return t.scan(from, prefixEnd(from), false, func(k string, v []byte) error {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			return t.decodeError(k, err)
		}
		return fn(rec)
	})
}

func putRecord(t *txn, sub, kind, key string, rec any) error {
	if err := validKey(kind, key); err != nil {
		return err
	}
	if err := t.writable_(); err != nil {
		return err
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: encode %s %q: %w", kind, key, err)
	}
	t.put(t.s.key(sub, key), v)
	return nil
}

func (t *txn) delRecord(sub, kind, key string) error {
	if err := t.writable_(); err != nil {
		return err
	}
	k := t.s.key(sub, key)
	_, ok, err := t.read(k)
	if err != nil {
		return err
	}
	if !ok {
		return notFound(kind, key)
	}
	t.del(k)
	return nil
}

// --- users ---------------------------------------------------------------

func (t *txn) User(username string) (store.User, error) {
	u, err := getRecord[store.User](t, kUsers, "user", username)
	if err != nil {
		return u, err
	}
	h, ok, err := t.read(t.s.key(kHash, username))
	if err != nil {
		return store.User{}, err
	}
	u.Password = ""
	if ok {
		u.Password = string(h)
	}
	return u, nil
}

func (t *txn) Users(prefix string, fn func(store.User) error) error {
	if err := t.check(); err != nil {
		return err
	}
	hashFrom := t.s.key(kHash, prefix)
	hashes := t.newCursor(hashFrom, prefixEnd(hashFrom), false)
	var hk string
	var hv []byte
	hok, hdone := false, false
	return eachRecord(t, kUsers, prefix, func(u store.User) error {
		want := t.s.key(kHash, u.Username)
		// Advance the hash cursor to the user's hash key.
		for !hdone && (!hok || hk < want) {
			var err error
			hk, hv, hok, err = hashes.Next(hashFrom)
			if err != nil {
				return err
			}
			if !hok {
				hdone = true
			}
		}
		u.Password = ""
		if hok && hk == want {
			// The buffer may have changed it since the cursor passed.
			if e, ok := t.buf[want]; ok {
				if !e.deleted {
					u.Password = string(e.val)
				}
			} else {
				u.Password = string(hv)
			}
		} else if e, ok := t.buf[want]; ok && !e.deleted {
			u.Password = string(e.val)
		}
		return fn(u)
	})
}

// userIndexKeys lists the index keys a user's record implies.
func (t *txn) userIndexKeys(u store.User) []string {
	var keys []string
	for _, g := range u.Groups {
		keys = append(keys, t.s.key(kIdxGroup, esc(g), "/", u.Username))
	}
	for _, p := range u.Permissions {
		keys = append(keys, t.s.key(kIdxPerm, esc(p), "/", u.Username))
	}
	if u.IsSuperuser {
		keys = append(keys, t.s.key(kIdxSuper, u.Username))
	}
	return keys
}

// oldUser reads the user's stored record (without its hash), if any.
func (t *txn) oldUser(username string) (store.User, bool, error) {
	u, err := getRecord[store.User](t, kUsers, "user", username)
	if err == nil {
		return u, true, nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	return u, false, err
}

func (t *txn) PutUser(u store.User) error {
	if err := validKey("user", u.Username); err != nil {
		return err
	}
	if err := t.writable_(); err != nil {
		return err
	}
	old, had, err := t.oldUser(u.Username)
	if err != nil {
		return err
	}
	hash := u.Password
	rec := u
	rec.Password = ""
	if err := putRecord(t, kUsers, "user", u.Username, &rec); err != nil {
		return err
	}
	hk := t.s.key(kHash, u.Username)
	if hash != "" {
		t.put(hk, []byte(hash))
	} else if had {
		t.del(hk)
	}
	// Only index keys that change are written: a login that updates the
	// last-login time writes no index key (nor needs the right to).
	newKeys := t.userIndexKeys(u)
	var oldKeys []string
	if had {
		oldKeys = t.userIndexKeys(old)
		for _, k := range oldKeys {
			if !slices.Contains(newKeys, k) {
				t.del(k)
			}
		}
	}
	for _, k := range newKeys {
		if !slices.Contains(oldKeys, k) {
			t.put(k, nil)
		}
	}
	return nil
}

func (t *txn) DeleteUser(username string) error {
	if err := t.writable_(); err != nil {
		return err
	}
	old, had, err := t.oldUser(username)
	if err != nil {
		return err
	}
	if !had {
		return notFound("user", username)
	}
	t.del(t.s.key(kUsers, username))
	t.del(t.s.key(kHash, username))
	for _, k := range t.userIndexKeys(old) {
		t.del(k)
	}
	return nil
}

// --- indexes ---------------------------------------------------------------

func (t *txn) names(from string, fn func(string) error) error {
	return t.scan(from, prefixEnd(from), true, func(k string, _ []byte) error {
		return fn(k[len(from):])
	})
}

func (t *txn) GroupMembers(group string, fn func(string) error) error {
	return t.names(t.s.key(kIdxGroup, esc(group), "/"), fn)
}

func (t *txn) PermissionHolders(perm string, fn func(string) error) error {
	return t.names(t.s.key(kIdxPerm, esc(perm), "/"), fn)
}

func (t *txn) Superusers(fn func(string) error) error {
	return t.names(t.s.key(kIdxSuper), fn)
}

// --- other records ---------------------------------------------------------

func (t *txn) Group(name string) (store.Group, error) {
	return getRecord[store.Group](t, kGroups, "group", name)
}

func (t *txn) Groups(fn func(store.Group) error) error {
	return eachRecord(t, kGroups, "", fn)
}

func (t *txn) Permission(perm string) (store.Permission, error) {
	return getRecord[store.Permission](t, kPerms, "permission", perm)
}

func (t *txn) Permissions(prefix string, fn func(store.Permission) error) error {
	return eachRecord(t, kPerms, prefix, fn)
}

func (t *txn) Session(id string) (store.Session, error) {
	return getRecord[store.Session](t, kSessions, "session", id)
}

func (t *txn) Sessions(fn func(store.Session) error) error {
	return eachRecord(t, kSessions, "", fn)
}

func (t *txn) Failure(username string) (store.Failure, error) {
	return getRecord[store.Failure](t, kFailures, "failure record", username)
}

func (t *txn) Failures(fn func(store.Failure) error) error {
	return eachRecord(t, kFailures, "", fn)
}

func (t *txn) PutGroup(g store.Group) error {
	return putRecord(t, kGroups, "group", g.Name, &g)
}

func (t *txn) DeleteGroup(name string) error { return t.delRecord(kGroups, "group", name) }

func (t *txn) PutPermission(p store.Permission) error {
	return putRecord(t, kPerms, "permission", p.Perm, &p)
}

func (t *txn) DeletePermission(perm string) error {
	return t.delRecord(kPerms, "permission", perm)
}

func (t *txn) PutSession(s store.Session) error {
	return putRecord(t, kSessions, "session", s.ID, &s)
}

func (t *txn) DeleteSession(id string) error { return t.delRecord(kSessions, "session", id) }

func (t *txn) PutFailure(f store.Failure) error {
	return putRecord(t, kFailures, "failure record", f.Username, &f)
}

func (t *txn) DeleteFailure(username string) error {
	return t.delRecord(kFailures, "failure record", username)
}

// --- audit -----------------------------------------------------------------

func (t *txn) auditKey(seq uint64) string {
	return t.s.key(kAudit, fmt.Sprintf("%020d", seq))
}

func (t *txn) decodeAudit(k string, v []byte) (store.AuditRecord, error) {
	var rec store.AuditRecord
	seq, err := strconv.ParseUint(strings.TrimPrefix(k, t.s.key(kAudit)), 10, 64)
	if err != nil {
		return rec, t.decodeError(k, err)
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, t.decodeError(k, err)
	}
	rec.Seq = seq
	return rec, nil
}

func (t *txn) Audit(after uint64, fn func(store.AuditRecord) error) error {
	if err := t.check(); err != nil {
		return err
	}
	if after == math.MaxUint64 {
		return nil
	}
	end := prefixEnd(t.s.key(kAudit))
	return t.scan(t.auditKey(after+1), end, false, func(k string, v []byte) error {
		rec, err := t.decodeAudit(k, v)
		if err != nil {
			return err
		}
		return fn(rec)
	})
}

func (t *txn) LastAudit() (store.AuditRecord, error) {
	if err := t.check(); err != nil {
		return store.AuditRecord{}, err
	}
	// Appends in this transaction come after everything stored.
	from, end := t.s.key(kAudit), prefixEnd(t.s.key(kAudit))
	for i := len(t.keys) - 1; i >= 0; i-- {
		k := t.keys[i]
		if k >= end || k < from {
			continue
		}
		if e := t.buf[k]; !e.deleted {
			return t.decodeAudit(k, e.val)
		}
	}
	resp, err := t.get(rangeRequest{Key: from, End: end, Limit: 1, Last: true})
	if err != nil {
		return store.AuditRecord{}, err
	}
	if len(resp.Kvs) > 0 {
		k := string(resp.Kvs[0].Key)
		// Deletes of the audit log remove its beginning: if the last
		// record is gone, so is every other.
		if !t.inRangeDel(k) {
			if e, ok := t.buf[k]; !ok || !e.deleted {
				return t.decodeAudit(k, resp.Kvs[0].Value)
			}
		}
	}
	return store.AuditRecord{}, fmt.Errorf("audit log is empty: %w", store.ErrNotFound)
}

func (t *txn) AuditSeq() (uint64, error) {
	k := t.s.key(kAuditSeq)
	v, ok, err := t.read(k)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, t.decodeError(k, err)
	}
	return n, nil
}

func (t *txn) AppendAudit(rec store.AuditRecord) (uint64, error) {
	if err := t.writable_(); err != nil {
		return 0, err
	}
	n, err := t.AuditSeq()
	if err != nil {
		return 0, err
	}
	seq := n + 1
	rec.Seq = seq
	v, err := json.Marshal(&rec)
	if err != nil {
		return 0, fmt.Errorf("store: encode audit record: %w", err)
	}
	t.put(t.auditKey(seq), v)
	t.put(t.s.key(kAuditSeq), []byte(strconv.FormatUint(seq, 10)))
	return seq, nil
}

func (t *txn) DeleteAuditThrough(seq uint64) error {
	if err := t.writable_(); err != nil {
		return err
	}
	n, err := t.AuditSeq()
	if err != nil {
		return err
	}
	// Nothing above the counter exists, and a later append in this
	// transaction must land outside the deleted range.
	seq = min(seq, n)
	if seq == 0 {
		return nil
	}
	t.deleteRange(t.s.key(kAudit), t.auditKey(seq+1))
	return nil
}

// --- meta ------------------------------------------------------------------

func (t *txn) Meta(key string) ([]byte, error) {
	v, ok, err := t.read(t.s.key(kMeta, key))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("meta key", key)
	}
	return bytes.Clone(append([]byte{}, v...)), nil
}

func (t *txn) PutMeta(key string, value []byte) error {
	if err := validKey("meta key", key); err != nil {
		return err
	}
	if err := t.writable_(); err != nil {
		return err
	}
	t.put(t.s.key(kMeta, key), bytes.Clone(append([]byte{}, value...)))
	return nil
}
