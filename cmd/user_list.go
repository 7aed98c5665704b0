package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

type userListOptions struct {
	f         *cmdutil.Factory
	Group     string
	Active    bool
	Inactive  bool
	Superuser bool
	Search    string
}

func newCmdUserList(f *cmdutil.Factory, runF func(*userListOptions) error) *cobra.Command {
	opts := &userListOptions{f: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List users",
		Long: `List users in username order. On a terminal this is a table; piped, one
tab-separated line per user (username, email, active, staff, superuser, groups);
with -o json, a JSON array with Django's field names, streamed so that memory
does not grow with the number of users.`,
		Example: `  authctl user list --group editors --active
  authctl user list -o json | jq -r '.[] | select(.is_staff) | .username'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Active && opts.Inactive {
				return cmdutil.FlagErrorf("--active and --inactive cannot be used together")
			}
			if runF != nil {
				return runF(opts)
			}
			return userListRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Group, "group", "", "only members of `GROUP`")
	fl.BoolVar(&opts.Active, "active", false, "only active users")
	fl.BoolVar(&opts.Inactive, "inactive", false, "only inactive users")
	fl.BoolVar(&opts.Superuser, "superuser", false, "only superusers")
	fl.StringVar(&opts.Search, "search", "", "only users whose username, email or name contains `TEXT` (any case)")
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
	return cmd
}

func userListRun(cmd *cobra.Command, opts *userListOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	filter := auth.UserFilter{Group: opts.Group, Superuser: opts.Superuser, Search: opts.Search}
	if opts.Active || opts.Inactive {
		active := opts.Active
		filter.Active = &active
	}
	if p.Format == output.JSON {
		arr := output.NewJSONArray(f.IO.Out)
		if err := svc.ListUsers(ctx, filter, func(u store.User) error { return arr.Add(newUserView(u)) }); err != nil {
			return err
		}
		return arr.Close()
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "USERNAME", "EMAIL", "ACTIVE", "STAFF", "SUPERUSER", "GROUPS")
	err = svc.ListUsers(ctx, filter, func(u store.User) error {
		return t.Row(u.Username, u.Email, output.Bool(u.IsActive), output.Bool(u.IsStaff), output.Bool(u.IsSuperuser), strings.Join(u.Groups, ","))
	})
	if err != nil {
		return err
	}
	return t.Flush()
}
