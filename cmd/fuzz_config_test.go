package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"

	"authctl/internal/cmdutil"
)

// FuzzConfigFile: whatever the config file holds, loading it gives a
// configuration that passes its own checks or a configuration error (exit
// 2), never a panic. Seed corpus in testdata/fuzz/FuzzConfigFile.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"hasher:\n  algorithm: argon2\n  argon2_memory_kib: 65536\n",
		"output: json\nworkers: 3\nlock_timeout: 2s\n",
		"validators: [minimum_length, common]\nsession:\n  age: 1h\n",
		"hasher: [1, 2]\n",
		"lockout:\n  max_failures: -1\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "config.yaml")
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": dir, "XDG_DATA_HOME": dir, "XDG_STATE_HOME": dir}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := pflag.NewFlagSet("authctl", pflag.ContinueOnError)
		fs.AddFlagSet(newRootCmd(&cmdutil.Factory{}, "version").PersistentFlags())
		if err := fs.Parse([]string{"--config", path}); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(fs, func(k string) string { return env[k] })
		if err != nil {
			var ce *cmdutil.ConfigError
			if !errors.As(err, &ce) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("error %v (%T), want a configuration error", err, err)
			}
			return
		}
		if err := cfg.Check(); err != nil {
			t.Fatalf("loaded a configuration that fails its checks: %v", err)
		}
	})
}
