package auth

import (
	"context"
	"errors"
	"math"
	"testing"

	"authctl/internal/store"
)

// TestAuditListLimitBounds: a limit far above the number of records costs
// no more than the records (it used to pre-allocate the limit and panic in
// makeslice); a negative one is invalid; the ring keeps the newest, oldest
// first, whatever the wrap-around.
func TestAuditListLimitBounds(t *testing.T) {
	ctx := context.Background()
	e := auditedEnv(t) // nine records
	list := func(limit int) ([]uint64, error) {
		var out []uint64
		err := e.svc.AuditList(ctx, AuditFilter{Limit: limit}, func(r store.AuditRecord) error {
			out = append(out, r.Seq)
			return nil
		})
		return out, err
	}
	for _, limit := range []int{math.MaxInt, math.MaxInt / 2, 1 << 40} {
		got, err := list(limit)
		if err != nil || len(got) != 9 || got[0] != 1 || got[8] != 9 {
			t.Errorf("limit %d: %v, %v", limit, got, err)
		}
	}
	for limit := 1; limit <= 9; limit++ {
		got, err := list(limit)
		noErr(t, err)
		if len(got) != limit {
			t.Fatalf("limit %d: %v", limit, got)
		}
		for i, seq := range got {
			if want := uint64(9 - limit + 1 + i); seq != want {
				t.Errorf("limit %d: %v", limit, got)
				break
			}
		}
	}
	for _, limit := range []int{-1, math.MinInt} {
		if _, err := list(limit); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
		}
	}
}
