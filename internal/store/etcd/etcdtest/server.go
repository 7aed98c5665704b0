// Package etcdtest starts an embedded etcd server for tests, so that the
// etcd backend's tests need nothing installed. Only test files import it.
package etcdtest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"authctl/internal/store/etcd"
)

// The limits the test servers run with (and that .ci/run gives its
// cluster): far above etcd's defaults, for the conformance suite.
const (
	MaxTxnOps       = 100000
	MaxRequestBytes = 64 << 20
)

// Settings are the client settings that match a test server.
func Settings() etcd.Settings {
	return etcd.Settings{MaxTxnOps: MaxTxnOps, MaxRequestBytes: MaxRequestBytes}
}

// Server is one single-member etcd server.
type Server struct {
	e   *embed.Etcd
	dir string
	// Endpoint is HOST:PORT of its client port.
	Endpoint string
	tls      *tls.Config // for the helper's own client, on a TLS server
}

// Start starts a server with its data in a new temporary directory.
func Start() (*Server, error) { return start(nil) }

// StartTLS starts a server whose client port serves TLS with the server
// certificate of f and requires a client certificate signed by f's CA,
// whose CommonName is the etcd user once authentication is on
// (--client-cert-auth).
func StartTLS(f *TLSFiles) (*Server, error) { return start(f) }

func start(f *TLSFiles) (*Server, error) {
	dir, err := os.MkdirTemp("", "authctl-etcd-")
	if err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Dir, cfg.Name = dir, "test"
	u, _ := url.Parse("http://127.0.0.1:0")
	cu := *u
	var clientTLS *tls.Config
	if f != nil {
		cu.Scheme = "https"
		cfg.ClientTLSInfo = transport.TLSInfo{CertFile: f.ServerCert, KeyFile: f.ServerKey, TrustedCAFile: f.CA, ClientCertAuth: true}
		// The server's own client (the helper's EnableAuth).
		cert, key, err := f.Client("root")
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		ti := transport.TLSInfo{CertFile: cert, KeyFile: key, TrustedCAFile: f.CA}
		if clientTLS, err = ti.ClientConfig(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*u}, []url.URL{*u}
	cfg.InitialCluster = "test=http://127.0.0.1:0"
	cfg.LogLevel = "panic"
	cfg.UnsafeNoFsync = true
	// The conformance suite writes thousands of keys in one Update; the
	// backend's own tests check etcd's default limits separately.
	cfg.MaxTxnOps = MaxTxnOps
	cfg.MaxRequestBytes = MaxRequestBytes
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded etcd not ready after 30s")
	}
	return &Server{e: e, dir: dir, Endpoint: e.Clients[0].Addr().String(), tls: clientTLS}, nil
}

// Stop stops the server and removes its data.
func (s *Server) Stop() {
	s.e.Close()
	os.RemoveAll(s.dir)
}

var prefixes atomic.Int64

// Location returns etcd://ENDPOINT/PREFIX for a new prefix that nothing
// has used yet.
func (s *Server) Location(t testing.TB) string {
	return fmt.Sprintf("etcd://%s/t%d/", s.Endpoint, prefixes.Add(1))
}

// Prefix returns a new, unused key prefix ("/tN/").
func Prefix() string { return fmt.Sprintf("/t%d-%d/", os.Getpid(), prefixes.Add(1)) }

// Roles are the etcd roles docs/scale-out.md gives each kind of host, for
// the prefix p: readwrite on everything for an admin host; read on
// everything but p+"hash/" for a host that only checks permissions; a login
// host reads everything and writes the login records (sessions, failures,
// the audit log, users for last_login and hash upgrades, the session
// secret in meta/, and the two bookkeeping keys).
func Roles(p string) map[string][][3]string {
	end := func(k string) string { return clientv3.GetPrefixRangeEnd(k) }
	return map[string][][3]string{
		"authctl-admin": {{"readwrite", p, end(p)}},
		"authctl-check": {{"read", p, p + "hash/"}, {"read", end(p + "hash/"), end(p)}},
		"authctl-login": {
			{"read", p, end(p)},
			{"readwrite", p + "sessions/", end(p + "sessions/")},
			{"readwrite", p + "failures/", end(p + "failures/")},
			{"readwrite", p + "audit/", end(p + "audit/")},
			{"readwrite", p + "users/", end(p + "users/")},
			{"readwrite", p + "hash/", end(p + "hash/")},
			{"readwrite", p + "meta/", end(p + "meta/")},
			{"readwrite", p + "auditseq", ""},
			{"readwrite", p + "commit", ""},
		},
	}
}

// EnableAuth creates the roles of Roles(prefix), one etcd user per role
// (named after it, with password pw) and root, and turns authentication on.
func (s *Server) EnableAuth(prefix, pw string) error {
	ctx := context.Background()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop(), TLS: s.tls})
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.UserAdd(ctx, "root", pw); err != nil {
		return err
	}
	if _, err := cli.UserGrantRole(ctx, "root", "root"); err != nil {
		if _, err := cli.RoleAdd(ctx, "root"); err != nil {
			return err
		}
		if _, err := cli.UserGrantRole(ctx, "root", "root"); err != nil {
			return err
		}
	}
	types := map[string]clientv3.PermissionType{"read": clientv3.PermissionType(clientv3.PermRead), "readwrite": clientv3.PermissionType(clientv3.PermReadWrite)}
	for role, perms := range Roles(prefix) {
		if _, err := cli.RoleAdd(ctx, role); err != nil {
			return err
		}
		for _, p := range perms {
			if _, err := cli.RoleGrantPermission(ctx, role, p[1], p[2], types[p[0]]); err != nil {
				return err
			}
		}
		if _, err := cli.UserAdd(ctx, role, pw); err != nil {
			return err
		}
		if _, err := cli.UserGrantRole(ctx, role, role); err != nil {
			return err
		}
	}
	_, err = cli.AuthEnable(ctx)
	return err
}
