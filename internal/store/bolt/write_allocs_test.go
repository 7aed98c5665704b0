package bolt_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"authctl/internal/store"
)

// The write path of an apply allocates no copy of the record it is
// given: a read that misses allocates no record to return, PutUser and
// AppendAudit encode their argument without moving it to the heap, and
// the index's nested bucket is looked up once per transaction. What is
// left is bbolt's (a cursor's stack for each lookup, the key it keeps),
// the not-found error, the key's []byte and the encoded value kept until
// the commit. (Before: 4, 15 and 5; the counts are bbolt 1.4's.)
func TestWriteAllocs(t *testing.T) {
	s := mustOpen(t, newDB(t), store.OpenOptions{})
	hash := "hmac-sha256:" + fmt.Sprintf("%064x", 7)
	at := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	var miss, put, audit float64
	err := s.Update(ctx, func(w store.Writer) error {
		// Warm the buckets' nodes and the index bucket's cache.
		for i := range 50 {
			u := benchUser(i)
			u.Groups, u.Permissions = []string{"group00"}, nil
			if err := w.PutUser(u); err != nil {
				return err
			}
		}
		i := 1000
		var err error
		miss = testing.AllocsPerRun(200, func() {
			if _, e := w.User("nobody"); !errors.Is(e, store.ErrNotFound) {
				err = fmt.Errorf("User of a missing user: %v", e)
			}
		})
		put = testing.AllocsPerRun(200, func() {
			u := benchUser(i)
			u.Groups, u.Permissions = []string{"group00"}, nil
			i++
			if e := w.PutUser(u); e != nil {
				err = e
			}
		})
		// benchUser's own allocations (its Sprintf'd fields, the lists).
		put -= testing.AllocsPerRun(200, func() {
			u := benchUser(i)
			u.Groups, u.Permissions = []string{"group00"}, nil
			i++
		})
		rec := store.AuditRecord{Time: at, Action: "user.create", Target: "user1", Result: "ok", OSUser: "root", Prev: hash, Hash: hash}
		audit = testing.AllocsPerRun(200, func() {
			if _, e := w.AppendAudit(rec); e != nil {
				err = e
			}
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("allocations: miss %.1f, put %.1f, audit %.1f", miss, put, audit)
	if miss > 3 {
		t.Errorf("a User that misses: %.1f allocations, want at most 3", miss)
	}
	// Without a User call first, PutUser makes that lookup itself.
	if put > 11 {
		t.Errorf("PutUser of a new user in one group: %.1f allocations, want at most 11", put)
	}
	if audit > 4 {
		t.Errorf("AppendAudit: %.1f allocations, want at most 4", audit)
	}
}
