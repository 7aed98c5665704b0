package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"authctl/internal/auth/validate"
	"authctl/internal/cmdutil"
	"authctl/internal/config"
)

// configFixture is a directory with config files, an environment map and
// global flags, for loadConfig.
type configFixture struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newConfigFixture(t *testing.T) *configFixture {
	dir := t.TempDir()
	return &configFixture{t: t, dir: dir, env: map[string]string{
		"HOME":            filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME":   filepath.Join(dir, "data"),
		"XDG_STATE_HOME":  filepath.Join(dir, "state"),
	}}
}

// file writes a config file and returns its path.
func (c *configFixture) file(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// load parses the global flags and loads the configuration.
func (c *configFixture) load(args ...string) (*config.Config, error) {
	c.t.Helper()
	fs := pflag.NewFlagSet("authctl", pflag.ContinueOnError)
	fs.AddFlagSet(newRootCmd(&cmdutil.Factory{}, "version").PersistentFlags())
	if err := fs.Parse(args); err != nil {
		c.t.Fatalf("flags %q: %v", args, err)
	}
	return loadConfig(fs, func(k string) string { return c.env[k] })
}

func (c *configFixture) mustLoad(args ...string) *config.Config {
	c.t.Helper()
	cfg, err := c.load(args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return cfg
}

func TestLoadConfigPrecedence(t *testing.T) {
	c := newConfigFixture(t)
	file := c.file("conf.yaml", "db: file.db\noutput: json\nquiet: true\nlock_timeout: 2s\nhasher:\n  algorithm: pbkdf2_sha256\n  pbkdf2_iterations: 1234\n")
	defaultDB := filepath.Join(c.dir, "data", "authctl", "auth.db")
	if os.Geteuid() == 0 {
		defaultDB = "/var/lib/authctl/auth.db"
	}
	type want struct {
		db, algorithm, output string
		iterations            int
		quiet                 bool
		lockTimeout           time.Duration
	}
	def := config.Defaults()
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		want  want
	}{
		{
			name: "defaults",
			want: want{defaultDB, "argon2", "table", def.Hasher.PBKDF2Iterations, false, 5 * time.Second},
		},
		{
			name:  "file over defaults",
			flags: []string{"--config", file},
			want:  want{"file.db", "pbkdf2_sha256", "json", 1234, true, 2 * time.Second},
		},
		{
			name: "file from AUTHCTL_CONFIG",
			env:  map[string]string{"AUTHCTL_CONFIG": file},
			want: want{"file.db", "pbkdf2_sha256", "json", 1234, true, 2 * time.Second},
		},
		{
			name: "environment over file",
			env: map[string]string{
				"AUTHCTL_CONFIG": file, "AUTHCTL_DB": "env.db", "AUTHCTL_HASHER_ALGORITHM": "scrypt",
				"AUTHCTL_OUTPUT": "table", "AUTHCTL_QUIET": "false", "AUTHCTL_LOCK_TIMEOUT": "3s",
			},
			want: want{"env.db", "scrypt", "table", 1234, false, 3 * time.Second},
		},
		{
			name: "an empty variable is unset",
			env:  map[string]string{"AUTHCTL_CONFIG": file, "AUTHCTL_DB": "", "AUTHCTL_HASHER_ALGORITHM": ""},
			want: want{"file.db", "pbkdf2_sha256", "json", 1234, true, 2 * time.Second},
		},
		{
			name:  "flags over environment",
			env:   map[string]string{"AUTHCTL_DB": "env.db", "AUTHCTL_OUTPUT": "table", "AUTHCTL_HASHER_ALGORITHM": "scrypt", "AUTHCTL_LOCK_TIMEOUT": "3s"},
			flags: []string{"--config", file, "--db", "flag.db", "-o", "json", "--lock-timeout", "1s"},
			want:  want{"flag.db", "scrypt", "json", 1234, true, time.Second},
		},
		{
			name:  "a flag left at its default does not count",
			env:   map[string]string{"AUTHCTL_LOCK_TIMEOUT": "3s"},
			flags: []string{"--db", "flag.db"},
			want:  want{"flag.db", "argon2", "table", def.Hasher.PBKDF2Iterations, false, 3 * time.Second},
		},
		{
			name:  "flag -q",
			flags: []string{"-q"},
			want:  want{defaultDB, "argon2", "table", def.Hasher.PBKDF2Iterations, true, 5 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				c.env[k] = v
			}
			defer func() {
				for k := range tt.env {
					delete(c.env, k)
				}
			}()
			cfg := c.mustLoad(tt.flags...)
			got := want{cfg.DB, cfg.Hasher.Algorithm, cfg.Output, cfg.Hasher.PBKDF2Iterations, cfg.Quiet, cfg.LockTimeout}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// The default file is $XDG_CONFIG_HOME/authctl/config.yaml, read when it
// exists; the default paths come from the environment given, not the
// process's.
func TestLoadConfigDefaultFileAndPaths(t *testing.T) {
	c := newConfigFixture(t)
	cfg := c.mustLoad()
	if want := filepath.Join(c.dir, "state", "authctl", "session"); cfg.Session.File != want {
		t.Errorf("session.file %q, want %q", cfg.Session.File, want)
	}
	delete(c.env, "XDG_STATE_HOME")
	if want := filepath.Join(c.dir, "home", ".local", "state", "authctl", "session"); c.mustLoad().Session.File != want {
		t.Errorf("session.file without XDG_STATE_HOME: %q, want %q", c.mustLoad().Session.File, want)
	}
	// AUTHCTL_SESSION is the token, not a section: session.* stay.
	c.env["AUTHCTL_SESSION"] = "some-token"
	if cfg := c.mustLoad(); cfg.Session.File == "" || cfg.Session.Age != config.Defaults().Session.Age {
		t.Errorf("AUTHCTL_SESSION disturbed session.*: %+v", cfg.Session)
	}
	c.file("config/authctl/config.yaml", "output: json\nsession:\n  age: 1h\n")
	cfg = c.mustLoad()
	if cfg.Output != "json" || cfg.Session.Age != time.Hour {
		t.Errorf("default config file not read: output %q, session.age %v", cfg.Output, cfg.Session.Age)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	c := newConfigFixture(t)
	tests := []struct {
		name  string
		file  string // config file content, given with --config
		env   map[string]string
		flags []string
		want  []string // substrings of the message
	}{
		{
			name: "unknown keys are named",
			file: "hasher:\n  iteratoins: 5\nlockuot:\n  attempts: 3\n",
			want: []string{"unknown key(s)", "hasher.iteratoins", "lockuot.attempts", "(man authctl lists the keys under ENVIRONMENT)"},
		},
		{name: "bad duration in the file", file: "session:\n  age: soon\n", want: []string{"'session.age' time: invalid duration"}},
		{name: "bad duration in the environment", env: map[string]string{"AUTHCTL_LOCKOUT_WINDOW": "soon"}, want: []string{"'lockout.window' time: invalid duration"}},
		{name: "bad number in the environment", env: map[string]string{"AUTHCTL_LOCKOUT_ATTEMPTS": "many"}, want: []string{"'lockout.attempts' cannot parse value as 'int'"}},
		{name: "bad value", file: "lockout:\n  attempts: -1\n", want: []string{"lockout.attempts: must not be negative (0 turns lockout off)"}},
		{name: "broken file", file: "db: [unclosed\n", want: []string{"config file "}},
		{name: "missing explicit file", flags: []string{"--config", "/nonexistent/conf.yaml"}, want: []string{"config file /nonexistent/conf.yaml"}},
		{name: "empty database path", env: map[string]string{"AUTHCTL_CONFIG": ""}, file: "db: \"\"\n", want: []string{"db: no database path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				c.env[k] = v
			}
			defer func() {
				for k := range tt.env {
					delete(c.env, k)
				}
			}()
			flags := tt.flags
			if tt.file != "" {
				flags = append(flags, "--config", c.file("conf.yaml", tt.file))
			}
			cfg, err := c.load(flags...)
			if err == nil {
				t.Fatalf("no error; config %+v", cfg)
			}
			var ce *cmdutil.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %T, want *cmdutil.ConfigError", err)
			}
			wantCode(t, err, cmdutil.ExitUsage)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message on several lines: %q", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadConfigValidators(t *testing.T) {
	c := newConfigFixture(t)
	validateWith := func(cfg *config.Config, pw string) error {
		t.Helper()
		vs, err := validate.New(cfg.Validators)
		if err != nil {
			t.Fatalf("validate.New: %v", err)
		}
		return vs.Validate(pw, nil)
	}

	// Absent: Django's four.
	cfg := c.mustLoad()
	if len(cfg.Validators) != 4 {
		t.Errorf("default validators: %+v, want Django's four", cfg.Validators)
	}
	if validateWith(cfg, "1234") == nil {
		t.Error("default validators accept 1234")
	}

	// An empty list turns validation off.
	cfg = c.mustLoad("--config", c.file("none.yaml", "validators: []\n"))
	if len(cfg.Validators) != 0 {
		t.Errorf("validators: [] gave %+v", cfg.Validators)
	}
	if err := validateWith(cfg, "1"); err != nil {
		t.Errorf("with validators: [] the password 1 is rejected: %v", err)
	}

	// Django's class names and dotted paths, with options.
	cfg = c.mustLoad("--config", c.file("django.yaml", `validators:
  - name: django.contrib.auth.password_validation.MinimumLengthValidator
    options:
      min_length: 12
  - name: CommonPasswordValidator
`))
	if len(cfg.Validators) != 2 {
		t.Fatalf("validators %+v", cfg.Validators)
	}
	err := validateWith(cfg, "Vorpal-1871")
	if err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
		t.Errorf("min_length 12 not applied: %v", err)
	}
	if err := validateWith(cfg, "Vorpal-Blade-1871"); err != nil {
		t.Errorf("a long uncommon password rejected: %v", err)
	}

	// An unknown validator is a configuration error when the service starts.
	e := newTestEnv(t)
	e.env["AUTHCTL_CONFIG"] = c.file("bad.yaml", "validators:\n  - name: StrongPasswordValidator\n")
	code, _, stderr := e.exec("user", "create", "alice", "--no-password")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, `unknown password validator "StrongPasswordValidator"`) {
		t.Errorf("unknown validator: exit %d, %q", code, stderr)
	}
}
