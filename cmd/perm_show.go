package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type permShowOptions struct {
	f    *cmdutil.Factory
	Perm string
}

func newCmdPermShow(f *cmdutil.Factory, runF func(*permShowOptions) error) *cobra.Command {
	opts := &permShowOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show APP.CODENAME",
		Short: "Show a permission: its name, whom it is granted to, how many hold it",
		Long: `Show a permission's human name, the groups and the users it is granted to
directly, and the number of users who hold it effectively: active users who
have it directly or through a group, and active superusers (what
"user list --with-perm" lists). Users are found through the store's indexes
of group members and permission holders; the groups that grant it are found
by reading every group (groups are few).`,
		Example: `  authctl perm show blog.publish_post
  authctl perm show blog.publish_post -o json | jq .holders`,
		Args: exactArgs(1, "one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perm = args[0]
			if runF != nil {
				return runF(opts)
			}
			return permShowRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completePerms(f)),
	}
	return cmd
}

// permDetailView is perm show -o json.
type permDetailView struct {
	Permission string   `json:"permission"`
	Name       string   `json:"name"`
	Groups     []string `json:"groups"`
	Users      []string `json:"users"`
	Holders    int      `json:"holders"`
}

func permShowRun(cmd *cobra.Command, opts *permShowOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	info, err := svc.GetPermission(ctx, opts.Perm)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, permDetailView{Permission: info.Permission.Perm, Name: info.Permission.Name,
			Groups: info.Groups, Users: info.Users, Holders: info.Holders})
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ", ")
	}
	_, err = fmt.Fprintf(f.IO.Out, "permission: %s\nname:       %s\ngroups:     %s\nusers:      %s\nholders:    %d\n",
		info.Permission.Perm, output.Sanitize(info.Permission.Name), list(info.Groups), list(info.Users), info.Holders)
	return err
}
