package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"authctl/internal/store"
)

// --- meta ------------------------------------------------------------------

func testMeta(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	update(t, s, func(w store.Writer) error {
		must(t, "PutMeta", w.PutMeta("secret_key", binary))
		must(t, "PutMeta", w.PutMeta("big", big))
		must(t, "PutMeta", w.PutMeta("replaced", []byte("old")))
		must(t, "PutMeta", w.PutMeta("replaced", []byte("new")))
		return nil
	})
	check := func(r store.Reader) error {
		for k, want := range map[string][]byte{"secret_key": binary, "big": big, "replaced": []byte("new")} {
			got, err := r.Meta(k)
			must(t, "Meta("+k+")", err)
			if !bytes.Equal(got, want) {
				t.Errorf("Meta(%q) = %d bytes, want %d bytes equal to what was put", k, len(got), len(want))
			}
		}
		_, err := r.Meta("missing")
		wantNotFound(t, "Meta(missing)", err)
		_, err = r.Meta("Secret_key")
		wantNotFound(t, "Meta(Secret_key)", err)
		return nil
	}
	view(t, s, check)
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, check)
}

func testMetaKeysAreTheCallers(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	// Names a backend might be tempted to use for its own bookkeeping.
	keys := []string{"schema_version", "schema", "version", "audit_seq", "sequence", "seq", "format", "users", "meta"}
	update(t, s, func(w store.Writer) error {
		for _, k := range keys {
			must(t, "PutMeta", w.PutMeta(k, []byte("caller's 99999 \xff")))
		}
		must(t, "PutUser", w.PutUser(plainUser("alice")))
		return nil
	})
	appendAudit(t, s, 1)
	closeStore(t, s)
	for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}} {
		s = open(t, o, opts)
		view(t, s, func(r store.Reader) error {
			for _, k := range keys {
				v, err := r.Meta(k)
				if err != nil || string(v) != "caller's 99999 \xff" {
					t.Errorf("Meta(%q) = %q, %v", k, v, err)
				}
			}
			if _, err := r.User("alice"); err != nil {
				t.Errorf("User: %v", err)
			}
			return nil
		})
		if !opts.ReadOnly {
			appendAudit(t, s, 2)
		}
		closeStore(t, s)
	}
}

// testAuditSeq checks that AuditSeq reports the highest number ever
// assigned, including records deleted since and rolled-back appends not.
func testAuditSeq(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	seqOf := func() uint64 {
		var n uint64
		view(t, s, func(r store.Reader) error {
			var err error
			n, err = r.AuditSeq()
			must(t, "AuditSeq", err)
			return nil
		})
		return n
	}
	if n := seqOf(); n != 0 {
		t.Fatalf("AuditSeq of an empty store = %d, want 0", n)
	}
	appendAudit(t, s, 1, 2, 3)
	if n := seqOf(); n != 3 {
		t.Fatalf("AuditSeq after three appends = %d, want 3", n)
	}
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(3) })
	if n := seqOf(); n != 3 {
		t.Errorf("AuditSeq after deleting every record = %d, want 3", n)
	}
	errRollback := errors.New("rollback")
	_ = s.Update(context.Background(), func(w store.Writer) error {
		if _, err := w.AppendAudit(store.AuditRecord{Action: "x"}); err != nil {
			return err
		}
		if n, err := w.AuditSeq(); err != nil || n != 4 {
			t.Errorf("AuditSeq inside the appending transaction = %d, %v; want 4", n, err)
		}
		return errRollback
	})
	if n := seqOf(); n != 3 {
		t.Errorf("AuditSeq after a rolled-back append = %d, want 3", n)
	}
	s.Close()
	s2, err := o(store.OpenOptions{ReadOnly: true})
	must(t, "reopen", err)
	defer s2.Close()
	view(t, s2, func(r store.Reader) error {
		if n, err := r.AuditSeq(); err != nil || n != 3 {
			t.Errorf("AuditSeq after reopening = %d, %v; want 3", n, err)
		}
		return nil
	})
}
