package seed

import (
	"sync"

	"authctl/internal/auth"
)

// The users of a large section are decoded in pieces on several workers
// (JSON's chunks, decode_json_chunks.go; YAML's batches,
// decode_yaml_users.go), and each piece goes into the users' table on its
// worker as soon as it is decoded: the decoded users of the whole file
// are never held at once, and each worker's buffers are used again for
// its next piece.

// orderedTables puts the users of n pieces, finished in any order, into
// one table in the pieces' order, with their problems in the same order.
type orderedTables struct {
	mu sync.Mutex
	// next is the first piece not yet in users.
	next     int
	tables   []*auth.UserTable
	pending  [][]error
	users    *auth.UserTable
	problems []error
}

func newOrderedTables(n int) *orderedTables {
	return &orderedTables{tables: make([]*auth.UserTable, n), pending: make([][]error, n), users: auth.NewUserTable()}
}

// add puts piece i's users into the table, by calling convert (once, from
// this goroutine, without the lock held) with the table to add them to,
// which returns their problems. A piece whose turn it is — every piece
// before it is in, as always on one worker — is added to users directly;
// any other goes into a table of its own, added to users (AddTable) as
// soon as every piece before it is: its own arenas are then garbage while
// the rest are decoded, rather than all live until the last one is.
func (o *orderedTables) add(i int, convert func(*auth.UserTable) []error) {
	o.mu.Lock()
	if i == o.next {
		// No other worker adds to users meanwhile: drain stops at piece
		// i, whose table is never set.
		o.mu.Unlock()
		found := convert(o.users)
		o.mu.Lock()
		o.problems = append(o.problems, found...)
		o.next++
		o.drain()
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	t := auth.NewUserTable()
	found := convert(t)
	o.mu.Lock()
	o.tables[i], o.pending[i] = t, found
	o.drain()
	o.mu.Unlock()
}

// drain adds to users the tables of the pieces whose turn has come. o.mu
// is held.
func (o *orderedTables) drain() {
	for ; o.next < len(o.tables) && o.tables[o.next] != nil; o.next++ {
		o.users.AddTable(o.tables[o.next])
		o.problems = append(o.problems, o.pending[o.next]...)
		o.tables[o.next], o.pending[o.next] = nil, nil
	}
}

// serialEnv returns opts whose LookupEnv calls the caller's one at a time:
// the password sources of the pieces are resolved on the workers, and a
// caller's function need not be safe to call from several goroutines at
// once.
func serialEnv(opts DecodeOptions) DecodeOptions {
	lookupEnv := opts.LookupEnv
	var mu sync.Mutex
	opts.LookupEnv = func(name string) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		return lookupEnv(name)
	}
	return opts
}
