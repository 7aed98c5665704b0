package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"authctl/internal/store"
)

// Event is what a change tells the audit log. It never holds a password,
// hash or token.
type Event struct {
	Action string // "user.create", "auth.login", ...
	Target string // the user, group, permission or session acted on
	Result string // "ok" unless said otherwise: "failed", "locked", "denied"
	Detail string
}

// Audit results.
const (
	ResultOK     = "ok"
	ResultFailed = "failed"
	ResultLocked = "locked"
)

func (s *Service) appendAudit(w store.Writer, ev Event) error {
	prev, err := chainTail(w)
	if err != nil {
		return err
	}
	// Text is made valid UTF-8 first: JSON would turn each invalid byte
	// into U+FFFD on the way to the store, so the record read back would
	// no longer match the hash computed here.
	rec := store.AuditRecord{
		Time:        s.clock(),
		Action:      validUTF8(ev.Action),
		Target:      validUTF8(ev.Target),
		Result:      validUTF8(ev.Result),
		OSUser:      validUTF8(s.currentActor().OSUser),
		SessionUser: validUTF8(s.currentActor().SessionUser),
		Detail:      validUTF8(ev.Detail),
		Prev:        prev,
	}
	if rec.Result == "" {
		rec.Result = ResultOK
	}
	key, err := s.auditKey(w)
	if err != nil {
		return err
	}
	if key == nil {
		// No keyring: the unkeyed scheme of earlier versions.
		rec.Hash = legacyHash(rec)
		_, err = w.AppendAudit(rec)
		return err
	}
	ck := s.chainFor(key)
	// The MAC covers Seq, so it is computed for the number the store will
	// assign: one more than the highest it ever assigned.
	seq, err := w.AuditSeq()
	if err != nil {
		return err
	}
	seq++
	rec.Hash = ck.record(seq, &rec)
	got, err := w.AppendAudit(rec)
	if err != nil {
		return err
	}
	if got != seq {
		return fmt.Errorf("internal error: the store numbered an audit record %d, not %d", got, seq)
	}
	head := AuditHead{Seq: seq, Hash: rec.Hash}
	if t, ok := w.(*auditTail); ok {
		// Many records in one transaction: only the last one's head
		// survives it, so the tail writes it once (flushHead).
		t.head, t.headMAC = &head, ck
		return nil
	}
	return w.PutMeta(auditHeadKey, ck.encodeRef("head", head))
}

// chainTail is the Hash the next record names as Prev: the newest
// record's, else the anchor's of a pruned log, else the genesis value.
func chainTail(r store.Reader) (string, error) {
	last, err := r.LastAudit()
	switch {
	case err == nil:
		return last.Hash, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	anchor, err := r.Meta(auditAnchorKey)
	switch {
	case err == nil:
		return anchorHash(anchor), nil
	case errors.Is(err, store.ErrNotFound):
		return genesis, nil
	}
	return "", err
}

// anchorHash is the Hash an anchor holds, in either of its forms.
func anchorHash(v []byte) string {
	if f := strings.Fields(string(v)); len(f) == 3 {
		return f[1]
	}
	return string(v)
}

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// AuditFilter selects audit records for AuditList.
type AuditFilter struct {
	Since  time.Time // zero: from the start
	Before time.Time // zero: to the end
	User   string    // the target (also "user NAME" of a grant) or the session user
	Action string    // exact action, or a prefix ending in "." ("user.")
	Limit  int       // the newest Limit records; 0: all
}

func (f AuditFilter) match(rec store.AuditRecord) bool {
	if !f.Since.IsZero() && rec.Time.Before(f.Since) {
		return false
	}
	if !f.Before.IsZero() && !rec.Time.Before(f.Before) {
		return false
	}
	// A grant or revoke names its grantee "user NAME" (Grantee.String).
	if f.User != "" && rec.Target != f.User && rec.Target != "user "+f.User && rec.SessionUser != f.User {
		return false
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			if !strings.HasPrefix(rec.Action, f.Action) {
				return false
			}
		} else if rec.Action != f.Action {
			return false
		}
	}
	return true
}

