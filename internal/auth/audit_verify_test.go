package auth

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// editAuditFile opens the (closed) store's file with bbolt and lets edit
// change the audit bucket.
func editAuditFile(t *testing.T, e *testEnv, edit func(b *bbolt.Bucket) error) {
	t.Helper()
	editDB(t, e, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		if b == nil {
			return errors.New("no audit bucket")
		}
		return edit(b)
	})
}

func auditKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// decodeAuditValue decodes a stored audit record, in either of the store's
// encodings.
func decodeAuditValue(v []byte, rec *store.AuditRecord) (err error) {
	*rec, err = bolt.DecodeAuditValue(v)
	return err
}

// auditedEnv has nine records: three users created, two groups, a grant,
// three authentications.
func auditedEnv(t *testing.T) *testEnv {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"alice", "bob", "carol"} {
		e.mkUser(n)
		e.clock.Advance(time.Minute)
	}
	noErr(t, e.svc.CreateGroup(ctx, "g1"))
	noErr(t, e.svc.CreateGroup(ctx, "g2"))
	e.clock.Advance(time.Minute)
	_, err := e.svc.Grant(ctx, Grantee{Group: "g1"}, []string{"app.x"}, true) // 2 records
	noErr(t, err)
	e.clock.Advance(time.Minute)
	_, err = e.svc.Authenticate(ctx, "alice", goodPassword)
	noErr(t, err)
	_, _ = e.svc.Authenticate(ctx, "bob", "wrong")
	if n, err := e.svc.verifyCount(ctx); err != nil || n != 9 {
		t.Fatalf("fresh chain: %d, %v", n, err)
	}
	return e
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()

	t.Run("edited record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			var rec store.AuditRecord
			if err := decodeAuditValue(b.Get(auditKey(4)), &rec); err != nil {
				return err
			}
			rec.Target = "mallory"
			v, _ := json.Marshal(rec)
			return b.Put(auditKey(4), v)
		})
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 4 || !strings.Contains(ve.Reason, "changed") {
			t.Errorf("AuditVerify after editing record 4: %v", err)
		}
	})

	t.Run("edited record with its MAC recomputed under another key", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			var rec store.AuditRecord
			if err := decodeAuditValue(b.Get(auditKey(4)), &rec); err != nil {
				return err
			}
			rec.Result = "failed"
			rec.Hash = keyedHash(subKey([]byte("guessed key"), purposeChain), 4, &rec)
			v, _ := json.Marshal(rec)
			return b.Put(auditKey(4), v)
		})
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 4 || !strings.Contains(ve.Reason, "not written with the audit key") {
			t.Errorf("AuditVerify after rewriting record 4 and its hash: %v", err)
		}
	})

	t.Run("deleted middle record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(5)) })
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 6 || !strings.Contains(ve.Reason, "record 5 is missing") {
			t.Errorf("AuditVerify after deleting record 5: %v", err)
		}
	})

	t.Run("deleted first record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(1)) })
		var ve *AuditVerifyError
		if _, err := e.svc.verifyCount(ctx); !errors.As(err, &ve) || ve.Seq != 2 {
			t.Errorf("AuditVerify after deleting record 1: %v", err)
		}
	})

	t.Run("swapped records", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			a, c := append([]byte{}, b.Get(auditKey(2))...), append([]byte{}, b.Get(auditKey(3))...)
			if err := b.Put(auditKey(2), c); err != nil {
				return err
			}
			return b.Put(auditKey(3), a)
		})
		if _, err := e.svc.verifyCount(ctx); err == nil {
			t.Error("AuditVerify accepted reordered records")
		}
	})

	t.Run("untouched file still verifies after reopening", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(*bbolt.Bucket) error { return nil })
		if n, err := e.svc.verifyCount(ctx); err != nil || n != 9 {
			t.Errorf("AuditVerify = %d, %v", n, err)
		}
	})
}

