package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type passwordValidateOptions struct {
	f        *cmdutil.Factory
	Password cmdutil.PasswordSource
	// User, when set, is the user whose name and email the similarity
	// validator compares with.
	User string
}

func newCmdPasswordValidate(f *cmdutil.Factory, runF func(*passwordValidateOptions) error) *cobra.Command {
	opts := &passwordValidateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "validate [--user NAME]",
		Short: "Run the password validators and print every failure (exit 0 passes, 5 fails)",
		Long: `Run the configured password validators (by default Django's four: similarity to
the user's attributes, minimum length 8, common passwords, entirely numeric) and
print every rule the password breaks, one per line, with Django's messages. With
--user, the similarity check compares against that user's name and email.`,
		Example: `  authctl password validate                  # asks at the terminal
  printf '%s\n' "$NEW_PW" | authctl password validate --user alice --password-stdin -q`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return passwordValidateRun(cmd, opts)
		},
	}
	opts.Password.AddFlags(cmd)
	cmd.Flags().StringVar(&opts.User, "user", "", "compare with this `USER`'s name and email")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

type passwordFailure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func passwordValidateRun(cmd *cobra.Command, opts *passwordValidateOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	pw, err := opts.Password.ReadExisting(f, "Password: ")
	if err != nil {
		return err
	}
	// Without --user no database is read.
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	failures, err := svc.PasswordFailures(ctx, pw, opts.User)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		v := struct {
			Valid  bool              `json:"valid"`
			Errors []passwordFailure `json:"errors"`
		}{Valid: len(failures) == 0, Errors: []passwordFailure{}}
		for _, fl := range failures {
			v.Errors = append(v.Errors, passwordFailure{fl.Code, fl.Message})
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
}
