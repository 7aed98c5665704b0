package auth

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// editDB opens the (closed) store's file with bbolt and lets edit change
// anything, as someone holding the file (but not the audit key) could.
func editDB(t *testing.T, e *testEnv, edit func(tx *bbolt.Tx) error) {
	t.Helper()
	reopen := e.closeStore()
	db, err := bbolt.Open(e.path, 0o600, &bbolt.Options{Timeout: time.Second})
	noErr(t, err)
	noErr(t, db.Update(edit))
	noErr(t, db.Close())
	reopen()
}

// wantBroken checks that verification fails at seq with a reason holding
// want, and that the error is an invalid-input one (exit 5).
func wantBroken(t *testing.T, e *testEnv, head *AuditHead, seq uint64, want string) {
	t.Helper()
	_, err := e.svc.AuditVerify(context.Background(), AuditVerifyOptions{Head: head})
	var ve *AuditVerifyError
	if !errors.As(err, &ve) || ve.Seq != seq || !strings.Contains(ve.Reason, want) {
		t.Fatalf("AuditVerify: %v; want a break at record %d saying %q", err, seq, want)
	}
}

// rewriteUnkeyed recomputes records from..to with the unkeyed scheme, as
// a forger without the key would, after edit changed one.
func rewriteUnkeyed(b *bbolt.Bucket, from, to uint64, edit func(*store.AuditRecord)) error {
	prev := ""
	if from > 1 {
		var r store.AuditRecord
		if err := decodeAuditValue(b.Get(auditKey(from-1)), &r); err != nil {
			return err
		}
		prev = r.Hash
	} else {
		prev = genesis
	}
	for seq := from; seq <= to; seq++ {
		var r store.AuditRecord
		if err := decodeAuditValue(b.Get(auditKey(seq)), &r); err != nil {
			return err
		}
		if edit != nil {
			edit(&r)
		}
		r.Prev = prev
		r.Hash = legacyHash(r)
		prev = r.Hash
		v, _ := json.Marshal(r)
		if err := b.Put(auditKey(seq), v); err != nil {
			return err
		}
	}
	return nil
}

// freshKeyFile makes a Service whose key file has not been read yet.
func (e *testEnv) freshKeyFile() {
	e.opts.AuditKeys = &KeyFile{Path: e.path + ".audit-key"}
	e.svc = e.newService(e.opts)
}

