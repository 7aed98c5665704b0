package bolt

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// TestLastPairEmptiedLeaves checks lastPair on a multi-page bucket whose keys
// a transaction deleted one by one (leaving empty leaves until commit), where
// bbolt's own Cursor.Last never returns.
func TestLastPairEmptiedLeaves(t *testing.T) {
	for _, n := range []int{1, 20, 100, 1000} {
		for _, keep := range []int{0, 1, n / 2} {
			t.Run(fmt.Sprintf("%d-keep-%d", n, keep), func(t *testing.T) {
				db, err := bbolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }
				err = db.Update(func(tx *bbolt.Tx) error {
					b, err := tx.CreateBucket([]byte("b"))
					if err != nil {
						return err
					}
					for i := 1; i <= n; i++ {
						if err := b.Put(key(i), make([]byte, 200)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				timer := time.AfterFunc(30*time.Second, func() { panic("lastPair did not return: cursor loop") })
				defer timer.Stop()
				err = db.Update(func(tx *bbolt.Tx) error {
					b := tx.Bucket([]byte("b"))
					for i := keep + 1; i <= n; i++ {
						if err := b.Delete(key(i)); err != nil {
							return err
						}
					}
					k, _ := lastPair(b)
					switch {
					case keep == 0 && k != nil:
						return fmt.Errorf("lastPair of an emptied bucket = %x", k)
					case keep > 0 && (k == nil || binary.BigEndian.Uint64(k) != uint64(keep)):
						return fmt.Errorf("lastPair = %x, want key %d", k, keep)
					}
					// Deleting from the front instead.
					for i := 1; i <= keep; i++ {
						if err := b.Delete(key(i)); err != nil {
							return err
						}
					}
					if k, _ := lastPair(b); k != nil {
						return fmt.Errorf("lastPair of an emptied bucket = %x", k)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}
