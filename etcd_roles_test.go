package main

import (
	"strings"
	"testing"

	"authctl/internal/store/etcd/etcdtest"
)

// A checking host, whose etcd role cannot read PREFIX/hash/, runs check
// (and reads users) but cannot authenticate or write; an admin host does
// everything. The roles are those of docs/scale-out.md.
func TestEtcdCheckingHost(t *testing.T) {
	srv, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if err := srv.EnableAuth("/authctl/", "etcd-pw"); err != nil {
		t.Fatal(err)
	}
	host := func(role string) map[string]string {
		env := etcdTestEnv(t, "etcd://"+srv.Endpoint)
		env["AUTHCTL_ETCD_USER"] = role
		env["AUTHCTL_ETCD_PASSWORD"] = "etcd-pw"
		env["PW"] = "a long enough passphrase"
		return env
	}
	admin, check := host("authctl-admin"), host("authctl-check")
	must(t, admin, "", "user", "create", "alice", "--password-env", "PW")
	must(t, admin, "", "perm", "grant", "blog.view_post", "--user", "alice", "--create")
	must(t, admin, "", "authenticate", "alice", "--password-env", "PW")

	must(t, check, "", "check", "blog.view_post", "--user", "alice")
	if code, _, _ := authctl(check, "", "check", "blog.delete_post", "--user", "alice"); code != 1 {
		t.Errorf("checking host: denied permission exits %d", code)
	}
	if out := must(t, check, "", "user", "show", "alice", "-o", "json"); !strings.Contains(out, `"username": "alice"`) && !strings.Contains(out, `"username":"alice"`) {
		t.Errorf("user show: %s", out)
	}
	// authenticate writes the audit log and failure records: a login
	// host's role.
	if code, _, errOut := authctl(check, "", "authenticate", "alice", "--password-env", "PW"); code != 7 || !strings.Contains(errOut, "permission denied") {
		t.Errorf("checking host authenticates: exit %d, %q", code, errOut)
	}
	login := host("authctl-login")
	must(t, login, "", "authenticate", "alice", "--password-env", "PW")
	must(t, login, "", "login", "alice", "--password-env", "PW")
	code, _, errOut := authctl(check, "", "group", "add", "x")
	if code != 7 || !strings.Contains(errOut, "permission denied") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("checking host writes: exit %d, %q", code, errOut)
	}
	check["AUTHCTL_ETCD_PASSWORD"] = "wrong"
	code, _, errOut = authctl(check, "", "check", "blog.view_post", "--user", "alice")
	if code != 7 || !strings.Contains(errOut, "authentication failed") || strings.Contains(errOut, "wrong") {
		t.Errorf("wrong etcd password: exit %d, %q", code, errOut)
	}
}
