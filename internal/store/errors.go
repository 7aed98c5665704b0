package store

import "errors"

var (
	// ErrNotFound is returned (wrapped) when a record, or the database
	// itself, does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNoDatabase is returned by an opener when the database file does not
	// exist and the caller did not ask for it to be created. It wraps
	// ErrNotFound.
	ErrNoDatabase = &noDatabaseError{}
	// ErrBusy is returned when another process holds the database lock past
	// the configured timeout.
	ErrBusy = errors.New("database is busy: another authctl process holds its lock")
	// ErrReadOnly is returned by Update on a store opened read-only.
	ErrReadOnly = errors.New("database was opened read-only")
	// ErrCorrupt is returned when the database cannot be read: not a
	// database, a damaged file, or records this version cannot decode.
	ErrCorrupt = errors.New("database is unreadable")
	// ErrUninitialized is returned (wrapped) by an opener without Create
	// when the database exists but holds nothing at all (an empty file: a
	// creation that failed half-way, on a full disk). It wraps ErrCorrupt;
	// an opener with Create initialises such a database.
	ErrUninitialized = &uninitializedError{}
	// ErrConflict is returned when a backend gave up retrying a transaction
	// that kept conflicting with other writers.
	ErrConflict = errors.New("transaction conflicted with another writer")
	// ErrClosed is returned by any method called after Close.
	ErrClosed = errors.New("database is closed")
	// ErrTxDone is returned by a Reader or Writer used after the View or
	// Update callback it was given returned. It wraps ErrClosed.
	ErrTxDone error = txDoneError{}
)

type noDatabaseError struct{}

func (*noDatabaseError) Error() string { return "database does not exist" }
func (*noDatabaseError) Unwrap() error { return ErrNotFound }

type uninitializedError struct{}

func (*uninitializedError) Error() string { return "empty file" }
func (*uninitializedError) Unwrap() error { return ErrCorrupt }

// txDoneError is ErrTxDone's type rather than a package-level fmt.Errorf,
// which would run fmt's printer when every authctl process starts.
type txDoneError struct{}

func (txDoneError) Error() string {
	return ErrClosed.Error() + ": transaction already ended (Reader or Writer used after fn returned)"
}

func (txDoneError) Unwrap() error { return ErrClosed }
