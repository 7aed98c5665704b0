package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"authctl/internal/auth"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// queryPerm is granted to one group only (scaleGroupName(0)) of a scale
// database, so that its holders are that group's members (and the
// superusers: none in the scale data set).
const queryPerm = "bench.one_group"

// addQueryPerm grants queryPerm to the first group of the database at
// path, once.
func addQueryPerm(path string) error {
	st, err := backends.Open(path, store.OpenOptions{})
	if err != nil {
		return err
	}
	err = st.Update(context.Background(), func(w store.Writer) error {
		if _, err := w.Permission(queryPerm); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := w.PutPermission(store.Permission{Perm: queryPerm, Name: "Can be counted"}); err != nil {
			return err
		}
		g, err := w.Group(scaleGroupName(0))
		if err != nil {
			return err
		}
		g.Permissions = append(g.Permissions, queryPerm) // sorts after "app…"
		return w.PutGroup(g)
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// BenchmarkPermQueries times "user list --with-perm" (Service.WithPerm)
// and "perm show" (Service.GetPermission) for a permission held through
// one group of about 200 members (2 groups a user, 1,000 groups), on
// scale databases of AUTHCTL_QUERY_USERS users (default "100000"; the
// figures in docs/performance.md add 1000000). Their cost should grow with
// the group's size, not with the number of users: they reach users through
// the store's GroupMembers, PermissionHolders and Superusers, whatever the
// store does to answer those (a scan of every user until bolt keeps an
// index).
func BenchmarkPermQueries(b *testing.B) {
	sizes := []int{100_000}
	if v := os.Getenv("AUTHCTL_QUERY_USERS"); v != "" {
		sizes = sizes[:0]
		for _, f := range strings.Fields(v) {
			n, err := strconv.Atoi(f)
			if err != nil || n < 2 {
				b.Fatalf("AUTHCTL_QUERY_USERS: %q is not a number of users", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		s := scaleShape{users: n, groups: 1_000}
		path := scaleDB(b, s)
		if err := addQueryPerm(path); err != nil {
			b.Fatal(err)
		}
		svc, st, err := openService(path)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		active := true
		b.Run(fmt.Sprintf("users=%d/with-perm", n), func(b *testing.B) {
			holders := 0
			for b.Loop() {
				holders = 0
				if err := svc.WithPerm(ctx, queryPerm, auth.WithPermOptions{Active: &active}, func(auth.Holding) error {
					holders++
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(holders), "holders")
		})
		b.Run(fmt.Sprintf("users=%d/perm-show", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.GetPermission(ctx, queryPerm); err != nil {
					b.Fatal(err)
				}
			}
		})
		st.Close()
	}
}
