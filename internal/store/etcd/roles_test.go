package etcd_test

import (
	"errors"
	"strings"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// The roles of docs/scale-out.md on a cluster with authentication on: a
// checking host reads users without their hashes and cannot write; a login
// host reads hashes and writes sessions; a wrong password is refused.
func TestRoles(t *testing.T) {
	srv, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	const prefix, pw = "/authctl/", "etcd-pw"
	if err := srv.EnableAuth(prefix, pw); err != nil {
		t.Fatal(err)
	}
	addr := "//" + srv.Endpoint + prefix
	as := func(user string, opts store.OpenOptions) store.Store {
		t.Helper()
		s, err := etcd.Open(addr, opts, etcd.Settings{Username: user, Password: pw})
		if err != nil {
			t.Fatalf("open as %s: %v", user, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}

	admin := as("authctl-admin", store.OpenOptions{Create: true})
	alice := store.User{Username: "alice", Password: "pbkdf2_sha256$1000$s$h", IsActive: true, Groups: []string{"staff"}}
	if err := admin.Update(ctx, func(w store.Writer) error {
		if err := w.PutGroup(store.Group{Name: "staff", Permissions: []string{"blog.view_post"}}); err != nil {
			return err
		}
		return w.PutUser(alice)
	}); err != nil {
		t.Fatal(err)
	}

	check := as("authctl-check", store.OpenOptions{ReadOnly: true})
	err = check.View(ctx, func(r store.Reader) error {
		u, err := r.User("alice")
		if err != nil {
			return err
		}
		if u.Password != "" || !u.IsActive || len(u.Groups) != 1 {
			t.Errorf("checking host reads %+v, want alice without her hash", u)
		}
		n := 0
		err = r.Users("", func(u store.User) error {
			n++
			if u.Password != "" {
				t.Errorf("Users: checking host reads a hash")
			}
			return nil
		})
		if n != 1 {
			t.Errorf("Users visited %d", n)
		}
		return err
	})
	if err != nil {
		t.Fatalf("checking host: %v", err)
	}
	checkW := as("authctl-check", store.OpenOptions{})
	err = checkW.Update(ctx, func(w store.Writer) error { return w.PutSession(store.Session{ID: "s1", Username: "alice"}) })
	if !errors.Is(err, etcd.ErrRefused) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("checking host writes: %v", err)
	}

	login := as("authctl-login", store.OpenOptions{})
	err = login.Update(ctx, func(w store.Writer) error {
		u, err := w.User("alice")
		if err != nil {
			return err
		}
		if u.Password != alice.Password {
			t.Errorf("login host reads hash %q", u.Password)
		}
		if err := w.PutSession(store.Session{ID: "s1", Username: "alice"}); err != nil {
			return err
		}
		_, err = w.AppendAudit(store.AuditRecord{Action: "login", Target: "alice"})
		return err
	})
	if err != nil {
		t.Errorf("login host: %v", err)
	}
	// A token the cluster no longer knows (a restart, its TTL): the
	// client logs in again and the call goes through.
	etcd.SetToken(login, "no-such-token")
	if err := login.View(ctx, func(r store.Reader) error { _, err := r.User("alice"); return err }); err != nil {
		t.Errorf("after the token expired: %v", err)
	}
	err = login.Update(ctx, func(w store.Writer) error { return w.PutGroup(store.Group{Name: "x"}) })
	if !errors.Is(err, etcd.ErrRefused) {
		t.Errorf("login host adds a group: %v", err)
	}

	_, err = etcd.Open(addr, store.OpenOptions{}, etcd.Settings{Username: "authctl-admin", Password: "wrong"})
	if !errors.Is(err, etcd.ErrRefused) || !strings.Contains(err.Error(), "authentication failed") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}
	_, err = etcd.Open(addr, store.OpenOptions{}, etcd.Settings{})
	if !errors.Is(err, etcd.ErrRefused) || !strings.Contains(err.Error(), "etcd.user") {
		t.Errorf("no user: %v", err)
	}
}
