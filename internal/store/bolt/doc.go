// Package bolt is the store.Store backend on a single bbolt file. It is the
// only package of authctl that imports go.etcd.io/bbolt.
//
// # File layout
//
// Each record kind has a top-level bucket whose keys are the exact bytes of
// the record's key and whose values are the record encoded with
// encoding/json:
//
//	users     Username   → store.User
//	groups    Name       → store.Group
//	perms     Perm       → store.Permission
//	sessions  ID         → store.Session
//	failures  Username   → store.Failure
//	audit     8-byte big-endian Seq → store.AuditRecord
//	meta      key        → raw bytes (store.Writer.PutMeta)
//	authctl   "schema_version" → decimal ASCII, currently "1"
//
// The audit numbers come from the audit bucket's own sequence
// (bbolt's Bucket.NextSequence), which is stored with the bucket, rolls back
// with its transaction and never goes down when records are deleted.
// The authctl bucket is this package's own bookkeeping, separate from the
// caller's meta bucket.
//
// # Opening
//
// Open does no more than bbolt.Open and one read transaction for the schema
// version, so a short-lived read-only process (authctl check) costs little
// more than a raw bbolt read. The database and its schema are created by the
// first writable open; a read-only open never writes.
//
// bbolt locks the whole file with flock for as long as it is open: a writable
// store holds an exclusive lock from Open to Close, which blocks every other
// opener, read-only ones included; read-only stores share the lock with one
// another. Waiting for the lock is bounded by OpenOptions.LockTimeout
// (default 5 s) and then fails with store.ErrBusy. Callers should therefore
// keep writable stores open only as long as they need them.
//
// # Damage
//
// bbolt may panic when it reads a damaged page. View and Update (and Open)
// recover such panics, and memory faults on the mapped file, and return an
// error wrapping store.ErrCorrupt. A panic raised by the caller's own fn
// (or by an iteration callback) is not recovered: it propagates unchanged.
package bolt
