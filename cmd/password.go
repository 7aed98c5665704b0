package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func newCmdPassword(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "password <command>",
		RunE:  runParent,
		Short: "Hash a password for seeding files, or test it against the validators",
		Example: `  authctl password hash --hasher pbkdf2_sha256
  authctl password validate --user alice`,
	}
	cmd.AddCommand(newCmdPasswordHash(f, nil), newCmdPasswordValidate(f, nil))
	return cmd
}

// readNewPassword reads a password from a flag, or asks twice at the
// terminal.
func readNewPassword(f *cmdutil.Factory, src *cmdutil.PasswordSource) (string, error) {
	if src.Given() {
		return src.ReadNonInteractive(f)
	}
	pr, err := f.IO.Prompter()
	if err != nil {
		return "", cmdutil.ErrNoPasswordSource
	}
	return cmdutil.AskNew(f, pr)
}
