package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

var ctx = context.Background()

func openNew(t *testing.T, set etcd.Settings) (string, store.Store) {
	t.Helper()
	addr := address()
	s, err := etcd.Open(addr, store.OpenOptions{Create: true}, set)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return addr, s
}

func TestParseAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"//h:2379":                "[h:2379] /authctl/",
		"//a:1,b:2/":              "[a:1 b:2] /authctl/",
		"//a:1,b:2/prod":          "[a:1 b:2] /prod/",
		"//[::1]:2379/x/y/":       "[[::1]:2379] /x/y/",
		"//127.0.0.1:2379/authz/": "[127.0.0.1:2379] /authz/",
	} {
		eps, prefix, err := etcd.ParseAddress(addr)
		if got := fmt.Sprint(eps, " ", prefix); err != nil || got != want {
			t.Errorf("ParseAddress(%q) = %s, %v; want %s", addr, got, err, want)
		}
	}
	for _, bad := range []string{"h:2379", "//", "//h", "//h:x", "//h:0", "//:2379", "//a:1,,b:2"} {
		if _, _, err := etcd.ParseAddress(bad); err == nil {
			t.Errorf("ParseAddress(%q): no error", bad)
		}
	}
}

// An Update that does not fit etcd's default limits fails before it sends
// anything, naming the limit and the flags.
func TestTooLarge(t *testing.T) {
	_, s := openNew(t, etcd.Settings{})
	err := s.Update(ctx, func(w store.Writer) error {
		for i := range 200 {
			if err := w.PutMeta(fmt.Sprint("k", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, etcd.ErrTooLarge) || !strings.Contains(err.Error(), "--max-txn-ops") || !strings.Contains(err.Error(), "at most 128") {
		t.Errorf("200 keys: %v", err)
	}
	big := make([]byte, 1<<20)
	err = s.Update(ctx, func(w store.Writer) error {
		w.PutMeta("a", big)
		return w.PutMeta("b", big)
	})
	if !errors.Is(err, etcd.ErrTooLarge) || !strings.Contains(err.Error(), "--max-request-bytes") {
		t.Errorf("2 MiB: %v", err)
	}
	s.View(ctx, func(r store.Reader) error {
		for _, k := range []string{"a", "k0", "k199"} {
			if _, err := r.Meta(k); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Meta(%s) after a refused Update: %v", k, err)
			}
		}
		return nil
	})
	// 120 writes and the commit guard fit.
	if err := s.Update(ctx, func(w store.Writer) error {
		for i := range 120 {
			w.PutMeta(fmt.Sprint("k", i), nil)
		}
		return nil
	}); err != nil {
		t.Errorf("120 keys: %v", err)
	}
}

// Names holding "/" or "%" cannot reach into another name's index range.
func TestIndexEscaping(t *testing.T) {
	_, s := openNew(t, etcdtest.Settings())
	err := s.Update(ctx, func(w store.Writer) error {
		for _, u := range []store.User{
			{Username: "x", Groups: []string{"a/b"}},
			{Username: "b/y", Groups: []string{"a"}},
			{Username: "z", Groups: []string{"a%2Fb"}, Permissions: []string{"p/q"}},
		} {
			if err := w.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	members := func(r store.Reader, g string) []string {
		var got []string
		r.GroupMembers(g, func(u string) error { got = append(got, u); return nil })
		return got
	}
	s.View(ctx, func(r store.Reader) error {
		for g, want := range map[string][]string{"a/b": {"x"}, "a": {"b/y"}, "a%2Fb": {"z"}, "a%": nil} {
			if got := members(r, g); !slices.Equal(got, want) {
				t.Errorf("GroupMembers(%q) = %q, want %q", g, got, want)
			}
		}
		var got []string
		r.PermissionHolders("p/q", func(u string) error { got = append(got, u); return nil })
		if !slices.Equal(got, []string{"z"}) {
			t.Errorf("PermissionHolders(p/q) = %q", got)
		}
		return nil
	})
}

// Writers on separate connections (separate hosts) never lose a write and
// number the audit log without gaps.
func TestConcurrentHosts(t *testing.T) {
	addr, _ := openNew(t, etcdtest.Settings())
	const hosts, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, hosts)
	for h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := etcd.Open(addr, store.OpenOptions{}, etcdtest.Settings())
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := range each {
				err := s.Update(ctx, func(w store.Writer) error {
					name := fmt.Sprintf("h%d-u%d", h, i)
					if _, err := w.User(name); err == nil {
						return fmt.Errorf("%s exists already", name)
					}
					if err := w.PutUser(store.User{Username: name, Password: "x", Groups: []string{"g"}}); err != nil {
						return err
					}
					_, err := w.AppendAudit(store.AuditRecord{Action: "create", Target: name})
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := etcd.Open(addr, store.OpenOptions{ReadOnly: true}, etcd.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(ctx, func(r store.Reader) error {
		var seqs []uint64
		targets := map[string]int{}
		r.Audit(0, func(a store.AuditRecord) error {
			seqs = append(seqs, a.Seq)
			targets[a.Target]++
			return nil
		})
		for i, seq := range seqs {
			if seq != uint64(i+1) {
				t.Fatalf("audit sequence %v has a gap", seqs)
			}
		}
		if len(seqs) != hosts*each || len(targets) != hosts*each {
			t.Errorf("%d audit records for %d targets, want %d", len(seqs), len(targets), hosts*each)
		}
		n := 0
		r.GroupMembers("g", func(string) error { n++; return nil })
		if n != hosts*each {
			t.Errorf("%d members, want %d", n, hosts*each)
		}
		return nil
	})
}

// A cluster that does not answer is one line naming the endpoints, the
// cause and what to check.
func TestUnreachable(t *testing.T) {
	free := etcdtest.ClosedPort(t)
	// Nothing accepts connections: given up after the dial timeout, not
	// the request timeout.
	start := time.Now()
	_, err := etcd.Open("//"+free+"/x/", store.OpenOptions{}, etcd.Settings{DialTimeout: 300 * time.Millisecond, RequestTimeout: 20 * time.Second})
	if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), free) ||
		!strings.Contains(err.Error(), "check that etcd runs") || strings.Contains(err.Error(), "\n") {
		t.Errorf("closed port: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("gave up after %s", d)
	}

	// A port that accepts connections but never speaks gRPC.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, err = etcd.Open("//"+l.Addr().String()+"/x/", store.OpenOptions{}, etcd.Settings{DialTimeout: 300 * time.Millisecond, RequestTimeout: 300 * time.Millisecond})
	if !errors.Is(err, etcd.ErrUnreachable) || !strings.Contains(err.Error(), "accepts connections") || !strings.Contains(err.Error(), "etcd.cacert") {
		t.Errorf("silent port: %v", err)
	}
}

// A prefix that holds keys but no schema is not taken for an empty
// database.
func TestNotAnAuthctlDatabase(t *testing.T) {
	addr, s := openNew(t, etcdtest.Settings())
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	for _, create := range []bool{false, true} {
		_, err := etcd.Open(addr+"meta/", store.OpenOptions{Create: create}, etcd.Settings{})
		if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "not an authctl database") {
			t.Errorf("Create=%v: %v", create, err)
		}
	}
}
