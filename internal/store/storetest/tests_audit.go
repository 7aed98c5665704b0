package storetest

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"authctl/internal/store"
)

// --- audit log -------------------------------------------------------------

func auditSeqs(t testing.TB, r store.Reader, after uint64) []uint64 {
	t.Helper()
	var seqs []uint64
	must(t, "Audit", r.Audit(after, func(a store.AuditRecord) error {
		if want := "a" + strconv.FormatUint(a.Seq, 10); a.Action != want {
			t.Errorf("audit record %d has Action %q, want %q", a.Seq, a.Action, want)
		}
		seqs = append(seqs, a.Seq)
		return nil
	}))
	return seqs
}

// appendAudit appends records whose Action names the expected Seq.
func appendAudit(t testing.TB, s store.Store, want ...uint64) {
	t.Helper()
	update(t, s, func(w store.Writer) error {
		for _, seq := range want {
			rec := fullAudit("a" + strconv.FormatUint(seq, 10))
			rec.Seq = 999 - seq // ignored
			got, err := w.AppendAudit(rec)
			must(t, "AppendAudit", err)
			if got != seq {
				t.Errorf("AppendAudit returned %d, want %d", got, seq)
			}
		}
		return nil
	})
}

func testAuditEmpty(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	view(t, s, func(r store.Reader) error {
		_, err := r.LastAudit()
		wantNotFound(t, "LastAudit of an empty log", err)
		if seqs := auditSeqs(t, r, 0); len(seqs) != 0 {
			t.Errorf("Audit(0) of an empty log = %v", seqs)
		}
		return nil
	})
	update(t, s, func(w store.Writer) error {
		must(t, "DeleteAuditThrough on an empty log", w.DeleteAuditThrough(10))
		return nil
	})
}

func testAuditSequence(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	appendAudit(t, s, 1, 2, 3)
	appendAudit(t, s, 4)
	appendAudit(t, s, 5, 6)
	view(t, s, func(r store.Reader) error {
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 6 || last.Action != "a6" {
			t.Errorf("LastAudit = %d %q, want 6 a6", last.Seq, last.Action)
		}
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6}) {
			t.Errorf("Audit(0) = %v", got)
		}
		return nil
	})
}

func testAuditAfter(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	var all []uint64
	for i := uint64(1); i <= 300; i++ {
		all = append(all, i)
	}
	appendAudit(t, s, all...)
	view(t, s, func(r store.Reader) error {
		for _, c := range []struct {
			after uint64
			want  []uint64
		}{
			{0, all}, {1, all[1:]}, {255, all[255:]}, {256, all[256:]}, {299, []uint64{300}},
			{300, nil}, {301, nil}, {1 << 32, nil}, {math.MaxUint64 - 1, nil}, {math.MaxUint64, nil},
		} {
			if got := auditSeqs(t, r, c.after); !slices.Equal(got, c.want) {
				t.Errorf("Audit(%d) visited %d records (%v…), want %d", c.after, len(got), got[:min(len(got), 3)], len(c.want))
			}
		}
		return nil
	})
}

func testAuditNeverReused(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	appendAudit(t, s, 1, 2, 3, 4)
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(2) })
	view(t, s, func(r store.Reader) error {
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{3, 4}) {
			t.Errorf("Audit(0) after DeleteAuditThrough(2) = %v, want [3 4]", got)
		}
		return nil
	})
	appendAudit(t, s, 5)
	// Deleting everything does not reset the numbering.
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(5) })
	view(t, s, func(r store.Reader) error {
		_, err := r.LastAudit()
		wantNotFound(t, "LastAudit after deleting every record", err)
		if got := auditSeqs(t, r, 0); len(got) != 0 {
			t.Errorf("Audit(0) after DeleteAuditThrough(5) = %v", got)
		}
		return nil
	})
	appendAudit(t, s, 6)
	update(t, s, func(w store.Writer) error {
		must(t, "DeleteAuditThrough(0)", w.DeleteAuditThrough(0))
		must(t, "DeleteAuditThrough(math.MaxUint64)", w.DeleteAuditThrough(math.MaxUint64))
		return nil
	})
	// Nor does reopening.
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{})
	appendAudit(t, s, 7, 8)
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(7) })
	view(t, s, func(r store.Reader) error {
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{8}) {
			t.Errorf("Audit(0) = %v, want [8]", got)
		}
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 8 {
			t.Errorf("LastAudit.Seq = %d, want 8", last.Seq)
		}
		return nil
	})
}

func testAuditRollback(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	appendAudit(t, s, 1)
	var rolledBack uint64
	err := s.Update(ctx, func(w store.Writer) error {
		seq, err := w.AppendAudit(fullAudit("rolled-back"))
		must(t, "AppendAudit", err)
		rolledBack = seq
		if seq <= 1 {
			t.Errorf("AppendAudit returned %d after 1", seq)
		}
		return errSentinel
	})
	if err != errSentinel {
		t.Fatalf("Update returned %v, want the sentinel", err)
	}
	view(t, s, func(r store.Reader) error {
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 1 {
			t.Errorf("LastAudit after a rolled-back append = %d, want 1", last.Seq)
		}
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{1}) {
			t.Errorf("Audit(0) after a rolled-back append = %v, want [1]", got)
		}
		return nil
	})
	// The next number is higher than every committed one; whether it reuses
	// the rolled-back number is up to the backend.
	var next uint64
	update(t, s, func(w store.Writer) error {
		var err error
		next, err = w.AppendAudit(fullAudit("next"))
		return err
	})
	if next <= 1 {
		t.Errorf("AppendAudit after a rollback returned %d, want > 1 (rolled back %d)", next, rolledBack)
	}
	view(t, s, func(r store.Reader) error {
		var got []uint64
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error { got = append(got, a.Seq); return nil }))
		if !slices.Equal(got, []uint64{1, next}) {
			t.Errorf("Audit(0) = %v, want [1 %d]", got, next)
		}
		return nil
	})
}
