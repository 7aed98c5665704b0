package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// Buckets written in key order in one transaction, as an apply writes
// them, fill their pages: users and the indexes to about fillRecords and
// fillIndex, the append-only audit log completely. At bbolt's default
// (0.5) every page would be about half empty.
func TestBulkWrittenBucketsAreFull(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 5000
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	err = st.Update(context.Background(), func(w store.Writer) error {
		for i := range n {
			name := fmt.Sprintf("user%08d", i)
			u := sizeUser(name, i)
			u.Groups = []string{"everyone"}
			u.IsSuperuser = true
			if err := w.PutUser(u); err != nil {
				return err
			}
			if _, err := w.AppendAudit(sizeAudit(&prev, name, i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.(*boltStore).view(func(tx *bbolt.Tx) error {
		for _, c := range []struct {
			name string
			b    *bbolt.Bucket
			min  float64
		}{
			{"users", tx.Bucket(bucketUsers), 0.85},
			{"audit", tx.Bucket(bucketAudit), 0.95},
			{"idx_super", tx.Bucket(bucketIdxSuper), 0.85},
			{"idx_groups/everyone", tx.Bucket(bucketIdxGroups).Bucket([]byte("everyone")), 0.85},
		} {
			s := c.b.Stats()
			// The last leaf is as full as what was left for it.
			fill := float64(s.LeafInuse) / float64(s.LeafAlloc-tx.DB().Info().PageSize)
			t.Logf("%s: %d leaves, %.2f full", c.name, s.LeafPageN, fill)
			if s.LeafPageN < 10 || fill < c.min {
				t.Errorf("%s: %d leaves, %.2f full, want at least %.2f", c.name, s.LeafPageN, fill, c.min)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
