package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"

	"authctl/internal/store"
)

// chainVerifier walks the audit chain record by record.
type chainVerifier struct {
	s *Service
	r store.Reader

	ck        *chainMAC // the chain's MACs, once needed
	keyErr    error     // why there is no key
	prev      string    // Hash the next record must name as Prev
	prevSeq   uint64    // Seq of that record (or of the anchor)
	seqKnown  bool      // false after an unkeyed anchor, which holds no Seq
	anchorSeq uint64
	keyed     int    // keyed records seen
	last      bool   // at least one record seen
	firstSeq  uint64 // Seq of the first record seen
}

func (v *chainVerifier) key() (*chainMAC, error) {
	if v.ck != nil || v.keyErr != nil {
		return v.ck, v.keyErr
	}
	if v.s.keys == nil {
		v.keyErr = fmt.Errorf("cannot check the keyed audit log: no audit key is configured: %w", ErrNoAuditKey)
		return nil, v.keyErr
	}
	key, err := v.s.keys.Key(false)
	if err != nil {
		v.keyErr = fmt.Errorf("cannot check the keyed audit log: %w", err)
		if errors.Is(err, ErrNoAuditKey) {
			v.keyErr = fmt.Errorf("%w (point audit_key or AUTHCTL_AUDIT_KEY at the key file)", v.keyErr)
		}
		return nil, v.keyErr
	}
	v.ck = v.s.chainFor(key)
	return v.ck, nil
}

// start reads the anchor a prune left, if any.
func (v *chainVerifier) start() error {
	v.prev, v.prevSeq, v.seqKnown = genesis, 0, true
	anchor, err := v.r.Meta(auditAnchorKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(anchor) == len(genesis) {
		// An unkeyed scheme's anchor: a Hash alone, of an unkeyed record.
		v.prev, v.seqKnown = string(anchor), false
		return nil
	}
	ck, err := v.key()
	if err != nil {
		return err
	}
	ref, err := ck.decodeRef("anchor", anchor)
	if err != nil {
		return &AuditVerifyError{Seq: 0, Reason: err.Error() + ": the start of the log was replaced"}
	}
	v.prev, v.prevSeq, v.anchorSeq = ref.Hash, ref.Seq, ref.Seq
	return nil
}

// next checks one record against the one before it.
func (v *chainVerifier) next(rec store.AuditRecord, head *AuditHead) error {
	if v.seqKnown && rec.Seq != v.prevSeq+1 {
		if rec.Seq <= v.prevSeq {
			return &AuditVerifyError{Seq: rec.Seq, Reason: fmt.Sprintf("its number does not follow record %d", v.prevSeq)}
		}
		return &AuditVerifyError{Seq: rec.Seq, Reason: fmt.Sprintf("%s missing before it", span(v.prevSeq+1, rec.Seq-1))}
	}
	if subtle.ConstantTimeCompare([]byte(rec.Prev), []byte(v.prev)) != 1 {
		return &AuditVerifyError{Seq: rec.Seq, Reason: "it does not follow the record before it"}
	}
	if isKeyed(rec.Hash) {
		ck, err := v.key()
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(ck.record(rec.Seq, &rec)), []byte(rec.Hash)) != 1 {
			return &AuditVerifyError{Seq: rec.Seq, Reason: "its contents were changed, or it was not written with the audit key"}
		}
		v.keyed++
	} else {
		if v.keyed > 0 {
			return &AuditVerifyError{Seq: rec.Seq, Reason: "an unkeyed record follows keyed ones: the chain was recomputed without the audit key"}
		}
		if subtle.ConstantTimeCompare([]byte(legacyHash(rec)), []byte(rec.Hash)) != 1 {
			return &AuditVerifyError{Seq: rec.Seq, Reason: "its contents were changed"}
		}
	}
	if head != nil && rec.Seq == head.Seq && subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(head.Hash)) != 1 {
		return &AuditVerifyError{Seq: rec.Seq, Reason: "it is not the record of the exported head: the log was rewritten"}
	}
	if !v.last {
		v.firstSeq = rec.Seq
	}
	v.prev, v.prevSeq, v.seqKnown, v.last = rec.Hash, rec.Seq, true, true
	return nil
}

