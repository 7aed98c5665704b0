package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// An etcd cluster that does not answer: exit 7 and one line naming the
// endpoints, the cause and the fix, and none of the client's own logging.
func TestEtcdUnreachable(t *testing.T) {
	e := newTestEnv(t)
	addr := etcdtest.ClosedPort(t)
	e.env["AUTHCTL_DB"] = "etcd://" + addr + "/authctl/"
	e.env["AUTHCTL_ETCD_DIAL_TIMEOUT"] = "300ms"
	e.env["AUTHCTL_ETCD_REQUEST_TIMEOUT"] = "300ms"
	code, out, errOut := e.exec("check", "auth.view_user", "--user", "alice")
	if code != cmdutil.ExitInternal {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitInternal)
	}
	if out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "etcd at "+addr) ||
		!strings.Contains(errOut, "check that etcd runs") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
}

func TestEtcdSettings(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("s3cret\n"), 0o600)
	base := func() *testEnv {
		e := newTestEnv(t)
		e.env["AUTHCTL_DB"] = "etcd://127.0.0.1:1/"
		return e
	}
	// The environment overrides each key, and the password file is read.
	e := base()
	e.env["AUTHCTL_ETCD_USER"] = "authctl"
	e.env["AUTHCTL_ETCD_PASSWORD_FILE"] = pwFile
	e.env["AUTHCTL_ETCD_CACERT"] = "/ca.pem"
	e.env["AUTHCTL_ETCD_MAX_TXN_OPS"] = "1024"
	tf := e.factory().globalFlags()
	cfg, err := tf.Config()
	if err != nil {
		t.Fatal(err)
	}
	set, err := backendSettings(cfg, e.lookupEnv)
	got := fmt.Sprintf("%s %s %s %d %v", set.Etcd.Username, set.Etcd.Password, set.Etcd.CACert, set.Etcd.MaxTxnOps, set.Etcd.DialTimeout)
	if err != nil || got != "authctl s3cret /ca.pem 1024 5s" {
		t.Errorf("settings %s, %v", got, err)
	}
	// The password from the environment.
	e = base()
	e.env["AUTHCTL_ETCD_USER"] = "authctl"
	e.env["AUTHCTL_ETCD_PASSWORD"] = "pw2"
	cfg, _ = e.factory().globalFlags().Config()
	if set, err := backendSettings(cfg, e.lookupEnv); err != nil || set.Etcd.Password != "pw2" {
		t.Errorf("password from env: %q, %v", set.Etcd.Password, err)
	}
	// Both sources, or a password without a user, are refused (exit 2).
	e.env["AUTHCTL_ETCD_PASSWORD_FILE"] = pwFile
	cfg, _ = e.factory().globalFlags().Config()
	if _, err := backendSettings(cfg, e.lookupEnv); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("both password sources: %v", err)
	}
	e = base()
	e.env["AUTHCTL_ETCD_PASSWORD"] = "pw2"
	cfg, _ = e.factory().globalFlags().Config()
	if _, err := backendSettings(cfg, e.lookupEnv); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("password without a user: %v", err)
	}
	// A certificate without its key is a configuration error.
	e = base()
	e.env["AUTHCTL_ETCD_CERT"] = "/c.pem"
	if code, _, errOut := e.exec("check", "a.b", "--user", "x"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "etcd.cert and etcd.key") {
		t.Errorf("cert without key: exit %d, %q", code, errOut)
	}
}

// Conflicts exit 6; a change too large for one etcd transaction exits 7.
func TestEtcdExitCodes(t *testing.T) {
	conflict := fmt.Errorf("etcd://h/authctl/: %w 100 times; run it again", store.ErrConflict)
	if c := cmdutil.ExitCode(conflict); c != cmdutil.ExitBusy {
		t.Errorf("conflict: exit %d", c)
	}
	if c := cmdutil.ExitCode(&etcd.TooLargeError{Ops: 200, MaxOps: 128}); c != cmdutil.ExitInternal {
		t.Errorf("too large: exit %d", c)
	}
}
