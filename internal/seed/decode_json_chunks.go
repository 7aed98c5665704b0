package seed

// The second pass of a streamed decode (decode_json_stream.go): each chunk
// the scan found is read again, checked and decoded into a table of users.

import (
	"io"
	"sync"

	"authctl/internal/auth"
)

// chunkBuf is what decoding one chunk (or YAML batch) needs, kept for the
// next: a fresh quarter of a megabyte per chunk is memory the kernel must
// fault in, several microseconds a page on a virtual machine.
type chunkBuf struct {
	data  []byte
	users []User
	at    []pos
	// boxes are a YAML batch's (fastYAMLUsers).
	boxes []yamlUserBox
}

var chunkBufs = sync.Pool{New: func() any { return new(chunkBuf) }}

// grow returns (*s)[:n], reallocating *s if it is shorter.
func grow[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return *s
}

// streamJSONUsers reads and decodes the chunks sc found, on workers
// goroutines, as parallelJSONUsers decodes them from a file held whole,
// with the same users and positions. Each chunk's users go into a compact
// table as soon as they are decoded (addUsers), so that the decoded
// users of the whole file are never held at once. It returns the users'
// table and the problems of their password sources; ok is false unless
// every element decodes cleanly and ends where the scan said.
func streamJSONUsers(r io.ReaderAt, sc streamScan, workers int, opts DecodeOptions) (users *auth.UserTable, problems []error, ok bool) {
	if sc.n == 0 {
		return auth.NewUserTable(), nil, true
	}
	starts := make([]int, len(sc.chunks))
	for t := 1; t < len(sc.chunks); t++ {
		starts[t] = starts[t-1] + sc.chunks[t-1].n
	}
	// Each chunk's users go into the table in the chunks' order
	// (orderedTables); the password sources are resolved on the workers,
	// the environment looked up one name at a time.
	merge := newOrderedTables(len(sc.chunks), workers)
	opts = serialEnv(opts)
	ok = runTasks(len(sc.chunks), workers, merge.task(func(t int) bool {
		c := sc.chunks[t]
		// The chunk's region, which must hold what the scan read (the
		// file may have been rewritten since), then its elements between
		// '[' and ']', as jsonElements reads an array.
		buf := chunkBufs.Get().(*chunkBuf)
		defer chunkBufs.Put(buf)
		data := grow(&buf.data, int(c.end-c.from+2))
		region := data[1 : len(data)-1]
		if !readChecked(r, region, c.from, c.sum) {
			return false
		}
		data = data[:c.to-c.from+2]
		data[0], data[len(data)-1] = '[', ']'
		bounds, end, ok := jsonElements(data, 0)
		if !ok || end != len(data) || len(bounds) != 2*c.n {
			return false
		}
		chunk, at := grow(&buf.users, c.n), grow(&buf.at, c.n)
		clear(chunk)
		if !decodeJSONUsersChunk(data, bounds, c.first, chunk, at) {
			return false
		}
		merge.add(t, len(data), func(table *auth.UserTable) []error {
			return addUsers(table, chunk, at, starts[t], true, opts)
		})
		return true
	}))
	if !ok {
		return nil, nil, false
	}
	return merge.users, merge.problems, true
}