func TestAuditChainAttacks(t *testing.T) {
	ctx := context.Background()

	t.Run("every record deleted", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, deleteAllAudit)
		wantBroken(t, e, nil, 1, "records 1 to 9 are missing from the end of the log")
	})

	t.Run("bucket emptied and its sequence reset, head deleted", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error {
			if err := tx.Bucket([]byte("meta")).Delete([]byte(auditHeadKey)); err != nil {
				return err
			}
			if err := tx.DeleteBucket([]byte("audit")); err != nil {
				return err
			}
			// A new bucket starts its sequence at zero.
			_, err := tx.CreateBucket([]byte("audit"))
			return err
		})
		wantBroken(t, e, nil, 1, "the log is empty although the audit key exists")
	})

	t.Run("whole bucket deleted", func(t *testing.T) {
		// The store itself refuses a database without its audit bucket.
		e := auditedEnv(t)
		e.closeStore()
		db, err := bbolt.Open(e.path, 0o600, &bbolt.Options{Timeout: time.Second})
		noErr(t, err)
		noErr(t, db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte("audit")) }))
		noErr(t, db.Close())
		if _, err := bolt.Open(e.path, store.OpenOptions{ReadOnly: true}); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("opening a database without its audit bucket: %v, want ErrCorrupt", err)
		}
	})

	t.Run("tail trimmed and sequence reset", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("audit"))
			for _, seq := range []uint64{8, 9} {
				if err := b.Delete(auditKey(seq)); err != nil {
					return err
				}
			}
			return b.SetSequence(7)
		})
		wantBroken(t, e, nil, 8, "records 8 to 9 are missing from the end of the log (and the store's counter was reset)")
	})

	t.Run("tail trimmed, sequence reset, head rolled back to a copy", func(t *testing.T) {
		e := auditedEnv(t)
		res, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		noErr(t, err)
		exported := res.Head
		if exported.Seq != 9 || !isKeyed(exported.Hash) {
			t.Fatalf("head %+v", exported)
		}
		// The attacker kept the stored head of record 7 from an older
		// copy of the file; only the exported head tells.
		var old []byte
		editDB(t, e, func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("audit"))
			var r store.AuditRecord
			if err := decodeAuditValue(b.Get(auditKey(7)), &r); err != nil {
				return err
			}
			old = e.svc.chain.encodeRef("head", AuditHead{Seq: 7, Hash: r.Hash})
			for _, seq := range []uint64{8, 9} {
				if err := b.Delete(auditKey(seq)); err != nil {
					return err
				}
			}
			if err := b.SetSequence(7); err != nil {
				return err
			}
			return tx.Bucket([]byte("meta")).Put([]byte(auditHeadKey), old)
		})
		if _, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{}); err != nil {
			t.Fatalf("a rollback to an older state is indistinguishable without an exported head: %v", err)
		}
		wantBroken(t, e, &exported, 8, "the log ends at record 7, before the exported head 9")
	})

	t.Run("edit, then the chain recomputed unkeyed from there", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error {
			return rewriteUnkeyed(tx.Bucket([]byte("audit")), 4, 9, func(r *store.AuditRecord) {
				if r.Seq == 4 {
					r.Target = "mallory"
				}
			})
		})
		wantBroken(t, e, nil, 4, "an unkeyed record follows keyed ones")
	})

	t.Run("edit, then the whole chain recomputed unkeyed and the head deleted", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error {
			if err := tx.Bucket([]byte("meta")).Delete([]byte(auditHeadKey)); err != nil {
				return err
			}
			return rewriteUnkeyed(tx.Bucket([]byte("audit")), 1, 9, func(r *store.AuditRecord) {
				if r.Seq == 4 {
					r.Target = "mallory"
				}
			})
		})
		wantBroken(t, e, nil, 10, "no record is keyed although the audit key exists")
	})

	t.Run("stored head deleted", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte(auditHeadKey)) })
		wantBroken(t, e, nil, 9, "the stored head of the keyed log was deleted")
	})

	t.Run("anchor forged to hide cut records", func(t *testing.T) {
		e := auditedEnv(t)
		editDB(t, e, func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("audit"))
			var r store.AuditRecord
			if err := decodeAuditValue(b.Get(auditKey(3)), &r); err != nil {
				return err
			}
			for _, seq := range []uint64{1, 2, 3} {
				if err := b.Delete(auditKey(seq)); err != nil {
					return err
				}
			}
			return tx.Bucket([]byte("meta")).Put([]byte(auditAnchorKey), []byte("3 "+r.Hash+" "+strings.Repeat("0", 64)))
		})
		wantBroken(t, e, nil, 0, "the stored anchor was not written with the audit key")
	})

	t.Run("exported head", func(t *testing.T) {
		e := auditedEnv(t)
		res, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		noErr(t, err)
		h := res.Head
		e.mkUser("dave") // the log grows past the exported head
		if _, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{Head: &h}); err != nil {
			t.Fatalf("a log that grew past the exported head: %v", err)
		}
		wrong := AuditHead{Seq: h.Seq, Hash: keyedPrefix + strings.Repeat("0", 64)}
		wantBroken(t, e, &wrong, 9, "it is not the record of the exported head")
		parsed, err := ParseAuditHead(h.String())
		if err != nil || parsed != h {
			t.Errorf("ParseAuditHead(%q) = %+v, %v", h.String(), parsed, err)
		}
		for _, bad := range []string{"", "9", "x:abc", "0:abc", "9:"} {
			if _, err := ParseAuditHead(bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseAuditHead(%q) = %v, want ErrInvalid", bad, err)
			}
		}
	})

	t.Run("exported head pruned", func(t *testing.T) {
		e := auditedEnv(t)
		res, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		noErr(t, err)
		h := res.Head
		e.clock.Advance(time.Hour)
		e.mkUser("dave")
		e.clock.Advance(time.Hour)
		_, err = e.svc.AuditPrune(ctx, e.clock.Now().Add(-30*time.Minute))
		noErr(t, err)
		wantBroken(t, e, &h, 9, "export a newer head")
	})
}

