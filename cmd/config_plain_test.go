package cmd

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"authctl/internal/cmdutil"
	"authctl/internal/config"
)

// Without a config file or an AUTHCTL_* setting, the configuration is built
// without Viper; it must be what Viper makes of the same defaults and
// flags, for every global flag in flagKeys, alone and together.
func TestPlainConfigMatchesViper(t *testing.T) {
	c := newConfigFixture(t)
	values := map[string][]string{
		"db":                   {"--db", "other.db"},
		"output":               {"-o", "json"},
		"quiet":                {"-q"},
		"lock-timeout":         {"--lock-timeout", "1m30s"},
		"insecure-permissions": {"--insecure-permissions"},
	}
	var all []string
	names := make([]string, 0, len(flagKeys))
	for _, fk := range flagKeys {
		names = append(names, fk.name)
	}
	sort.Strings(names)
	cases := [][]string{nil}
	for _, name := range names {
		args, ok := values[name]
		if !ok {
			t.Fatalf("global flag --%s has no test value here", name)
		}
		cases = append(cases, args)
		all = append(all, args...)
	}
	cases = append(cases, all,
		[]string{"--quiet=false", "--insecure-permissions=false", "--lock-timeout", "0s"},
		[]string{"--db", "etcd://127.0.0.1:2379/app"},
	)
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			fs := pflag.NewFlagSet("authctl", pflag.ContinueOnError)
			fs.AddFlagSet(newRootCmd(&cmdutil.Factory{}, "version").PersistentFlags())
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			getenv := func(k string) string { return c.env[k] }
			def := config.DefaultsFor(getenv)
			leaves := leafKeys("", reflect.TypeOf(def))
			if needsViper(fs, getenv, leaves) {
				t.Fatal("needsViper with no file and no AUTHCTL_* variable")
			}
			before := viperLoads.Load()
			plain, err := readConfig(fs, getenv)
			if err != nil {
				t.Fatal(err)
			}
			if viperLoads.Load() != before {
				t.Error("readConfig used Viper with nothing to merge")
			}
			viaViper, err := readConfigViper(fs, getenv, def, leaves)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plain, viaViper) {
				t.Errorf("without Viper: %+v\nwith Viper:    %+v", *plain, *viaViper)
			}
		})
	}
}

// A config file, named or found, or any AUTHCTL_* setting sends the
// configuration through Viper; AUTHCTL_CONFIG and AUTHCTL_SESSION (a token,
// not a setting) are not settings.
func TestNeedsViper(t *testing.T) {
	c := newConfigFixture(t)
	file := c.file("conf.yaml", "output: json\n")
	check := func(name string, args []string, env map[string]string, want bool) {
		t.Helper()
		fs := pflag.NewFlagSet("authctl", pflag.ContinueOnError)
		fs.AddFlagSet(newRootCmd(&cmdutil.Factory{}, "version").PersistentFlags())
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return c.env[k]
		}
		leaves := leafKeys("", reflect.TypeOf(config.Config{}))
		if got := needsViper(fs, getenv, leaves); got != want {
			t.Errorf("%s: needsViper %v, want %v", name, got, want)
		}
		before := viperLoads.Load()
		if _, err := loadConfig(fs, getenv); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if used := viperLoads.Load() != before; used != want {
			t.Errorf("%s: Viper used %v, want %v", name, used, want)
		}
	}
	check("nothing", nil, nil, false)
	check("flags only", []string{"--db", "x.db", "-q"}, nil, false)
	check("AUTHCTL_SESSION", nil, map[string]string{"AUTHCTL_SESSION": "token"}, false)
	check("empty variable", nil, map[string]string{"AUTHCTL_OUTPUT": ""}, false)
	check("--config", []string{"--config", file}, nil, true)
	check("AUTHCTL_CONFIG", nil, map[string]string{"AUTHCTL_CONFIG": file}, true)
	check("a setting's variable", nil, map[string]string{"AUTHCTL_HASHER_ALGORITHM": "scrypt"}, true)
	check("a nested setting's variable", nil, map[string]string{"AUTHCTL_ETCD_MAX_TXN_OPS": "64"}, true)
	c.file("config/authctl/config.yaml", "output: json\n")
	check("default file", nil, nil, true)
}
