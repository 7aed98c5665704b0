package auth

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func tableSample() []DocUser {
	s := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }
	l := func(v ...string) *[]string { return &v }
	tm := func(v time.Time) *time.Time { return &v }
	raw, hash := RawPassword("pässword"), HashedPassword("pbkdf2_sha256$1$salt$abc=")
	empty := HashedPassword("")
	return []DocUser{
		{Username: "alice", Email: s("a@example.com"), FirstName: s("Alice"), LastName: s(""),
			IsActive: b(false), IsStaff: b(true), IsSuperuser: b(false),
			Groups: l("ops", "dev"), Permissions: &[]string{}, Password: &raw,
			DateJoined: tm(time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)),
			LastLogin:  tm(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)),
			Pos:        DocPos{File: "seed.json", Line: 12, Col: 3, Item: 7, JSON: true}},
		{Username: ""},
		{Username: "bob", Password: &hash, PasswordMissing: "", Where: "dump.json: item 3", Path: "users[2]"},
		{Username: "carol", Password: &empty, PasswordMissing: "password_env X is not set",
			Groups: l(""), Pos: DocPos{File: "other.yaml", Line: 1}},
		{Username: strings.Repeat("x", arenaSize+10), Email: s(strings.Repeat("e", 300))},
		{Username: "dave", DateJoined: tm(time.Date(1500, 6, 1, 0, 0, 0, 1, time.UTC)),
			LastLogin: tm(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC))},
	}
}

// Every field a user declares comes back from the table as it went in,
// whether it was absent, empty or set.
func TestUserTableKeepsEveryField(t *testing.T) {
	users := tableSample()
	tab := NewUserTable(users...)
	if tab.Len() != len(users) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(users))
	}
	for i, want := range users {
		if got := tab.User(i); !reflect.DeepEqual(got, want) {
			t.Errorf("user %d:\n got %+v\nwant %+v", i, got, want)
		}
		if got := tab.username(i); got != want.Username {
			t.Errorf("username(%d) = %q, want %q", i, got, want.Username)
		}
	}
}

// A time declared in another zone is kept as the same instant, in UTC.
func TestUserTableTimesInUTC(t *testing.T) {
	zone := time.FixedZone("X", 5*3600)
	at := time.Date(2024, 5, 6, 7, 8, 9, 10, zone)
	tab := NewUserTable(DocUser{Username: "u", LastLogin: &at})
	got := tab.User(0).LastLogin
	if !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("LastLogin = %v, want %v in UTC", got, at)
	}
}

// Loading a user into a view does not disturb strings handed out by an
// earlier load: they share the arenas, which are never written again.
func TestUserTableLoadedStringsStay(t *testing.T) {
	users := tableSample()
	tab := NewUserTable(users...)
	var v userView
	first := tab.load(0, &v)
	name, email, group := first.Username, *first.Email, (*first.Groups)[0]
	for i := range tab.Len() {
		tab.load(i, &v)
	}
	for range 5000 {
		tab.Add(&users[0])
	}
	if name != "alice" || email != "a@example.com" || group != "ops" {
		t.Errorf("after more loads and adds: %q %q %q", name, email, group)
	}
}

