// Package cmdutil holds what every command shares: the Factory that hands
// out streams, configuration and the auth service; password sources; and
// the mapping from errors to exit codes.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"authctl/internal/auth"
	"authctl/internal/config"
	"authctl/internal/iostreams"
	"authctl/internal/store"
)

// Access says how a command uses the database. Whatever the mode, the
// database is opened only for the length of each transaction (Handle).
type Access int

const (
	// MustExist is for commands that read, or change only what exists: a
	// missing database is an error (exit 3) and is never created. It says
	// nothing about writing: user set, delete and the like write under it.
	MustExist Access = iota
	// ReadWrite is for commands that create: a missing database reads as
	// empty and is created by the first change.
	ReadWrite
	// Preview is for dry runs: a missing database reads as empty, and
	// nothing is ever written.
	Preview
)

// Factory gives commands their dependencies. Fields are functions so that
// nothing is opened or read until a command needs it, and tests can replace
// each one.
type Factory struct {
	IO *iostreams.IOStreams
	// Config returns the effective configuration.
	Config func() (*config.Config, error)
	// Service opens the database and returns the auth service over it. The
	// database is closed by the root command when the command ends.
	Service func(ctx context.Context, access Access) (*auth.Service, error)
	// Now is the clock.
	Now func() time.Time
	// LookupEnv reads the environment (tests pass a map); it tells an
	// unset variable from an empty one. Nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Version is the build's version string.
	Version string
}

// Env returns the environment variable name, or "".
func (f *Factory) Env(name string) string {
	v, _ := f.Lookup(name)
	return v
}

// Lookup returns the environment variable name and whether it is set.
func (f *Factory) Lookup(name string) (string, bool) {
	if f.LookupEnv == nil {
		return os.LookupEnv(name)
	}
	return f.LookupEnv(name)
}

// NoDatabaseError explains a missing database and how to make one.
type NoDatabaseError struct{ Path string }

func (e *NoDatabaseError) Error() string {
	return fmt.Sprintf("no database at %s: create it with a first change (for example \"authctl user create NAME\"), or point --db or AUTHCTL_DB at an existing one", e.Path)
}
func (e *NoDatabaseError) Unwrap() error { return store.ErrNoDatabase }

// DescribeOpenError adds the database location to an error from opening it.
func DescribeOpenError(location string, err error) error {
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		return &NoDatabaseError{Path: location}
	case errors.Is(err, store.ErrBusy):
		if strings.Contains(err.Error(), location) {
			// The backend's error names the database already.
			return fmt.Errorf("%w (raise --lock-timeout to wait longer)", err)
		}
		return fmt.Errorf("%s: %w (raise --lock-timeout to wait longer)", location, err)
	}
	return describeDamage(location, err)
}

// DamageError is a database that cannot be read: it names the database and
// says what to do. It wraps store.ErrCorrupt (exit 7).
type DamageError struct {
	Location string
	Err      error
}

func (e *DamageError) Error() string {
	msg := e.Err.Error()
	if !strings.Contains(msg, e.Location) {
		msg = e.Location + ": " + msg
	}
	return msg + "; run 'authctl doctor' or restore from a backup"
}
func (e *DamageError) Unwrap() error { return e.Err }

// describeDamage turns an error wrapping store.ErrCorrupt into a
// DamageError, once.
func describeDamage(location string, err error) error {
	var de *DamageError
	if !errors.Is(err, store.ErrCorrupt) || errors.As(err, &de) {
		return err
	}
	return &DamageError{Location: location, Err: err}
}
