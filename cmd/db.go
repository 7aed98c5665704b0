package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/output"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

func newCmdDB(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "db <command>",
		RunE:    runParent,
		Short:   "Move a whole database between backends",
		Example: `  authctl db copy /var/lib/authctl/auth.db etcd://10.0.0.1:2379/authctl/`,
	}
	cmd.AddCommand(newCmdDBCopy(f, nil))
	return cmd
}

// dbCopyOptions is what db copy needs: the two locations and how to
// treat what TO already holds.
type dbCopyOptions struct {
	f     *cmdutil.Factory
	From  string
	To    string
	Force bool
	Merge bool
}

func newCmdDBCopy(f *cmdutil.Factory, runF func(*dbCopyOptions) error) *cobra.Command {
	opts := &dbCopyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "copy FROM TO [--force|--merge]",
		Short: "Copy every record of one database into another",
		Long: `Copy every record of the database FROM into the database TO: users with their
password hashes, groups, permissions, sessions, failure records and the audit
log, whose chain still verifies in TO. FROM and TO are locations as --db takes
them: a file path, bolt:PATH or etcd://HOST:PORT[,HOST:PORT...][/PREFIX]; the
etcd settings (etcd.*) apply to both. FROM is read in one consistent view.

TO must be empty, or --force replaces what it holds, or --merge writes FROM's
records over TO's records of the same name and keeps the rest (TO keeps its
own session secret, and its audit log must be empty unless FROM's is).
TO is written in batches of whole records: a copy that fails half way leaves
TO partly written; run it again with --force.`,
		Example: `  authctl db copy /var/lib/authctl/auth.db etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379
  authctl db copy etcd://10.0.0.1:2379/authctl/ backup.db --force`,
		Args: exactArgs(2, "FROM and TO"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From, opts.To = args[0], args[1]
			if opts.Force && opts.Merge {
				return cmdutil.FlagErrorf("--force and --merge exclude each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return dbCopyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete what TO holds first")
	cmd.Flags().BoolVar(&opts.Merge, "merge", false, "add FROM's records to what TO holds")
	return cmd
}

// dbCopyView is db copy's JSON: what was copied, by kind.
type dbCopyView struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Users       int    `json:"users"`
	Groups      int    `json:"groups"`
	Permissions int    `json:"permissions"`
	Sessions    int    `json:"sessions"`
	Failures    int    `json:"failures"`
	Audit       int    `json:"audit_records"`
}

// existsError is a refusal to write over records: exit 4.
type existsError struct{ err error }

func (e *existsError) Error() string   { return e.err.Error() }
func (e *existsError) Unwrap() []error { return []error{e.err, auth.ErrExists} }

func dbCopyRun(ctx context.Context, opts *dbCopyOptions) error {
	f, fromLoc, toLoc := opts.f, opts.From, opts.To
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	mode := backends.CopyIntoEmpty
	switch {
	case opts.Force:
		mode = backends.CopyForce
	case opts.Merge:
		mode = backends.CopyMerge
	}
	set, err := backendSettingsFor(cfg, f.Lookup, fromLoc, toLoc)
	if err != nil {
		return err
	}
	if fromLoc == toLoc {
		return cmdutil.FlagErrorf("FROM and TO are the same database")
	}
	open := store.OpenOptions{LockTimeout: cfg.LockTimeout}
	ro := open
	ro.ReadOnly = true
	from, err := backends.OpenWith(fromLoc, ro, set)
	if err != nil {
		return cmdutil.DescribeOpenError(fromLoc, err)
	}
	defer from.Close()
	rw := open
	rw.Create = true
	to, err := backends.OpenWith(toLoc, rw, set)
	if err != nil {
		return cmdutil.DescribeOpenError(toLoc, err)
	}
	defer to.Close()
	st, err := backends.Copy(ctx, from, to, auth.MetaKeys, mode)
	if errors.Is(err, backends.ErrTargetNotEmpty) {
		return &existsError{fmt.Errorf("%s: %w", toLoc, err)}
	}
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", fromLoc, toLoc, err)
	}
	if err := to.Close(); err != nil {
		return err
	}
	if err := copyAuditKey(cfg, fromLoc, toLoc); err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, dbCopyView{
			From: fromLoc, To: toLoc, Users: st.Users, Groups: st.Groups, Permissions: st.Permissions,
			Sessions: st.Sessions, Failures: st.Failures, Audit: st.Audit,
		})
	}
	if !p.Quiet {
		fmt.Fprintf(f.IO.Out, "copied %d users, %d groups, %d permissions, %d sessions, %d failure records and %d audit records from %s to %s\n",
			st.Users, st.Groups, st.Permissions, st.Sessions, st.Failures, st.Audit, fromLoc, toLoc)
	}
	return nil
}

// copyAuditKey gives a file target the source's audit key when both keys
// live at their default places beside the files and the target has none:
// the copied chain verifies only under the key it was made with. An
// explicit audit_key is already shared by both; a key elsewhere (etcd) is
// the operator's to place, as docs/scale-out.md says.
func copyAuditKey(cfg *config.Config, fromLoc, toLoc string) error {
	if cfg.AuditKey != "" {
		return nil
	}
	fromKey, err := auditKeyPath(&config.Config{DB: fromLoc})
	if err != nil || fromKey == "" {
		return nil
	}
	toKey, err := auditKeyPath(&config.Config{DB: toLoc})
	if err != nil || toKey == "" {
		return nil
	}
	key, err := os.ReadFile(fromKey)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // an unkeyed log, or none yet
	}
	if err != nil {
		return fmt.Errorf("audit key %s: %w", fromKey, err)
	}
	out, err := os.OpenFile(toKey, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit key %s: %w", toKey, err)
	}
	if _, err := out.Write(key); err != nil {
		out.Close()
		return fmt.Errorf("audit key %s: %w", toKey, err)
	}
	return out.Close()
}
