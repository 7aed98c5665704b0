package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestNewCmdConfigShowAndPath(t *testing.T) {
	for _, tt := range []struct {
		argv, wantErr string
	}{
		{argv: "config show"},
		{argv: "config show extra", wantErr: "config show takes no arguments (got 1 argument(s))"},
		{argv: "config path"},
		{argv: "config path extra", wantErr: "config path takes no arguments (got 1 argument(s))"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			called := false
			var cmd *cobra.Command
			if strings.HasPrefix(tt.argv, "config show") {
				cmd = newCmdConfigShow(tf.Factory, func(*configShowOptions) error { called = true; return nil })
			} else {
				cmd = newCmdConfigPath(tf.Factory, func(*configPathOptions) error { called = true; return nil })
			}
			err := tf.parseCmd([]string{"config"}, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil || !called {
				t.Fatalf("err %v, called %v", err, called)
			}
		})
	}
}

func Test_configShowRun(t *testing.T) {
	e := newTestEnv(t)
	conf := filepath.Join(e.dir, "conf.yaml")
	if err := os.WriteFile(conf, []byte("lockout:\n  window: 1h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.env["AUTHCTL_LOCKOUT_ATTEMPTS"] = "3"
	tf := e.factory()
	if code := tf.run("config", "show", "--config", conf, "--db", "x.db", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	var got []setting
	if err := json.Unmarshal(tf.out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, s := range got {
		sources[s.Key] = s.Source
	}
	want := map[string]string{
		"db":               "flag --db",
		"output":           "flag --output",
		"lockout.attempts": "env AUTHCTL_LOCKOUT_ATTEMPTS",
		"lockout.window":   "file " + conf,
		"lockout.duration": "default",
		"validators":       "default",
	}
	for key, source := range want {
		if sources[key] != source {
			t.Errorf("%s: source %q, want %q", key, sources[key], source)
		}
	}
	if _, ok := sources["-"]; ok {
		t.Errorf("a field that is no setting is listed: %v", sources)
	}
}

func Test_configPathRun(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	if code := tf.run("config", "path"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	want := "config file: none (the defaults apply; looked for " + filepath.Join(e.dir, "config", "authctl", "config.yaml")
	if !strings.HasPrefix(tf.out.String(), want) {
		t.Errorf("got %q, want it to start with %q", tf.out, want)
	}
	if !strings.Contains(tf.out.String(), "\ndatabase:    "+e.env["AUTHCTL_DB"]+"\n") {
		t.Errorf("database line missing: %q", tf.out)
	}
	// A personal file, once it exists, is the one read.
	personal := filepath.Join(e.dir, "config", "authctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(personal), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(personal, []byte("quiet: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf = e.factory()
	if code := tf.run("config", "path", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	var got struct {
		ConfigFile string `json:"config_file"`
	}
	if err := json.Unmarshal(tf.out.Bytes(), &got); err != nil || got.ConfigFile != personal {
		t.Errorf("config_file %q (%v), want %q", got.ConfigFile, err, personal)
	}
}
