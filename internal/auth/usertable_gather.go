package auth

import (
	"encoding/binary"
	"unsafe"
)

// The write takes a plan's users in key order (keyOrder). For a document
// that lists them in another order, that is a random walk over the
// table's arenas and over the plan's steps: a cache and TLB miss or more
// per user, each paid in the middle of the store's work for the previous
// user. The write therefore gathers them first, a few thousand at a time,
// in a tight loop (the misses then overlap), into a table and steps of
// its own in write order, and reads those sequentially. The steps and
// indexes of a part are reused for the next; its arena is not, because
// strings taken from it may outlive the part (the store copies what it
// writes, but a transaction may keep a name it saw first there as a map
// key until it ends): at most one arena per such name, so a write holds
// about a MiB of gathered users beyond what it would anyway, whatever the
// plan's size. A part already in memory order (a document sorted by
// name) is read where it is.

// gatherSize is how many users a write gathers at a time. A variable for
// the tests.
var gatherSize = 4096

// gatherOff turns the gathering off: only for BenchmarkApplyWriteOrder,
// which measures the write with and without it.
var gatherOff = false

// gathered is a part of a plan's users in the order the write takes them,
// and the buffers the next part reuses.
type gathered struct {
	steps []userStep
	table *UserTable
	at    []userEntry // where each step's user is in the plan's table
	lens  []uint32    // each user's encoded length
	users []userEntry // the gathered table's index
	// touched keeps the first touch of each user from being compiled
	// away (a field, not a package variable: two applies may gather at
	// once).
	touched byte
}

// gather puts into g.steps the steps order names (indexes into steps), in
// that order, and into g.table a table of their users in the same order:
// the i-th step's user is the table's user i, encoded after user i-1 in
// one arena of its own. It returns false, and copies nothing, when order
// already walks steps and table forwards: the write then reads them where
// they are. What g held from an earlier part is overwritten.
func (g *gathered) gather(steps []userStep, table *UserTable, order []int32) bool {
	if gatherOff || forwards(steps, table, order) {
		return false
	}
	// Each pass is a tight loop whose reads do not depend on one another,
	// so that the processor has many of its misses in flight at once: the
	// steps, then where their users are, then a first touch of each user,
	// then their lengths and copies from what is now in the cache.
	g.steps = resize(g.steps, len(order))
	for j, i := range order {
		g.steps[j] = steps[i]
	}
	g.at = resize(g.at, len(order))
	at := g.at
	for j := range g.steps {
		at[j] = table.users[g.steps[j].user]
	}
	touched := g.touched
	for _, e := range at {
		a := table.arenas[e.arena]
		// Its first lines (most users take two to four).
		for k := int(e.off); k < min(int(e.off)+256, len(a)); k += 64 {
			touched += a[k]
		}
	}
	g.touched = touched
	g.lens = resize(g.lens, len(order))
	lens := g.lens
	size := 0
	for j, e := range at {
		lens[j] = uint32(encodedLen(table.arenas[e.arena][e.off:]))
		size += int(lens[j])
	}
	// A new arena, never written again once filled (the table's
	// invariant): the write's records may keep strings that point into it.
	arena := make([]byte, 0, size)
	g.users = resize(g.users, len(order))
	g.table = &UserTable{files: table.files, users: g.users}
	for j, e := range at {
		src := table.arenas[e.arena][e.off : e.off+lens[j]]
		off := len(arena)
		arena = append(arena, src...) // within its capacity: never moves
		st := &g.steps[j]
		st.user = int32(j)
		g.table.users[j] = userEntry{off: uint32(off)}
		// A declared hash is stored as it is: the step's password is
		// then the user's own, in the table; the write reads the copy.
		st.password = rebase(st.password, src, arena[off:])
	}
	g.table.arenas = [][]byte{arena}
	return true
}

// resize returns s with length n, reusing its array when it is large
// enough; the elements are to be overwritten.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// rebase returns s, when its bytes are in src, as the same bytes of dst,
// a copy of src; else s.
func rebase(s string, src, dst []byte) string {
	if len(s) == 0 || len(src) == 0 {
		return s
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&src[0]))
	if p < lo || p+uintptr(len(s)) > lo+uintptr(len(src)) {
		return s
	}
	return unsafe.String(&dst[p-lo], len(s))
}

// forwards reports whether order walks steps, and their users the table's
// memory, forwards: then the write reads both sequentially as they are.
func forwards(steps []userStep, table *UserTable, order []int32) bool {
	for j := 1; j < len(order); j++ {
		if order[j] <= order[j-1] {
			return false
		}
		a, b := table.users[steps[order[j-1]].user], table.users[steps[order[j]].user]
		if b.arena < a.arena || b.arena == a.arena && b.off <= a.off {
			return false
		}
	}
	return true
}

// encodedLen is the length of the user encoded at the start of b
// (usertable_codec.go), read without decoding it: the same walk as load,
// skipping each value.
func encodedLen(b []byte) int {
	p := 0
	uv := func() uint64 {
		n, k := binary.Uvarint(b[p:])
		p += k
		return n
	}
	str := func() { p += int(uv()) }
	list := func() {
		for n := uv(); n > 0; n-- {
			str()
		}
	}
	tm := func() {
		_, k := binary.Varint(b[p:])
		p += k
		uv()
	}
	str() // username
	flags := uv()
	for _, f := range [...]uint64{hasEmail, hasFirstName, hasLastName} {
		if flags&f != 0 {
			str()
		}
	}
	if flags&hasGroups != 0 {
		list()
	}
	if flags&hasPermissions != 0 {
		list()
	}
	if flags&hasPassword != 0 {
		p++ // its kind
		str()
	}
	if flags&hasMissing != 0 {
		str()
	}
	if flags&hasJoined != 0 {
		tm()
	}
	if flags&hasLogin != 0 {
		tm()
	}
	if flags&hasWhere != 0 {
		str()
	}
	if flags&hasPath != 0 {
		str()
	}
	if flags&hasPos != 0 {
		uv()
		uv()
		uv()
		uv()
	}
	if flags&hasGiven != 0 {
		str()
	}
	return p
}
