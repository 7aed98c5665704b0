package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

func newCmdDoctor(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the whole database for damage",
		Long: `Check the whole database for damage: every page and every record, not only
those other commands happen to read. It only reads, and takes time in
proportion to the size of the database.

Exit 0 when no damage is found; exit 7, with the first problems found, when
the database is damaged. A damaged database cannot be repaired in place:
restore it from a backup (or, from an export, with "authctl apply").`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if cfg.Quiet {
				return nil
			}
			_, err = fmt.Fprintf(f.IO.Out, "%s: no damage found\n", cfg.DB)
			return err
		},
	}
}

// damaged adds what to do to an error that says the database is damaged.
func damaged(err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return fmt.Errorf("%w; restore it from a backup", err)
	}
	return err
}
