package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// dumpAll is every record of a database, in a comparable form.
func dumpAll(t *testing.T, location string, set backends.Settings) map[string]string {
	t.Helper()
	st, err := backends.OpenWith(location, store.OpenOptions{ReadOnly: true}, set)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]string{}
	put := func(k string, v any) error {
		b, _ := json.Marshal(v)
		out[k] = string(b)
		return nil
	}
	norm := func(tm time.Time) time.Time { return tm.UTC() }
	err = st.View(context.Background(), func(r store.Reader) error {
		r.Users("", func(u store.User) error {
			u.DateJoined = norm(u.DateJoined)
			if u.LastLogin != nil {
				l := norm(*u.LastLogin)
				u.LastLogin = &l
			}
			return put("user/"+u.Username, u)
		})
		r.Groups(func(g store.Group) error { return put("group/"+g.Name, g) })
		r.Permissions("", func(p store.Permission) error { return put("perm/"+p.Perm, p) })
		r.Sessions(func(s store.Session) error {
			s.Created, s.Expires = norm(s.Created), norm(s.Expires)
			return put("session/"+s.ID, s)
		})
		r.Failures(func(f store.Failure) error {
			f.First, f.Last, f.LockedUntil = norm(f.First), norm(f.Last), norm(f.LockedUntil)
			for i := range f.Recent {
				f.Recent[i] = norm(f.Recent[i])
			}
			return put("failure/"+f.Username, f)
		})
		r.Audit(0, func(a store.AuditRecord) error { a.Time = norm(a.Time); return put("audit/"+a.Action+a.Hash, a) })
		for _, g := range []string{"staff", "editors"} {
			var m []string
			r.GroupMembers(g, func(u string) error { m = append(m, u); return nil })
			put("members/"+g, m)
		}
		var su []string
		r.Superusers(func(u string) error { su = append(su, u); return nil })
		put("superusers", su)
		seq, _ := r.AuditSeq()
		put("auditseq", seq)
		for _, k := range []string{"audit_anchor", "secret_key"} {
			v, err := r.Meta(k)
			if err == nil {
				put("meta/"+k, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var seqRE = regexp.MustCompile(`"seq":[0-9]+`)

// db copy moves a whole database bolt → etcd → bolt without loss: users
// with hashes, groups, permissions, sessions, failure records and the
// audit log, whose chain still verifies; a non-empty target is refused
// unless --force or --merge.
func TestDBCopyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	env := etcdTestEnv(t, src)
	env["PW"] = "a long enough passphrase"
	for _, args := range [][]string{
		{"user", "create", "alice", "--password-env", "PW", "--email", "alice@example.org"},
		{"user", "create", "bob", "--password-env", "PW", "--superuser"},
		{"user", "create", "carol", "--password-env", "PW"},
		{"group", "add", "staff"},
		{"group", "add", "editors"},
		{"perm", "grant", "blog.add_post", "--group", "staff", "--create"},
		{"perm", "grant", "blog.delete_post", "--user", "carol", "--create"},
		{"group", "add-members", "staff", "alice", "carol"},
		{"group", "add-members", "editors", "bob"},
		{"login", "alice", "--password-env", "PW"},
	} {
		must(t, env, "", args...)
	}
	cut := time.Now()
	time.Sleep(20 * time.Millisecond)
	env["BAD"] = "wrong password"
	authctl(env, "", "authenticate", "carol", "--password-env", "BAD")
	// Prune the first records: the copy must keep the anchor and the
	// numbering.
	must(t, env, "", "audit", "prune", "--before", cut.Format(time.RFC3339Nano))
	must(t, env, "", "user", "create", "dave", "--password-env", "PW")

	set := backends.Settings{}
	set.Etcd.MaxTxnOps, set.Etcd.MaxRequestBytes = 100000, 64<<20
	ec := etcdLocation(t)
	back := filepath.Join(dir, "back.db")
	want := dumpAll(t, src, set)
	if len(want) < 12 {
		t.Fatalf("source holds too little: %v", want)
	}

	out := must(t, env, "", "db", "copy", src, ec)
	if !strings.Contains(out, "copied 4 users, 2 groups, 2 permissions, 1 sessions, 1 failure records") {
		t.Errorf("copy said %q", out)
	}
	if got := dumpAll(t, ec, set); !reflect.DeepEqual(got, want) {
		t.Errorf("etcd copy differs:\n got  %v\n want %v", got, want)
	}
	must(t, env, "", "db", "copy", ec, back)
	if got := dumpAll(t, back, set); !reflect.DeepEqual(got, want) {
		t.Errorf("bolt copy of the etcd copy differs:\n got  %v\n want %v", got, want)
	}
	for _, db := range []string{ec, back} {
		e := etcdTestEnv(t, db)
		out := must(t, e, "", "audit", "verify")
		if !strings.Contains(out, "intact") && !strings.Contains(out, "ok") {
			t.Errorf("audit verify on %s: %q", db, out)
		}
		e["PW"] = env["PW"]
		must(t, e, "", "authenticate", "alice", "--password-env", "PW")
		must(t, e, "", "check", "blog.add_post", "--user", "alice")
	}

	// A target that holds something: refused (exit 4), then --force.
	code, _, errOut := authctl(env, "", "db", "copy", src, back)
	if code != 4 || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "--force") {
		t.Errorf("copy onto a full target: exit %d, %q", code, errOut)
	}
	must(t, etcdTestEnv(t, back), "", "group", "add", "extra")
	// The target's audit counter is past the source's numbers, which the
	// keyed chain covers: refused, nothing changed.
	before := dumpAll(t, back, set)
	code, _, errOut = authctl(env, "", "db", "copy", src, back, "--force")
	if code == 0 || !strings.Contains(errOut, "copy into a new, empty database") {
		t.Errorf("--force copy onto used audit numbers: exit %d, %q", code, errOut)
	}
	if got := dumpAll(t, back, set); !reflect.DeepEqual(got, before) {
		t.Errorf("a refused copy changed the target")
	}
	must(t, etcdTestEnv(t, back), "", "audit", "verify")
	code, _, errOut = authctl(env, "", "db", "copy", src, back, "--merge")
	if code == 0 || !strings.Contains(errOut, "both databases have an audit log") {
		t.Errorf("--merge of two audit logs: exit %d, %q", code, errOut)
	}
}
