package cmd

// The configuration keys and where they come from, apart from Viper (which
// config.go drives): bench/startup.sh swaps config.go for a Viper-free
// loader to measure what Viper costs at start-up, and this file stays.

import (
	"os"
	"reflect"
	"strings"

	"github.com/spf13/pflag"

	"authctl/internal/config"
)

// flagKeys maps global flags to configuration keys. A slice, not a map: a
// package-level map is built when every authctl process starts.
var flagKeys = []struct{ name, key string }{
	{"db", "db"},
	{"lock-timeout", "lock_timeout"},
	{"output", "output"},
	{"quiet", "quiet"},
	{"insecure-permissions", "insecure_permissions"},
}

// configPath is --config, else AUTHCTL_CONFIG, else the first of the
// default files that exists (config.DefaultConfigFiles), else the first
// default file, which the caller then finds missing and skips.
func configPath(flags *pflag.FlagSet, getenv func(string) string) (string, bool) {
	path, explicit, _ := configFile(flags, getenv)
	return path, explicit
}

// configFile is configPath, and whether a default file was found (always
// false for an explicit one, which is not looked at).
func configFile(flags *pflag.FlagSet, getenv func(string) string) (path string, explicit, found bool) {
	if fl := flags.Lookup("config"); fl != nil && fl.Value.String() != "" {
		return fl.Value.String(), true, false
	}
	if p := getenv("AUTHCTL_CONFIG"); p != "" {
		return p, true, false
	}
	files := config.DefaultConfigFiles(getenv)
	for _, p := range files {
		if _, err := os.Stat(p); err == nil {
			return p, false, true
		}
	}
	return files[0], false, false
}

// leafKeys lists the dotted keys of every leaf setting of the Config
// struct type, validators excepted (a list of structs, set in files only).
func leafKeys(prefix string, rt reflect.Type) []string {
	var keys []string
	eachLeaf(prefix, reflect.Zero(rt), func(key string, _ reflect.Value) { keys = append(keys, key) })
	return keys
}

// eachLeaf calls fn with the dotted key and the value of every leaf
// setting of the Config struct value rv, validators excepted.
func eachLeaf(prefix string, rv reflect.Value, fn func(key string, v reflect.Value)) {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		key := rt.Field(i).Tag.Get("mapstructure")
		if key == "" || key == "-" || key == "validators" {
			continue
		}
		if prefix != "" {
			key = prefix + "." + key
		}
		if fv := rv.Field(i); fv.Kind() == reflect.Struct && fv.Type().PkgPath() != "time" {
			eachLeaf(key, fv, fn)
		} else {
			fn(key, fv)
		}
	}
}

// envName is the environment variable for a key: session.age →
// AUTHCTL_SESSION_AGE.
func envName(key string) string {
	return "AUTHCTL_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}
