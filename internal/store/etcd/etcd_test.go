package etcd_test

import (
	"fmt"
	"os"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
	"authctl/internal/store/storetest"
)

// endpoint is the server the tests use: an external cluster named by
// AUTHCTL_TEST_ETCD_ENDPOINTS (comma-separated HOST:PORT), else an
// embedded one started by TestMain.
var endpoint string

func TestMain(m *testing.M) {
	if ep := os.Getenv("AUTHCTL_TEST_ETCD_ENDPOINTS"); ep != "" {
		endpoint = ep
		os.Exit(m.Run())
	}
	srv, err := etcdtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start embedded etcd:", err)
		os.Exit(1)
	}
	endpoint = srv.Endpoint
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

func address() string { return "//" + endpoint + etcdtest.Prefix() }

func newOpener(t testing.TB) storetest.Opener {
	addr := address()
	return func(opts store.OpenOptions) (store.Store, error) {
		return etcd.Open(addr, opts, etcdtest.Settings())
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, newOpener) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, newOpener) }