// AuditList calls fn for each matching record, oldest first. With a Limit it
// keeps only the newest Limit records in a ring that grows with the records
// seen, so a huge Limit costs no more than the log itself.
func (s *Service) AuditList(ctx context.Context, f AuditFilter, fn func(store.AuditRecord) error) error {
	if f.Limit < 0 {
		return invalid(fmt.Errorf("limit %d is negative", f.Limit))
	}
	if f.Limit == 0 {
		return s.view(ctx, func(r store.Reader) error {
			return r.Audit(0, func(rec store.AuditRecord) error {
				if !f.match(rec) {
					return nil
				}
				return fn(rec)
			})
		})
	}
	var (
		ring []store.AuditRecord
		next int // where the next record goes once the ring is full
	)
	err := s.view(ctx, func(r store.Reader) error {
		ring, next = ring[:0], 0
		return r.Audit(0, func(rec store.AuditRecord) error {
			if !f.match(rec) {
				return nil
			}
			if len(ring) < f.Limit {
				ring = append(ring, rec)
				return nil
			}
			ring[next] = rec
			next = (next + 1) % len(ring)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for i := range ring {
		if err := fn(ring[(next+i)%len(ring)]); err != nil {
			return err
		}
	}
	return nil
}

// AuditVerifyError says where the audit chain breaks.
type AuditVerifyError struct {
	Seq    uint64
	Reason string
}

func (e *AuditVerifyError) Error() string {
	return fmt.Sprintf("audit log is not intact at record %d: %s", e.Seq, e.Reason)
}

// AuditVerifyResult is what AuditVerify found.
type AuditVerifyResult struct {
	Records int       // records checked
	Keyed   int       // of which keyed
	Head    AuditHead // the newest record (zero for an empty log)
}

// AuditVerifyOptions tunes AuditVerify.
type AuditVerifyOptions struct {
	// Head, when set, is a head exported earlier: the log must still hold
	// that record, unchanged.
	Head *AuditHead
}

// AuditVerify walks the whole chain and returns what it checked, or an
// *AuditVerifyError at the first record that was edited, inserted, moved,
// or is missing (from the middle, the start or the end), or when the log
// no longer holds opts.Head. Keyed records need the audit key: without it
// the error wraps ErrNoAuditKey.
func (s *Service) AuditVerify(ctx context.Context, opts AuditVerifyOptions) (AuditVerifyResult, error) {
	var res AuditVerifyResult
	err := s.view(ctx, func(r store.Reader) error {
		res = AuditVerifyResult{}
		v := chainVerifier{s: s, r: r}
		if err := v.start(); err != nil {
			return err
		}
		err := r.Audit(0, func(rec store.AuditRecord) error {
			if err := v.next(rec, opts.Head); err != nil {
				return err
			}
			res.Records++
			return nil
		})
		if err != nil {
			return err
		}
		if err := v.end(opts.Head); err != nil {
			return err
		}
		res.Keyed = v.keyed
		if res.Records > 0 {
			res.Head = AuditHead{Seq: v.prevSeq, Hash: v.prev}
		}
		return nil
	})
	return res, err
}

// AuditPrune deletes records older than before and keeps the chain
// verifiable by storing the last deleted record (with a MAC when the chain
// is keyed) as the anchor of the rest. It returns how many records it
// deleted.
func (s *Service) AuditPrune(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(w store.Writer) error {
		n = 0
		var last store.AuditRecord
		errStop := errors.New("stop")
		err := w.Audit(0, func(rec store.AuditRecord) error {
			if !rec.Time.Before(before) {
				return errStop
			}
			last = rec
			n++
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		if n == 0 {
			return nil
		}
		key, err := s.auditKey(w)
		if err != nil {
			return err
		}
		anchor := []byte(last.Hash)
		if key != nil {
			anchor = s.chainFor(key).encodeRef("anchor", AuditHead{Seq: last.Seq, Hash: last.Hash})
		}
		if err := w.DeleteAuditThrough(last.Seq); err != nil {
			return err
		}
		if err := w.PutMeta(auditAnchorKey, anchor); err != nil {
			return err
		}
		return s.appendAudit(w, Event{Action: "audit.prune", Target: fmt.Sprintf("%d records", n), Detail: fmt.Sprintf("before %s, through record %d", before.UTC().Format(time.RFC3339), last.Seq)})
	})
	return n, err
}
