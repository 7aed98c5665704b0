package seed

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// decodeWorkers is how many goroutines decode a large users section: one a
// core. The decoders take it as a parameter (workers) so that tests can
// compare every count with the sequential reading.
var decodeWorkers = func() int { return runtime.GOMAXPROCS(0) }

// runTasks runs task(0), …, task(n-1) on min(workers, n) goroutines (on
// the caller's alone when that is one), taking the tasks in order. A task
// that returns false stops the others from starting new tasks, and
// runTasks returns false; it returns true when every task did.
func runTasks(n, workers int, task func(i int) bool) bool {
	workers = max(1, min(workers, n))
	if workers == 1 {
		for i := range n {
			if !task(i) {
				return false
			}
		}
		return true
	}
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if !task(i) {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}
