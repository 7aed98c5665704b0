package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userShowOptions struct {
	f        *cmdutil.Factory
	Username string
	// Perms adds every effective permission with its source.
	Perms bool
}

func newCmdUserShow(f *cmdutil.Factory, runF func(*userShowOptions) error) *cobra.Command {
	opts := &userShowOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a user: fields, groups, direct and effective permissions",
		Long: `Show a user's fields, groups, direct permissions and effective permissions
(Django's get_all_permissions: none for an inactive user, every permission for an
active superuser), failed logins and lock state, and a masked summary of the
password hash (like Django's admin; the hash itself is never shown).

--perms adds each effective permission with its source (direct, the groups
that grant it, superuser), as "authctl user perms" lists them; with -o json,
under "permissions", with Django's get_user_permissions,
get_group_permissions and get_all_permissions.`,
		Example: `  authctl user show alice
  authctl user show alice --perms
  authctl user show alice -o json | jq .all_permissions`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userShowRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	cmd.Flags().BoolVar(&opts.Perms, "perms", false, "also list each effective permission with its source")
	return cmd
}

// userShowPermsView is user show --perms -o json.
type userShowPermsView struct {
	userDetailView
	Permissions userPermsView `json:"permissions"`
}

func userShowRun(cmd *cobra.Command, opts *userShowOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	info, err := svc.GetUser(ctx, opts.Username)
	if err != nil {
		return err
	}
	if !opts.Perms {
		if p.Format == output.JSON {
			return output.WriteJSON(f.IO.Out, newUserDetailView(info))
		}
		return printUserDetail(f.IO.Out, info)
	}
	up, err := svc.GetUserPermissions(ctx, opts.Username)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, userShowPermsView{userDetailView: newUserDetailView(info), Permissions: newUserPermsView(up)})
	}
	if err := printUserDetail(f.IO.Out, info); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f.IO.Out, "permission sources:"); err != nil {
		return err
	}
	if len(up.Sources) == 0 {
		_, err := fmt.Fprintln(f.IO.Out, "  -")
		return err
	}
	for _, src := range up.Sources {
		if _, err := fmt.Fprintf(f.IO.Out, "  %s: %s\n", src.Perm, holdingHow(src.Direct, src.Groups, src.Superuser)); err != nil {
			return err
		}
	}
	return nil
}

func printUserDetail(w io.Writer, info auth.UserInfo) error {
	u := info.User
	list := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ", ")
	}
	var hash []string
	for _, fld := range info.HashSummary {
		if len(info.HashSummary) == 1 && fld.Key == "password" {
			// "no password set (unusable)", not "password: no password set".
			hash = append(hash, fld.Value)
			continue
		}
		hash = append(hash, fld.Key+": "+fld.Value)
	}
	lock := "not locked"
	if !info.LockedUntil.IsZero() {
		lock = "locked until " + formatTime(&info.LockedUntil)
	}
	rows := [][2]string{
		{"username", u.Username},
		{"email", u.Email},
		{"first name", u.FirstName},
		{"last name", u.LastName},
		{"active", output.Bool(u.IsActive)},
		{"staff", output.Bool(u.IsStaff)},
		{"superuser", output.Bool(u.IsSuperuser)},
		{"last login", formatTime(u.LastLogin)},
		{"date joined", formatTime(&u.DateJoined)},
		{"groups", list(u.Groups)},
		{"user permissions", list(u.Permissions)},
		{"all permissions", list(info.EffectivePerms)},
		{"password", strings.Join(hash, ", ")},
		{"failed logins", fmt.Sprintf("%d (%s)", info.Failures, lock)},
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%-17s %s\n", r[0]+":", output.Sanitize(r[1])); err != nil {
			return err
		}
	}
	return nil
}
