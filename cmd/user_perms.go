package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userPermsOptions struct {
	f        *cmdutil.Factory
	Username string
}

func newCmdUserPerms(f *cmdutil.Factory, runF func(*userPermsOptions) error) *cobra.Command {
	opts := &userPermsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "perms NAME",
		Short: "List a user's effective permissions and where each comes from",
		Long: `List every permission a user has, each with its sources: a direct grant,
the groups that grant it, or being a superuser. As in Django, an inactive user
has none, and an active superuser has every permission in the database.

With -o json the object carries Django's get_user_permissions,
get_group_permissions and get_all_permissions (for an active superuser all
three are every permission; for an inactive user all three are empty), and
"sources" with one entry per permission.`,
		Example: `  authctl user perms alice
  authctl user perms alice -o json | jq -r '.get_group_permissions[]'`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userPermsRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	return cmd
}

// userPermsView is user perms -o json (and the "permissions" of user show
// --perms -o json).
type userPermsView struct {
	Username         string            `json:"username"`
	IsActive         bool              `json:"is_active"`
	IsSuperuser      bool              `json:"is_superuser"`
	UserPermissions  []string          `json:"get_user_permissions"`
	GroupPermissions []string          `json:"get_group_permissions"`
	AllPermissions   []string          `json:"get_all_permissions"`
	Sources          []auth.PermSource `json:"sources"`
}

func newUserPermsView(up auth.UserPermissions) userPermsView {
	return userPermsView{
		Username:         up.User.Username,
		IsActive:         up.User.IsActive,
		IsSuperuser:      up.User.IsSuperuser,
		UserPermissions:  nonNil(up.UserPerms),
		GroupPermissions: nonNil(up.GroupPerms),
		AllPermissions:   nonNil(up.AllPerms),
		Sources:          up.Sources,
	}
}

func userPermsRun(cmd *cobra.Command, opts *userPermsOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	up, err := svc.GetUserPermissions(ctx, opts.Username)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newUserPermsView(up))
	}
	return printPermSources(f, up)
}

// printPermSources prints a table of permissions and their sources, or on
// stderr why there are none.
func printPermSources(f *cmdutil.Factory, up auth.UserPermissions) error {
	if len(up.Sources) == 0 {
		why := "has no permission"
		if !up.User.IsActive {
			why = "is inactive: no permission"
		}
		_, err := fmt.Fprintf(f.IO.ErrOut, "%s %s\n", up.User.Username, why)
		return err
	}
	return writePermSources(f.IO.Out, f.IO.IsStdoutTTY(), up)
}

func writePermSources(w io.Writer, tty bool, up auth.UserPermissions) error {
	t := output.NewTable(w, tty, "PERMISSION", "SOURCE")
	for _, s := range up.Sources {
		if err := t.Row(s.Perm, holdingHow(s.Direct, s.Groups, s.Superuser)); err != nil {
			return err
		}
	}
	return t.Flush()
}
