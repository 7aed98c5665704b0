package etcd_test

import (
	"bufio"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/etcd/etcdtest"
)

// rangeRequests is how many Range requests the test server has answered,
// from its gRPC counters (/metrics on the client port).
func rangeRequests(t *testing.T) int {
	t.Helper()
	resp, err := http.Get("http://" + strings.Split(endpoint, ",")[0] + "/metrics")
	if err != nil {
		t.Skipf("metrics: %v", err)
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "grpc_server_handled_total{") && strings.Contains(l, `grpc_method="Range"`) {
			f := strings.Fields(l)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			n += int(v)
		}
	}
	return n
}

// A transaction reads each key from the cluster once: values at its
// revision do not change.
func TestReadsOnce(t *testing.T) {
	if strings.Contains(endpoint, ",") || os.Getenv("AUTHCTL_TEST_ETCD_ENDPOINTS") != "" {
		t.Skip("counts the requests of the embedded server")
	}
	_, s := openNew(t, etcdtest.Settings())
	if err := s.Update(ctx, func(w store.Writer) error {
		return w.PutUser(store.User{Username: "alice", Password: "x"})
	}); err != nil {
		t.Fatal(err)
	}
	before := rangeRequests(t)
	err := s.View(ctx, func(r store.Reader) error {
		for range 3 {
			if _, err := r.User("alice"); err != nil {
				return err
			}
			if _, err := r.User("bob"); err == nil {
				t.Error("bob exists")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// alice and her hash, bob: three keys, three requests.
	if n := rangeRequests(t) - before; n != 3 {
		t.Errorf("%d requests for three keys read three times each", n)
	}
}
