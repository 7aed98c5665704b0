package etcd_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// connectProxy is an HTTP proxy that opens CONNECT tunnels for requests
// carrying auth (Proxy-Authorization) and refuses the others.
type connectProxy struct {
	addr    string
	tunnels atomic.Int32
	mu      sync.Mutex
	conns   []net.Conn
}

func startProxy(t *testing.T, auth string) *connectProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{addr: l.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Header.Get("Proxy-Authorization") != auth {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		p.tunnels.Add(1)
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	})}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	return p
}

// Connections go through the proxy the environment names for the member
// (HTTPS_PROXY, NO_PROXY), as etcd's gRPC client's did, with the proxy's
// credentials; a proxy that refuses is a cluster that cannot be reached.
func TestProxy(t *testing.T) {
	p := startProxy(t, "Basic dTpwdw==") // u:pw
	var asked atomic.Value
	defer etcd.SetProxy(func(addr string) (*url.URL, error) {
		asked.Store(addr)
		return url.Parse("http://u:pw@" + p.addr)
	})()
	addr := address()
	s, err := etcd.Open(addr, store.OpenOptions{Create: true}, etcdtest.Settings())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) }); err != nil {
		t.Error(err)
	}
	s.Close()
	if p.tunnels.Load() == 0 || !strings.Contains(endpoint, asked.Load().(string)) {
		t.Errorf("%d tunnels, proxy asked for %v", p.tunnels.Load(), asked.Load())
	}

	etcd.SetProxy(func(string) (*url.URL, error) { return url.Parse("http://u:wrong@" + p.addr) })
	start := time.Now()
	_, err = etcd.Open(addr, store.OpenOptions{}, etcd.Settings{DialTimeout: 300 * time.Millisecond})
	if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), "refused a tunnel") || strings.Contains(err.Error(), "wrong") ||
		time.Since(start) > 5*time.Second {
		t.Errorf("refusing proxy: %v after %s", err, time.Since(start))
	}
}
