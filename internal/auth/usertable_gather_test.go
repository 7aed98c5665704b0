package auth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// encodedLen walks every kind of field as load does: each user of a table
// filled in order ends where the next begins (or at its arena's end),
// and so does a user encoded again with its given name.
func TestEncodedLen(t *testing.T) {
	users := tableSample()
	tab := NewUserTable(users...)
	given := "Ａlice"
	tab.users = append(tab.users, tab.encodeGiven(&users[0], &given))
	if !tab.inOrder() {
		t.Fatal("the sample table is not in order")
	}
	for i, e := range tab.users {
		end := len(tab.arenas[e.arena])
		if i+1 < len(tab.users) && tab.users[i+1].arena == e.arena {
			end = int(tab.users[i+1].off)
		}
		if got, want := encodedLen(tab.bytes(i)), end-int(e.off); got != want {
			t.Errorf("user %d: encodedLen %d, want %d", i, got, want)
		}
	}
}

// gather copies a part of a plan in the order given: each step as it
// was but for its user's index, which names the same user in the gathered
// table; a declared hash the step stores is read from the copy. An order
// that walks the plan forwards is left as it is.
func TestGatherUsers(t *testing.T) {
	users := tableSample()
	for i := range 40 {
		pw := HashedPassword(fmt.Sprintf("pbkdf2_sha256$1$salt%d$abc=", i))
		users = append(users, DocUser{Username: fmt.Sprintf("u%02d", i), Password: &pw, Pos: DocPos{File: "f.json", Line: uint32(i)}})
	}
	tab := NewUserTable(users...)
	steps := make([]userStep, len(users))
	var v userView
	for i := range steps {
		steps[i] = userStep{user: int32(i), action: ActionCreate, fields: []string{"f" + fmt.Sprint(i)}}
		if d := tab.load(i, &v); d.Password != nil && d.Password.kind == passwordHash {
			steps[i].password = d.Password.value // as planUser keeps it
		}
	}
	order := make([]int32, len(steps))
	for i := range order {
		order[i] = int32(i)
	}
	var g gathered
	if g.gather(steps, tab, order) {
		t.Error("an order that walks the plan forwards was gathered")
	}
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	// A larger part first, so that the part checked reuses its buffers.
	if !g.gather(steps, tab, order[:35]) {
		t.Fatal("a shuffled order was not gathered")
	}
	part := order[5:30]
	if !g.gather(steps, tab, part) {
		t.Fatal("a shuffled order was not gathered")
	}
	if len(g.steps) != len(part) || g.table.Len() != len(part) {
		t.Fatalf("gathered %d steps, %d users; want %d", len(g.steps), g.table.Len(), len(part))
	}
	arena := g.table.arenas[0]
	inArena := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(arena)))
		return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(arena))
	}
	for j, i := range part {
		got, want := g.steps[j], steps[i]
		if int(got.user) != j {
			t.Errorf("step %d names user %d", j, got.user)
		}
		got.user = want.user
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: %+v, want %+v", j, got, want)
		}
		if want.password != "" && !inArena(got.password) {
			t.Errorf("step %d: its password is not read from the gathered table", j)
		}
		if got, want := g.table.User(j), tab.User(int(i)); !reflect.DeepEqual(got, want) {
			t.Errorf("user %d:\n got %+v\nwant %+v", j, got, want)
		}
	}
}

// shuffledDoc is n users of every shape apply writes, listed in a fixed
// random order when shuffled, else by name.
func shuffledDoc(n int, shuffled bool, round int) *Document {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if shuffled {
		rand.New(rand.NewPCG(5, 6)).Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	s := func(v string) *string { return &v }
	yes, no := true, false
	tab := &UserTable{}
	for _, i := range order {
		d := DocUser{Username: fmt.Sprintf("user%04d", i), Email: s(fmt.Sprintf("u%d@Example.COM", i))}
		switch i % 4 {
		case 0:
			pw := HashedPassword(fmt.Sprintf("pbkdf2_sha256$%d$salt%d$ruk23zK0d0gKGxQWFYNXdyfO9YkEe9MwpfWX9+DrVfM=", 1000+round, i))
			d.Password, d.Groups = &pw, &[]string{"staff"}
		case 1:
			d.FirstName, d.LastName, d.IsStaff = s(fmt.Sprint("F", i, round)), s("L"), &yes
			d.Permissions = &[]string{"app.view_x"}
		case 2:
			d.IsActive = &no
			if round > 0 {
				d.IsActive = &yes
			}
		case 3:
			d.Username = fmt.Sprintf("üser%04d", i) // not in ASCII order
		}
		tab.Add(&d)
	}
	return &Document{
		Permissions: []DocPermission{{Perm: "app.view_x", Name: "Can view x"}},
		Groups:      []DocGroup{{Name: "staff", Permissions: &[]string{"app.view_x"}}},
		UserTable:   tab,
	}
}

// The database a shuffled document writes is the one its sorted copy
// writes, record by record: users, groups, permissions and the audit log
// (whose records then come in the same order), staged or in one
// transaction, creating and then updating the users, gathered in parts of
// a few users.
func TestApplyShuffledWritesWhatSorted(t *testing.T) {
	old := gatherSize
	gatherSize = 7
	t.Cleanup(func() { gatherSize = old })
	const n = 300
	for _, staged := range []bool{false, true} {
		t.Run(fmt.Sprintf("staged=%v", staged), func(t *testing.T) {
			if staged {
				smallStages(t, 50)
			}
			var dumps [2]string
			for k, shuffled := range []bool{false, true} {
				e := newEnv(t)
				for round := range 2 {
					if _, err := e.svc.Apply(context.Background(), shuffledDoc(n, shuffled, round), ApplyOptions{Origin: "test", CountsOnly: true}); err != nil {
						t.Fatal(err)
					}
				}
				dumps[k] = dumpDB(t, e.st)
			}
			if dumps[0] != dumps[1] {
				t.Errorf("the shuffled document wrote another database:\nsorted:\n%s\nshuffled:\n%s", dumps[0], dumps[1])
			}
		})
	}
}

// dumpDB is every user, group, permission and audit record of st, the
// audit records without their chain hashes (each database has its own
// audit key), unusable passwords as "!" (each is random).
func dumpDB(t *testing.T, st store.Store) string {
	t.Helper()
	var lines []string
	noErr(t, st.View(context.Background(), func(r store.Reader) error {
		if err := r.Users("", func(u store.User) error {
			if len(u.Password) == 0 {
				t.Errorf("user %s: no password", u.Username)
			}
			if !hasher.IsUsable(u.Password) {
				u.Password = "!"
			}
			lines = append(lines, fmt.Sprintf("%+v", u))
			return nil
		}); err != nil {
			return err
		}
		if err := r.Groups(func(g store.Group) error { lines = append(lines, fmt.Sprintf("%+v", g)); return nil }); err != nil {
			return err
		}
		if err := r.Permissions("", func(p store.Permission) error { lines = append(lines, fmt.Sprintf("%+v", p)); return nil }); err != nil {
			return err
		}
		return r.Audit(0, func(a store.AuditRecord) error {
			a.Prev, a.Hash = "", ""
			lines = append(lines, fmt.Sprintf("%+v", a))
			return nil
		})
	}))
	if len(lines) < 2*300 {
		t.Fatalf("the database holds %d records", len(lines))
	}
	return fmt.Sprint(slices.Clip(lines))
}
