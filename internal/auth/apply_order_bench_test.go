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
// stages it) for the same users listed by name and shuffled, each on a
// fresh database, the shuffled one twice: as the write takes it, and
// without gathering its users into key order first (usertable_gather.go),
// as the write took it before. The three alternate, so that a shared
// machine's drift hits all alike. Reports each one's wall and CPU time
// per user (user+system, the whole process's: the collector's work
// counts; the steadier of the two on a shared machine), and the shuffled
// ones' over the sorted one's.
//
//	go test -run '^$' -bench ApplyWriteOrder -benchtime 5x ./internal/auth/
func BenchmarkApplyWriteOrder(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	sorted, shuffled := orderDoc(n, false), orderDoc(n, true)
	runs := []struct {
		name      string
		doc       *Document
		off       bool
		wall, cpu time.Duration
	}{{name: "sorted", doc: sorted}, {name: "random", doc: shuffled}, {name: "random-ungathered", doc: shuffled, off: true}}
	write := func(doc *Document, off bool) (wall, used time.Duration) {
		b.StopTimer()
		defer b.StartTimer()
		st, _ := benchStore(b, store.OpenOptions{})
		defer st.Close()
		svc, err := New(st, Options{Hashers: cheapHashers(b)})
		if err != nil {
			b.Fatal(err)
		}
		ap, err := svc.PlanApply(ctx, doc, ApplyOptions{Origin: "bench", CountsOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		gatherOff = off
		defer func() { gatherOff = false }()
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime(b)
		if _, err := svc.ExecuteApply(ctx, ap); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), cpuTime(b) - cpu0
	}
	rounds := 0
	for b.Loop() {
		for k := range runs {
			w, c := write(runs[k].doc, runs[k].off)
			runs[k].wall += w
			runs[k].cpu += c
		}
		rounds++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(rounds*n) }
	for _, r := range runs {
		b.ReportMetric(per(r.wall), "ns/user-"+r.name)
		b.ReportMetric(per(r.cpu), "cpu-ns/user-"+r.name)
		if r.name != "sorted" {
			b.ReportMetric(float64(r.wall)/float64(runs[0].wall), r.name+"/sorted")
			b.ReportMetric(float64(r.cpu)/float64(runs[0].cpu), "cpu-"+r.name+"/sorted")
		}
	}
}
