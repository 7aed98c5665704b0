package etcd_test

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// A write whose TLS handshake failed (here: a member whose certificate
// etcd.cacert did not sign) reached nothing, and goes to the next
// endpoint.
func TestWriteFailoverTLSHandshake(t *testing.T) {
	f, srv := startTLSServer(t)
	var hits atomic.Int32
	stranger := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	stranger.EnableHTTP2 = true
	stranger.Config.ErrorLog = log.New(io.Discard, "", 0)
	stranger.StartTLS()
	defer stranger.Close()
	cert, key, err := f.Client("root")
	if err != nil {
		t.Fatal(err)
	}
	set := etcd.Settings{CACert: f.CA, Cert: cert, Key: key}
	s, err := etcd.Open("//"+stranger.Listener.Addr().String()+","+srv.Endpoint+"/authctl/", store.OpenOptions{Create: true}, set)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		etcd.SetEndpoint(s, 0)
		err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) })
		if err != nil {
			t.Errorf("write after a failed handshake: %v", err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the member with the wrong certificate", n)
	}
}

// freezer forwards TCP connections to a member until freeze, after which
// the connections it already forwards go silent (their data is dropped,
// as by a member that vanished or a dropped NAT entry) while new ones are
// forwarded.
type freezer struct {
	addr string
	gen  atomic.Int32
	mu   sync.Mutex
	cs   []net.Conn
}

func startFreezer(t *testing.T, to string) *freezer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fz := &freezer{addr: l.Addr().String()}
	pipe := func(dst, src net.Conn, gen int32) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				dst.Close()
				return
			}
			if fz.gen.Load() != gen {
				continue
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			fz.mu.Lock()
			fz.cs = append(fz.cs, c, up)
			fz.mu.Unlock()
			gen := fz.gen.Load()
			go pipe(up, c, gen)
			go pipe(c, up, gen)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		fz.mu.Lock()
		for _, c := range fz.cs {
			c.Close()
		}
		fz.mu.Unlock()
	})
	return fz
}

func (fz *freezer) freeze() { fz.gen.Add(1) }

// A pooled connection that went silent is found dead by HTTP/2 pings
// within seconds, and the read goes on over a new connection instead of
// waiting for its whole request timeout.
func TestDeadConnection(t *testing.T) {
	fz := startFreezer(t, strings.Split(endpoint, ",")[0]) // one member: the cluster's list in CI
	set := etcdtest.Settings()
	set.RequestTimeout = time.Minute
	s, err := etcd.Open("//"+fz.addr+etcdtest.Prefix(), store.OpenOptions{Create: true}, set)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	fz.freeze()
	start := time.Now()
	err = s.View(ctx, func(r store.Reader) error {
		v, err := r.Meta("k")
		if err == nil && string(v) != "v" {
			t.Errorf("read %q", v)
		}
		return err
	})
	if d := time.Since(start); err != nil || d > 30*time.Second {
		t.Errorf("read over a dead connection: %v after %s", err, d)
	}
}
