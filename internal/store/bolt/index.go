package bolt

import (
	"bytes"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// The membership indexes (schema version 2), written by PutUser and
// DeleteUser in the user's own transaction:
//
//	idx_groups   group → bucket of username → ""
//	idx_perms    perm  → bucket of username → ""
//	idx_super    username → ""
//
// One nested bucket per group (and per permission) keeps names that are
// prefixes of one another apart whatever bytes they hold, makes a query one
// cursor over a bucket whose size is the answer's, and keeps each bucket's
// inserts in username order when users are written in that order (a flat
// index keyed group‖username would take every user of a seeding apply at a
// random place, which bbolt pays for with a memmove per insert until the
// commit). A small group's bucket is stored inline in its parent's page.
var (
	bucketIdxGroups = []byte("idx_groups")
	bucketIdxPerms  = []byte("idx_perms")
	bucketIdxSuper  = []byte("idx_super")

	indexBuckets = [][]byte{bucketIdxGroups, bucketIdxPerms, bucketIdxSuper}
)

// membership is what the indexes hold about one user.
type membership struct {
	groups, perms []string
	super         bool
}

func membershipOf(u *store.User) membership {
	return membership{groups: u.Groups, perms: u.Permissions, super: u.IsSuperuser}
}

// reindex moves username from old's index entries to new's (either may be
// the zero membership: a new or a deleted user). Only the differences are
// written. Emptied nested buckets are kept (an iteration may be on one).
func (t *txn) reindex(username string, old, new membership) error {
	ig, ip, is := t.tx.Bucket(bucketIdxGroups), t.tx.Bucket(bucketIdxPerms), t.tx.Bucket(bucketIdxSuper)
	if ig == nil || ip == nil || is == nil {
		return t.missingBucket(bucketIdxGroups)
	}
	ig.FillPercent, ip.FillPercent, is.FillPercent = fillIndex, fillIndex, fillIndex
	key := []byte(username)
	for _, c := range []struct {
		b        *bbolt.Bucket
		nested   *map[string]*bbolt.Bucket
		old, new []string
	}{{ig, &t.nested.groups, old.groups, new.groups}, {ip, &t.nested.perms, old.perms, new.perms}} {
		for _, name := range c.old {
			if slices.Contains(c.new, name) {
				continue
			}
			if sb := c.b.Bucket([]byte(name)); sb != nil {
				if err := sb.Delete(key); err != nil {
					return t.writeError(err)
				}
			}
		}
		for _, name := range c.new {
			if slices.Contains(c.old, name) {
				continue
			}
			sb := (*c.nested)[name]
			if sb == nil {
				var err error
				if sb, err = c.b.CreateBucketIfNotExists([]byte(name)); err != nil {
					return t.writeError(fmt.Errorf("index %q: %w", name, err))
				}
				sb.FillPercent = fillIndex
				if *c.nested == nil {
					*c.nested = make(map[string]*bbolt.Bucket)
				}
				(*c.nested)[name] = sb
			}
			if err := sb.Put(key, []byte{}); err != nil {
				return t.writeError(err)
			}
		}
	}
	switch {
	case old.super && !new.super:
		return t.writeError(is.Delete(key))
	case new.super && !old.super:
		return t.writeError(is.Put(key, []byte{}))
	}
	return nil
}

// eachIndexed visits the keys of index's nested bucket name (or, for an
// empty name, of index itself) as usernames.
func (t *txn) eachIndexed(index []byte, name string, fn func(string) error) error {
	var username string
	return t.eachIn(
		func() (*bbolt.Bucket, error) {
			b, err := t.bucket(index)
			if b == nil || name == "" {
				return b, err
			}
			return b.Bucket([]byte(name)), nil
		},
		nil, nil,
		func(k, _ []byte) error { username = string(k); return nil },
		func() error { return fn(username) })
}

func (t *txn) GroupMembers(group string, fn func(string) error) error {
	if t.s.version < 2 {
		return t.usersWhere(func(u store.User) bool { return slices.Contains(u.Groups, group) }, fn)
	}
	if group == "" {
		return t.check()
	}
	return t.eachIndexed(bucketIdxGroups, group, fn)
}

func (t *txn) PermissionHolders(perm string, fn func(string) error) error {
	if t.s.version < 2 {
		return t.usersWhere(func(u store.User) bool { return slices.Contains(u.Permissions, perm) }, fn)
	}
	if perm == "" {
		return t.check()
	}
	return t.eachIndexed(bucketIdxPerms, perm, fn)
}

func (t *txn) Superusers(fn func(string) error) error {
	if t.s.version < 2 {
		return t.usersWhere(func(u store.User) bool { return u.IsSuperuser }, fn)
	}
	return t.eachIndexed(bucketIdxSuper, "", fn)
}

// usersWhere answers a membership query by a scan of the users, for a
// version 1 database opened read-only (a writer upgrades it first).
func (t *txn) usersWhere(match func(store.User) bool, fn func(string) error) error {
	return t.Users("", func(u store.User) error {
		if !match(u) {
			return nil
		}
		return fn(u.Username)
	})
}

// buildIndexes fills the (empty) index buckets from the users bucket: the
// upgrade from version 1. Users come in username order, so every nested
// bucket is written in key order.
func buildIndexes(tx *bbolt.Tx) error {
	ig, ip, is := tx.Bucket(bucketIdxGroups), tx.Bucket(bucketIdxPerms), tx.Bucket(bucketIdxSuper)
	ig.FillPercent, ip.FillPercent, is.FillPercent = fillIndex, fillIndex, fillIndex
	put := func(b *bbolt.Bucket, name string, k []byte) error {
		sb, err := b.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return fmt.Errorf("index %q: %w", name, err)
		}
		sb.FillPercent = fillIndex
		return sb.Put(bytes.Clone(k), []byte{})
	}
	c := tx.Bucket(bucketUsers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var u store.User
		if err := decodeRecord(v, &u); err != nil {
			return err
		}
		for _, g := range u.Groups {
			if err := put(ig, g, k); err != nil {
				return err
			}
		}
		for _, p := range u.Permissions {
			if err := put(ip, p, k); err != nil {
				return err
			}
		}
		if u.IsSuperuser {
			if err := is.Put(bytes.Clone(k), []byte{}); err != nil {
				return err
			}
		}
	}
	return nil
}
