package bolt_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// freshStore opens a new database for one iteration of a benchmark (the
// caller stops the timer around it, and closes the store).
func freshStore(b *testing.B) store.Store {
	b.Helper()
	s, err := bolt.Open(filepath.Join(b.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchUser is a typical user: a Django hash, an email, two groups out of
// 10,000 (so a group has about 100 members at 1M users... see groupOf).
func benchUser(i int) store.User {
	joined := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return store.User{
		Username:    fmt.Sprintf("user%08d", i),
		Email:       fmt.Sprintf("user%08d@example.org", i),
		FirstName:   "First",
		LastName:    "Last",
		Password:    "pbkdf2_sha256$1200000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=",
		IsActive:    true,
		DateJoined:  joined,
		Groups:      []string{groupOf(i), "everyone-" + fmt.Sprint(i%2)},
		Permissions: []string{"app.perm" + fmt.Sprint(i%50)},
		IsSuperuser: i%100000 == 0,
	}
}

// groupOf spreads users over n/100 groups of 100 members each.
func groupOf(i int) string { return fmt.Sprintf("team%05d", i%10000) }

// buildUsers writes n users in batches and returns the file.
func buildUsers(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "auth.db")
	s, err := bolt.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch = 100_000
	for lo := 0; lo < n; lo += batch {
		err := s.Update(ctx, func(w store.Writer) error {
			for i := lo; i < min(lo+batch, n); i++ {
				if err := w.PutUser(benchUser(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// BenchmarkGroupMembers1M answers GroupMembers for a 100-member group of a
// database of 1,000,000 users (built once, which takes minutes; set
// AUTHCTL_BENCH_USERS to try another size) and reports the file's bytes
// per user.
func BenchmarkGroupMembers1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("AUTHCTL_BENCH_USERS")); err == nil && v >= 10000 {
		n = v
	}
	path := buildUsers(b, n)
	fi, _ := os.Stat(path)
	s, err := bolt.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("GroupMembers", func(b *testing.B) {
		i := 0
		for b.Loop() {
			got := 0
			err := s.View(ctx, func(r store.Reader) error {
				return r.GroupMembers(groupOf(i*7919), func(string) error { got++; return nil })
			})
			if err != nil || got != n/10000 {
				b.Fatalf("GroupMembers: %d members, %v", got, err)
			}
			i++
		}
		b.ReportMetric(float64(fi.Size())/float64(n), "file-bytes/user")
	})
}

// BenchmarkPutUsers100k writes 100,000 users in one Update, in username
// order and in random order: bbolt keeps a bucket's nodes unsplit until the
// commit, so each out-of-order insert moves the entries after it.
func BenchmarkPutUsers100k(b *testing.B) {
	const n = 100_000
	for _, order := range []string{"sorted", "random"} {
		b.Run(order, func(b *testing.B) {
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			if order == "random" {
				rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
			}
			for b.Loop() {
				b.StopTimer()
				s := freshStore(b)
				b.StartTimer()
				err := s.Update(ctx, func(w store.Writer) error {
					for _, i := range idx {
						if err := w.PutUser(benchUser(i)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}