// TestAuditUnkeyedLogUpgrades: a log written before the key existed still
// verifies, new records are keyed, and the old part's damage still shows,
// a missing record in the middle included.
func TestAuditUnkeyedLogUpgrades(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.AuditKeys = nil })
	e.mkUser("alice")
	e.mkUser("bob")
	e.mkUser("carol")
	if recs := e.audit(); isKeyed(recs[0].Hash) || len(recs[0].Hash) != 64 {
		t.Fatalf("no keyring should write the unkeyed scheme: %q", recs[0].Hash)
	}
	if _, err := os.Stat(e.path + ".audit-key"); !os.IsNotExist(err) {
		t.Fatalf("key file made without a keyring: %v", err)
	}
	e.opts.AuditKeys = &KeyFile{Path: e.path + ".audit-key"}
	e.svc = e.newService(e.opts)
	e.mkUser("dave")
	e.mkUser("erin")
	res, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
	if err != nil || res.Records != 5 || res.Keyed != 2 {
		t.Fatalf("mixed log: %+v, %v", res, err)
	}
	if fi, err := os.Stat(e.path + ".audit-key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}

	// A record cut from the unkeyed part and the chain relinked over the
	// gap: the numbers show it.
	editDB(t, e, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		var r1, r3 store.AuditRecord
		if err := decodeAuditValue(b.Get(auditKey(1)), &r1); err != nil {
			return err
		}
		if err := decodeAuditValue(b.Get(auditKey(3)), &r3); err != nil {
			return err
		}
		r3.Prev = r1.Hash
		r3.Hash = legacyHash(r3)
		v, _ := json.Marshal(r3)
		if err := b.Put(auditKey(3), v); err != nil {
			return err
		}
		return b.Delete(auditKey(2))
	})
	wantBroken(t, e, nil, 3, "record 2 is missing before it")
}

func TestAuditKeyFile(t *testing.T) {
	ctx := context.Background()

	t.Run("lost key: verify says so, writes refuse to make a new one", func(t *testing.T) {
		e := auditedEnv(t)
		noErr(t, os.Remove(e.path+".audit-key"))
		e.freshKeyFile()
		_, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		if !errors.Is(err, ErrNoAuditKey) || !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), e.path+".audit-key") {
			t.Errorf("verify without the key: %v", err)
		}
		_, err = e.svc.CreateUser(ctx, NewUser{Username: "dave", Password: RawPassword(goodPassword)})
		if !errors.Is(err, ErrNoAuditKey) || !strings.Contains(err.Error(), "restore the key file") {
			t.Errorf("write without the key: %v", err)
		}
		if _, err := os.Stat(e.path + ".audit-key"); !os.IsNotExist(err) {
			t.Errorf("a new key was made: %v", err)
		}
		if e.hasUser("dave") {
			t.Error("the change was written without its audit record")
		}
	})

	t.Run("key open to others refused", func(t *testing.T) {
		e := auditedEnv(t)
		noErr(t, os.Chmod(e.path+".audit-key", 0o644))
		e.freshKeyFile()
		_, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		if err == nil || !strings.Contains(err.Error(), "open to other users") {
			t.Errorf("verify with a 0644 key: %v", err)
		}
	})

	t.Run("symbolic link refused", func(t *testing.T) {
		e := auditedEnv(t)
		noErr(t, os.Rename(e.path+".audit-key", e.path+".real-key"))
		noErr(t, os.Symlink(e.path+".real-key", e.path+".audit-key"))
		e.freshKeyFile()
		_, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("verify through a symlinked key: %v", err)
		}
	})

	t.Run("not a key", func(t *testing.T) {
		e := auditedEnv(t)
		noErr(t, os.WriteFile(e.path+".audit-key", []byte("hello\n"), 0o600))
		e.freshKeyFile()
		_, err := e.svc.AuditVerify(ctx, AuditVerifyOptions{})
		if err == nil || !strings.Contains(err.Error(), "is not an audit key") {
			t.Errorf("verify with a bad key file: %v", err)
		}
	})

	t.Run("two makers end with one key", func(t *testing.T) {
		path := t.TempDir() + "/k"
		a, b := &KeyFile{Path: path}, &KeyFile{Path: path}
		done := make(chan []byte)
		go func() { k, _ := a.Key(true); done <- k }()
		kb, err := b.Key(true)
		noErr(t, err)
		if ka := <-done; string(ka) != string(kb) || len(ka) != auditKeyLen {
			t.Errorf("keys differ: %x %x", ka, kb)
		}
	})
}

// TestAuditKeyFileUnset: a database with no place for a default key (not
// a file) and no audit_key set cannot write the log, and says why.
func TestAuditKeyFileUnset(t *testing.T) {
	e := newEnv(t)
	e.opts.AuditKeys = &KeyFile{}
	e.svc = e.newService(e.opts)
	_, err := e.svc.CreateUser(context.Background(), NewUser{Username: "dave", Password: RawPassword(goodPassword)})
	if err == nil || !strings.Contains(err.Error(), "set audit_key") || e.hasUser("dave") {
		t.Errorf("write without an audit key file: %v", err)
	}
}

// deleteAllAudit empties the audit bucket, keeping the bucket.
func deleteAllAudit(tx *bbolt.Tx) error {
	b := tx.Bucket([]byte("audit"))
	var keys [][]byte
	if err := b.ForEach(func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
