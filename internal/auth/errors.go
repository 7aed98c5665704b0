package auth

import (
	"errors"
	"fmt"
	"strings"

	"authctl/internal/store"
)

var (
	// ErrAuthFailed is returned by Authenticate and Login whatever went
	// wrong (unknown user, wrong password, inactive, locked out), so that the
	// answer leaks nothing; the audit log records the real reason.
	ErrAuthFailed = errors.New("invalid username or password")
	// ErrInvalid is wrapped by every error about bad input: a bad name, an
	// unknown hash format, a password the validators reject.
	ErrInvalid = errors.New("invalid input")
	// ErrExists is wrapped when a user, group or permission already exists.
	ErrExists = errors.New("already exists")
	// ErrNotFound is store.ErrNotFound, re-exported so that callers of auth
	// need not import store to test for it.
	ErrNotFound = store.ErrNotFound
	// ErrNotLoggedIn is returned when a command needs a session and there is
	// none (or it has ended).
	ErrNotLoggedIn = errors.New("not logged in")
)

// NotFoundError says which record is missing. It matches ErrNotFound.
type NotFoundError struct {
	Kind string // "user", "group", "permission", "session"
	Name string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q does not exist", e.Kind, e.Name) }
func (e *NotFoundError) Is(target error) bool {
	return target == ErrNotFound
}

// ExistsError says which record already exists. It matches ErrExists.
type ExistsError struct {
	Kind string
	Name string
}

func (e *ExistsError) Error() string         { return fmt.Sprintf("%s %q already exists", e.Kind, e.Name) }
func (e *ExistsError) Is(target error) bool  { return target == ErrExists }
func notFound(kind, name string) error       { return &NotFoundError{Kind: kind, Name: name} }
func exists(kind, name string) error         { return &ExistsError{Kind: kind, Name: name} }
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }
func (e *InvalidError) Unwrap() []error      { return e.Problems }
func invalid(problems ...error) error        { return &InvalidError{Problems: problems} }

// InvalidError holds every problem found with some input, so that a user sees
// all of them at once (as Django reports every validator failure). It
// matches ErrInvalid.
type InvalidError struct {
	Problems []error
}

// MaxPrintedProblems is how many problems InvalidError.Error prints; the
// rest are counted in a last line ("… and N more problems"). Problems
// holds them all (-o json lists them).
const MaxPrintedProblems = 100

// Error is the problems, one a line, at most MaxPrintedProblems of them.
// It takes time linear in what it prints, however many problems there are.
func (e *InvalidError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i == MaxPrintedProblems {
			fmt.Fprintf(&b, "\n… and %d more problems (-o json lists them all)", len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// wrapNotFound turns a store.ErrNotFound from a lookup into a NotFoundError
// naming the record, and passes any other error through.
func wrapNotFound(err error, kind, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(kind, name)
	}
	return err
}
