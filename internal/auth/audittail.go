package auth

import "authctl/internal/store"

// auditTail is a Writer that answers LastAudit from the record it appended
// last, instead of reading the audit bucket's last record back and decoding
// it: appendAudit chains each record to the previous one's hash, and an
// apply appends one per object in the same transaction. Until the first
// append it reads through.
//
// It also holds back the audit head (the MAC'd pointer to the newest record
// that appendAudit keeps in meta): written after every record, it would be
// overwritten as many times as there are records, each with its own MAC.
// Meta answers the held-back head as if it were written.
func (w *auditTail) Meta(key string) ([]byte, error) {
	if key == auditHeadKey && w.head != nil {
		return w.headMAC.encodeRef("head", *w.head), nil
	}
	return w.Writer.Meta(key)
}

// flushHead writes the last one; a transaction that appended through the
// tail must call it before it commits.
type auditTail struct {
	store.Writer
	last    *store.AuditRecord
	head    *AuditHead
	headMAC *chainMAC
}

// flushHead writes the audit head held back since the last flush, if any.
func (w *auditTail) flushHead() error {
	if w.head == nil {
		return nil
	}
	h := *w.head
	w.head = nil
	return w.Writer.PutMeta(auditHeadKey, w.headMAC.encodeRef("head", h))
}

func (w *auditTail) LastAudit() (store.AuditRecord, error) {
	if w.last != nil {
		return *w.last, nil
	}
	return w.Writer.LastAudit()
}

func (w *auditTail) AppendAudit(rec store.AuditRecord) (uint64, error) {
	seq, err := w.Writer.AppendAudit(rec)
	if err != nil {
		return seq, err
	}
	rec.Seq = seq
	w.last = &rec
	return seq, nil
}

func (w *auditTail) DeleteAuditThrough(seq uint64) error {
	w.last = nil
	return w.Writer.DeleteAuditThrough(seq)
}
