// Package cmd is authctl's command line: thin Cobra commands over the auth
// core. Main is the only entry point; it returns the exit code for main to
// pass to os.Exit.
package cmd

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

const exitCodesHelp = `Exit codes:
  0    success; allowed
  1    denied; authentication failed; not logged in
  2    usage error (bad flag or argument, no terminal to prompt on)
  3    not found (user, group, permission, session, or the database)
  4    already exists
  5    invalid input (bad name, unknown hash format, password rejected)
  6    database busy (another process holds the lock past --lock-timeout,
       or changed what an apply or import was about to write: run it again)
  7    database unreadable or other internal failure
  130  interrupted (Ctrl-C or Ctrl-D at a prompt, an empty answer to
       changepassword, a declined confirmation); nothing was written`

// newRootFor builds the tree for running args: when the first word names a
// top-level command, only that command's subtree is built. Start-up time is
// most of what a one-shot `authctl check` costs, and building every
// command with its flags is a good part of it. Anything else (help, an
// unknown word that needs suggestions, completion) gets the whole tree.
func newRootFor(f *cmdutil.Factory, args []string) *cobra.Command {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		for _, e := range commandTable(f) {
			if e.name == args[0] {
				return newRootCmd(f, e.name)
			}
		}
	}
	return newRootCmd(f, "")
}

// commandEntry is one top-level command and how to build it.
type commandEntry struct {
	name, group string
	build       func() *cobra.Command
}

func commandTable(f *cmdutil.Factory) []commandEntry {
	return []commandEntry{
		{"user", "manage", func() *cobra.Command { return newCmdUser(f) }},
		{"group", "manage", func() *cobra.Command { return newCmdGroup(f) }},
		{"perm", "manage", func() *cobra.Command { return newCmdPerm(f) }},
		{"session", "manage", func() *cobra.Command { return newCmdSession(f) }},
		{"audit", "manage", func() *cobra.Command { return newCmdAudit(f) }},
		{"apply", "manage", func() *cobra.Command { return newCmdApply(f, nil) }},
		{"import", "manage", func() *cobra.Command { return newCmdImport(f, nil) }},
		{"export", "manage", func() *cobra.Command { return newCmdExport(f, nil) }},
		{"db", "manage", func() *cobra.Command { return newCmdDB(f) }},
		{"check", "check", func() *cobra.Command { return newCmdCheck(f, nil) }},
		{"authenticate", "check", func() *cobra.Command { return newCmdAuthenticate(f, nil) }},
		{"login", "check", func() *cobra.Command { return newCmdLogin(f, nil) }},
		{"logout", "check", func() *cobra.Command { return newCmdLogout(f, nil) }},
		{"whoami", "check", func() *cobra.Command { return newCmdWhoami(f, nil) }},
		{"password", "check", func() *cobra.Command { return newCmdPassword(f) }},
		{"config", "other", func() *cobra.Command { return newCmdConfig(f) }},
		{"doctor", "other", func() *cobra.Command { return newCmdDoctor(f, nil) }},
		{"test", "check", func() *cobra.Command { return newCmdTest(f, nil) }},
		{"version", "other", func() *cobra.Command { return newCmdVersion(f, nil) }},
	}
}

func newRootCmd(f *cmdutil.Factory, only string) *cobra.Command {
	root := &cobra.Command{
		Use:   "authctl <command> [flags]",
		Short: "Manage users, groups and permissions the Django way, in one file",
		Example: `  authctl user create alice
  authctl perm grant blog.add_post --user alice --create
  authctl check blog.add_post --user alice --explain`,
		Long: `authctl manages users, groups and app_label.codename permissions with Django's
authentication model — salted password hashes Django can read, its password
validators, its permission rules — in an embedded database. No server needed.

Passwords are never taken from arguments: they are asked for at the terminal
(echo off) or read with --password-stdin, --password-file or --password-env.

` + exitCodesHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
	}
	root.SetVersionTemplate("authctl {{.Version}}\n")
	if only != "" {
		// Cobra would build its completion command (four shells, their
		// help texts) for every run; a run of one named command never
		// reaches it ("authctl completion ..." gets the whole tree).
		root.CompletionOptions.DisableDefaultCmd = true
	}
	pf := root.PersistentFlags()
	pf.String("db", "", "database `PATH` or etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (default: /var/lib/authctl/auth.db for root, else $XDG_DATA_HOME/authctl/auth.db)")
	pf.String("config", "", "config `FILE` (default: $XDG_CONFIG_HOME/authctl/config.yaml if it exists, else for root /etc/authctl/config.yaml if it exists)")
	pf.StringP("output", "o", "", "output `FORMAT`: table or json (some commands also take jsonl or yaml)")
	_ = root.RegisterFlagCompletionFunc("output", completeOutput)
	pf.BoolP("quiet", "q", false, "print nothing but errors; the exit code carries the answer")
	pf.Duration("lock-timeout", 5*time.Second, "wait up to `DURATION` (10s, 1m) for another authctl process to release the database")
	pf.Bool("insecure-permissions", false, "use a database or session file even if others could write or replace it")

	root.AddGroup(
		&cobra.Group{ID: "manage", Title: "Manage accounts:"},
		&cobra.Group{ID: "check", Title: "Check and authenticate:"},
		&cobra.Group{ID: "other", Title: "Other commands:"},
	)
	root.SetHelpCommandGroupID("other")
	root.SetCompletionCommandGroupID("other")
	for _, e := range commandTable(f) {
		if only != "" && e.name != only {
			continue
		}
		c := e.build()
		c.GroupID = e.group
		root.AddCommand(c)
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.FlagErrorf("%s", usageMessage(c, err))
	})
	return root
}

// markRunning wraps every command's RunE so that Main can tell a usage error
// found by Cobra (before RunE) from an error the command returned.
func markRunning(c *cobra.Command, running *bool) {
	if c.RunE != nil {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			*running = true
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markRunning(sub, running)
	}
}

// commandPath is "authctl user create" for help hints.
func commandPath(c *cobra.Command) string {
	if c == nil {
		return "authctl"
	}
	return strings.TrimSpace(c.CommandPath())
}
