package auth

import (
	"encoding/binary"
	"slices"
	"unsafe"

	"authctl/internal/auth/ident"
)

// UserTable holds a document's users compactly: each user is encoded into
// a large byte buffer (an arena) shared with its neighbours, and the table
// keeps only where each user starts. A million users are then a few
// hundred buffers the collector need not look into, instead of tens of
// millions of small objects it marks on every cycle: the users of a large
// apply stay live from the decode to the last write.
//
// The strings a user is loaded with point into the arenas, which are never
// written again once a user is encoded in them: a loaded string stays valid
// as long as anything holds it. What load puts in a userView (its slices
// and pointers) is valid only until the next load into the same view.
type UserTable struct {
	users  []userEntry
	arenas [][]byte
	// files are the distinct DocPos.File values, which every user of a
	// file shares.
	files []string
	// scratch is where a user is encoded before it is copied to an arena.
	scratch []byte
	// shared: the arenas may hold bytes of users t does not hold (share),
	// so a user's end is not where the next one begins.
	shared bool
}

// userEntry is where a user's encoding starts.
type userEntry struct{ arena, off uint32 }

// arenaSize is the size of a new arena: large enough that the arenas of a
// million users are a few hundred objects, small enough that the last
// one's unused end does not matter.
const arenaSize = 256 << 10

// NewUserTable returns a table of users.
func NewUserTable(users ...DocUser) *UserTable {
	t := &UserTable{}
	for i := range users {
		t.Add(&users[i])
	}
	return t
}

// NewUserTableSize is an empty table whose first arena holds size bytes
// (a table of a few users that is soon added to another: AddTable).
func NewUserTableSize(size int) *UserTable {
	return &UserTable{arenas: [][]byte{make([]byte, 0, size)}}
}

// Len is how many users t holds.
func (t *UserTable) Len() int {
	if t == nil {
		return 0
	}
	return len(t.users)
}

// Add appends a copy of d.
func (t *UserTable) Add(d *DocUser) {
	t.users = append(t.users, t.encode(d))
}

// AddTable appends o's users to t, copying their encodings into t's
// arenas back to back (a table decoded in chunks would otherwise keep each
// chunk's part-filled arena); o must not be used afterwards.
func (t *UserTable) AddTable(o *UserTable) {
	if o == t || o.Len() == 0 {
		return
	}
	if !o.inOrder() || !t.sameFiles(o) {
		// A user's end is known only where the next one begins: users
		// encoded again (normalized) are copied by encoding them again,
		// and so are users naming their files by other indexes.
		var v userView
		for i := range o.users {
			d := o.load(i, &v)
			t.users = append(t.users, t.encodeGiven(d, v.given))
		}
	} else {
		for i, e := range o.users {
			a := o.arenas[e.arena]
			end := len(a)
			if i+1 < len(o.users) && o.users[i+1].arena == e.arena {
				end = int(o.users[i+1].off)
			}
			b := a[e.off:end]
			arena, off := t.reserve(len(b))
			t.arenas[arena] = append(t.arenas[arena], b...)
			t.users = append(t.users, userEntry{arena: arena, off: off})
		}
	}
	o.users, o.arenas, o.files = nil, nil, nil
}

// inOrder reports whether t's users are encoded one after another, in
// their order, each arena holding only them: then each one ends where the
// next begins, or at its arena's end.
func (t *UserTable) inOrder() bool {
	if t.shared {
		return false
	}
	for i := 1; i < len(t.users); i++ {
		a, b := t.users[i-1], t.users[i]
		if b.arena < a.arena || b.arena == a.arena && b.off <= a.off || b.arena > a.arena+1 || b.arena == a.arena+1 && b.off != 0 {
			return false
		}
	}
	return len(t.users) == 0 || t.users[0] == (userEntry{}) && int(t.users[len(t.users)-1].arena) == len(t.arenas)-1
}

// sameFiles reports whether o's file indexes mean the same files in t,
// adding o's files to t.
func (t *UserTable) sameFiles(o *UserTable) bool {
	same := true
	for i, f := range o.files {
		if t.fileIndex(f) != i {
			same = false
		}
	}
	return same
}

