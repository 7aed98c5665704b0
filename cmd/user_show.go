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
}

func newCmdUserShow(f *cmdutil.Factory, runF func(*userShowOptions) error) *cobra.Command {
	opts := &userShowOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a user: fields, groups, direct and effective permissions",
		Long: `Show a user's fields, groups, direct permissions and effective permissions
(Django's get_all_permissions: none for an inactive user, every permission for an
active superuser), failed logins and lock state, and a masked summary of the
password hash (like Django's admin; the hash itself is never shown).`,
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
	return cmd
}

func userShowRun(cmd *cobra.Command, opts *userShowOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	info, err := svc.GetUser(ctx, opts.Username)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newUserDetailView(info))
	}
	return printUserDetail(f.IO.Out, info)
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
