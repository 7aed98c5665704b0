package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/prompt"
	"authctl/internal/secret"
)

// PasswordSource is the set of ways a command can be given a password. There
// is deliberately no flag that takes the password itself: argv is visible to
// every user of the machine.
type PasswordSource struct {
	Stdin bool
	File  string
	Env   string
	// CRLF says the line read from stdin or the file ends in "\r\n": the
	// "\r" is stripped too. Without it only "\n" is stripped (a password
	// may end in "\r"), except from a terminal.
	CRLF bool
}

// AddFlags registers --password-stdin, --password-file and --password-env.
func (p *PasswordSource) AddFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&p.Stdin, "password-stdin", false, "read the password from the first line of standard input (one trailing \\n is stripped; a \\r before it only from a terminal or with --crlf)")
	cmd.Flags().StringVar(&p.File, "password-file", "", "read the password from the first line of `PATH`, a regular file of at most 64 KiB (one trailing \\n is stripped; a \\r before it only with --crlf)")
	cmd.Flags().BoolVar(&p.CRLF, "crlf", false, "the --password-stdin or --password-file line ends in \\r\\n: strip the \\r too")
	cmd.Flags().StringVar(&p.Env, "password-env", "", "read the password from the environment variable `NAME`")
	cmd.MarkFlagsMutuallyExclusive("password-stdin", "password-file", "password-env")
}

// Given reports whether a non-interactive source was chosen.
func (p *PasswordSource) Given() bool { return p.Stdin || p.File != "" || p.Env != "" }

// ErrNoPasswordSource explains what to do when a password is needed and
// there is no terminal to ask on; every command that reads one says this.
var ErrNoPasswordSource error = &FlagError{err: errors.New("no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME")}

// ReadNonInteractive reads the password from the chosen flag.
func (p *PasswordSource) ReadNonInteractive(f *Factory) (string, error) {
	switch {
	case p.Stdin:
		pw, err := secret.ReadLine(f.IO.In, p.CRLF || f.IO.IsStdinTTY())
		if errors.Is(err, secret.ErrEmpty) {
			err = errors.New("no password on standard input")
		}
		if err != nil {
			// Like --password-file: nothing (or too much) to read is a
			// mistake in how the command was run, not an internal failure.
			return "", FlagErrorf("--password-stdin: %v", err)
		}
		return pw, nil
	case p.File != "":
		// A regular file of at most secret.MaxLen bytes: a FIFO, a device
		// or a directory is refused without blocking or reading it.
		pw, err := secret.ReadFile(p.File, secret.FileOptions{CRLF: p.CRLF})
		if err != nil {
			return "", FlagErrorf("--password-file: %s: %v", p.File, err)
		}
		return pw, nil
	case p.Env != "":
		pw, ok := f.Lookup(p.Env)
		if !ok {
			return "", FlagErrorf("--password-env: environment variable %s is not set", p.Env)
		}
		return pw, nil
	}
	return "", ErrNoPasswordSource
}

// ReadExisting reads a password to check (authenticate, login): from the
// flag if given, else asked once at the terminal, else a usage error.
func (p *PasswordSource) ReadExisting(f *Factory, label string) (string, error) {
	if p.Given() {
		return p.ReadNonInteractive(f)
	}
	pr, err := f.IO.Prompter()
	if err != nil {
		return "", ErrNoPasswordSource
	}
	return pr.Password(label)
}

// AskNew asks twice at the terminal for a new password, until both answers
// match and are not blank (Django's createsuperuser loop). The messages are
// Django's.
func AskNew(f *Factory, pr prompt.Prompter) (string, error) {
	for {
		pw, err := pr.Password("Password: ")
		if err != nil {
			return "", err
		}
		again, err := pr.Password("Password (again): ")
		if err != nil {
			return "", err
		}
		if pw != again {
			fmt.Fprintln(f.IO.ErrOut, "Error: Your passwords didn't match.")
			continue
		}
		if strings.TrimSpace(pw) == "" {
			fmt.Fprintln(f.IO.ErrOut, "Error: Blank passwords aren't allowed.")
			continue
		}
		return pw, nil
	}
}
