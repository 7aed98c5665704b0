package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"authctl/internal/store"
)

// smallStages makes writeApplyPlan stage any plan of more than n objects.
func smallStages(t *testing.T, n int) {
	old := stageSize
	stageSize = n
	t.Cleanup(func() { stageSize = old })
}

func stagedDoc(users int) *Document {
	doc := &Document{
		Permissions: []DocPermission{{Perm: "app.view_x", Name: "Can view x"}},
		Groups:      []DocGroup{{Name: "staff", Permissions: &[]string{"app.view_x"}}},
	}
	staff := []string{"staff"}
	// Declared out of key order: stages still write runs of keys.
	for i := range users {
		doc.Users = append(doc.Users, DocUser{Username: fmt.Sprintf("u%03d", (i*7)%users), Groups: &staff})
	}
	return doc
}

// A plan larger than a stage is written in stages that publish together:
// every object and its audit record arrive, the chain verifies, and the
// stages went through store.UpdateStaged, not one Update.
func TestApplyStagedWritesEverything(t *testing.T) {
	smallStages(t, 4)
	e := newEnv(t)
	spy := &stageSpy{Store: e.st}
	svc, err := New(spy, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Apply(context.Background(), stagedDoc(30), ApplyOptions{Origin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 32 {
		t.Errorf("%d changes, want 32", len(res.Changes))
	}
	// 1 permission, 1 group, 30 users in stages of 4.
	if spy.staged != 1 || spy.stages != 1+1+8 {
		t.Errorf("UpdateStaged %d times with %d stages; want 1 with 10", spy.staged, spy.stages)
	}
	for i := range 30 {
		if u := e.user(fmt.Sprintf("u%03d", i)); len(u.Groups) != 1 {
			t.Errorf("%s: groups %v", u.Username, u.Groups)
		}
	}
	if n, err := svc.verifyCount(context.Background()); err != nil || n != 32 {
		t.Fatalf("audit verify: %d records, %v; want 32", n, err)
	}
	// Applying it again changes nothing, in one transaction.
	spy.staged, spy.stages = 0, 0
	res, err = svc.Apply(context.Background(), stagedDoc(30), ApplyOptions{Origin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Changes {
		if c.Action != ActionUnchanged {
			t.Errorf("second apply: %+v", c)
		}
	}
	if spy.staged != 0 {
		t.Errorf("an apply that changes nothing was staged")
	}
}

// A stage that fails after others were written leaves the database as it
// was: no user, no audit record.
func TestApplyStagedIsAllOrNothing(t *testing.T) {
	smallStages(t, 4)
	e := newEnv(t)
	boom := errors.New("stage failed (test)")
	spy := &stageSpy{Store: e.st, failStage: 5, err: boom}
	svc, err := New(spy, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Apply(context.Background(), stagedDoc(30), ApplyOptions{Origin: "test"}); !errors.Is(err, boom) {
		t.Fatalf("Apply: %v, want %v", err, boom)
	}
	if spy.stages != 5 {
		t.Fatalf("%d stages ran, want 5", spy.stages)
	}
	if e.hasUser("u000") || len(e.audit()) != 0 {
		t.Fatalf("a failed staged apply left users or audit records behind")
	}
}

// An object changed by someone else between planning and writing fails a
// staged apply as it fails a one-transaction one, even when the plan leaves
// that object unchanged.
func TestApplyStagedSeesChangesSincePlanning(t *testing.T) {
	smallStages(t, 4)
	e := newEnv(t)
	svc := e.svc
	if _, err := svc.Apply(context.Background(), stagedDoc(30), ApplyOptions{Origin: "test"}); err != nil {
		t.Fatal(err)
	}
	doc := stagedDoc(30)
	email := "new@example.com"
	doc.Users[0].Email = &email
	ap, err := svc.PlanApply(context.Background(), doc, ApplyOptions{Origin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.rawUpdate(func(w store.Writer) error { return w.DeleteUser("u029") })
	if _, err := svc.ExecuteApply(context.Background(), ap); !errors.Is(err, ErrChangedDuringApply) {
		t.Fatalf("ExecuteApply: %v, want ErrChangedDuringApply", err)
	}
}

// An import written in batches (--batch-size) records the Django keys it
// learned, as an import in one transaction does.
func TestApplyBatchesKeepDjangoKeys(t *testing.T) {
	for _, batch := range []int{0, 2} {
		e := newEnv(t)
		doc := stagedDoc(5)
		doc.DjangoKeys = &DjangoKeys{Groups: map[string]string{"7": "staff"}}
		if _, err := e.svc.Apply(context.Background(), doc, ApplyOptions{Origin: "test", BatchSize: batch}); err != nil {
			t.Fatal(err)
		}
		keys, err := e.svc.DjangoKeys(context.Background())
		if err != nil || keys.Groups["7"] != "staff" {
			t.Errorf("batch size %d: Django keys %+v, %v", batch, keys, err)
		}
	}
}

// stageSpy counts staged updates and their stages, and can fail one stage.
type stageSpy struct {
	store.Store
	staged, stages int
	failStage      int
	err            error
}

func (s *stageSpy) UpdateStaged(ctx context.Context, fn func(stage func(func(store.Writer) error) error) error) error {
	s.staged++
	return store.UpdateStaged(ctx, s.Store, func(stage func(func(store.Writer) error) error) error {
		return fn(func(f func(store.Writer) error) error {
			s.stages++
			if s.stages == s.failStage {
				return s.err
			}
			return stage(f)
		})
	})
}

// Hashes counts the passwords a plan hashes: none for pre-hashed users.
func TestApplyPlanHashes(t *testing.T) {
	e := newEnv(t)
	hash, err := e.opts.Hashers.Make("s3cret-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	plain, stored := RawPassword("s3cret-pass-1"), HashedPassword(hash)
	doc := &Document{Users: []DocUser{{Username: "a", Password: &plain}, {Username: "b", Password: &stored}, {Username: "c"}}}
	ap, err := e.svc.PlanApply(context.Background(), doc, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := ap.Hashes(); n != 1 {
		t.Errorf("Hashes() = %d, want 1", n)
	}
}
