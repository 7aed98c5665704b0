//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package prompt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// TTY is the controlling terminal, opened by [Terminal]. It implements
// [Prompter]; prompts are written to it and answers read from it. A TTY
// asks one question at a time. Close it when done.
type TTY struct {
	mu sync.Mutex
	f  *os.File // nil once closed
}

var _ Prompter = (*TTY)(nil)

// Terminal opens the controlling terminal (/dev/tty) for reading answers
// and writing prompts. It returns an error wrapping [ErrNoTerminal] when the
// process has none (in CI, in cron, under setsid).
func Terminal() (*TTY, error) {
	// os.OpenFile puts the descriptor in non-blocking mode and registers it
	// with the runtime poller, so a pending Read can be cancelled with a
	// deadline. That is why this file never calls f.Fd() (which would switch
	// the descriptor back to blocking mode).
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoTerminal, err)
	}
	if !IsTerminal(f) {
		f.Close()
		return nil, fmt.Errorf("%w: /dev/tty is not a terminal", ErrNoTerminal)
	}
	return &TTY{f: f}, nil
}

// Close closes the terminal. It is safe to call more than once.
func (t *TTY) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}

// Password implements [Prompter]: echo is off while the answer is typed.
func (t *TTY) Password(prompt string) (string, error) {
	b, err := t.ask(prompt, true)
	return string(b), err
}

// Line implements [Prompter]: the answer is echoed as it is typed.
func (t *TTY) Line(prompt string) (string, error) {
	b, err := t.ask(prompt, false)
	return string(b), err
}

// Confirm implements [Prompter]. The prompt is written as given; include a
// hint such as "[y/N]" in it.
func (t *TTY) Confirm(prompt string, def bool) (bool, error) {
	b, err := t.ask(prompt, false)
	if err != nil {
		return false, err
	}
	return parseConfirm(string(b), def), nil
}

type readResult struct {
	line []byte
	err  error
}

// ask writes prompt to the terminal and reads one line, with echo off when
// secret is set. The terminal mode is saved first and restored on every
// return path; SIGINT is caught only for the duration of the call.
func (t *TTY) ask(prompt string, secret bool) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return nil, fmt.Errorf("prompt: %w", os.ErrClosed)
	}

	// Catch Ctrl-C before touching the terminal, so that from the moment
	// echo is off a SIGINT can no longer kill the process with it off.
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt)
	defer signal.Stop(sigc)

	var saved *term.State
	if err := t.control(func(fd int) (err error) {
		saved, err = term.GetState(fd)
		return err
	}); err != nil {
		return nil, fmt.Errorf("prompt: reading terminal state: %w", err)
	}
	restore := func() { _ = t.control(func(fd int) error { return term.Restore(fd, saved) }) }
	defer restore()

	if err := t.control(func(fd int) error { return setLineMode(fd, !secret) }); err != nil {
		return nil, fmt.Errorf("prompt: setting terminal mode: %w", err)
	}
	// Clear the deadline an earlier interrupted prompt used to stop its reader.
	_ = t.f.SetReadDeadline(time.Time{})
	if _, err := io.WriteString(t.f, prompt); err != nil {
		return nil, fmt.Errorf("prompt: writing to terminal: %w", err)
	}

	done := make(chan readResult, 1)
	f := t.f
	go func() {
		line, err := readLine(f, MaxSecretLen)
		done <- readResult{line, err}
	}()

	select {
	case r := <-done:
		restore()
		// With echo off the Enter key was not echoed; after Ctrl-D (or an
		// error) the cursor is still on the prompt line.
		if secret || r.err != nil {
			_, _ = io.WriteString(t.f, "\n")
		}
		return r.line, r.err
	case <-sigc:
		restore()
		_, _ = io.WriteString(t.f, "\n")
		t.stopReader(done)
		return nil, ErrInterrupted
	}
}

// stopReader unblocks the goroutine reading the terminal and waits for it,
// so that it cannot swallow the answer to a later prompt. If the read cannot
// be cancelled, the terminal is closed instead and later prompts fail.
func (t *TTY) stopReader(done <-chan readResult) {
	if err := t.f.SetReadDeadline(time.Now()); err == nil {
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
	}
	_ = t.f.Close()
	t.f = nil
}

// control runs fn with the terminal's descriptor without making it blocking.
func (t *TTY) control(fn func(fd int) error) error {
	if t.f == nil {
		return os.ErrClosed
	}
	rc, err := t.f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// setLineMode puts the terminal in canonical (line-edited) mode with Ctrl-C
// generating SIGINT and CR mapped to NL, with local echo on or off.
func setLineMode(fd int, echo bool) error {
	tio, err := unix.IoctlGetTermios(fd, ioctlReadTermios)
	if err != nil {
		return err
	}
	if tio == nil {
		return errors.New("no terminal attributes")
	}
	mode := *tio
	mode.Lflag |= unix.ICANON | unix.ISIG
	mode.Iflag |= unix.ICRNL
	if echo {
		mode.Lflag |= unix.ECHO
	} else {
		mode.Lflag &^= unix.ECHO | unix.ECHONL
	}
	return unix.IoctlSetTermios(fd, ioctlWriteTermios, &mode)
}
