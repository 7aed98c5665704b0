package seed

import (
	"hash/crc32"
	"io"
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
	// ahead: a piece more than window after next waits (wait) until next
	// catches up or a piece fails, so that no more than window tables
	// are pending however far the other workers get ahead of a slow one.
	ahead  sync.Cond
	window int
	failed bool
}

func newOrderedTables(n, workers int) *orderedTables {
	o := &orderedTables{tables: make([]*auth.UserTable, n), pending: make([][]error, n), users: auth.NewUserTable(), window: 2 * max(1, workers)}
	o.ahead.L = &o.mu
	return o
}

// wait blocks until piece i is at most window pieces after the first not
// yet in; it returns false once a piece has failed. The first piece not
// in was taken before i (runTasks takes them in order) and its worker
// does not wait, so this always ends.
func (o *orderedTables) wait(i int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i >= o.next+o.window && !o.failed {
		o.ahead.Wait()
	}
	return !o.failed
}

// task wraps piece, the work on one piece for runTasks, so that it waits
// for its turn to come within the window first, and a piece that fails
// wakes the workers that wait.
func (o *orderedTables) task(piece func(i int) bool) func(i int) bool {
	return func(i int) bool {
		if !o.wait(i) {
			return false
		}
		if !piece(i) {
			o.fail()
			return false
		}
		return true
	}
}

// fail wakes the waiting workers: a piece failed.
func (o *orderedTables) fail() {
	o.mu.Lock()
	o.failed = true
	o.ahead.Broadcast()
	o.mu.Unlock()
}

// add puts piece i's users into the table, by calling convert (once, from
// this goroutine, without the lock held) with the table to add them to,
// which returns their problems. A piece whose turn it is — every piece
// before it is in, as always on one worker — is added to users directly;
// any other goes into a table of its own, added to users (AddTable) as
// soon as every piece before it is: its own arenas are then garbage while
// the rest are decoded, rather than all live until the last one is.
func (o *orderedTables) add(i, size int, convert func(*auth.UserTable) []error) {
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
	t := auth.NewUserTableSize(size)
	found := convert(t)
	o.mu.Lock()
	o.tables[i], o.pending[i] = t, found
	o.drain()
	o.mu.Unlock()
}

// drain adds to users the tables of the pieces whose turn has come. o.mu
// is held.
func (o *orderedTables) drain() {
	defer o.ahead.Broadcast()
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

// readChecked fills dst from r at off and reports whether it holds what a
// first pass read there: the bytes whose checksum (crc32c) was sum. A file
// rewritten between the passes fails it.
func readChecked(r io.ReaderAt, dst []byte, off int64, sum uint32) bool {
	n, _ := r.ReadAt(dst, off)
	return n == len(dst) && crc32.Checksum(dst, castagnoli()) == sum
}