// User returns a copy of user i, owning its pointers.
func (t *UserTable) User(i int) DocUser {
	var v userView
	d := *t.load(i, &v)
	d.Email, d.FirstName, d.LastName = owned(d.Email), owned(d.FirstName), owned(d.LastName)
	d.IsActive, d.IsStaff, d.IsSuperuser = owned(d.IsActive), owned(d.IsStaff), owned(d.IsSuperuser)
	d.DateJoined, d.LastLogin, d.Password = owned(d.DateJoined), owned(d.LastLogin), owned(d.Password)
	for _, l := range []**[]string{&d.Groups, &d.Permissions} {
		if *l != nil {
			c := append([]string{}, **l...)
			*l = &c
		}
	}
	return d
}

// owned is a pointer to a copy of *p (nil for nil): a view's field made
// the caller's own.
func owned[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// username is user i's username, without loading the rest.
func (t *UserTable) username(i int) string {
	b := t.bytes(i)
	n, k := binary.Uvarint(b)
	return t.str(b[k : k+int(n)])
}

// givenName is user i's username as the document gave it, before
// normalisation (normalized).
func (t *UserTable) givenName(i int, v *userView) string {
	t.load(i, v)
	return v.givenUsername()
}

func (t *UserTable) bytes(i int) []byte {
	e := t.users[i]
	return t.arenas[e.arena][e.off:]
}

// str is b as a string sharing its memory: b is in an arena, which is
// never written again.
func (t *UserTable) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (t *UserTable) fileIndex(f string) int {
	for i, g := range t.files {
		if g == f {
			return i
		}
	}
	t.files = append(t.files, f)
	return len(t.files) - 1
}

// reserve returns space for n bytes in the last arena, starting a new one
// when it has not that much room left.
func (t *UserTable) reserve(n int) (arena, off uint32) {
	last := len(t.arenas) - 1
	if last < 0 || cap(t.arenas[last])-len(t.arenas[last]) < n {
		t.arenas = append(t.arenas, make([]byte, 0, max(arenaSize, n)))
		last++
	}
	return uint32(last), uint32(len(t.arenas[last]))
}

// userTable is doc's users in one table: doc.UserTable's, then doc.Users.
func (doc *Document) userTable() *UserTable {
	if len(doc.Users) == 0 {
		if doc.UserTable == nil {
			return &UserTable{}
		}
		return doc.UserTable
	}
	t := doc.UserTable.share()
	for i := range doc.Users {
		t.Add(&doc.Users[i])
	}
	return t
}

// share returns a table of t's users that may be changed without changing
// t: it has its own list of users, and adds new ones to arenas of its own.
func (t *UserTable) share() *UserTable {
	if t == nil {
		return &UserTable{}
	}
	s := &UserTable{users: slices.Clone(t.users), files: slices.Clone(t.files), arenas: make([][]byte, len(t.arenas)), shared: true}
	for i, a := range t.arenas {
		s.arenas[i] = a[:len(a):len(a)]
	}
	return s
}

// normalized returns t's users as apply compares and stores them:
// usernames NFKC-normalised, e-mail domains lower-cased, each changed
// username keeping the one given for messages (givenName). It returns t
// itself when nothing changes (the usual case), else a table sharing t's
// arenas, t left as it is.
func (t *UserTable) normalized() *UserTable {
	out := t
	var v userView
	for i := range t.users {
		d := t.load(i, &v)
		name, email := ident.NormalizeUsername(d.Username), d.Email
		if email != nil {
			if e := ident.NormalizeEmail(*email); e != *email {
				email = &e
			}
		}
		if name == d.Username && email == d.Email {
			continue
		}
		if out == t {
			out = t.share()
		}
		given := v.givenUsername()
		n := *d
		n.Username, n.Email = name, email
		out.users[i] = out.encodeGiven(&n, &given)
	}
	return out
}

// AllUsers returns copies of doc's users, its table's then Users, each
// owning what it points to: for callers that look at a few users, not for
// a large document.
func (doc *Document) AllUsers() []DocUser {
	t := doc.userTable()
	out := make([]DocUser, t.Len())
	for i := range out {
		out[i] = t.User(i)
	}
	return out
}
