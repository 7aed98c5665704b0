package bolt_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"authctl/internal/store"
)

// peakMemory samples the Go heap's live objects every millisecond (through
// runtime/metrics, which does not stop the world) and, on Linux, resets and
// then reads the process's peak resident set (VmHWM).
type peakMemory struct {
	stop chan struct{}
	wg   sync.WaitGroup
	heap uint64
}

func startPeakMemory() *peakMemory {
	runtime.GC()
	// Writing 5 to clear_refs resets VmHWM to the current RSS.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	p := &peakMemory{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			p.heap = max(p.heap, sample[0].Value.Uint64())
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// end stops sampling and reports the peaks in MiB.
func (p *peakMemory) end(b *testing.B) {
	close(p.stop)
	p.wg.Wait()
	b.ReportMetric(float64(p.heap)/(1<<20), "peak-heap-MiB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	}
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() (uint64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// BenchmarkStagedPutUsers100k writes 100,000 users (benchUser) into a new
// database in one Update, and with UpdateStaged in stages of 10,000, 25,000
// and 50,000 users, in username order and in random order, and reports the
// peak Go heap and peak RSS of each. Run each case alone (the peak RSS is
// the process's) with one iteration:
//
//	go test ./internal/store/bolt -run '^$' -bench 'StagedPutUsers100k/sorted/staged-10000$' -benchtime 1x
//
// AUTHCTL_BENCH_USERS sets another count.
func BenchmarkStagedPutUsers100k(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("AUTHCTL_BENCH_USERS")); err == nil && v >= 10_000 {
		n = v
	}
	for _, order := range []string{"sorted", "random"} {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		if order == "random" {
			rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		}
		put := func(w store.Writer, part []int) error {
			for _, i := range part {
				if err := w.PutUser(benchUser(i)); err != nil {
					return err
				}
			}
			return nil
		}
		for _, stageSize := range []int{0, 10_000, 25_000, 50_000} {
			mode := "one-update"
			if stageSize > 0 {
				mode = "staged-" + strconv.Itoa(stageSize)
			}
			b.Run(order+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					s := freshStore(b)
					peak := startPeakMemory()
					b.StartTimer()
					var err error
					if stageSize == 0 {
						err = s.Update(ctx, func(w store.Writer) error { return put(w, idx) })
					} else {
						err = store.UpdateStaged(ctx, s, func(stage stageFunc) error {
							for lo := 0; lo < n; lo += stageSize {
								part := idx[lo:min(lo+stageSize, n)]
								if err := stage(func(w store.Writer) error { return put(w, part) }); err != nil {
									return err
								}
							}
							return nil
						})
					}
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					peak.end(b)
					if err := s.Close(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		}
	}
}
