package auth

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestApplyLeavesDocumentAsDeclared: apply compares and stores usernames
// and e-mails normalised, but the caller's document keeps what the file
// said (a second apply, or a report, sees the declared values), and a
// duplicate after normalisation is reported with both spellings.
func TestApplyLeavesDocumentAsDeclared(t *testing.T) {
	db := apOpen(t)
	email := "Fi@EXAMPLE.COM"
	doc := &Document{Users: []DocUser{{Username: "ﬁnance", Email: &email, Where: "s.yaml:2"}, {Username: "bob", Where: "s.yaml:3"}}}
	before := *doc
	before.Users = append([]DocUser(nil), doc.Users...)
	res := db.apply(t, doc, ApplyOptions{})
	if !reflect.DeepEqual(doc.Users, before.Users) || email != "Fi@EXAMPLE.COM" {
		t.Fatalf("the document was changed: %+v", doc.Users)
	}
	if got := apAll(res.Changes); !reflect.DeepEqual(got, []string{"user finance created", "user bob created"}) {
		t.Errorf("changes %v", got)
	}
	if u := db.user(t, "finance"); u.Email != "Fi@example.com" {
		t.Errorf("stored e-mail %q, want Fi@example.com", u.Email)
	}
	if res := db.apply(t, doc, ApplyOptions{}); res.Count(ActionUnchanged) != 2 {
		t.Errorf("second apply of the same document: %v", apAll(res.Changes))
	}

	dup := &Document{Users: []DocUser{{Username: "finance", Where: "d.yaml:1"}, {Username: "ﬁnance", Where: "d.yaml:2"}}}
	_, err := db.svc.PlanApply(context.Background(), dup, ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), `d.yaml:2: user "ﬁnance" ("finance" after normalisation) is declared twice (also at d.yaml:1 as "finance")`) {
		t.Errorf("duplicate after normalisation: %v", err)
	}
	if dup.Users[1].Username != "ﬁnance" {
		t.Errorf("the document was changed: %q", dup.Users[1].Username)
	}
}
