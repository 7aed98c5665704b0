package cmdutil_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
	"authctl/internal/store"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},

		{"auth failed", auth.ErrAuthFailed, 1},
		{"not logged in", auth.ErrNotLoggedIn, 1},
		{"denied", cmdutil.ErrDenied, 1},

		{"flag error", cmdutil.FlagErrorf("bad flag %s", "--x"), 2},
		{"config error", &cmdutil.ConfigError{Err: errors.New("bad")}, 2},
		{"no terminal", prompt.ErrNoTerminal, 2},

		{"not found", store.ErrNotFound, 3},
		{"auth not found", auth.ErrNotFound, 3},
		{"named not found", &auth.NotFoundError{Kind: "user", Name: "alice"}, 3},
		{"no database", store.ErrNoDatabase, 3},
		{"no database, described", &cmdutil.NoDatabaseError{Path: "/x/auth.db"}, 3},

		{"exists", auth.ErrExists, 4},
		{"named exists", &auth.ExistsError{Kind: "group", Name: "g"}, 4},

		{"invalid", auth.ErrInvalid, 5},
		{"invalid problems", &auth.InvalidError{Problems: []error{errors.New("a"), errors.New("b")}}, 5},

		{"busy", store.ErrBusy, 6},
		{"conflict", store.ErrConflict, 6},

		{"corrupt", store.ErrCorrupt, 7},
		{"closed", store.ErrClosed, 7},
		{"read-only", store.ErrReadOnly, 7},
		{"anything else", errors.New("disk on fire"), 7},
		{"deadline", context.DeadlineExceeded, 7},

		{"interrupted", prompt.ErrInterrupted, 130},
		{"cancelled", context.Canceled, 130},

		{"exit error", &cmdutil.ExitError{Code: 42}, 42},
		{"exit error 5", &cmdutil.ExitError{Code: cmdutil.ExitInvalid}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cmdutil.ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
			if tt.err == nil {
				return
			}
			// The code survives wrapping, once or twice, and joining with an
			// error that has no code of its own.
			for name, w := range map[string]error{
				"wrapped":       fmt.Errorf("doing something: %w", tt.err),
				"wrapped twice": fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", tt.err)),
				"joined":        errors.Join(tt.err, errors.New("also this")),
			} {
				if got := cmdutil.ExitCode(w); got != tt.want {
					t.Errorf("%s: ExitCode(%v) = %d, want %d", name, w, got, tt.want)
				}
			}
		})
	}
}

// Where an error matches several rules, the more specific answer wins.
func TestExitCodePrecedence(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		// A command that has printed its answer chose its code.
		{"exit error around not found", fmt.Errorf("%w: %w", &cmdutil.ExitError{Code: 1}, store.ErrNotFound), 1},
		// An empty answer at a prompt is an interruption, whatever else.
		{"interrupted around invalid", fmt.Errorf("%w: %w", prompt.ErrInterrupted, auth.ErrInvalid), 130},
		// A usage mistake about a missing thing is still a usage mistake.
		{"flag error around not found", cmdutil.FlagErrorf("--password-file: %w", store.ErrNotFound), 2},
		{"config error around invalid", &cmdutil.ConfigError{Err: fmt.Errorf("validators: %w", auth.ErrInvalid)}, 2},
		// Opening a busy database, described with its path.
		{"busy, described", cmdutil.DescribeOpenError("/x/auth.db", store.ErrBusy), 6},
	}
	for _, tt := range tests {
		if got := cmdutil.ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestIsSilent(t *testing.T) {
	for _, err := range []error{cmdutil.ErrDenied, &cmdutil.ExitError{Code: 5}, fmt.Errorf("x: %w", cmdutil.ErrDenied)} {
		if !cmdutil.IsSilent(err) {
			t.Errorf("IsSilent(%v) = false", err)
		}
	}
	for _, err := range []error{errors.New("x"), cmdutil.FlagErrorf("x"), auth.ErrAuthFailed} {
		if cmdutil.IsSilent(err) {
			t.Errorf("IsSilent(%v) = true", err)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{cmdutil.FlagErrorf("give %d of %s", 1, "--a"), "give 1 of --a"},
		{&cmdutil.ConfigError{Err: errors.New("lockout.attempts: must not be negative")}, "configuration: lockout.attempts: must not be negative"},
		{&cmdutil.ExitError{Code: 3}, "exit status 3"},
		{&cmdutil.NoDatabaseError{Path: "/x/auth.db"}, `no database at /x/auth.db: create it with a first change (for example "authctl user create NAME"), or point --db or AUTHCTL_DB at an existing one`},
		{cmdutil.DescribeOpenError("/x/auth.db", store.ErrNoDatabase), `no database at /x/auth.db: create it with a first change (for example "authctl user create NAME"), or point --db or AUTHCTL_DB at an existing one`},
		{cmdutil.DescribeOpenError("/x/auth.db", store.ErrBusy), "/x/auth.db: database is busy: another authctl process holds its lock (raise --lock-timeout to wait longer)"},
		{cmdutil.DescribeOpenError("/x/auth.db", fmt.Errorf("open /x/auth.db: %w", store.ErrBusy)), "open /x/auth.db: database is busy: another authctl process holds its lock (raise --lock-timeout to wait longer)"},
		{cmdutil.DescribeOpenError("/x/auth.db", store.ErrCorrupt), "/x/auth.db: database is unreadable; run 'authctl doctor' or restore from a backup"},
		{cmdutil.DescribeOpenError("/x/auth.db", fmt.Errorf("/x/auth.db: %w: bad page", store.ErrCorrupt)), "/x/auth.db: database is unreadable: bad page; run 'authctl doctor' or restore from a backup"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("message %q, want %q", got, tt.want)
		}
	}
}
