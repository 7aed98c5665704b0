package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

type doctorOptions struct {
	f   *cmdutil.Factory
	Fix bool
}

func newCmdDoctor(f *cmdutil.Factory, runF func(*doctorOptions) error) *cobra.Command {
	opts := &doctorOptions{f: f}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the database for damage, dangling references and weak hashes",
		Long: `Check the database the way pwck and grpck check /etc/passwd and /etc/group:

  store       the backend's own check of the whole file: every page reachable
              once, no freelist damage (damage is exit 7: restore a backup)
  records     every record decodes
  names       usernames, group names and permissions are valid, and no two
              usernames are equal after NFKC normalisation
  references  memberships and grants point at groups and permissions that exist
  superusers  every active superuser has a usable password
  hashes      every password hash meets the current policy: no legacy or
              unsalted algorithm, the preferred hasher with the configured
              costs, no format that cannot be verified
  audit       the audit log's chain verifies
  files       the database file, its directory and the session file are not
              writable (or readable) by other users

Each problem is one line (or one JSON object with -o json). The exit status is
0 when nothing was found and 5 when something was. --fix removes dangling
references, the only repair that needs no decision, in one transaction, and
says what it removed; everything else is left for you.`,
		Example: `  authctl doctor
  authctl doctor --fix
  authctl doctor -o json | jq -r '.[] | select(.check == "hashes") | .subject'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fix, "fix", false, "remove dangling memberships and grants (in one transaction)")
	return cmd
}

func doctorRun(cmd *cobra.Command, opts *doctorOptions) error {
	f := opts.f
	if err := checkIntegrity(cmd, f); err != nil {
		return err
	}
	access := cmdutil.MustExist
	if opts.Fix {
		access = cmdutil.ReadWrite
	}
	p, svc, ctx, err := begin(cmd, f, access)
	if err != nil {
		return err
	}
	var fixed []auth.Finding
	if opts.Fix {
		if fixed, err = svc.DoctorFix(ctx); err != nil {
			return err
		}
	}
	findings, err := svc.Doctor(ctx)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	findings = append(findings, fileFindings(cfg.DB, cfg.Session.File)...)
	if err := printDoctor(f, p, opts.Fix, fixed, findings); err != nil {
		return err
	}
	if len(findings) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitInvalid}
	}
	return nil
}

// printDoctor prints what --fix fixed (if asked to fix) and the problems
// left.
func printDoctor(f *cmdutil.Factory, p printing, fix bool, fixed, findings []auth.Finding) error {
	if p.Format == output.JSON {
		if fix {
			return output.WriteJSON(f.IO.Out, map[string]any{"fixed": nonNilFindings(fixed), "findings": nonNilFindings(findings)})
		}
		return output.WriteJSON(f.IO.Out, nonNilFindings(findings))
	}
	for _, x := range fixed {
		say(f, p, "fixed: %s: %s", output.Sanitize(x.Subject), output.Sanitize(x.Problem))
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "CHECK", "SUBJECT", "PROBLEM")
	for _, x := range findings {
		if err := t.Row(x.Check, x.Subject, x.Problem); err != nil {
			return err
		}
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if len(findings) == 0 {
		say(f, p, "No problems found.")
	} else {
		say(f, p, "%d problem(s) found.", len(findings))
	}
	return nil
}

// checkIntegrity runs the backend's own check of the whole database
// (bbolt: every page reachable once, the freelist, every record) before
// anything else reads it. Damage is exit 7 with what was found: the other
// checks cannot be trusted on a damaged file, and it cannot be repaired in
// place.
func checkIntegrity(cmd *cobra.Command, f *cmdutil.Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if err := dbFileSafety(f, cfg); err != nil {
		return err
	}
	st, err := backends.Open(cfg.DB, store.OpenOptions{ReadOnly: true, LockTimeout: cfg.LockTimeout})
	if err != nil {
		if errors.Is(err, store.ErrNoDatabase) {
			return cmdutil.DescribeOpenError(cfg.DB, err)
		}
		return damaged(err)
	}
	defer st.Close()
	if c, ok := st.(store.Checker); ok {
		if err := c.Check(cmd.Context()); err != nil {
			return damaged(err)
		}
	}
	return nil
}

// damaged adds what to do to an error that says the database is damaged.
func damaged(err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return fmt.Errorf("%w; restore it from a backup", err)
	}
	return err
}

func nonNilFindings(list []auth.Finding) []auth.Finding {
	if list == nil {
		return []auth.Finding{}
	}
	return list
}

// fileFindings checks, as ssh does for its keys, that no other user can
// change (or read) the database, its directory or the session file.
func fileFindings(location, sessionFile string) []auth.Finding {
	var out []auth.Finding
	check := func(what, path string, isDir bool) {
		fi, err := os.Stat(path)
		if err != nil {
			return // a missing session file is no problem
		}
		mode := fi.Mode().Perm()
		switch {
		case isDir && mode&0o022 != 0 && mode&os.ModeSticky == 0:
			out = append(out, auth.Finding{Check: "files", Subject: what + " " + path, Problem: fmt.Sprintf("mode %04o: other users can replace the files in it (chmod go-w)", mode)})
		case !isDir && mode&0o022 != 0:
			out = append(out, auth.Finding{Check: "files", Subject: what + " " + path, Problem: fmt.Sprintf("mode %04o: other users can change it (chmod 600)", mode)})
		case !isDir && mode&0o044 != 0:
			out = append(out, auth.Finding{Check: "files", Subject: what + " " + path, Problem: fmt.Sprintf("mode %04o: other users can read it (chmod 600)", mode)})
		}
	}
	if scheme, path, err := backends.Parse(location); err == nil && scheme == backends.DefaultScheme {
		check("database", path, false)
		check("database directory", filepath.Dir(path), true)
	}
	check("session file", sessionFile, false)
	return out
}
