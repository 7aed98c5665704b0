package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

func newCmdPassword(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "password <command>",
		RunE:  runParent,
		Short: "Hash a password for seeding files, or test it against the validators",
	}
	cmd.AddCommand(newCmdPasswordHash(f), newCmdPasswordValidate(f))
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
		return "", cmdutil.FlagErrorf("no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME")
	}
	return cmdutil.AskNew(f, pr)
}

func newCmdPasswordHash(f *cmdutil.Factory) *cobra.Command {
	var (
		src       cmdutil.PasswordSource
		algorithm string
	)
	cmd := &cobra.Command{
		Use:   "hash [--hasher NAME]",
		Short: "Print the Django-format hash of a password",
		Long: `Print the Django-format hash of a password, for seeding files and
"user create --password-hash". Needs no database. The validators do not run
(see "password validate"). Hashers that make new hashes: argon2 (the default),
pbkdf2_sha256, bcrypt_sha256, scrypt; costs come from the configuration.`,
		Example: `  authctl password hash --hasher pbkdf2_sha256 --password-stdin < pw.txt`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The service opens no database unless asked to read one.
			svc, _, err := serviceFor(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			pw, err := readNewPassword(f, &src)
			if err != nil {
				return err
			}
			encoded, err := svc.HashPassword(pw, algorithm)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IO.Out, encoded)
			return err
		},
	}
	src.AddFlags(cmd)
	cmd.Flags().StringVar(&algorithm, "hasher", "", "hasher `NAME`: argon2, pbkdf2_sha256, bcrypt_sha256 or scrypt (default: hasher.algorithm)")
	_ = cmd.RegisterFlagCompletionFunc("hasher", cobra.FixedCompletions([]string{"argon2", "pbkdf2_sha256", "bcrypt_sha256", "scrypt"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func newCmdPasswordValidate(f *cmdutil.Factory) *cobra.Command {
	var (
		src  cmdutil.PasswordSource
		user string
	)
	cmd := &cobra.Command{
		Use:   "validate [--user NAME]",
		Short: "Run the password validators and print every failure (exit 0 passes, 5 fails)",
		Long: `Run the configured password validators (by default Django's four: similarity to
the user's attributes, minimum length 8, common passwords, entirely numeric) and
print every rule the password breaks, one per line, with Django's messages. With
--user, the similarity check compares against that user's name and email.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := outputSettings(f)
			if err != nil {
				return err
			}
			pw, err := src.ReadExisting(f, "Password: ")
			if err != nil {
				return err
			}
			// Without --user no database is read.
			svc, ctx, err := serviceFor(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			failures, err := svc.PasswordFailures(ctx, pw, user)
			if err != nil {
				return err
			}
			if p.Format == output.JSON {
				type failure struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				}
				v := struct {
					Valid  bool      `json:"valid"`
					Errors []failure `json:"errors"`
				}{Valid: len(failures) == 0, Errors: []failure{}}
				for _, fl := range failures {
					v.Errors = append(v.Errors, failure{fl.Code, fl.Message})
				}
				if err := output.WriteJSON(f.IO.Out, v); err != nil {
					return err
				}
			} else if !p.Quiet {
				for _, fl := range failures {
					fmt.Fprintln(f.IO.Out, fl.Message)
				}
				if len(failures) == 0 {
					fmt.Fprintln(f.IO.Out, "valid")
				}
			}
			if len(failures) > 0 {
				return &cmdutil.ExitError{Code: cmdutil.ExitInvalid}
			}
			return nil
		},
	}
	src.AddFlags(cmd)
	cmd.Flags().StringVar(&user, "user", "", "compare with this `USER`'s name and email")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}
