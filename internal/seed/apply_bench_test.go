package seed

import (
	"context"
	"runtime"
	"testing"
	"time"

	"authctl/internal/auth"
	"authctl/internal/store"
)

// BenchmarkApplyPlanMemory decodes a seeding file of 100,000 pre-hashed
// users and plans its apply over an empty database, as `apply -f` does
// before it writes, and reports per user the bytes allocated (alloc-B/user)
// and the heap the plan keeps live once the file is dropped
// (live-B/user): what an apply of a million users holds while it writes.
//
//	go test -run '^$' -bench ApplyPlanMemory -benchtime 3x ./internal/seed/
func BenchmarkApplyPlanMemory(b *testing.B) {
	const n = 100_000
	for _, format := range []string{"json", "yaml"} {
		b.Run(format, func(b *testing.B) {
			svc, err := auth.New(store.Empty(), auth.Options{Hashers: cheap(b), Now: func() time.Time { return testNow }})
			if err != nil {
				b.Fatal(err)
			}
			var alloc, live float64
			for b.Loop() {
				b.StopTimer()
				data := prehashedUsersFile(n, format == "yaml")
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				doc, err := Decode(data, DecodeOptions{Name: "seed." + format})
				if err != nil {
					b.Fatal(err)
				}
				data = nil
				ap, err := svc.PlanApply(context.Background(), doc, auth.ApplyOptions{Manage: true, Origin: "apply"})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				doc = nil
				if ap.Hashes() != 0 || len(ap.Changes()) != n+70 {
					b.Fatalf("plan: %d hashes, %d changes", ap.Hashes(), len(ap.Changes()))
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(ap)
				alloc += float64(after.TotalAlloc - before.TotalAlloc)
				live += float64(after.HeapAlloc) - float64(before.HeapAlloc)
				b.StartTimer()
			}
			b.ReportMetric(alloc/float64(b.N)/n, "alloc-B/user")
			b.ReportMetric(live/float64(b.N)/n, "live-B/user")
		})
	}
}
