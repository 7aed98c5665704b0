package store

import (
	"context"
	"time"
)

// Store is a transactional home for authctl's records. View and Update are the
// only ways in: every read happens inside a read transaction and every change
// inside exactly one write transaction, so a change is either whole or absent.
//
// A change too large for one transaction's memory (a seeding apply of a
// million users) is made with UpdateStaged (stage.go): several write
// transactions on a private copy that is published whole, by a backend that
// is a Stager, or one Update on any other.
type Store interface {
	// View runs fn in a read-only transaction. The Reader must not be used
	// after fn returns (its methods then fail with ErrTxDone; so do a
	// Writer's after Update's fn). Records returned by the Reader are copies: changing
	// them does not change the store.
	View(ctx context.Context, fn func(Reader) error) error

	// Update runs fn in a read-write transaction and commits when fn returns
	// nil; any error from fn rolls back everything fn wrote and is returned
	// unchanged (so callers can use errors.Is on their own errors).
	//
	// fn may run more than once (a backend that detects a conflicting writer
	// retries), so it must have no side effects outside the Writer. Do no
	// expensive work (password hashing) inside fn: a write transaction holds
	// the only write lock.
	//
	// On a store opened read-only, Update returns ErrReadOnly without
	// calling fn.
	Update(ctx context.Context, fn func(Writer) error) error

	// Close releases the store. Calling any method after Close returns
	// ErrClosed.
	Close() error
}

// Reader reads records inside a transaction. A lookup of a record that does
// not exist returns an error wrapping ErrNotFound. The iterators visit records
// in ascending key order (bytewise), one at a time, so that memory does not
// grow with the number of records; an error returned by fn stops the
// iteration and is returned unchanged.
type Reader interface {
	User(username string) (User, error)
	// Users visits users whose username starts with prefix ("" for all).
	Users(prefix string, fn func(User) error) error
	Group(name string) (Group, error)
	Groups(fn func(Group) error) error
	Permission(perm string) (Permission, error)
	// Permissions visits permissions whose "app.codename" starts with prefix.
	Permissions(prefix string, fn func(Permission) error) error

	Session(id string) (Session, error)
	Sessions(fn func(Session) error) error

	Failure(username string) (Failure, error)
	Failures(fn func(Failure) error) error

	// GroupMembers visits the usernames of the users whose Groups holds
	// group, in ascending bytewise order. Its cost grows with the number of
	// members, not with the number of users: a backend keeps an index that
	// PutUser and DeleteUser maintain in the same transaction.
	GroupMembers(group string, fn func(username string) error) error
	// PermissionHolders visits, likewise, the usernames of the users whose
	// own Permissions holds perm (not through a group).
	PermissionHolders(perm string, fn func(username string) error) error
	// Superusers visits, likewise, the usernames of the users with
	// IsSuperuser set.
	Superusers(fn func(username string) error) error

	// Audit visits audit records with Seq > after, in ascending Seq order.
	Audit(after uint64, fn func(AuditRecord) error) error
	// LastAudit returns the record with the highest Seq, or ErrNotFound.
	LastAudit() (AuditRecord, error)
	// AuditSeq returns the highest sequence number AppendAudit ever
	// assigned in this store (0 if none), whether or not that record still
	// exists: comparing it with LastAudit shows records deleted from the
	// end of the log.
	AuditSeq() (uint64, error)

	// Meta returns a small named value (secrets, schema facts), or
	// ErrNotFound.
	Meta(key string) ([]byte, error)
}

