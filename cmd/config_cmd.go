package cmd

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"authctl/internal/auth/validate"
	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/output"
)

func newCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show the settings in force and where each came from",
		Example: `  authctl config show
  authctl config path`,
		Args: cobra.ArbitraryArgs,
		RunE: runParent,
	}
	cmd.AddCommand(newCmdConfigShow(f, nil), newCmdConfigPath(f, nil))
	return cmd
}

type configShowOptions struct {
	f *cmdutil.Factory
	// flags are the parsed command line, to tell a flag's value from the
	// environment's.
	flags *pflag.FlagSet
}

func newCmdConfigShow(f *cmdutil.Factory, runF func(*configShowOptions) error) *cobra.Command {
	opts := &configShowOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its value and where it came from",
		Long: `Print every setting in force, its value and its source: a flag, an AUTHCTL_*
environment variable, the config file (named), or the built-in default. The
precedence is flag, then environment, then file, then default.`,
		Example: `  authctl config show
  authctl config show -o json | jq -r '.[] | select(.source != "default") | .key'
  AUTHCTL_LOCKOUT_ATTEMPTS=3 authctl config show | grep lockout`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.flags = cmd.Flags()
			if runF != nil {
				return runF(opts)
			}
			return configShowRun(opts)
		},
	}
	return cmd
}

// setting is one configuration key as config show prints it.
type setting struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Source string `json:"source"`
}

func configShowRun(opts *configShowOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	settings, err := configSettings(cfg, opts.flags, f.Env)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, settings)
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "KEY", "VALUE", "SOURCE")
	for _, s := range settings {
		value := fmt.Sprint(s.Value)
		if list, ok := s.Value.([]string); ok {
			value = strings.Join(list, ", ")
		}
		if err := t.Row(s.Key, value, s.Source); err != nil {
			return err
		}
	}
	return t.Flush()
}

// configSettings lists every key of cfg with the source loadConfig took it
// from, following the same precedence.
func configSettings(cfg *config.Config, flags *pflag.FlagSet, getenv func(string) string) ([]setting, error) {
	path, _ := configPath(flags, getenv)
	inFile := keysInFile(path)
	keyFlags := map[string]string{}
	for _, fk := range flagKeys {
		keyFlags[fk.key] = fk.name
	}
	var out []setting
	for _, key := range append(leafKeys("", reflect.TypeOf(*cfg)), "validators") {
		s := setting{Key: key, Value: settingValue(reflect.ValueOf(*cfg), key), Source: "default"}
		if name, ok := keyFlags[key]; ok && flags.Lookup(name) != nil && flags.Lookup(name).Changed {
			s.Source = "flag --" + name
		} else if key != "validators" && getenv(envName(key)) != "" {
			s.Source = "env " + envName(key)
		} else if inFile(key) {
			s.Source = "file " + path
		}
		out = append(out, s)
	}
	return out, nil
}

// settingValue is the value of the dotted key in a Config, for printing:
// durations and other named types as their strings.
func settingValue(v reflect.Value, key string) any {
	for _, part := range strings.Split(key, ".") {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Tag.Get("mapstructure") == part {
				v = v.Field(i)
				break
			}
		}
	}
	switch x := v.Interface().(type) {
	case fmt.Stringer:
		return x.String()
	case []validate.Spec:
		names := make([]string, len(x))
		for i, spec := range x {
			names[i] = spec.Name
			if len(spec.Options) > 0 {
				opts := make([]string, 0, len(spec.Options))
				for k, v := range spec.Options {
					opts = append(opts, fmt.Sprintf("%s=%v", k, v))
				}
				sort.Strings(opts)
				names[i] += "(" + strings.Join(opts, ", ") + ")"
			}
		}
		return names
	}
	return v.Interface()
}

type configPathOptions struct {
	f     *cmdutil.Factory
	flags *pflag.FlagSet
}

func newCmdConfigPath(f *cmdutil.Factory, runF func(*configPathOptions) error) *cobra.Command {
	opts := &configPathOptions{f: f}
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Print where the config file, the database and the session file are",
		Long: `Print the config file that is read (or, when none exists, the first place one
would be read from), the database location and the session file.`,
		Example: `  authctl config path
  authctl config path -o json | jq -r .db`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.flags = cmd.Flags()
			if runF != nil {
				return runF(opts)
			}
			return configPathRun(opts)
		},
	}
	return cmd
}

func configPathRun(opts *configPathOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	file, explicit := configPath(opts.flags, f.Env)
	_, statErr := os.Stat(file)
	exists := statErr == nil
	searched := []string{file}
	if !explicit && !exists {
		// None of the default files exists: say where one may go.
		searched, file = config.DefaultConfigFiles(f.Env), ""
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]any{
			"config_file": file, "searched": searched, "db": cfg.DB, "session_file": cfg.Session.File,
		})
	}
	if file == "" {
		file = "none (the defaults apply; looked for " + strings.Join(searched, ", ") + ")"
	}
	_, err = fmt.Fprintf(f.IO.Out, "config file: %s\ndatabase:    %s\nsession:     %s\n", file, cfg.DB, cfg.Session.File)
	return err
}
