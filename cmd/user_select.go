package cmd

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
)

// userSelection is how the bulk user commands (set, delete, unlock) are
// told which users to change: names as arguments, names on standard input,
// and filters. Everything is picked and changed in one transaction.
type userSelection struct {
	Names    []string
	Group    string
	Inactive bool
	Stdin    bool
}

func (s *userSelection) addFlags(cmd *cobra.Command, f *cmdutil.Factory) {
	fl := cmd.Flags()
	fl.StringVar(&s.Group, "group", "", "only members of `GROUP` (alone: every member)")
	fl.BoolVar(&s.Inactive, "inactive", false, "only inactive users (alone: every inactive user)")
	fl.BoolVar(&s.Stdin, "stdin", false, "read more usernames from standard input, one a line")
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
}

// maxStdinNames bounds what --stdin reads, so that a wrong pipe cannot
// exhaust memory.
const maxStdinNames = 1 << 20

// selector builds the auth.Selector, reading names from standard input
// when --stdin was given. With no name and no filter it is a usage error:
// a bulk change never means "every user" by default.
func (s *userSelection) selector(f *cmdutil.Factory) (auth.Selector, error) {
	names := s.Names
	if s.Stdin {
		sc := bufio.NewScanner(f.IO.In)
		for sc.Scan() {
			if name := strings.TrimSpace(sc.Text()); name != "" {
				if len(names) >= maxStdinNames {
					return auth.Selector{}, fmt.Errorf("--stdin: more than %d usernames", maxStdinNames)
				}
				names = append(names, name)
			}
		}
		if err := sc.Err(); err != nil {
			return auth.Selector{}, fmt.Errorf("--stdin: %w", err)
		}
		if len(names) == 0 {
			return auth.Selector{}, cmdutil.FlagErrorf("--stdin: no usernames on standard input")
		}
	}
	sel := auth.Selector{Names: names, Group: s.Group, Inactive: s.Inactive}
	if sel.IsZero() {
		return sel, cmdutil.FlagErrorf("name at least one user, or select users with --group, --inactive or --stdin")
	}
	return sel, nil
}

// single reports whether the selection is exactly one named user, which
// the commands report as they always have.
func (s *userSelection) single() bool {
	return len(s.Names) == 1 && !s.Stdin && s.Group == "" && !s.Inactive
}

// describeUsers is "user alice" or "3 users (alice, bob, carol)".
func describeUsers(names []string) string {
	if len(names) == 1 {
		return "user " + names[0]
	}
	const show = 10
	list := names
	more := ""
	if len(list) > show {
		list, more = list[:show], fmt.Sprintf(", and %d more", len(names)-show)
	}
	return fmt.Sprintf("%d users (%s%s)", len(names), strings.Join(list, ", "), more)
}