func TestAuditPrune(t *testing.T) {
	ctx := context.Background()
	e := auditedEnv(t)
	all := e.audit()
	cut := all[3].Time // records 1-3 are older (one minute apart)
	n, err := e.svc.AuditPrune(ctx, cut)
	noErr(t, err)
	if n != 3 {
		t.Fatalf("pruned %d, want 3", n)
	}
	left := e.audit()
	if len(left) != len(all)-3+1 || left[0].Seq != 4 {
		t.Fatalf("left %d records starting at %d", len(left), left[0].Seq)
	}
	last := left[len(left)-1]
	if last.Action != "audit.prune" || last.Target != "3 records" {
		t.Errorf("prune record %+v", last)
	}
	if v, err := e.svc.verifyCount(ctx); err != nil || v != len(left) {
		t.Errorf("AuditVerify after prune = %d, %v", v, err)
	}
	// Nothing older: nothing pruned, nothing appended.
	n, err = e.svc.AuditPrune(ctx, cut)
	noErr(t, err)
	if n != 0 || len(e.audit()) != len(left) {
		t.Errorf("second prune: %d", n)
	}
	// Tampering right after the anchor is still caught.
	editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(4)) })
	if _, err := e.svc.verifyCount(ctx); err == nil {
		t.Error("deleting the first record after a prune went unnoticed")
	}

	// Pruning everything leaves a chain that continues from the anchor.
	e2 := auditedEnv(t)
	e2.clock.Advance(time.Hour)
	n, err = e2.svc.AuditPrune(ctx, e2.clock.Now())
	noErr(t, err)
	if n != 9 {
		t.Fatalf("pruned %d of 9", n)
	}
	e2.mkUser("dave")
	if v, err := e2.svc.verifyCount(ctx); err != nil || v != 2 {
		t.Errorf("after pruning all and writing on: %d, %v", v, err)
	}
	// The sequence never goes back.
	if recs := e2.audit(); recs[0].Seq != 10 || recs[1].Seq != 11 {
		t.Errorf("seqs %d, %d", recs[0].Seq, recs[1].Seq)
	}
}

func TestAuditList(t *testing.T) {
	ctx := context.Background()
	e := auditedEnv(t)
	e.svc.SetActor(Actor{OSUser: "tester", SessionUser: "carol"})
	noErr(t, e.svc.CreateGroup(ctx, "g3"))
	_, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"app.x"}, false) // target "user alice"
	noErr(t, err)
	list := func(f AuditFilter) []uint64 {
		var out []uint64
		noErr(t, e.svc.AuditList(ctx, f, func(r store.AuditRecord) error {
			out = append(out, r.Seq)
			return nil
		}))
		return out
	}
	eq := func(a, b []uint64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	recs := e.audit()
	if len(recs) != 11 {
		t.Fatalf("%d records", len(recs))
	}
	for _, c := range []struct {
		name string
		f    AuditFilter
		want []uint64
	}{
		{"all", AuditFilter{}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"since", AuditFilter{Since: recs[3].Time}, []uint64{4, 5, 6, 7, 8, 9, 10, 11}},
		{"before", AuditFilter{Before: recs[3].Time}, []uint64{1, 2, 3}},
		{"user as target, and as grantee", AuditFilter{User: "alice"}, []uint64{1, 8, 11}},
		{"user as session user", AuditFilter{User: "carol"}, []uint64{3, 10, 11}},
		{"plain target name (not \"group g1\")", AuditFilter{User: "g1"}, []uint64{4}},
		{"action prefix", AuditFilter{Action: "group."}, []uint64{4, 5, 10}},
		{"exact action", AuditFilter{Action: "perm.grant"}, []uint64{7, 11}},
		{"prefix needs the dot", AuditFilter{Action: "group"}, nil},
		{"limit keeps the newest", AuditFilter{Limit: 3}, []uint64{9, 10, 11}},
		{"limit after filter", AuditFilter{Action: "user.", Limit: 2}, []uint64{2, 3}},
		{"limit above count", AuditFilter{Action: "auth.", Limit: 5}, []uint64{8, 9}},
		{"combined", AuditFilter{Since: recs[1].Time, User: "bob", Action: "auth."}, []uint64{9}},
	} {
		if got := list(c.f); !eq(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if r := recs[9]; r.SessionUser != "carol" || r.OSUser != "tester" {
		t.Errorf("actor not recorded: %+v", r)
	}
	// A callback error stops the listing and comes back.
	stop := errors.New("stop")
	seen := 0
	err = e.svc.AuditList(ctx, AuditFilter{}, func(store.AuditRecord) error { seen++; return stop })
	if !errors.Is(err, stop) || seen != 1 {
		t.Errorf("stop: %v after %d", err, seen)
	}
}

// TestAuditInvalidUTF8 writes records whose text is not valid UTF-8 (a
// username typed at a prompt, SUDO_USER): the chain must still verify, as
// JSON would otherwise change the bytes between hashing and storing.
func TestAuditInvalidUTF8(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.svc.SetActor(Actor{OSUser: "root\xff", SessionUser: "s\xc3"})
	e.mkUser("alice")
	_, _ = e.svc.Authenticate(ctx, "al\xffice", "x")
	if n, err := e.svc.verifyCount(ctx); err != nil || n != 2 {
		t.Errorf("AuditVerify = %d, %v", n, err)
	}
	recs := e.audit()
	if recs[1].Target != e.svc.unknownUserKey("al\xffice") || recs[0].OSUser != "root\uFFFD" {
		t.Errorf("records %+v", recs)
	}
}
