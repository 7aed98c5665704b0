package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"authctl/internal/store"
)

// --- pruning the audit log -------------------------------------------------
//
// DeleteAuditThrough of all, some or none of a committed log, at sizes that
// span one and many pages, followed in the same transaction and after commit
// by every audit read and an append. A backend whose cursor cannot cope
// with a log emptied inside the transaction shows up here as a hang, which
// the watchdog turns into a failure.

var pruneSizes = []uint64{1, 20, 100, 1000}

// pruneWatchdog bounds one step of a prune test.
const pruneWatchdog = 30 * time.Second

// withinWatchdog runs fn and crashes the test binary if it does not return
// in time: a hung transaction holds the store, so the test's own Close
// would hang as well.
func withinWatchdog(t *testing.T, what string, fn func() error) {
	t.Helper()
	timer := time.AfterFunc(pruneWatchdog, func() {
		panic(fmt.Sprintf("storetest: %s: %s did not return within %v (a cursor loop?)", t.Name(), what, pruneWatchdog))
	})
	err := fn()
	timer.Stop()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// checkLog checks what every audit read reports for a log that holds the
// records after through last, with highest the highest number ever assigned.
func checkLog(r store.Reader, after, last, highest uint64) error {
	seq, err := r.AuditSeq()
	if err != nil {
		return fmt.Errorf("AuditSeq: %w", err)
	}
	if seq != highest {
		return fmt.Errorf("AuditSeq = %d, want %d", seq, highest)
	}
	rec, err := r.LastAudit()
	switch {
	case after >= last:
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("LastAudit of an emptied log = %d, %v; want ErrNotFound", rec.Seq, err)
		}
	case err != nil:
		return fmt.Errorf("LastAudit: %w", err)
	case rec.Seq != last || rec.Action != "a"+strconv.FormatUint(last, 10):
		return fmt.Errorf("LastAudit = %d %q, want %d", rec.Seq, rec.Action, last)
	}
	var got []uint64
	if err := r.Audit(0, func(a store.AuditRecord) error {
		got = append(got, a.Seq)
		return nil
	}); err != nil {
		return fmt.Errorf("Audit(0): %w", err)
	}
	var want []uint64
	for s := after + 1; s <= last; s++ {
		want = append(want, s)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("Audit(0) visited %d records (first %v), want %d after %d", len(got), got[:min(len(got), 3)], len(want), after)
	}
	return nil
}

func testAuditPrune(t *testing.T, newOpener NewOpener) {
	for _, n := range pruneSizes {
		for _, mode := range []string{"all", "some", "none", "beyond"} {
			t.Run(fmt.Sprintf("%s-of-%d", mode, n), func(t *testing.T) {
				through := map[string]uint64{"all": n, "some": n / 2, "none": 0, "beyond": n + 100}[mode]
				kept := min(through, n)
				_, s := create(t, newOpener)
				// Several commits, so that the records lie on pages
				// written before the prune.
				var seqs []uint64
				for i := uint64(1); i <= n; i++ {
					seqs = append(seqs, i)
					if len(seqs) == 250 || i == n {
						appendAudit(t, s, seqs...)
						seqs = seqs[:0]
					}
				}
				withinWatchdog(t, "prune and read in one Update", func() error {
					return s.Update(ctx, func(w store.Writer) error {
						if err := w.DeleteAuditThrough(through); err != nil {
							return fmt.Errorf("DeleteAuditThrough(%d): %w", through, err)
						}
						if err := checkLog(w, kept, n, n); err != nil {
							return fmt.Errorf("after the prune, same transaction: %w", err)
						}
						seq, err := w.AppendAudit(fullAudit("a" + strconv.FormatUint(n+1, 10)))
						if err != nil {
							return fmt.Errorf("AppendAudit: %w", err)
						}
						if seq != n+1 {
							return fmt.Errorf("AppendAudit after the prune = %d, want %d", seq, n+1)
						}
						if err := checkLog(w, kept, n+1, n+1); err != nil {
							return fmt.Errorf("after the prune and an append, same transaction: %w", err)
						}
						return nil
					})
				})
				withinWatchdog(t, "read after commit", func() error {
					return s.View(ctx, func(r store.Reader) error { return checkLog(r, kept, n+1, n+1) })
				})
				// Empty the log in one transaction, commit, and read and
				// append in the next ones.
				withinWatchdog(t, "prune everything", func() error {
					return s.Update(ctx, func(w store.Writer) error { return w.DeleteAuditThrough(n + 1) })
				})
				withinWatchdog(t, "read an emptied log", func() error {
					return s.View(ctx, func(r store.Reader) error { return checkLog(r, n+1, n+1, n+1) })
				})
				withinWatchdog(t, "append to an emptied log", func() error {
					return s.Update(ctx, func(w store.Writer) error {
						if err := checkLog(w, n+1, n+1, n+1); err != nil {
							return err
						}
						seq, err := w.AppendAudit(fullAudit("a" + strconv.FormatUint(n+2, 10)))
						if err == nil && seq != n+2 {
							err = fmt.Errorf("AppendAudit = %d, want %d", seq, n+2)
						}
						return err
					})
				})
				withinWatchdog(t, "read the appended record", func() error {
					return s.View(ctx, func(r store.Reader) error { return checkLog(r, n+1, n+2, n+2) })
				})
			})
		}
	}
}

// testAuditPruneRollback checks that a prune that rolls back leaves the
// whole log.
func testAuditPruneRollback(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	var all []uint64
	for i := uint64(1); i <= 300; i++ {
		all = append(all, i)
	}
	appendAudit(t, s, all...)
	var err error
	withinWatchdog(t, "prune then fail", func() error {
		err = s.Update(ctx, func(w store.Writer) error {
			if err := w.DeleteAuditThrough(300); err != nil {
				return err
			}
			if _, err := w.LastAudit(); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("LastAudit after pruning all: %v", err)
			}
			return errSentinel
		})
		return nil
	})
	if err != errSentinel {
		t.Fatalf("Update = %v, want the sentinel", err)
	}
	view(t, s, func(r store.Reader) error { return checkLog(r, 0, 300, 300) })
}
