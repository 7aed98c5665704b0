package seed

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"authctl/internal/auth"
)

// TestOrderedTables: pieces finished in any order, on any number of
// workers, some added to the users' table directly and others through a
// table of their own, end up in the pieces' order, and so do their
// problems. (Run it with -race: a piece added directly must not meet
// another's AddTable.)
func TestOrderedTables(t *testing.T) {
	const pieces, per = 60, 5
	for _, workers := range []int{1, 2, 3, 8} {
		for round := range 5 {
			rnd := rand.New(rand.NewPCG(uint64(workers), uint64(round)))
			delays := make([]time.Duration, pieces)
			for i := range delays {
				delays[i] = time.Duration(rnd.IntN(200)) * time.Microsecond
			}
			merge := newOrderedTables(pieces, workers)
			runTasks(pieces, workers, func(p int) bool {
				time.Sleep(delays[p]) // the piece's decoding
				merge.add(p, 64, func(table *auth.UserTable) []error {
					var found []error
					for k := range per {
						table.Add(&auth.DocUser{Username: fmt.Sprintf("u%d", p*per+k)})
						time.Sleep(delays[(p+k)%pieces] / 8)
					}
					if p%4 == 1 {
						found = append(found, fmt.Errorf("piece %d", p))
					}
					return found
				})
				return true
			})
			if merge.users.Len() != pieces*per {
				t.Fatalf("workers %d: %d users, want %d", workers, merge.users.Len(), pieces*per)
			}
			for i, u := range (&auth.Document{UserTable: merge.users}).AllUsers() {
				if want := fmt.Sprintf("u%d", i); u.Username != want {
					t.Fatalf("workers %d: user %d is %s, want %s", workers, i, u.Username, want)
				}
			}
			var want []error
			for p := 1; p < pieces; p += 4 {
				want = append(want, fmt.Errorf("piece %d", p))
			}
			if fmt.Sprint(merge.problems) != fmt.Sprint(want) {
				t.Fatalf("workers %d: problems %v, want %v", workers, merge.problems, want)
			}
		}
	}
}

// TestOrderedTablesWindow: workers that run ahead of a slow piece wait,
// so that no more than the window's tables are pending at once; a failed
// piece wakes them, and no piece after it is decoded.
func TestOrderedTablesWindow(t *testing.T) {
	const pieces, workers = 200, 8
	merge := newOrderedTables(pieces, workers)
	var mu sync.Mutex
	most := 0
	runTasks(pieces, workers, merge.task(func(p int) bool {
		if p == 0 {
			time.Sleep(20 * time.Millisecond) // a slow piece: the others run ahead
		}
		merge.add(p, 64, func(table *auth.UserTable) []error {
			table.Add(&auth.DocUser{Username: fmt.Sprintf("u%d", p)})
			return nil
		})
		merge.mu.Lock()
		pending := 0
		for _, tb := range merge.tables {
			if tb != nil {
				pending++
			}
		}
		merge.mu.Unlock()
		mu.Lock()
		most = max(most, pending)
		mu.Unlock()
		return true
	}))
	if merge.users.Len() != pieces {
		t.Fatalf("%d users, want %d", merge.users.Len(), pieces)
	}
	if most > 2*workers {
		t.Errorf("%d tables pending at once, want at most the window, %d", most, 2*workers)
	}

	merge = newOrderedTables(pieces, workers)
	var decoded sync.Map
	ok := runTasks(pieces, workers, merge.task(func(p int) bool {
		if p == 0 {
			time.Sleep(20 * time.Millisecond)
			return false // piece 0 fails while the others wait
		}
		decoded.Store(p, true)
		merge.add(p, 64, func(*auth.UserTable) []error { return nil })
		return true
	}))
	if ok {
		t.Fatal("runTasks reported success with a failed piece")
	}
	n := 0
	decoded.Range(func(any, any) bool { n++; return true })
	if n > 2*workers {
		t.Errorf("%d pieces decoded after piece 0 failed, want at most the window, %d", n, 2*workers)
	}
}
