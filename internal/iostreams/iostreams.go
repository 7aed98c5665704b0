// Package iostreams carries a command's standard streams and what is known
// about them (which are terminals), so that commands can be run in tests
// with buffers and pretend terminals.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"authctl/internal/prompt"
)

// IOStreams are the streams a command reads and writes. Results go to Out,
// everything else (messages, warnings, progress) to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	// openPrompter opens the terminal to ask on; nil means none.
	openPrompter func() (prompt.Prompter, error)
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  prompt.IsTerminal(os.Stdin),
		stdoutTTY: prompt.IsTerminal(os.Stdout),
		stderrTTY: prompt.IsTerminal(os.Stderr),
		openPrompter: func() (prompt.Prompter, error) {
			t, err := prompt.Terminal()
			if err != nil {
				return nil, err
			}
			return t, nil
		},
	}
}

// Test returns streams over buffers, none of them a terminal.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether input is typed at a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether results go to a terminal (tables) or a pipe
// (tab-separated lines).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether messages and progress go to a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetTTY pretends, for tests, that stdin, stdout and stderr are terminals.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetPrompter installs, for tests, the prompter that Prompter returns; it
// also makes CanPrompt true.
func (s *IOStreams) SetPrompter(p prompt.Prompter) {
	s.stdinTTY = true
	s.openPrompter = func() (prompt.Prompter, error) { return p, nil }
}

// CanPrompt reports whether the command may ask questions: only when stdin
// is a terminal, so that a script or CI job never hangs on a prompt.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.openPrompter != nil }

// Prompter opens the terminal for prompts. It fails with
// prompt.ErrNoTerminal when CanPrompt is false.
func (s *IOStreams) Prompter() (prompt.Prompter, error) {
	if !s.CanPrompt() {
		return nil, prompt.ErrNoTerminal
	}
	return s.openPrompter()
}
