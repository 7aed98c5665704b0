package etcd_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// fakeMember serves h on a loopback port in HTTP/2 without TLS (h2c), as
// etcd's client port does, and returns HOST:PORT.
func fakeMember(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// A configured etcd user against a cluster with authentication off is
// not an error: calls go without a token, as with etcd's client, and
// Authenticate is asked once, not before every call. When the cluster
// turns authentication on, the client logs in.
func TestAuthOff(t *testing.T) {
	srv, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var auths atomic.Int32
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: "http", Host: srv.Endpoint}) },
		Transport: &http.Transport{Protocols: h2c},
	}
	front := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/etcdserverpb.Auth/Authenticate" {
			auths.Add(1)
		}
		rp.ServeHTTP(w, r)
	})
	const prefix = "/authctl/"
	set := etcdtest.Settings()
	set.Username, set.Password = "authctl-admin", "etcd-pw"
	s, err := etcd.Open("//"+front+prefix, store.OpenOptions{Create: true}, set)
	if err != nil {
		t.Fatalf("open with authentication off: %v", err)
	}
	defer s.Close()
	put := func(name string) error {
		return s.Update(ctx, func(w store.Writer) error { return w.PutGroup(store.Group{Name: name}) })
	}
	for _, g := range []string{"a", "b", "c"} {
		if err := put(g); err != nil {
			t.Fatalf("write with authentication off: %v", err)
		}
	}
	if n := auths.Load(); n != 1 {
		t.Errorf("%d Authenticate calls with authentication off, want 1", n)
	}

	if err := srv.EnableAuth(prefix, "etcd-pw"); err != nil {
		t.Fatal(err)
	}
	if err := put("d"); err != nil {
		t.Fatalf("write once authentication is on: %v", err)
	}
	err = s.View(ctx, func(r store.Reader) error {
		_, err := r.Group("d")
		return err
	})
	if err != nil {
		t.Errorf("read once authentication is on: %v", err)
	}
	if n := auths.Load(); n != 2 {
		t.Errorf("%d Authenticate calls in all, want 2", n)
	}
}

// A redirect is never followed: gRPC has none, and following one would
// send the password and the token where it points.
func TestRedirect(t *testing.T) {
	var hits atomic.Int32
	other := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusNotFound)
	})
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		member := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+other+r.URL.Path, code)
		})
		set := etcd.Settings{Username: "u", Password: "secret", DialTimeout: 300 * time.Millisecond, RequestTimeout: 5 * time.Second}
		_, err := etcd.Open("//"+member+"/x/", store.OpenOptions{}, set)
		if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), member+" answered with a redirect") ||
			!strings.Contains(err.Error(), "check --db") || strings.Contains(err.Error(), "\n") {
			t.Errorf("HTTP %d: %v", code, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests followed a redirect", n)
	}
}

// An answer that is not gRPC is reported as what it is, at once, without
// reading a body that may not end; a read moves on to the next endpoint.
func TestNotEtcd(t *testing.T) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	endless := func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := io.WriteString(w, "<html>not etcd</html>\n"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-done:
				return
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	web := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		endless(w, r)
	})
	html200 := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		endless(w, r)
	})
	huge := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
		var hdr [5]byte
		binary.BigEndian.PutUint32(hdr[1:], 1<<32-1)
		w.Write(hdr[:])
		endless(w, r)
	})
	nostatus := fakeMember(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
	})
	h1 := httptest.NewServer(http.NotFoundHandler())
	defer h1.Close()
	http1 := h1.Listener.Addr().String()
	set := etcd.Settings{DialTimeout: 300 * time.Millisecond, RequestTimeout: 30 * time.Second}
	for ep, want := range map[string]string{
		http1:               http1 + " answered in HTTP/1.1, not gRPC",
		nostatus:            nostatus + " answered without a gRPC status",
		web:                 web + " answered HTTP 404 Not Found (text/html), not gRPC",
		html200:             html200 + " answered text/html, not gRPC",
		web + "," + html200: html200 + " answered text/html, not gRPC",
		huge:                huge + " answered a message of 4294967295 bytes, more than the 751 MiB the client accepts",
	} {
		start := time.Now()
		_, err := etcd.Open("//"+ep+"/x/", store.OpenOptions{}, set)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", ep, err, want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: answered after %s", ep, d)
		}
	}

	// Reads go on to a member that is etcd.
	addr := address()
	s, err := etcd.Open(addr, store.OpenOptions{Create: true}, etcdtest.Settings())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, prefix, _ := strings.Cut(strings.TrimPrefix(addr, "//"), "/")
	s, err = etcd.Open("//"+web+","+endpoint+"/"+prefix, store.OpenOptions{}, etcdtest.Settings())
	if err != nil {
		t.Fatalf("read past a web server: %v", err)
	}
	s.Close()
}

// A proxy in the way: the diagnosis names it rather than dialling the
// member directly.
func TestProxyDiagnosis(t *testing.T) {
	dead := etcdtest.ClosedPort(t)
	defer etcd.SetProxy(func(string) (*url.URL, error) { return url.Parse("http://" + dead) })()
	_, err := etcd.Open(address(), store.OpenOptions{}, etcd.Settings{DialTimeout: 300 * time.Millisecond, RequestTimeout: 300 * time.Millisecond})
	if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), "through the proxy http://"+dead+" (HTTPS_PROXY)") ||
		strings.Contains(err.Error(), "accepts connections") {
		t.Errorf("dead proxy: %v", err)
	}
}
