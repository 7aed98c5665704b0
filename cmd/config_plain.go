package cmd

// The configuration when there is nothing for Viper to merge. Viper reads
// every config file and AUTHCTL_* variable (config.go); without either, the
// configuration is the typed defaults with the global flags the user set,
// and building it needs no Viper instance. Decoding the defaults through
// Viper and mapstructure was a quarter of the instructions of a whole
// "authctl check" process (0.8 of 3.1 million; bench/startup.sh), and
// check is what scripts run thousands of times. TestPlainConfigMatchesViper holds the two paths
// to the same result.

import (
	"errors"

	"github.com/spf13/pflag"

	"authctl/internal/config"
)

// needsViper reports whether the configuration has a source beyond the
// defaults and the flags: a config file (named, or a default one that
// exists) or an AUTHCTL_* variable of a setting.
func needsViper(flags *pflag.FlagSet, getenv func(string) string, leaves []string) bool {
	if _, explicit, found := configFile(flags, getenv); explicit || found {
		return true
	}
	for _, key := range leaves {
		if getenv(envName(key)) != "" {
			return true
		}
	}
	return false
}

// flagsOverDefaults is def with the global flags the user set (flagKeys),
// read with pflag's typed getters: what Viper makes of the same flags over
// the same defaults. It reports false for a flag it does not know, which
// Viper then decodes.
func flagsOverDefaults(def config.Config, flags *pflag.FlagSet) (config.Config, bool) {
	cfg := def
	for _, fk := range flagKeys {
		name := fk.name
		fl := flags.Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		var err error
		switch name {
		case "db":
			cfg.DB, err = flags.GetString(name)
		case "output":
			cfg.Output, err = flags.GetString(name)
		case "quiet":
			cfg.Quiet, err = flags.GetBool(name)
		case "lock-timeout":
			cfg.LockTimeout, err = flags.GetDuration(name)
		case "insecure-permissions":
			cfg.InsecurePermissions, err = flags.GetBool(name)
		default:
			err = errNotPlain
		}
		if err != nil {
			return cfg, false
		}
	}
	return cfg, true
}

// errNotPlain is a global flag that flagsOverDefaults does not decode.
var errNotPlain = errors.New("not a plain setting")
