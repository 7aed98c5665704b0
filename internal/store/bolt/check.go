package bolt

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

var _ store.Checker = (*boltStore)(nil)

// maxCheckProblems bounds how many of bbolt's findings Check reports.
const maxCheckProblems = 5

// Check runs bbolt's consistency check (every page reachable once, none
// both free and in use, keys in order) and then decodes every record of
// every bucket, so that it finds what any command could trip over.
func (s *boltStore) Check(ctx context.Context) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	return s.view(func(tx *bbolt.Tx) error {
		var problems []string
		n := 0
		for err := range tx.Check() {
			if n < maxCheckProblems {
				problems = append(problems, err.Error())
			}
			n++
		}
		if n > 0 {
			if n > maxCheckProblems {
				problems = append(problems, fmt.Sprintf("and %d more", n-maxCheckProblems))
			}
			return s.corrupt(strings.Join(problems, "; "))
		}
		t := &txn{s: s, tx: tx}
		defer t.end()
		return errors.Join(
			t.Users("", func(store.User) error { return ctx.Err() }),
			t.Groups(func(store.Group) error { return ctx.Err() }),
			t.Permissions("", func(store.Permission) error { return ctx.Err() }),
			t.Sessions(func(store.Session) error { return ctx.Err() }),
			t.Failures(func(store.Failure) error { return ctx.Err() }),
			t.Audit(0, func(store.AuditRecord) error { return ctx.Err() }),
		)
	})
}
