package etcd_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// The set-up docs/scale-out.md recommends: TLS, the members'
// --client-cert-auth and RBAC, each host logging in with the CommonName of
// its client certificate and no password. (etcd's JSON gateway refuses
// such certificates; the backend speaks gRPC.)
func TestTLSClientCertificates(t *testing.T) {
	f, srv := startTLSServer(t)
	const prefix = "/authctl/"
	if err := srv.EnableAuth(prefix, "etcd-pw"); err != nil {
		t.Fatal(err)
	}
	addr := "//" + srv.Endpoint + prefix
	quick := func(set etcd.Settings) etcd.Settings {
		set.DialTimeout, set.RequestTimeout = 300*time.Millisecond, 300*time.Millisecond
		return set
	}
	as := func(cn string, opts store.OpenOptions) store.Store {
		t.Helper()
		cert, key, err := f.Client(cn)
		if err != nil {
			t.Fatal(err)
		}
		s, err := etcd.Open(addr, opts, etcd.Settings{CACert: f.CA, Cert: cert, Key: key})
		if err != nil {
			t.Fatalf("open as %s: %v", cn, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}

	admin := as("authctl-admin", store.OpenOptions{Create: true})
	alice := store.User{Username: "alice", Password: "pbkdf2_sha256$1000$s$h", IsActive: true}
	if err := admin.Update(ctx, func(w store.Writer) error { return w.PutUser(alice) }); err != nil {
		t.Fatal(err)
	}
	check := as("authctl-check", store.OpenOptions{})
	err := check.View(ctx, func(r store.Reader) error {
		u, err := r.User("alice")
		if err == nil && (u.Password != "" || !u.IsActive) {
			t.Errorf("checking host reads %+v, want alice without her hash", u)
		}
		return err
	})
	if err != nil {
		t.Errorf("checking host: %v", err)
	}
	err = check.Update(ctx, func(w store.Writer) error { return w.PutSession(store.Session{ID: "s1", Username: "alice"}) })
	if !errors.Is(err, etcd.ErrRefused) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("checking host writes: %v", err)
	}

	// A user without a password sends no credentials (as etcd's client):
	// the certificate's CN is the user.
	ccert, ckey, _ := f.Client("authctl-check")
	s, err := etcd.Open(addr, store.OpenOptions{}, etcd.Settings{CACert: f.CA, Cert: ccert, Key: ckey, Username: "authctl-admin"})
	if err != nil {
		t.Errorf("user without a password: %v", err)
	} else {
		err = s.Update(ctx, func(w store.Writer) error { return w.PutSession(store.Session{ID: "s2", Username: "alice"}) })
		if !errors.Is(err, etcd.ErrRefused) {
			t.Errorf("user without a password writes as %v, want the CN's role", err)
		}
		s.Close()
	}

	// A certificate whose CN is no etcd user, and the same with a password
	// login as a user of the admin role: the password wins, as with etcd's
	// own client.
	cert, key, _ := f.Client("nobody")
	_, err = etcd.Open(addr, store.OpenOptions{}, etcd.Settings{CACert: f.CA, Cert: cert, Key: key})
	if !errors.Is(err, etcd.ErrRefused) {
		t.Errorf("unknown CN: %v", err)
	}
	s, err = etcd.Open(addr, store.OpenOptions{}, etcd.Settings{CACert: f.CA, Cert: cert, Key: key, Username: "authctl-admin", Password: "etcd-pw"})
	if err != nil {
		t.Errorf("password over TLS: %v", err)
	} else {
		s.Close()
	}

	// Misconfigured TLS is one line naming what to check.
	other, err := etcdtest.NewTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		set  etcd.Settings
		want string
	}{
		"no client certificate": {etcd.Settings{CACert: f.CA}, "etcd.cacert signed"},
		"another CA":            {etcd.Settings{CACert: other.CA, Cert: cert, Key: key}, "etcd.cacert signed"},
		"plain text":            {etcd.Settings{}, "if the cluster uses TLS set etcd.cacert"},
	} {
		_, err := etcd.Open(addr, store.OpenOptions{}, quick(c.set))
		if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", name, err)
		}
	}
	notPEM := f.Dir + "/not.pem"
	os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600)
	for name, set := range map[string]etcd.Settings{
		"certificate without key": {CACert: f.CA, Cert: cert},
		"missing CA file":         {CACert: f.Dir + "/missing.pem"},
		"CA file without PEM":     {CACert: notPEM},
		"key as CA file":          {CACert: key},
	} {
		if _, err := etcd.Open(addr, store.OpenOptions{}, set); err == nil || !strings.Contains(err.Error(), "etcd") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// startTLSServer starts an embedded member serving TLS with new
// certificates (etcdtest.NewTLS), stopped when the test ends.
func startTLSServer(t *testing.T) (*etcdtest.TLSFiles, *etcdtest.Server) {
	t.Helper()
	f, err := etcdtest.NewTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := etcdtest.StartTLS(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return f, srv
}