// AddTable appends another table's users, renumbering their files; the
// tables' arenas are not shared for writing.
func TestUserTableAddTable(t *testing.T) {
	users := tableSample()
	a := NewUserTable(users[3:]...) // names other.yaml first
	b := NewUserTable(users[:3]...) // names seed.json first
	a.AddTable(b)
	want := append(append([]DocUser{}, users[3:]...), users[:3]...)
	for i := range want {
		if got := a.User(i); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("user %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
	a.Add(&users[2])
	want = append(want, users[2])
	for i := range want {
		if got := a.User(i); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("after an Add, user %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

// normalized leaves the table it is given alone, and keeps each changed
// username as it was given, for messages.
func TestUserTableNormalized(t *testing.T) {
	email := "Bob@EXAMPLE.com"
	tab := NewUserTable(DocUser{Username: "plain"}, DocUser{Username: "ｆｕｌｌ", Email: &email})
	if tab.normalized() == tab {
		t.Fatal("normalized returned the table itself although a name changes")
	}
	n := tab.normalized()
	if got := n.User(1); got.Username != "full" || *got.Email != "Bob@example.com" {
		t.Errorf("normalized user = %q <%s>", got.Username, *got.Email)
	}
	var v userView
	if got := n.givenName(1, &v); got != "ｆｕｌｌ" {
		t.Errorf("given name = %q", got)
	}
	if got := tab.User(1).Username; got != "ｆｕｌｌ" {
		t.Errorf("the original table changed: %q", got)
	}
	if again := n.normalized(); again != n {
		t.Error("normalising twice changed the table again")
	}
	plain := NewUserTable(DocUser{Username: "plain"})
	if plain.normalized() != plain {
		t.Error("a table with nothing to normalise was copied")
	}
}

// A document's users are its table's, then its list's.
func TestDocumentUserTable(t *testing.T) {
	doc := &Document{UserTable: NewUserTable(DocUser{Username: "t1"}), Users: []DocUser{{Username: "l1"}}}
	got := doc.userTable()
	if got.Len() != 2 || got.username(0) != "t1" || got.username(1) != "l1" {
		t.Errorf("users: %d, %q %q", got.Len(), got.username(0), got.username(1))
	}
	if doc.UserTable.Len() != 1 {
		t.Error("the document's table changed")
	}
}

// keyOrder orders users by their names' bytes, as strings.Compare does,
// where it compares 16-byte prefixes first: names sharing a prefix, one a
// prefix of another, a NUL byte, multi-byte characters.
func TestKeyOrderByBytes(t *testing.T) {
	names := []string{
		"user1234567890123b", "user1234567890123a", "user1234567890123", "user123456789012",
		"ab", "ab\x00", "ab\x00c", "a", "", "zoë", "zoe", "Zoe", "\xff", "user1", "user10", "user2",
		strings.Repeat("x", 40) + "b", strings.Repeat("x", 40) + "a", strings.Repeat("x", 16),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		if round > 0 {
			rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		}
		tab := &UserTable{}
		var steps []userStep
		for i, n := range names {
			tab.Add(&DocUser{Username: n})
			steps = append(steps, userStep{user: int32(i)})
		}
		var got []string
		for _, i := range keyOrder(steps, tab) {
			got = append(got, names[i])
		}
		want := slices.Clone(names)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: order\n%q\nwant\n%q", round, got, want)
		}
	}
}

// AddTable of a table whose users were encoded again (normalized) copies
// each user's own bytes, not the rest of its arena, and keeps the names
// as given; a table added to itself stays as it is.
func TestUserTableAddNormalized(t *testing.T) {
	var users []DocUser
	for i := range 2000 {
		name := "user" + strconv.Itoa(i)
		if i%2 == 0 {
			name = "ｕｓｅｒ" + strconv.Itoa(i)
		}
		users = append(users, DocUser{Username: name})
	}
	n := NewUserTable(users...).normalized()
	all := &UserTable{}
	all.AddTable(n)
	size := 0
	for _, a := range all.arenas {
		size += len(a)
	}
	if all.Len() != len(users) || size > 40*len(users) {
		t.Fatalf("%d users in %d arena bytes", all.Len(), size)
	}
	var v userView
	for i := range users {
		if got, want := all.username(i), "user"+strconv.Itoa(i); got != want {
			t.Fatalf("user %d = %q, want %q", i, got, want)
		}
		if got := all.givenName(i, &v); got != users[i].Username {
			t.Fatalf("user %d given as %q, want %q", i, got, users[i].Username)
		}
	}
	all.AddTable(all)
	if all.Len() != len(users) {
		t.Errorf("a table added to itself has %d users", all.Len())
	}
}

// A table whose last users were encoded again (normalized) is copied user
// by user, without the bytes of the encodings it no longer uses.
func TestUserTableAddNormalizedTail(t *testing.T) {
	var users []DocUser
	for i := range 4000 {
		name := "user" + strconv.Itoa(i)
		if i >= 3000 {
			name = "ｕｓｅｒ" + strconv.Itoa(i)
		}
		users = append(users, DocUser{Username: name})
	}
	all := &UserTable{}
	all.AddTable(NewUserTable(users...).normalized())
	size := 0
	for _, a := range all.arenas {
		size += len(a)
	}
	if size > 40*len(users) {
		t.Errorf("%d users in %d arena bytes", all.Len(), size)
	}
}

// BenchmarkUserTableLoad: decoding a typical seeded user into a view.
func BenchmarkUserTableLoad(b *testing.B) {
	email, first, last := "user1@example.com", "First1", "Last1"
	groups := []string{"group01", "group02"}
	pw := HashedPassword("pbkdf2_sha256$1200000$MM52R3E2NXIET73DS6K2LP$ruk23zK0d0gKGxQWFYNXdyfO9YkEe9MwpfWX9+DrVfM=")
	tab := &UserTable{}
	for i := range 1024 {
		tab.Add(&DocUser{Username: "user" + strconv.Itoa(i), Email: &email, FirstName: &first, LastName: &last,
			Groups: &groups, Password: &pw, Pos: DocPos{File: "seed.json", Line: uint32(i + 2), Col: 3, Item: uint32(i), JSON: true}})
	}
	var v userView
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tab.load(i%1024, &v)
	}
}
