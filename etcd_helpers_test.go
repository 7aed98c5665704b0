package main

// Helpers for the tests that run authctl against etcd: an embedded server
// started on first use (or the cluster named by AUTHCTL_TEST_ETCD_ENDPOINTS,
// as .ci/run sets), a fresh key prefix per test, and a way to run the
// command line in this process.

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"authctl/cmd"
	"authctl/internal/iostreams"
	"authctl/internal/store/etcd/etcdtest"
)

var (
	etcdOnce sync.Once
	etcdSrv  *etcdtest.Server
	etcdEPs  string
	etcdErr  error
)

// stopEtcd is testing.M that stops the embedded server after the tests.
type stopEtcd struct{ m *testing.M }

func (s stopEtcd) Run() int {
	code := s.m.Run()
	if etcdSrv != nil {
		etcdSrv.Stop()
	}
	return code
}

// etcdEndpoints returns the comma-separated endpoints of the test cluster.
func etcdEndpoints(t testing.TB) string {
	t.Helper()
	etcdOnce.Do(func() {
		if eps := os.Getenv("AUTHCTL_TEST_ETCD_ENDPOINTS"); eps != "" {
			etcdEPs = eps
			return
		}
		etcdSrv, etcdErr = etcdtest.Start()
		if etcdErr == nil {
			etcdEPs = etcdSrv.Endpoint
		}
	})
	if etcdErr != nil {
		t.Fatalf("embedded etcd: %v", etcdErr)
	}
	return etcdEPs
}

// etcdLocation is a database location on a prefix no test used before.
func etcdLocation(t testing.TB) string {
	return "etcd://" + etcdEndpoints(t) + etcdtest.Prefix()
}

// sharedAuditKey is the audit key file of every database a top-level test
// uses: the hosts a test plays share their etcd database, and so its key,
// as real hosts share a copy of the key file.
func sharedAuditKey(t *testing.T) string {
	auditKeys.once.Do(func() {
		dir, err := os.MkdirTemp("", "authctl-audit-keys-")
		if err != nil {
			panic(err)
		}
		auditKeys.dir = dir
	})
	root, _, _ := strings.Cut(t.Name(), "/")
	return filepath.Join(auditKeys.dir, root+".key")
}

var auditKeys struct {
	once sync.Once
	dir  string
}

// etcdTestEnv is the environment the etcd tests run authctl with: the
// test limits of the cluster, a cheap hasher, and an audit key file (a
// database that is no file has no default place for one).
func etcdTestEnv(t *testing.T, db string) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"AUTHCTL_DB":                       db,
		"AUTHCTL_AUDIT_KEY":                sharedAuditKey(t),
		"AUTHCTL_ETCD_MAX_TXN_OPS":         "100000",
		"AUTHCTL_ETCD_MAX_REQUEST_BYTES":   "67108864",
		"AUTHCTL_HASHER_ALGORITHM":         "pbkdf2_sha256",
		"AUTHCTL_HASHER_PBKDF2_ITERATIONS": "1000",
		"HOME":                             dir,
		"XDG_CONFIG_HOME":                  dir + "/config",
		"XDG_DATA_HOME":                    dir + "/data",
		"XDG_STATE_HOME":                   dir + "/state",
		"SUDO_USER":                        "tester",
	}
}

// authctl runs the command line in this process with env and stdin, and
// returns the exit code and output.
func authctl(env map[string]string, stdin string, args ...string) (int, string, string) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	code := cmd.RunEnv(args, ios, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return code, out.String(), errOut.String()
}

// must runs authctl and fails the test unless it exits 0.
func must(t *testing.T, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	code, out, errOut := authctl(env, stdin, args...)
	if code != 0 {
		t.Fatalf("authctl %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}
