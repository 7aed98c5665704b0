//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package prompt

import "errors"

// TTY is the controlling terminal. Prompting is not supported on this
// platform: [Terminal] always fails with [ErrNoTerminal].
type TTY struct{}

var _ Prompter = (*TTY)(nil)

// Terminal always returns [ErrNoTerminal] on this platform.
func Terminal() (*TTY, error) {
	return nil, errors.Join(ErrNoTerminal, errors.New("prompting is not supported on this platform"))
}

// Close does nothing.
func (t *TTY) Close() error { return nil }

// Password always fails with [ErrNoTerminal].
func (t *TTY) Password(string) (string, error) { return "", ErrNoTerminal }

// Line always fails with [ErrNoTerminal].
func (t *TTY) Line(string) (string, error) { return "", ErrNoTerminal }

// Confirm always fails with [ErrNoTerminal].
func (t *TTY) Confirm(string, bool) (bool, error) { return false, ErrNoTerminal }
