package auth

import (
	"context"

	"authctl/internal/store"
)

// DumpVisitor receives the whole database, for export. Nil callbacks skip
// that kind.
type DumpVisitor struct {
	Permission func(store.Permission) error
	Group      func(store.Group) error
	User       func(store.User) error
}

// Dump visits every permission, then every group, then every user (with
// its password hash: an export must carry them to move users), from one
// consistent read transaction, one record at a time.
func (s *Service) Dump(ctx context.Context, v DumpVisitor) error {
	return s.view(ctx, func(r store.Reader) error {
		if v.Permission != nil {
			if err := r.Permissions("", v.Permission); err != nil {
				return err
			}
		}
		if v.Group != nil {
			if err := r.Groups(v.Group); err != nil {
				return err
			}
		}
		if v.User != nil {
			return r.Users("", v.User)
		}
		return nil
	})
}
