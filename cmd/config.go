package cmd

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"authctl/internal/cmdutil"
	"authctl/internal/config"
)

// quotedKey finds the key a decoding error names: 'lockout.window'. It is
// compiled on first use: every command pays for package-level work at
// start-up.
var quotedKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'([a-z0-9_.]+)'`) })

// loadConfig builds the configuration with Viper: flags the user set, then
// AUTHCTL_* environment variables, then the config file, then defaults.
// A fresh Viper per invocation keeps commands independent (no globals).
// With no config file and no AUTHCTL_* setting there is nothing to merge,
// and the defaults with the flags are built without Viper
// (config_plain.go).
func loadConfig(flags *pflag.FlagSet, getenv func(string) string) (*config.Config, error) {
	cfg, err := readConfig(flags, getenv)
	if err != nil {
		// One line: mapstructure's errors come as a list over several.
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "decoding failed due to the following error(s):", "")), " ")
		// mapstructure names the key but not the value or where it came
		// from; say both when it was an AUTHCTL_* variable.
		if m := quotedKey().FindStringSubmatch(msg); m != nil {
			if val := getenv(envName(m[1])); val != "" {
				msg += fmt.Sprintf(" (%s=%q)", envName(m[1]), val)
			}
		}
		return nil, &cmdutil.ConfigError{Err: errors.New(msg)}
	}
	return cfg, nil
}

func readConfig(flags *pflag.FlagSet, getenv func(string) string) (*config.Config, error) {
	def := config.DefaultsFor(getenv)
	leaves := leafKeys("", reflect.TypeOf(def))
	if !needsViper(flags, getenv, leaves) {
		if cfg, ok := flagsOverDefaults(def, flags); ok {
			return finishConfig(cfg, flags)
		}
	}
	return readConfigViper(flags, getenv, def, leaves)
}

// readConfigViper merges the config file, AUTHCTL_* variables and flags
// over the defaults def, whose leaf keys are leaves, with Viper.
func readConfigViper(flags *pflag.FlagSet, getenv func(string) string, def config.Config, leaves []string) (*config.Config, error) {
	viperLoads.Add(1)
	v := viper.New()
	setDefaults(v, "", reflect.ValueOf(def))
	v.SetDefault("validators", def.Validators)

	path, explicit := configPath(flags, getenv)
	fileRead := false
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			var notFound *os.PathError
			if explicit || !errors.As(err, &notFound) {
				return nil, fmt.Errorf("config file %s: %w", path, err)
			}
		} else {
			fileRead = true
		}
	}
	// AUTHCTL_* variables, one per leaf key (hasher.algorithm →
	// AUTHCTL_HASHER_ALGORITHM), read through getenv. Not Viper's
	// AutomaticEnv: with it a variable named after a section shadows every
	// key below it, so AUTHCTL_SESSION (the session token) wiped out
	// session.age and session.file.
	for _, key := range leaves {
		if val := getenv(envName(key)); val != "" {
			v.Set(key, val)
		}
	}
	for _, fk := range flagKeys {
		if fl := flags.Lookup(fk.name); fl != nil && fl.Changed {
			v.Set(fk.key, fl.Value.String())
		}
	}

	var cfg config.Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = false
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		)
	})
	if err != nil {
		return nil, err
	}
	if fileRead {
		// Only a file can bring unknown keys.
		if err := checkKeys(v, leaves); err != nil {
			return nil, err
		}
	}
	return finishConfig(cfg, flags)
}

// finishConfig checks the settings and notes whether -o was given.
func finishConfig(cfg config.Config, flags *pflag.FlagSet) (*config.Config, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if fl := flags.Lookup("output"); fl != nil && fl.Changed {
		cfg.OutputFlag = true
	}
	return &cfg, nil
}

// viperLoads counts the configurations built with Viper, for the tests
// that check which commands need it.
var viperLoads atomic.Int64

// setDefaults registers every leaf key of the Config struct with its
// default, so that AutomaticEnv and Unmarshal know them.
func setDefaults(v *viper.Viper, prefix string, rv reflect.Value) {
	eachLeaf(prefix, rv, func(key string, fv reflect.Value) { v.SetDefault(key, fv.Interface()) })
}

// checkKeys rejects unknown keys in the config file, naming them, so that a
// typo does not silently leave a default in force.
func checkKeys(v *viper.Viper, leaves []string) error {
	known := make(map[string]bool, len(leaves)+1)
	for _, k := range leaves {
		known[k] = true
	}
	known["validators"] = true
	var unknown []string
	for _, k := range v.AllKeys() {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown key(s) %s (man authctl lists the keys under ENVIRONMENT)", strings.Join(unknown, ", "))
	}
	return nil
}

// keysInFile reports which keys the config file at path sets (none when it
// cannot be read), for "config list".
func keysInFile(path string) func(key string) bool {
	if path != "" {
		file := viper.New()
		file.SetConfigFile(path)
		if err := file.ReadInConfig(); err == nil {
			return file.InConfig
		}
	}
	return func(string) bool { return false }
}
