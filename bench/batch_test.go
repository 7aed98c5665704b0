package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"authctl/internal/auth"
)

// batchShape is the data set of BenchmarkCheckBatch and batch_bench.sh:
// AUTHCTL_BATCH_USERS users (default 100,000) and 1,000 groups.
func batchShape(tb testing.TB) scaleShape {
	s := scaleShape{users: 100_000, groups: 1_000}
	if v := os.Getenv("AUTHCTL_BATCH_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			tb.Fatalf("AUTHCTL_BATCH_USERS=%q is not a number of users", v)
		}
		s.users = n
	}
	return s
}

// scaleDB builds (once per benchmark directory) the scale database of
// shape s and returns its path.
func scaleDB(tb testing.TB, s scaleShape) string {
	path := filepath.Join(benchDir, fmt.Sprintf("scale-%d-%d.db", s.users, s.groups))
	if _, err := os.Stat(path); err != nil {
		if err := buildScale(path, s); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// batchQuestion is line i of batch_bench.sh's questions.
func batchQuestion(s scaleShape, i int) (user string, perms []string) {
	p := (i * 31) % scalePerms
	return scaleUserName((i * 7919) % s.users), []string{permName(p)}
}

// BenchmarkCheckBatch is the work of "authctl check --batch" without the
// parsing and printing: b.N has_perms questions, every one on a different
// user, answered from one read transaction. Run it with -cpu 1 for the
// one-core figure.
func BenchmarkCheckBatch(b *testing.B) {
	s := batchShape(b)
	svc, st, err := openService(scaleDB(b, s))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	qs := make([]struct {
		user  string
		perms []string
	}, 4096)
	for i := range qs {
		qs[i].user, qs[i].perms = batchQuestion(s, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	err = svc.Checks(context.Background(), false, func(c *auth.Checker) error {
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			if _, err := c.Check(q.user, q.perms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}
