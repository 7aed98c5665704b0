package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
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

// auditAnchorKey holds the digest of the last pruned audit record, so that
// the chain stays verifiable after a prune.
const auditAnchorKey = "audit_anchor"

// genesis is the Prev of the first record ever written.
var genesis = strings.Repeat("0", 64)

func (s *Service) appendAudit(w store.Writer, ev Event) error {
	prev := genesis
	last, err := w.LastAudit()
	switch {
	case err == nil:
		prev = last.Hash
	case errors.Is(err, store.ErrNotFound):
		if anchor, err := w.Meta(auditAnchorKey); err == nil {
			prev = string(anchor)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	default:
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
	rec.Hash = auditHash(rec)
	_, err = w.AppendAudit(rec)
	return err
}

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// auditHash is the SHA-256 of the record's canonical JSON with Hash and Seq
// empty. Seq is left out because the store assigns it on append; the Prev
// links already make a deleted or reordered record visible.
func auditHash(rec store.AuditRecord) string {
	rec.Hash = ""
	rec.Seq = 0
	rec.Time = rec.Time.UTC()
	b, _ := json.Marshal(rec) // a struct of strings, numbers and a time cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

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
// keeps only the newest Limit records, buffering at most that many.
func (s *Service) AuditList(ctx context.Context, f AuditFilter, fn func(store.AuditRecord) error) error {
	if f.Limit <= 0 {
		return s.view(ctx, func(r store.Reader) error {
			return r.Audit(0, func(rec store.AuditRecord) error {
				if !f.match(rec) {
					return nil
				}
				return fn(rec)
			})
		})
	}
	ring := make([]store.AuditRecord, 0, f.Limit)
	err := s.view(ctx, func(r store.Reader) error {
		return r.Audit(0, func(rec store.AuditRecord) error {
			if !f.match(rec) {
				return nil
			}
			if len(ring) == f.Limit {
				copy(ring, ring[1:])
				ring = ring[:len(ring)-1]
			}
			ring = append(ring, rec)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, rec := range ring {
		if err := fn(rec); err != nil {
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

// AuditVerify walks the whole chain and returns the number of records
// checked, or an *AuditVerifyError at the first record that was edited,
// inserted or whose predecessor was deleted.
func (s *Service) AuditVerify(ctx context.Context) (int, error) {
	n := 0
	err := s.view(ctx, func(r store.Reader) error {
		prev := genesis
		if anchor, err := r.Meta(auditAnchorKey); err == nil {
			prev = string(anchor)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var last uint64
		err := r.Audit(0, func(rec store.AuditRecord) error {
			if subtle.ConstantTimeCompare([]byte(rec.Prev), []byte(prev)) != 1 {
				return &AuditVerifyError{Seq: rec.Seq, Reason: "it does not follow the record before it"}
			}
			if subtle.ConstantTimeCompare([]byte(auditHash(rec)), []byte(rec.Hash)) != 1 {
				return &AuditVerifyError{Seq: rec.Seq, Reason: "its contents were changed"}
			}
			prev, last = rec.Hash, rec.Seq
			n++
			return nil
		})
		if err != nil {
			return err
		}
		// The chain cannot show records cut from its end; the store's
		// sequence counter can: the newest record must hold the highest
		// number ever assigned (a prune always leaves its own record).
		assigned, err := r.AuditSeq()
		if err != nil {
			return err
		}
		if assigned != last {
			return &AuditVerifyError{Seq: last + 1, Reason: fmt.Sprintf("records %d to %d were deleted from the end of the log", last+1, assigned)}
		}
		return nil
	})
	return n, err
}

// AuditPrune deletes records older than before and keeps the chain
// verifiable by storing the hash of the last deleted record as the anchor
// of the rest. It returns how many records it deleted.
func (s *Service) AuditPrune(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.st.Update(ctx, func(w store.Writer) error {
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
		if err := w.DeleteAuditThrough(last.Seq); err != nil {
			return err
		}
		if err := w.PutMeta(auditAnchorKey, []byte(last.Hash)); err != nil {
			return err
		}
		return s.appendAudit(w, Event{Action: "audit.prune", Target: fmt.Sprintf("%d records", n), Detail: "before " + before.UTC().Format(time.RFC3339)})
	})
	return n, err
}
