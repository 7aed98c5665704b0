package backends

import (
	"context"
	"errors"
	"fmt"

	"authctl/internal/store"
	"authctl/internal/store/etcd"
)

// CopyMode says what Copy does with a target that holds records.
type CopyMode int

const (
	// CopyIntoEmpty refuses a target that holds anything.
	CopyIntoEmpty CopyMode = iota
	// CopyForce deletes everything in the target first.
	CopyForce
	// CopyMerge writes the source's records over the target's records with
	// the same key and keeps the rest; the target keeps its own meta
	// values, and its audit log must be empty unless the source's is.
	CopyMerge
)

// ErrTargetNotEmpty is returned by Copy in CopyIntoEmpty mode.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// CopyStats counts what Copy wrote.
type CopyStats struct {
	Users, Groups, Permissions, Sessions, Failures, Audit, Meta int
}

// maxBatch is how many records Copy writes per transaction at most; a
// batch too large for the target (etcd's limits) is halved until it fits.
const maxBatch = 1000

// Copy copies every record of from into to: users with their hashes,
// groups, permissions, sessions, failure records, the meta values named by
// metaKeys and the audit log (same order, same hashes, the same numbers
// where the target allows, and the anchor of a pruned log is a meta
// value). It reads from in one View, a consistent state, and writes to in
// batches of whole records: it is not atomic, and an interrupted copy is
// completed by running it again with CopyForce.
func Copy(ctx context.Context, from, to store.Store, metaKeys []string, mode CopyMode) (CopyStats, error) {
	var st CopyStats
	tgt, err := contents(ctx, to, metaKeys)
	if err != nil {
		return st, fmt.Errorf("read the target: %w", err)
	}
	src, err := contents(ctx, from, metaKeys)
	if err != nil {
		return st, fmt.Errorf("read the source: %w", err)
	}
	switch {
	case mode == CopyIntoEmpty && !tgt.empty():
		return st, fmt.Errorf("%w (%s): use --force to replace its contents or --merge to add to them", ErrTargetNotEmpty, tgt)
	case mode == CopyMerge && src.audit > 0 && tgt.audit > 0:
		return st, errors.New("both databases have an audit log, and a merged log could not verify: copy into an empty database, or use --force")
	case src.audit > 0 && tgt.auditSeq >= src.firstAudit:
		// A keyed audit chain's MACs cover the record numbers, and a
		// store never hands out a number twice (not even after its
		// records were deleted): a target that already used the
		// source's numbers cannot hold its log.
		return st, fmt.Errorf("the target already used audit numbers up to %d and the source's log starts at %d: its records cannot keep the numbers their chain covers; copy into a new, empty database", tgt.auditSeq, src.firstAudit)
	case mode == CopyForce && !tgt.empty():
		for k := range tgt.meta {
			if err := from.View(ctx, func(r store.Reader) error { _, err := r.Meta(k); return err }); errors.Is(err, store.ErrNotFound) {
				return st, fmt.Errorf("the target holds the meta value %q and the source does not, and a store cannot delete one: copy into an empty database", k)
			}
		}
		if err := wipe(ctx, to, metaKeys); err != nil {
			return st, fmt.Errorf("empty the target: %w", err)
		}
	}
	w := &batcher{ctx: ctx, to: to, size: maxBatch}
	if l, ok := to.(interface{ TxnLimit() int }); ok {
		// A user with its hash, a few groups and its audit-free write
		// is about four keys.
		w.size = max(1, l.TxnLimit()/4)
	}
	err = from.View(ctx, func(r store.Reader) error {
		src, err := readContents(r, metaKeys)
		if err != nil {
			return err
		}
		if assigned, err := r.AuditSeq(); err != nil {
			return err
		} else if assigned != src.lastAudit {
			return fmt.Errorf("the source's audit log lost records %d to %d from its end (audit verify fails there); a copy would hide that", src.lastAudit+1, assigned)
		}
		if mode == CopyMerge && src.audit > 0 && tgt.audit > 0 {
			return errors.New("both databases have an audit log, and a merged log could not verify: copy into an empty database, or use --force")
		}

		if err := r.Permissions("", func(p store.Permission) error {
			st.Permissions++
			return w.add(func(w store.Writer) error { return w.PutPermission(p) })
		}); err != nil {
			return err
		}
		if err := r.Groups(func(g store.Group) error {
			st.Groups++
			return w.add(func(w store.Writer) error { return w.PutGroup(g) })
		}); err != nil {
			return err
		}
		if err := r.Users("", func(u store.User) error {
			st.Users++
			return w.add(func(w store.Writer) error { return w.PutUser(u) })
		}); err != nil {
			return err
		}
		if err := r.Sessions(func(s store.Session) error {
			st.Sessions++
			return w.add(func(w store.Writer) error { return w.PutSession(s) })
		}); err != nil {
			return err
		}
		if err := r.Failures(func(f store.Failure) error {
			st.Failures++
			return w.add(func(w store.Writer) error { return w.PutFailure(f) })
		}); err != nil {
			return err
		}
		for _, k := range metaKeys {
			v, err := r.Meta(k)
			if errors.Is(err, store.ErrNotFound) || (mode == CopyMerge && tgt.meta[k]) {
				continue
			}
			if err != nil {
				return err
			}
			st.Meta++
			if err := w.add(func(w store.Writer) error { return w.PutMeta(k, v) }); err != nil {
				return err
			}
		}
		if err := w.flush(); err != nil {
			return err
		}
		first := true
		if err := r.Audit(0, func(a store.AuditRecord) error {
			if first {
				first = false
				// Number the first record as in the source: skip the
				// numbers before it if the target's counter allows.
				if err := w.skipTo(a.Seq); err != nil {
					return err
				}
			}
			st.Audit++
			return w.add(func(w store.Writer) error { _, err := w.AppendAudit(a); return err })
		}); err != nil {
			return err
		}
		return w.flush()
	})
	return st, err
}

