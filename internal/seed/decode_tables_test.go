package seed

import (
	"fmt"
	"math/rand/v2"
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
			merge := newOrderedTables(pieces)
			runTasks(pieces, workers, func(p int) bool {
				time.Sleep(delays[p]) // the piece's decoding
				merge.add(p, func(table *auth.UserTable) []error {
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
