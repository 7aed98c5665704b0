package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apply on etcd with --batch-size: a plan too large for one etcd
// transaction fails whole without it, naming the limit and the flags; with
// it, a batch that fails leaves the earlier batches whole, and running the
// same apply again completes it.
func TestEtcdApplyBatches(t *testing.T) {
	env := etcdTestEnv(t, etcdLocation(t))
	// etcd's default limits on the client side (the test server takes
	// more, so that raising the setting is enough to pass).
	delete(env, "AUTHCTL_ETCD_MAX_TXN_OPS")
	delete(env, "AUTHCTL_ETCD_MAX_REQUEST_BYTES")
	var b strings.Builder
	b.WriteString("permissions:\n")
	for i := range 130 {
		fmt.Fprintf(&b, "  - permission: app.p%03d\n", i)
	}
	b.WriteString("groups:\n  - name: staff\n    permissions: [app.p000]\nusers:\n")
	for i := range 60 {
		fmt.Fprintf(&b, "  - username: u%02d\n    groups: [staff]\n", i)
	}
	// The last user alone needs more than 128 keys in one transaction.
	b.WriteString("  - username: zz\n    user_permissions: [")
	for i := range 130 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "app.p%03d", i)
	}
	b.WriteString("]\n")
	file := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	users := func() int {
		code, out, _ := authctl(env, "", "user", "list", "-o", "json")
		if code != 0 {
			return 0
		}
		return strings.Count(out, `"username"`)
	}

	// One transaction: refused before anything is written.
	code, _, errOut := authctl(env, "", "apply", "-f", file)
	if code != 7 || !strings.Contains(errOut, "--max-txn-ops") || !strings.Contains(errOut, "--batch-size") || !strings.Contains(errOut, "nothing was written") {
		t.Fatalf("apply in one transaction: exit %d, %q", code, errOut)
	}
	if n := users(); n != 0 {
		t.Fatalf("%d users after a refused apply", n)
	}

	// Batches of 20: the permissions, the group and the first 60 users are
	// written; zz's batch is too large.
	code, _, errOut = authctl(env, "", "apply", "-f", file, "--batch-size", "20")
	if code != 7 || !strings.Contains(errOut, "run the same command again") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("batched apply: exit %d, %q", code, errOut)
	}
	if n := users(); n != 60 {
		t.Fatalf("%d users after the failed batch, want 60", n)
	}

	// Again, with the cluster's limit raised: only zz is left to write.
	env["AUTHCTL_ETCD_MAX_TXN_OPS"] = "1000"
	code, _, errOut = authctl(env, "", "apply", "-f", file, "--batch-size", "20")
	if code != 0 || !strings.Contains(errOut, "create 1,") && !strings.Contains(errOut, "created 1") {
		t.Fatalf("second run: exit %d, %q", code, errOut)
	}
	if n := users(); n != 61 {
		t.Fatalf("%d users, want 61", n)
	}
	must(t, env, "", "audit", "verify")
	must(t, env, "", "check", "app.p129", "--user", "zz")
	code, _, errOut = authctl(env, "", "apply", "-f", file, "--batch-size", "-1")
	if code != 2 || !strings.Contains(errOut, "--batch-size must not be negative") {
		t.Errorf("negative batch size: exit %d, %q", code, errOut)
	}
}