// batcher writes queued changes in transactions of at most size changes.
type batcher struct {
	ctx  context.Context
	to   store.Store
	size int
	q    []func(store.Writer) error
}

func (b *batcher) add(fn func(store.Writer) error) error {
	b.q = append(b.q, fn)
	if len(b.q) >= b.size {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	for len(b.q) > 0 {
		n := min(b.size, len(b.q))
		err := b.to.Update(b.ctx, func(w store.Writer) error {
			for _, fn := range b.q[:n] {
				if err := fn(w); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, etcd.ErrTooLarge) && n > 1 {
			b.size = max(1, n/2)
			continue
		}
		if err != nil {
			return err
		}
		b.q = b.q[n:]
	}
	return nil
}

// skipTo makes the target's next audit number seq, by assigning and
// deleting the numbers before it (Copy has checked that the target is not
// past it).
func (b *batcher) skipTo(seq uint64) error {
	return b.to.Update(b.ctx, func(w store.Writer) error {
		n, err := w.AuditSeq()
		if err != nil {
			return err
		}
		if n+1 >= seq {
			return nil
		}
		var last uint64
		for last+1 < seq {
			if last, err = w.AppendAudit(store.AuditRecord{Action: "db.copy.skip"}); err != nil {
				return err
			}
		}
		return w.DeleteAuditThrough(last)
	})
}

// summary is what a database holds, in counts.
type summary struct {
	users, groups, perms, sessions, failures, audit int
	firstAudit, lastAudit, auditSeq                 uint64
	meta                                            map[string]bool
}

func (s summary) empty() bool {
	return s.users+s.groups+s.perms+s.sessions+s.failures+s.audit+len(s.meta) == 0 && s.auditSeq == 0
}

func (s summary) String() string {
	return fmt.Sprintf("%d users, %d groups, %d permissions, %d sessions, %d failure records, %d audit records",
		s.users, s.groups, s.perms, s.sessions, s.failures, s.audit)
}

func contents(ctx context.Context, s store.Store, metaKeys []string) (sum summary, err error) {
	err = s.View(ctx, func(r store.Reader) error {
		sum, err = readContents(r, metaKeys)
		if err == nil {
			sum.auditSeq, err = r.AuditSeq()
		}
		return err
	})
	return sum, err
}

func readContents(r store.Reader, metaKeys []string) (summary, error) {
	s := summary{meta: map[string]bool{}}
	errs := []error{
		r.Users("", func(store.User) error { s.users++; return nil }),
		r.Groups(func(store.Group) error { s.groups++; return nil }),
		r.Permissions("", func(store.Permission) error { s.perms++; return nil }),
		r.Sessions(func(store.Session) error { s.sessions++; return nil }),
		r.Failures(func(store.Failure) error { s.failures++; return nil }),
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	if last, err := r.LastAudit(); err == nil {
		s.lastAudit = last.Seq
		if err := r.Audit(0, func(a store.AuditRecord) error {
			if s.audit == 0 {
				s.firstAudit = a.Seq
			}
			s.audit++
			return nil
		}); err != nil {
			return s, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return s, err
	}
	for _, k := range metaKeys {
		if _, err := r.Meta(k); err == nil {
			s.meta[k] = true
		} else if !errors.Is(err, store.ErrNotFound) {
			return s, err
		}
	}
	return s, nil
}

// wipe deletes every record of s, in batches.
func wipe(ctx context.Context, s store.Store, metaKeys []string) error {
	type del struct {
		kind, key string
	}
	var dels []del
	err := s.View(ctx, func(r store.Reader) error {
		return errors.Join(
			r.Users("", func(u store.User) error { dels = append(dels, del{"u", u.Username}); return nil }),
			r.Groups(func(g store.Group) error { dels = append(dels, del{"g", g.Name}); return nil }),
			r.Permissions("", func(p store.Permission) error { dels = append(dels, del{"p", p.Perm}); return nil }),
			r.Sessions(func(x store.Session) error { dels = append(dels, del{"s", x.ID}); return nil }),
			r.Failures(func(f store.Failure) error { dels = append(dels, del{"f", f.Username}); return nil }),
		)
	})
	if err != nil {
		return err
	}
	b := &batcher{ctx: ctx, to: s, size: maxBatch}
	for _, d := range dels {
		if err := b.add(func(w store.Writer) error {
			var err error
			switch d.kind {
			case "u":
				err = w.DeleteUser(d.key)
			case "g":
				err = w.DeleteGroup(d.key)
			case "p":
				err = w.DeletePermission(d.key)
			case "s":
				err = w.DeleteSession(d.key)
			case "f":
				err = w.DeleteFailure(d.key)
			}
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	// Meta values cannot be deleted through the store; the copy
	// overwrites those the source has.
	return s.Update(ctx, func(w store.Writer) error {
		n, err := w.AuditSeq()
		if err != nil || n == 0 {
			return err
		}
		return w.DeleteAuditThrough(n)
	})
}
