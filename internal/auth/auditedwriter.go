package auth

import "authctl/internal/store"

// auditedWriter is the store.Writer that write hands to a use case: it
// notes whether anything was changed and whether an audit record was
// appended, so that write can refuse to commit the one without the other.
type auditedWriter struct {
	store.Writer
	changed, audited bool
}

// note records a change when the write succeeded (a Delete of a missing
// record changes nothing).
func (w *auditedWriter) note(err error) error {
	if err == nil {
		w.changed = true
	}
	return err
}

func (w *auditedWriter) PutUser(u store.User) error    { return w.note(w.Writer.PutUser(u)) }
func (w *auditedWriter) DeleteUser(name string) error  { return w.note(w.Writer.DeleteUser(name)) }
func (w *auditedWriter) PutGroup(g store.Group) error  { return w.note(w.Writer.PutGroup(g)) }
func (w *auditedWriter) DeleteGroup(name string) error { return w.note(w.Writer.DeleteGroup(name)) }
func (w *auditedWriter) PutPermission(p store.Permission) error {
	return w.note(w.Writer.PutPermission(p))
}
func (w *auditedWriter) DeletePermission(perm string) error {
	return w.note(w.Writer.DeletePermission(perm))
}
func (w *auditedWriter) PutSession(s store.Session) error { return w.note(w.Writer.PutSession(s)) }
func (w *auditedWriter) DeleteSession(id string) error    { return w.note(w.Writer.DeleteSession(id)) }
func (w *auditedWriter) PutFailure(f store.Failure) error { return w.note(w.Writer.PutFailure(f)) }
func (w *auditedWriter) DeleteFailure(name string) error  { return w.note(w.Writer.DeleteFailure(name)) }
func (w *auditedWriter) DeleteAuditThrough(seq uint64) error {
	return w.note(w.Writer.DeleteAuditThrough(seq))
}
func (w *auditedWriter) PutMeta(key string, value []byte) error {
	if bookkeepingMeta(key) {
		return w.Writer.PutMeta(key, value)
	}
	return w.note(w.Writer.PutMeta(key, value))
}

func (w *auditedWriter) AppendAudit(rec store.AuditRecord) (uint64, error) {
	seq, err := w.Writer.AppendAudit(rec)
	if err == nil {
		w.audited = true
	}
	return seq, err
}
