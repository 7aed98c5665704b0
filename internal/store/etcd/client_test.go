package etcd_test

import (
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
	"authctl/internal/store/etcd/etcdtest"
)

// An endpoint that refuses connections is skipped, wherever it is in the
// list.
func TestFailover(t *testing.T) {
	dead := etcdtest.ClosedPort(t)
	p := etcdtest.Prefix()
	for _, eps := range []string{dead + "," + endpoint, endpoint + "," + dead} {
		s, err := etcd.Open("//"+eps+p, store.OpenOptions{Create: true}, etcdtest.Settings())
		if err != nil {
			t.Fatalf("%s: %v", eps, err)
		}
		for range 3 {
			err := s.Update(ctx, func(w store.Writer) error {
				_, err := w.AppendAudit(store.AuditRecord{Action: "x"})
				return err
			})
			if err != nil {
				t.Errorf("%s: %v", eps, err)
			}
		}
		s.Close()
	}
}
