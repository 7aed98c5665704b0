package cmd

import (
	"bufio"
	"context"
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
	// WithPerm lists the holders of a permission (Django's with_perm).
	WithPerm          string
	IncludeSuperusers bool
}

func newCmdUserList(f *cmdutil.Factory, runF func(*userListOptions) error) *cobra.Command {
	opts := &userListOptions{f: f, IncludeSuperusers: true}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List users",
		Long: `List users in username order. On a terminal this is a table; piped, one
tab-separated line per user (username, email, active, staff, superuser, groups);
with -o json, a JSON array with Django's field names, streamed so that memory
does not grow with the number of users.

--with-perm PERM lists the users who hold a permission, as Django's
User.objects.with_perm(PERM) does: directly, through a group, or as a
superuser (--include-superusers=false leaves out superusers who hold it only
as superusers). Only active users unless --inactive (then only inactive ones,
Django's is_active=False). It reads the permission's holders and the members
of the groups that grant it, not every user. The table says how each user
holds it; -o json gives "direct", "groups" and "superuser" for each.`,
		Example: `  authctl user list --group editors --active
  authctl user list -o json | jq -r '.[] | select(.is_staff) | .username'
  authctl user list --with-perm blog.publish_post
  authctl user list --with-perm blog.publish_post --include-superusers=false -o json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Active && opts.Inactive {
				return cmdutil.FlagErrorf("--active and --inactive cannot be used together")
			}
			if opts.WithPerm == "" && cmd.Flags().Changed("include-superusers") {
				return cmdutil.FlagErrorf("--include-superusers goes with --with-perm")
			}
			if opts.WithPerm != "" && (opts.Group != "" || opts.Superuser || opts.Search != "") {
				return cmdutil.FlagErrorf("--with-perm cannot be combined with --group, --superuser or --search")
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
	fl.StringVar(&opts.WithPerm, "with-perm", "", "only users who hold `PERM` (Django's with_perm)")
	fl.BoolVar(&opts.IncludeSuperusers, "include-superusers", true, "with --with-perm: list superusers (who hold every permission)")
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
	_ = cmd.RegisterFlagCompletionFunc("with-perm", completePerms(f))
	return cmd
}

func userListRun(cmd *cobra.Command, opts *userListOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	if opts.WithPerm != "" {
		return userListWithPerm(ctx, f, p, svc, opts)
	}
	filter := auth.UserFilter{Group: opts.Group, Superuser: opts.Superuser, Search: opts.Search}
	if opts.Active || opts.Inactive {
		active := opts.Active
		filter.Active = &active
	}
	// Output goes through one large buffer: a million rows are a million
	// writes otherwise. On an error nothing more is flushed.
	out := bufio.NewWriterSize(f.IO.Out, listBufferSize)
	if p.Format == output.JSON {
		if err := listUsersJSON(ctx, svc, filter, out); err != nil {
			return err
		}
		return out.Flush()
	}
	t := output.NewStreamTable(out, f.IO.IsStdoutTTY(), "USERNAME", "EMAIL", "ACTIVE", "STAFF", "SUPERUSER", "GROUPS")
	err = svc.ListUsers(ctx, filter, func(u store.User) error {
		return t.Row(u.Username, u.Email, output.Bool(u.IsActive), output.Bool(u.IsStaff), output.Bool(u.IsSuperuser), strings.Join(u.Groups, ","))
	})
	if err != nil {
		return err
	}
	if err := t.Flush(); err != nil {
		return err
	}
	return out.Flush()
}

// listBufferSize is the output buffer of user list and export.
const listBufferSize = 256 << 10

// listUsersJSON streams the users as a JSON array, in the layout of
// output.JSONArray: one user per line, each appended by hand
// (appendUserView) into one reused buffer.
func listUsersJSON(ctx context.Context, svc *auth.Service, filter auth.UserFilter, out *bufio.Writer) error {
	var (
		buf []byte
		n   int
	)
	err := svc.ListUsers(ctx, filter, func(u store.User) error {
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		n++
		var err error
		buf, err = appendUserView(append(buf[:0], sep...), &u)
		if err != nil {
			return err
		}
		_, err = out.Write(buf)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = out.WriteString("[]\n")
	} else {
		_, err = out.WriteString("\n]\n")
	}
	return err
}

// holdingView is one user of user list --with-perm -o json.
type holdingView struct {
	Username    string   `json:"username"`
	IsActive    bool     `json:"is_active"`
	IsSuperuser bool     `json:"is_superuser"`
	Direct      bool     `json:"direct"`
	Groups      []string `json:"groups"`
	Superuser   bool     `json:"superuser"`
}

// holdingHow is how a user holds a permission, for tables: "direct",
// "group editors", "superuser", joined by ", ".
func holdingHow(direct bool, groups []string, superuser bool) string {
	var how []string
	if direct {
		how = append(how, "direct")
	}
	for _, g := range groups {
		how = append(how, "group "+g)
	}
	if superuser {
		how = append(how, "superuser")
	}
	return strings.Join(how, ", ")
}

func userListWithPerm(ctx context.Context, f *cmdutil.Factory, p printing, svc *auth.Service, opts *userListOptions) error {
	o := auth.WithPermOptions{ExcludeSuperusers: !opts.IncludeSuperusers}
	active := !opts.Inactive
	o.Active = &active
	if p.Format == output.JSON {
		arr := output.NewJSONArray(f.IO.Out)
		if err := svc.WithPerm(ctx, opts.WithPerm, o, func(h auth.Holding) error {
			return arr.Add(holdingView{Username: h.User.Username, IsActive: h.User.IsActive, IsSuperuser: h.User.IsSuperuser,
				Direct: h.Direct, Groups: nonNil(h.Groups), Superuser: h.Superuser})
		}); err != nil {
			return err
		}
		return arr.Close()
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "USERNAME", "ACTIVE", "SUPERUSER", "HOLDS IT THROUGH")
	if err := svc.WithPerm(ctx, opts.WithPerm, o, func(h auth.Holding) error {
		return t.Row(h.User.Username, output.Bool(h.User.IsActive), output.Bool(h.User.IsSuperuser), holdingHow(h.Direct, h.Groups, h.Superuser))
	}); err != nil {
		return err
	}
	return t.Flush()
}