// Writer changes records inside a write transaction. Put replaces any record
// with the same key; Delete of a missing record returns ErrNotFound. A Writer
// sees its own uncommitted writes through its Reader methods.
//
// The store keeps no cross-record invariants of its own: the caller (the auth
// package) is responsible for, say, removing a deleted group's name from
// every user in the same transaction.
type Writer interface {
	Reader
	PutUser(User) error
	DeleteUser(username string) error
	PutGroup(Group) error
	DeleteGroup(name string) error
	PutPermission(Permission) error
	DeletePermission(perm string) error
	PutSession(Session) error
	DeleteSession(id string) error
	PutFailure(Failure) error
	DeleteFailure(username string) error

	// AppendAudit stores rec with the next sequence number (one more than the
	// highest ever assigned in this store, starting at 1, never reused even
	// after DeleteAuditThrough) and returns that number; rec.Seq is ignored.
	AppendAudit(rec AuditRecord) (uint64, error)
	// DeleteAuditThrough deletes every audit record with Seq <= seq.
	DeleteAuditThrough(seq uint64) error

	PutMeta(key string, value []byte) error
}

// User is Django's auth.User. Username is the key. Groups and Permissions are
// kept sorted and free of duplicates by the auth package.
type User struct {
	Username    string     `json:"username"`
	Email       string     `json:"email"`
	FirstName   string     `json:"first_name"`
	LastName    string     `json:"last_name"`
	Password    string     `json:"password"`
	IsActive    bool       `json:"is_active"`
	IsStaff     bool       `json:"is_staff"`
	IsSuperuser bool       `json:"is_superuser"`
	LastLogin   *time.Time `json:"last_login"`
	DateJoined  time.Time  `json:"date_joined"`
	Groups      []string   `json:"groups"`
	Permissions []string   `json:"user_permissions"`
	// Managed is set when a declarative apply created the record; only such
	// records are candidates for its pruning.
	Managed bool `json:"managed,omitempty"`
}

// Group is Django's auth.Group: a flat, named set of permissions.
type Group struct {
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	Managed     bool     `json:"managed,omitempty"`
}

// Permission is one "app_label.codename" permission and its human name.
type Permission struct {
	Perm string `json:"permission"`
	Name string `json:"name"`
	// Model is the Django content type's model the permission belongs to,
	// when known (imported from Django); export falls back to a derived
	// one. Django permission strings never show it.
	Model   string `json:"model,omitempty"`
	Managed bool   `json:"managed,omitempty"`
}

// Session is a login session. The token itself is never stored: ID is a short
// public handle derived from the token's digest, Digest is the SHA-256 of the
// token, and AuthHash is Django's session auth hash at login time.
type Session struct {
	ID       string    `json:"id"`
	Digest   []byte    `json:"digest"`
	Username string    `json:"username"`
	AuthHash string    `json:"auth_hash"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// Failure counts recent failed authentications of one username (which need
// not belong to an existing user).
type Failure struct {
	Username    string    `json:"username"`
	Count       int       `json:"count"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
	LockedUntil time.Time `json:"locked_until"`
	// Recent holds the times of the failures that still count, oldest
	// first, so that the lockout window slides (as pam_faillock's does).
	Recent []time.Time `json:"recent,omitempty"`
}

// AuditRecord is one entry of the append-only, hash-chained audit log.
type AuditRecord struct {
	Seq         uint64    `json:"seq"`
	Time        time.Time `json:"time"`
	Action      string    `json:"action"`
	Target      string    `json:"target"`
	Result      string    `json:"result"`
	OSUser      string    `json:"os_user"`
	SessionUser string    `json:"session_user,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	Prev        string    `json:"prev"`
	Hash        string    `json:"hash"`
}

// OpenOptions says how a backend opens its database.
type OpenOptions struct {
	// ReadOnly opens for View only; many read-only openers may share a
	// database at once.
	ReadOnly bool
	// Create makes the database (and, for a file, its directory with mode
	// 0700 and the file with mode 0600) when it does not exist. Without it a
	// missing database is ErrNoDatabase.
	Create bool
	// LockTimeout bounds how long opening waits for another process's lock
	// before returning ErrBusy. Zero means a backend default of 5 seconds.
	LockTimeout time.Duration
}

// Checker is implemented by a Store that can check its whole database for
// damage: every page or record it holds, not only those a command happens
// to read. Check returns nil for an intact database and otherwise an error
// wrapping ErrCorrupt that names the database and the first problems found.
// It may take time proportional to the size of the database.
type Checker interface {
	Check(ctx context.Context) error
}