// end checks what the walk cannot show by itself: records cut from the
// end of the log, a deleted log, and the exported head.
func (v *chainVerifier) end(head *AuditHead) error {
	last := uint64(0)
	if v.last || v.anchorSeq > 0 {
		last = v.prevSeq
	}
	// The store's counter: the newest record must hold the highest number
	// ever assigned (a prune always leaves its own record).
	assigned, err := v.r.AuditSeq()
	if err != nil {
		return err
	}
	if assigned > last {
		return &AuditVerifyError{Seq: last + 1, Reason: span(last+1, assigned) + " missing from the end of the log"}
	}
	if err := v.checkStoredHead(last); err != nil {
		return err
	}
	if head != nil {
		return v.checkExportedHead(last, *head)
	}
	return nil
}

// checkStoredHead compares the log's newest record, last, with the stored
// head, whose MAC stops it being moved back along with a cut (and the
// store's counter reset).
func (v *chainVerifier) checkStoredHead(last uint64) error {
	stored, err := v.r.Meta(auditHeadKey)
	switch {
	case err == nil:
		ck, err := v.key()
		if err != nil {
			return err
		}
		ref, err := ck.decodeRef("head", stored)
		if err != nil {
			return &AuditVerifyError{Seq: last + 1, Reason: err.Error()}
		}
		if ref.Seq > last {
			return &AuditVerifyError{Seq: last + 1, Reason: span(last+1, ref.Seq) + " missing from the end of the log (and the store's counter was reset)"}
		}
		if ref.Seq != last || subtle.ConstantTimeCompare([]byte(ref.Hash), []byte(v.prev)) != 1 {
			return &AuditVerifyError{Seq: last, Reason: fmt.Sprintf("the log's newest record is not the one last written (record %d)", ref.Seq)}
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	case v.keyed > 0:
		return &AuditVerifyError{Seq: last, Reason: "the stored head of the keyed log was deleted"}
	case v.s.keys != nil:
		// No keyed record and no head: fine for a log written before the
		// key existed, but not once the key exists (it is made by the
		// first keyed write).
		if _, err := v.s.keys.Key(false); err == nil {
			what := "the log is empty"
			if v.last {
				what = "no record is keyed"
			}
			return &AuditVerifyError{Seq: last + 1, Reason: what + " although the audit key exists: the log was deleted or rewritten without the key"}
		} else if !errors.Is(err, ErrNoAuditKey) {
			return err
		}
	}
	return nil
}

// checkExportedHead checks that the log, ending at record last, still
// holds a head exported earlier.
func (v *chainVerifier) checkExportedHead(last uint64, head AuditHead) error {
	switch {
	case head.Seq > last:
		return &AuditVerifyError{Seq: last + 1, Reason: fmt.Sprintf("the log ends at record %d, before the exported head %d: records were cut from its end", last, head.Seq)}
	case head.Seq < v.anchorSeq:
		return &AuditVerifyError{Seq: head.Seq, Reason: fmt.Sprintf("the exported head was pruned (the log starts after record %d); export a newer head", v.anchorSeq)}
	case head.Seq == v.anchorSeq && v.anchorSeq > 0:
		// The anchor stands for the record; compare with it.
		if a, err := v.r.Meta(auditAnchorKey); err == nil && anchorHash(a) != head.Hash {
			return &AuditVerifyError{Seq: head.Seq, Reason: "it is not the record of the exported head: the log was rewritten"}
		}
	case v.firstSeq == 0 || head.Seq < v.firstSeq:
		return &AuditVerifyError{Seq: head.Seq, Reason: "the log no longer holds the exported head (pruned?); export a newer head"}
	}
	// Otherwise next compared it: every number from the first record to
	// the last was walked.
	return nil
}

// span names records a to b.
func span(a, b uint64) string {
	if a == b {
		return fmt.Sprintf("record %d is", a)
	}
	return fmt.Sprintf("records %d to %d are", a, b)
}
