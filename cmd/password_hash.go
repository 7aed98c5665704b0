package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

type passwordHashOptions struct {
	f        *cmdutil.Factory
	Password cmdutil.PasswordSource
	// Hasher is the algorithm; "" means the configured one.
	Hasher string
}

func newCmdPasswordHash(f *cmdutil.Factory, runF func(*passwordHashOptions) error) *cobra.Command {
	opts := &passwordHashOptions{f: f}
	cmd := &cobra.Command{
		Use:   "hash [--hasher NAME]",
		Short: "Print the Django-format hash of a password",
		Long: `Print the Django-format hash of a password, for seeding files and
"user create --password-hash". Needs no database. The validators do not run
(see "password validate"). Hashers that make new hashes: argon2 (the default),
pbkdf2_sha256, bcrypt_sha256, scrypt; costs come from the configuration.`,
		Example: `  authctl password hash                       # asks twice at the terminal
  authctl password hash --hasher pbkdf2_sha256 --password-stdin < pw.txt`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return passwordHashRun(cmd, opts)
		},
	}
	opts.Password.AddFlags(cmd)
	cmd.Flags().StringVar(&opts.Hasher, "hasher", "", "hasher `NAME`: argon2, pbkdf2_sha256, bcrypt_sha256 or scrypt (default: hasher.algorithm)")
	_ = cmd.RegisterFlagCompletionFunc("hasher", cobra.FixedCompletions([]string{"argon2", "pbkdf2_sha256", "bcrypt_sha256", "scrypt"}, cobra.ShellCompDirectiveNoFileComp))
	acceptsOutput(cmd) // prints the hash alone
	return cmd
}

func passwordHashRun(cmd *cobra.Command, opts *passwordHashOptions) error {
	f := opts.f
	// The service opens no database unless asked to read one.
	svc, _, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	pw, err := readNewPassword(f, &opts.Password)
	if err != nil {
		return err
	}
	encoded, err := svc.HashPassword(pw, opts.Hasher)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f.IO.Out, encoded)
	return err
}
