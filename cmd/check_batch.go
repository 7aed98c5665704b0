package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

// batchQuestion is one line of check --batch.
type batchQuestion struct {
	User  string   `json:"user"`
	Perms []string `json:"perms"`
}

// batchAnswer is one JSON line of check --batch -o json.
type batchAnswer struct {
	auth.Decision
	Error string `json:"error,omitempty"`
}

// inputError is a malformed line of an input file: exit 5, like any
// invalid input.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == auth.ErrInvalid }

// maxBatchLine bounds one line of --batch input.
const maxBatchLine = 1 << 20

// parseBatchLine reads "USER PERM [PERM...]" or a JSON object. ok is false
// for a blank or comment line.
func parseBatchLine(line []byte) (q batchQuestion, ok bool, err error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return q, false, nil
	}
	if line[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return q, false, fmt.Errorf("not a question: %v", err)
		}
		if dec.More() {
			return q, false, errors.New("not a question: text after the JSON object")
		}
	} else {
		fields := strings.Fields(string(line))
		q.User, q.Perms = fields[0], fields[1:]
	}
	switch {
	case q.User == "":
		return q, false, errors.New(`no user: want "USER PERM [PERM...]" or {"user": ..., "perms": [...]}`)
	case len(q.Perms) == 0:
		return q, false, fmt.Errorf(`no permission for user %q: want "USER PERM [PERM...]" or {"user": ..., "perms": [...]}`, q.User)
	}
	return q, true, nil
}

func checkBatchRun(cmd *cobra.Command, opts *checkOptions) (err error) {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	in, name := f.IO.In, "stdin"
	if opts.File != "" && opts.File != "-" {
		fh, err := os.Open(opts.File)
		if err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
		defer fh.Close()
		in, name = fh, opts.File
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	// The live heap of a batch is small and flat (the group cache and one
	// line), so at the default GOGC the collector runs every few hundred
	// checks; let the heap grow to 5 times the live data instead (about
	// a tenth less CPU per check, memory still flat). GOGC, if set, wins.
	if _, set := f.Lookup("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	out := bufio.NewWriterSize(f.IO.Out, 64<<10)
	defer func() {
		if ferr := out.Flush(); err == nil {
			err = ferr
		}
	}()
	b := &batchAnswerer{f: f, name: name, out: out, quiet: p.Quiet, explain: opts.Explain}
	if p.Format == output.JSON {
		b.enc = json.NewEncoder(out)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxBatchLine)
	if err := svc.Checks(ctx, opts.Explain, func(c *auth.Checker) error { return b.answerAll(c, sc) }); err != nil {
		return err
	}
	switch {
	case b.unknown:
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound}
	case b.denied:
		return cmdutil.ErrDenied
	}
	return nil
}

// batchAnswerer answers the questions of one check --batch run and
// remembers whether any was denied or named an unknown user.
type batchAnswerer struct {
	f       *cmdutil.Factory
	name    string // the input, for messages
	out     *bufio.Writer
	enc     *json.Encoder // nil: answers as lines of text
	quiet   bool
	explain bool
	lineNo  int

	denied, unknown bool
}

// answerAll answers every line sc reads, in order.
func (b *batchAnswerer) answerAll(c *auth.Checker, sc *bufio.Scanner) error {
	for sc.Scan() {
		b.lineNo++
		if err := b.answer(c, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &inputError{fmt.Sprintf("%s:%d: line longer than %d bytes", b.name, b.lineNo+1, maxBatchLine)}
		}
		return err
	}
	return nil
}

// answer answers one line: a malformed line stops the run; an unknown
// user is reported on stderr and answered as denied.
func (b *batchAnswerer) answer(c *auth.Checker, line []byte) error {
	q, ok, err := parseBatchLine(line)
	if err != nil {
		return &inputError{fmt.Sprintf("%s:%d: %v", b.name, b.lineNo, err)}
	}
	if !ok {
		return nil
	}
	d, err := c.Check(q.User, q.Perms)
	ans := batchAnswer{Decision: d}
	if errors.Is(err, auth.ErrNotFound) {
		b.unknown = true
		ans.Allowed, ans.Results = false, []auth.PermResult{}
		ans.Error = err.Error()
		fmt.Fprintf(b.f.IO.ErrOut, "authctl: %s:%d: %v\n", b.name, b.lineNo, err)
	} else if err != nil {
		return err
	}
	for _, r := range d.Results {
		if r.Malformed {
			warnMalformed(b.f, fmt.Sprintf("%s:%d: ", b.name, b.lineNo), d)
			break
		}
	}
	b.denied = b.denied || !ans.Allowed
	switch {
	case b.enc != nil:
		return b.enc.Encode(ans)
	case b.quiet:
		return nil
	}
	return writeBatchAnswer(b.out, q, ans, b.explain)
}

func writeBatchAnswer(w *bufio.Writer, q batchQuestion, ans batchAnswer, explain bool) error {
	w.WriteString(output.Sanitize(q.User))
	for _, perm := range q.Perms {
		w.WriteByte(' ')
		w.WriteString(output.Sanitize(perm))
	}
	if ans.Allowed {
		w.WriteString(" allowed\n")
	} else {
		w.WriteString(" denied\n")
	}
	if explain && ans.Error == "" {
		return printReasons(w, ans.Decision)
	}
	return nil
}

func checkModuleRun(cmd *cobra.Command, opts *checkOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	user := opts.User
	var d auth.ModuleDecision
	if user == "" {
		token, err := sessionToken(f)
		if err != nil {
			return err
		}
		_, u, err := svc.Whoami(ctx, token)
		switch {
		case errors.Is(err, auth.ErrNotLoggedIn):
			d = auth.ModuleDecision{Module: opts.Module, Reason: auth.ReasonNotLoggedIn, Perms: []string{}}
		case err != nil:
			return err
		default:
			user = u.Username
		}
	}
	if user != "" {
		if d, err = svc.HasModulePerms(ctx, user, opts.Module); err != nil {
			return err
		}
	}
	if p.Format == output.JSON {
		if err := output.WriteJSON(f.IO.Out, d); err != nil {
			return err
		}
	} else if !p.Quiet {
		if err := printModuleDecision(f.IO.Out, d, opts.Explain); err != nil {
			return err
		}
	}
	if !d.Allowed {
		return cmdutil.ErrDenied
	}
	return nil
}

func printModuleDecision(w io.Writer, d auth.ModuleDecision, explain bool) error {
	answer := "denied"
	if d.Allowed {
		answer = "allowed"
	}
	if _, err := fmt.Fprintln(w, answer); err != nil || !explain {
		return err
	}
	who := d.User
	if who == "" {
		who = "anonymous"
	}
	_, err := fmt.Fprintf(w, "  module %s: %s for %s (%s)\n", output.Sanitize(d.Module), answer, who, d.Reason)
	return err
}
