package cmdutil

import (
	"context"
	"errors"

	"authctl/internal/auth"
	"authctl/internal/prompt"
	"authctl/internal/store"
)

// ExitCode maps an error returned by a command to the process's exit code.
// It is the one place that knows the mapping (cli/cli's ghcmd.Main).
func ExitCode(err error) int {
	var (
		ee *ExitError
		fe *FlagError
		ce *ConfigError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.Is(err, prompt.ErrInterrupted), errors.Is(err, prompt.ErrNoInput), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &fe), errors.As(err, &ce), errors.Is(err, prompt.ErrNoTerminal):
		return ExitUsage
	case errors.Is(err, auth.ErrAuthFailed), errors.Is(err, auth.ErrNotLoggedIn):
		return ExitDenied
	case errors.Is(err, store.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, auth.ErrExists):
		return ExitExists
	case errors.Is(err, auth.ErrInvalid):
		return ExitInvalid
	case errors.Is(err, store.ErrBusy), errors.Is(err, store.ErrConflict):
		return ExitBusy
	default:
		return ExitInternal
	}
}
