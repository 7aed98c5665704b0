// Package etcdtest starts an embedded etcd server for tests, so that the
// etcd backend's tests need nothing installed. Only test files import it.
package etcdtest

import (
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"

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
}

// Start starts a server with its data in a new temporary directory.
func Start() (*Server, error) {
	dir, err := os.MkdirTemp("", "authctl-etcd-")
	if err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Dir, cfg.Name = dir, "test"
	u, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
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
	return &Server{e: e, dir: dir, Endpoint: e.Clients[0].Addr().String()}, nil
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
