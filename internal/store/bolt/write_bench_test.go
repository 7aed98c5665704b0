package bolt_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"authctl/internal/store"
)

// BenchmarkApplyWrite is the store's part of an apply of new users, as
// the auth package makes it: for each user a read that misses, the put
// (record and indexes) and an audit record with a keyed hash, in stages
// of 10,000 users on a staged copy, published with its fsync. The users
// are those of bench/'s seed files (each in one of 10 groups, no direct
// permission), prepared before the timer starts; ns/op is for the whole
// write.
//
//	go test ./internal/store/bolt -run '^$' -bench ApplyWrite -benchtime 5x
func BenchmarkApplyWrite(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		users := make([]store.User, n)
		for i := range users {
			u := benchUser(i)
			u.Groups, u.Permissions = []string{fmt.Sprintf("group%02d", i%10)}, nil
			users[i] = u
		}
		at := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
		hash := "hmac-sha256:" + fmt.Sprintf("%064x", 7)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := freshStore(b)
				b.StartTimer()
				err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
					for lo := 0; lo < n; lo += 10_000 {
						part := users[lo:min(lo+10_000, n)]
						err := stage(func(w store.Writer) error {
							for i := range part {
								u := &part[i]
								if _, err := w.User(u.Username); !errors.Is(err, store.ErrNotFound) {
									return fmt.Errorf("user %s: %v", u.Username, err)
								}
								if err := w.PutUser(*u); err != nil {
									return err
								}
								rec := store.AuditRecord{Time: at, Action: "user.create", Target: u.Username, Result: "ok", OSUser: "root", Detail: "apply", Prev: hash, Hash: hash}
								if _, err := w.AppendAudit(rec); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							return err
						}
					}
					return nil
				})
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
