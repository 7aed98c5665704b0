package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes: the contract in docs/exit-codes.md.
const (
	ExitOK          = 0
	ExitDenied      = 1 // permission denied, authentication failed, not logged in
	ExitUsage       = 2
	ExitNotFound    = 3
	ExitExists      = 4
	ExitInvalid     = 5
	ExitBusy        = 6
	ExitInternal    = 7
	ExitInterrupted = 130
)

// FlagError is a usage mistake: a missing or conflicting flag or argument.
// It exits 2.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{err: fmt.Errorf(format, args...)}
}

// ExitError ends a command with a code and no further message: the command
// has already said what it had to (check's "denied", whoami's
// "anonymous").
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ErrDenied is the silent answer "no" (exit 1).
var ErrDenied error = &ExitError{Code: ExitDenied}

// IsSilent reports whether err needs no message.
func IsSilent(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee)
}

// ConfigError is a setting that cannot work: a bad config file, an
// environment variable that does not parse. It exits 2, like a bad flag.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "configuration: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }
