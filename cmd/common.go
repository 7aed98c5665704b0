package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

// printing is what every command needs to know about its output.
type printing struct {
	Format output.Format
	Quiet  bool
}

// outputSettings reads -o and -q from the configuration and checks -o
// against the formats the command offers.
func outputSettings(f *cmdutil.Factory, allowed ...output.Format) (printing, error) {
	cfg, err := f.Config()
	if err != nil {
		return printing{}, err
	}
	if len(allowed) == 0 {
		allowed = []output.Format{output.Table, output.JSON}
	}
	format, err := output.ParseFormat(cfg.Output, allowed...)
	if err != nil {
		if _, known := output.ParseFormat(cfg.Output, output.Table, output.JSON, output.JSONL, output.YAML); cfg.OutputFlag || known != nil {
			return printing{}, cmdutil.FlagErrorf("%v", err)
		}
		// A default from AUTHCTL_OUTPUT or the config file applies where
		// it can; a command without that output uses its table.
		format = output.Table
	}
	return printing{Format: format, Quiet: cfg.Quiet}, nil
}

// say prints a message for people on stderr, unless -q.
func say(f *cmdutil.Factory, p printing, format string, args ...any) {
	if p.Quiet {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, format+"\n", args...)
}

// begin is how most commands start: their output settings (checking -o
// against formats, default table and json) and the auth service.
func begin(cmd *cobra.Command, f *cmdutil.Factory, access cmdutil.Access, formats ...output.Format) (printing, *auth.Service, context.Context, error) {
	p, err := outputSettings(f, formats...)
	if err != nil {
		return p, nil, nil, err
	}
	svc, ctx, err := serviceFor(cmd, f, access)
	return p, svc, ctx, err
}

// serviceFor opens the auth service for a command.
func serviceFor(cmd *cobra.Command, f *cmdutil.Factory, access cmdutil.Access) (*auth.Service, context.Context, error) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	svc, err := f.Service(ctx, access)
	return svc, ctx, err
}

// exactArgs is cobra.ExactArgs with a message that names what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return cmdutil.FlagErrorf("%s takes %s (got %d argument(s))", commandName(cmd), what, len(args))
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a message that names what is missing.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return cmdutil.FlagErrorf("%s takes %s", commandName(cmd), what)
		}
		return nil
	}
}

// runParent is the RunE of a command that only groups others ("authctl
// user"): alone it prints its help; with an argument that is no
// subcommand it is a usage error (exit 2), as at the top level. Without
// it Cobra prints the help and exits 0 for "authctl user bogus".
func runParent(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], commandPath(cmd))
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + quoteAll(s, "") + "?"
	}
	return cmdutil.FlagErrorf("%s", msg)
}
