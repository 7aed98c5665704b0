package prompt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// ErrNoTerminal is returned by [Terminal] when the process has no
// controlling terminal to ask on (in CI, in cron, under setsid, ...).
var ErrNoTerminal = errors.New("no terminal to prompt on")

// ErrInterrupted is returned by a prompt when the user pressed Ctrl-C while
// it was active. Callers map it to exit status 130.
var ErrInterrupted = errors.New("interrupted")

// ErrNoInput is wrapped in the error returned when the user ends input
// (Ctrl-D) on an empty line. The same error also wraps [io.EOF].
var ErrNoInput = errors.New("no input")

// MaxSecretLen is the largest secret, in bytes, that [ReadSecretLine] and the
// terminal prompts accept.
const MaxSecretLen = 64 << 10

// Prompter asks questions. *[TTY] asks the person at the terminal;
// *[Scripted] answers from a list, for tests.
type Prompter interface {
	// Password asks with echo off. The typed text never appears on the
	// terminal; a newline is written after the answer so the next output
	// starts on its own line.
	Password(prompt string) (string, error)
	// Line asks with echo on (usernames, emails).
	Line(prompt string) (string, error)
	// Confirm asks a yes/no question; only "y"/"yes" (any case) is yes;
	// an empty answer means def.
	Confirm(prompt string, def bool) (bool, error)
}

// IsTerminal reports whether f is a terminal. It does not change the blocking
// mode of f (unlike calling f.Fd()).
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	if err := rc.Control(func(fd uintptr) { ok = term.IsTerminal(int(fd)) }); err != nil {
		return false
	}
	return ok
}

// ReadSecretLine reads one line from r, as for --password-stdin and
// --password-file. It strips one trailing "\n" or "\r\n" and nothing else
// (spaces and a second line ending are kept). An empty reader is an error;
// a lone "\n" gives the empty string. Secrets longer than [MaxSecretLen]
// bytes are refused. Nothing after the first "\n" is returned.
func ReadSecretLine(r io.Reader) (string, error) {
	// Allow for the longest secret plus "\r\n"; anything longer is an error.
	br := bufio.NewReader(io.LimitReader(r, MaxSecretLen+2))
	line, err := br.ReadBytes('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return "", errors.New("no password on standard input")
	case err != nil && err != io.EOF:
		return "", fmt.Errorf("reading password: %w", err)
	}
	if s, ok := strings.CutSuffix(string(line), "\n"); ok {
		line = []byte(strings.TrimSuffix(s, "\r"))
	}
	if len(line) > MaxSecretLen {
		return "", fmt.Errorf("password longer than %d bytes", MaxSecretLen)
	}
	return string(line), nil
}

// readLine reads one answer from r one byte at a time, so it never consumes
// input past the end of the line. It understands what arrives when the
// terminal is in canonical mode ("\n" ends the line, "\r" is ignored) and
// the bytes a raw-mode terminal passes through: backspace/DEL erase one
// character, 0x03 (Ctrl-C) is [ErrInterrupted], 0x04 (Ctrl-D) ends input.
// End of input on an empty line is an error wrapping [ErrNoInput] and
// [io.EOF]; after some text it returns that text.
func readLine(r io.Reader, max int) ([]byte, error) {
	var buf [1]byte
	var line []byte
	for {
		n, err := r.Read(buf[:])
		if n > 0 {
			switch c := buf[0]; c {
			case '\n':
				return line, nil
			case '\r':
			case '\b', 0x7f:
				if len(line) > 0 {
					_, size := utf8.DecodeLastRune(line)
					line = line[:len(line)-size]
				}
			case 0x03:
				return nil, ErrInterrupted
			case 0x04:
				err = io.EOF
			default:
				if len(line) >= max {
					return nil, fmt.Errorf("answer longer than %d bytes", max)
				}
				line = append(line, c)
			}
		}
		if err == io.EOF {
			if len(line) > 0 {
				return line, nil
			}
			return nil, fmt.Errorf("%w: %w", ErrNoInput, io.EOF)
		}
		if err != nil {
			return nil, err
		}
	}
}

// parseConfirm turns a Confirm answer into a decision: "y" or "yes" in any
// case is yes, an empty (or blank) answer is def, anything else is no.
func parseConfirm(answer string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "":
		return def
	case "y", "yes":
		return true
	default:
		return false
	}
}
