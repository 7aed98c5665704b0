package cmd

import (
	"reflect"
	"sort"

	"github.com/spf13/cobra"

	"authctl/internal/config"
	"authctl/internal/iostreams"
)

// Manual is what the man pages and the command reference are generated
// from: the whole command tree, built without reading the environment, and
// the sections that shadow-utils' pages carry besides the options.
type Manual struct {
	Root *cobra.Command
	// ExitStatus is the exit code table, as in `authctl --help`.
	ExitStatus string
	// Environment and Files are term/meaning pairs.
	Environment [][2]string
	Files       [][2]string
}

// NewManual builds the command tree for documentation. Nothing in it runs:
// the factory it is built with reads no environment and opens nothing.
func NewManual() Manual {
	noEnv := func(string) (string, bool) { return "", false }
	ios, _, _, _ := iostreams.Test()
	f, _ := newFactory(ios, noEnv)
	f.Version = ""
	root := newRootCmd(f, "")
	root.DisableAutoGenTag = true
	return Manual{
		Root:        root,
		ExitStatus:  exitCodesTable,
		Environment: environmentDoc(),
		Files: [][2]string{
			{"/var/lib/authctl/auth.db", "the database when running as root (mode 0600, directory 0700)"},
			{"$XDG_DATA_HOME/authctl/auth.db", "the database for any other user (~/.local/share/authctl/auth.db)"},
			{"$XDG_CONFIG_HOME/authctl/config.yaml", "the configuration file read by default (~/.config/authctl/config.yaml)"},
			{config.SystemConfigFile, "the configuration file root reads by default when it has none of its own"},
			{"$XDG_STATE_HOME/authctl/session", "the tokens of the sessions login saved, one per database (~/.local/state/authctl/session)"},
		},
	}
}

// environmentDoc lists every AUTHCTL_* variable: one per configuration key,
// derived from the Config type so that a new key cannot be left out, and
// the few that are not settings.
func environmentDoc() [][2]string {
	env := [][2]string{
		{"AUTHCTL_CONFIG", "the configuration file to read instead of the default one"},
		{"AUTHCTL_SESSION", "the session token to act as, instead of the one login saved"},
	}
	for _, key := range leafKeys("", reflect.TypeOf(config.Config{})) {
		env = append(env, [2]string{envName(key), "sets the configuration key " + key})
	}
	sort.Slice(env, func(i, j int) bool { return env[i][0] < env[j][0] })
	return append(env, [2]string{"SUDO_USER", "recorded in the audit log as the person behind sudo"})
}

// exitCodesTable is the exit code table without its heading.
var exitCodesTable = exitCodesHelp[len("Exit codes:\n"):]
