package store

import "context"

// Empty returns a read-only Store that holds nothing: every lookup is
// ErrNotFound and every iteration visits nothing. It stands in for a
// database that does not exist yet, so that a dry run can plan against it
// without creating a file.
func Empty() Store { return emptyStore{} }

type emptyStore struct{}

func (emptyStore) View(ctx context.Context, fn func(Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(emptyReader{})
}
func (emptyStore) Update(context.Context, func(Writer) error) error { return ErrReadOnly }
func (emptyStore) Close() error                                     { return nil }

type emptyReader struct{}

func (emptyReader) User(string) (User, error)                          { return User{}, ErrNotFound }
func (emptyReader) Users(string, func(User) error) error               { return nil }
func (emptyReader) Group(string) (Group, error)                        { return Group{}, ErrNotFound }
func (emptyReader) Groups(func(Group) error) error                     { return nil }
func (emptyReader) Permission(string) (Permission, error)              { return Permission{}, ErrNotFound }
func (emptyReader) Permissions(string, func(Permission) error) error   { return nil }
func (emptyReader) Session(string) (Session, error)                    { return Session{}, ErrNotFound }
func (emptyReader) Sessions(func(Session) error) error                 { return nil }
func (emptyReader) Failure(string) (Failure, error)                    { return Failure{}, ErrNotFound }
func (emptyReader) Failures(func(Failure) error) error                 { return nil }
func (emptyReader) Audit(uint64, func(AuditRecord) error) error        { return nil }
func (emptyReader) LastAudit() (AuditRecord, error)                    { return AuditRecord{}, ErrNotFound }
func (emptyReader) AuditSeq() (uint64, error)                          { return 0, nil }
func (emptyReader) Meta(string) ([]byte, error)                        { return nil, ErrNotFound }
func (emptyReader) GroupMembers(string, func(string) error) error      { return nil }
func (emptyReader) PermissionHolders(string, func(string) error) error { return nil }
func (emptyReader) Superusers(func(string) error) error                { return nil }
