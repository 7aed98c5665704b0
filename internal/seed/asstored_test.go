package seed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"authctl/internal/auth"
	"authctl/internal/store"
)

// TestImportAsStoredRefuses: an import keeps what Django stored, but not
// what cannot be stored or looked up: empty keys, keys with control
// characters, a permission without "app_label.", text that is not UTF-8.
// Nothing is written.
func TestImportAsStoredRefuses(t *testing.T) {
	db := newDB(t)
	str := func(s string) *string { return &s }
	list := func(s ...string) *[]string { return &s }
	doc := &auth.Document{
		Permissions: []auth.DocPermission{
			{Perm: "noperiod", Where: "d: object 1"},
			{Perm: "app.", Where: "d: object 2"},
			{Perm: "app.bad\x07", Where: "d: object 3"},
		},
		Groups: []auth.DocGroup{{Name: "", Where: "d: object 4"}, {Name: "tab\tgroup", Where: "d: object 5"}},
		Users: []auth.DocUser{
			{Username: "", Where: "d: object 6"},
			{Username: "line\nbreak", Where: "d: object 7"},
			{Username: "ok", Email: str("bad\xffutf8"), Groups: list("a\x00b"), Where: "d: object 8"},
		},
	}
	_, err := db.svc.Apply(context.Background(), doc, auth.ApplyOptions{AsStored: true})
	var ie *auth.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("Apply: %v, want problems", err)
	}
	for _, want := range []string{
		`d: object 1: invalid permission "noperiod"`,
		`d: object 2: invalid permission "app."`,
		`d: object 3: permission "app.bad\a" holds control characters`,
		`d: object 4: group name is empty`,
		`d: object 5: group name "tab\tgroup" holds control characters`,
		`d: object 6: username is empty`,
		`d: object 7: username "line\nbreak" holds control characters`,
		`d: object 8: email is not valid UTF-8`,
		`d: object 8: group name "a\x00b" holds control characters`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if len(ie.Problems) != 10 { // and the group is not declared
		t.Errorf("%d problems, want 10:\n%v", len(ie.Problems), err)
	}
}

// TestImportAsStoredKeeps: values authctl would not create are kept as they
// are, with a warning on their change; a hash no hasher verifies, and the
// empty password, never authenticate; a second import changes nothing.
func TestImportAsStoredKeeps(t *testing.T) {
	db := newDB(t)
	str := func(s string) *string { return &s }
	pw := func(h string) *auth.Password { p := auth.HashedPassword(h); return &p }
	doc := func() *auth.Document {
		return &auth.Document{
			Permissions: []auth.DocPermission{{Perm: "MyApp.Can_Feature-Post", Name: "Can feature post", Where: "d: object 1"}},
			Users: []auth.DocUser{
				{Username: "ﬁnance", Email: str("Mixed@EXAMPLE.COM"), Password: pw("crypt$$ab1234567890abc"), Where: "d: object 2"},
				{Username: "John Smith", Email: str("not an address"), Password: pw(""), Where: "d: object 3"},
			},
		}
	}
	res, err := db.svc.Apply(context.Background(), doc(), auth.ApplyOptions{AsStored: true})
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]string{}
	for _, c := range res.Changes {
		warned[c.Name] = strings.Join(c.Warnings, "\n")
	}
	for name, want := range map[string]string{
		"MyApp.Can_Feature-Post": "d: object 1: permission \"MyApp.Can_Feature-Post\" kept as stored",
		"ﬁnance":                 "Django's forms would store it as \"finance\"",
		"John Smith":             "empty password kept as stored",
	} {
		if !strings.Contains(warned[name], want) {
			t.Errorf("warnings of %s = %q, want %q", name, warned[name], want)
		}
	}
	if !strings.Contains(warned["ﬁnance"], "unknown-format") {
		t.Errorf("no warning about the crypt hash: %q", warned["ﬁnance"])
	}
	u := db.user(t, "ﬁnance")
	if u.Email != "Mixed@EXAMPLE.COM" || u.Password != "crypt$$ab1234567890abc" {
		t.Errorf("ﬁnance stored as %+v", u)
	}
	if u := db.user(t, "John Smith"); u.Password != "" || u.Email != "not an address" {
		t.Errorf("John Smith stored as %+v", u)
	}
	for _, name := range []string{"ﬁnance", "John Smith"} {
		for _, guess := range []string{"", "crypt", "ab1234567890abc"} {
			if _, err := db.svc.Authenticate(context.Background(), name, guess); !errors.Is(err, auth.ErrAuthFailed) {
				t.Errorf("Authenticate(%s, %q) = %v, want ErrAuthFailed", name, guess, err)
			}
		}
	}
	res, err = db.svc.Apply(context.Background(), doc(), auth.ApplyOptions{AsStored: true, UpdatePasswords: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Count(auth.ActionUnchanged); n != 3 {
		t.Errorf("second import: %+v", res.Changes)
	}
}

// TestApplyWritesInKeyOrder: users are written in username order whatever
// the document's order (sequential writes in the store), while the changes
// are reported in the document's order.
func TestApplyWritesInKeyOrder(t *testing.T) {
	db := newDB(t)
	names := []string{"mallory", "alice", "zed", "bob", "carol"}
	doc := &auth.Document{}
	for _, n := range names {
		doc.Users = append(doc.Users, auth.DocUser{Username: n, Where: "s"})
	}
	res := db.apply(t, doc, auth.ApplyOptions{})
	for i, c := range res.Changes {
		if c.Name != names[i] {
			t.Fatalf("change %d is %s, want the document's order %v", i, c.Name, names)
		}
	}
	var written []string
	err := db.st.View(context.Background(), func(r store.Reader) error {
		return r.Audit(0, func(a store.AuditRecord) error {
			if a.Action == "user.create" {
				written = append(written, a.Target)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alice", "bob", "carol", "mallory", "zed"}
	if strings.Join(written, " ") != strings.Join(want, " ") {
		t.Errorf("written in the order %v, want %v", written, want)
	}
}
