package auth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"authctl/internal/store"
)

// orderDoc is a document of n pre-hashed users, as a streamed decode
// leaves it (in a UserTable, in the document's order): by name, or in a
// fixed random order when shuffled.
func orderDoc(n int, shuffled bool) *Document {
	email, first, last := "user@example.com", "First", "Last"
	groups := []string{"staff"}
	pw := HashedPassword("pbkdf2_sha256$1200000$MM52R3E2NXIET73DS6K2LP$ruk23zK0d0gKGxQWFYNXdyfO9YkEe9MwpfWX9+DrVfM=")
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if shuffled {
		rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	tab := &UserTable{}
	for k, i := range order {
		tab.Add(&DocUser{Username: fmt.Sprintf("user%07d", i), Email: &email, FirstName: &first, LastName: &last,
			Groups: &groups, Password: &pw, Pos: DocPos{File: "seed.json", Line: uint32(k + 2), Col: 3, Item: uint32(k), JSON: true}})
	}
	return &Document{
		Permissions: []DocPermission{{Perm: "app.view_x", Name: "Can view x"}},
		Groups:      []DocGroup{{Name: "staff", Permissions: &[]string{"app.view_x"}}},
		UserTable:   tab,
	}
}

// BenchmarkApplyWriteOrder is the write of an apply (ExecuteApply of a
// planned document of 100,000 pre-hashed users, staged as the command
// stages it) for the same users listed by name and shuffled, alternately,
// each on a fresh database: the write takes them in key order either way,
// so the two should cost the same. Reports each order's wall and CPU
// (user+system, the whole process's: the collector's work counts) time
// per user, and random/sorted, the ratios of the write times (CPU is the
// steadier on a shared machine).
//
//	go test -run '^$' -bench ApplyWriteOrder -benchtime 5x ./internal/auth/
func BenchmarkApplyWriteOrder(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	docs := map[bool]*Document{false: orderDoc(n, false), true: orderDoc(n, true)}
	var took, cpu [2]time.Duration
	runs := 0
	write := func(shuffled bool) (wall, used time.Duration) {
		b.StopTimer()
		defer b.StartTimer()
		st, _ := benchStore(b, store.OpenOptions{})
		defer st.Close()
		svc, err := New(st, Options{Hashers: cheapHashers(b)})
		if err != nil {
			b.Fatal(err)
		}
		ap, err := svc.PlanApply(ctx, docs[shuffled], ApplyOptions{Origin: "bench", CountsOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime(b)
		if _, err := svc.ExecuteApply(ctx, ap); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), cpuTime(b) - cpu0
	}
	for b.Loop() {
		for k, shuffled := range []bool{false, true} {
			w, c := write(shuffled)
			took[k] += w
			cpu[k] += c
		}
		runs++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(runs*n) }
	b.ReportMetric(per(took[0]), "ns/user-sorted")
	b.ReportMetric(per(took[1]), "ns/user-random")
	b.ReportMetric(per(cpu[0]), "cpu-ns/user-sorted")
	b.ReportMetric(per(cpu[1]), "cpu-ns/user-random")
	b.ReportMetric(float64(took[1])/float64(took[0]), "random/sorted")
	b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-random/sorted")
}
