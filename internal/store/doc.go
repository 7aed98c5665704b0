// Package store defines where authctl keeps its records: the Store
// interface, the record types and the errors every backend returns.
//
// # The contract
//
// The comments in store.go and errors.go are the contract. This section
// spells out the points they leave implicit; every sentence here and there
// is checked, for every backend, by the conformance suite in
// authctl/internal/store/storetest.
//
// Opening (each backend's Open, reached through internal/store/backends):
//
//   - A missing database without OpenOptions.Create is an error wrapping
//     ErrNoDatabase (which itself wraps ErrNotFound). Create never changes an
//     existing database. ReadOnly together with Create creates a missing
//     database and then opens it read-only.
//   - Several read-only stores may be open on one database at once, and
//     each may run View from several goroutines at once.
//   - A database the backend cannot read (not a database, damaged, written
//     by a newer authctl) is an error wrapping ErrCorrupt whose message
//     names the database.
//
// Transactions:
//
//   - View and Update first check the store and the context: after Close
//     they return ErrClosed, with a context that is already done they return
//     ctx.Err() (so errors.Is(err, context.Canceled) holds), and in either
//     case fn is not called. Update on a read-only store returns ErrReadOnly
//     without calling fn.
//   - View, like Update, returns fn's error unchanged.
//   - Update is atomic: when fn fails nothing it did is visible afterwards,
//     including records it deleted (they are still there) and audit records
//     it appended (they do not exist). Concurrent Updates on one store are
//     serialized or retried; none is lost.
//   - Inside Update, fn reads its own writes, including through the
//     iterators and LastAudit.
//
// Keys and records:
//
//   - Keys are the exact bytes of Username, Group.Name, Permission.Perm,
//     Session.ID, Failure.Username and the Meta key: case matters and
//     nothing is trimmed or normalized. A key must be non-empty, valid UTF-8:
//     Put with any other key returns an error and writes nothing (the
//     transaction stays usable). Other string fields should be valid UTF-8
//     too; a backend may replace invalid bytes in them.
//   - Every field round-trips. Times keep their instant to the nanosecond
//     (compare with time.Time.Equal); their Location and monotonic reading
//     are not kept. A nil and an empty slice are interchangeable: the store
//     may return either for a field that was stored empty.
//   - Records are copies both ways: changing a returned record (its slices,
//     Session.Digest, a Meta value) does not change the store, and changing
//     a value after passing it to Put does not change what was stored.
//   - Iterators visit keys in ascending bytewise order. A prefix of "" means
//     every record; a prefix matches bytewise (case-sensitively). An error
//     from fn stops the iteration and is returned unchanged (==, not merely
//     errors.Is).
//   - fn may call other Reader methods during an iteration, and inside
//     Update it may Put or Delete the record it is visiting (or any other):
//     the iteration then continues with the next key after the current one.
//     This is what lets the auth package, say, strip a deleted group from
//     every user while streaming over the users.
//
// Membership queries:
//
//   - GroupMembers, PermissionHolders and Superusers answer exactly what a
//     scan of Users would (a user is listed under each group and permission
//     its record holds, and under Superusers while IsSuperuser is set), in
//     ascending bytewise username order, including inside Update after the
//     transaction's own PutUser and DeleteUser calls (a rename being a
//     DeleteUser and a PutUser), and nothing of a rolled-back Update. Names
//     that are prefixes of one another ("g", "g1") never mix. As with the
//     iterators, fn may read, and inside Update change the user it visits.
//     How a backend keeps them fast (an index written in the same
//     transaction as the users) is its own business.
//
// The audit log:
//
//   - AppendAudit numbers records 1, 2, 3, … in the order of committed
//     appends; the returned number is the stored record's Seq. An append in
//     an Update that rolled back leaves no record (its number may be handed
//     out again, since it was never assigned). Numbers are never reused after
//     DeleteAuditThrough, nor after the store is closed and reopened.
//   - Audit(after) visits records with Seq > after in ascending order;
//     LastAudit returns ErrNotFound (wrapped) when there is no record, even
//     if records existed and were deleted.
//
// Meta keys belong to the caller: a backend keeps its own bookkeeping
// (schema version, counters) elsewhere, so any Meta key is safe to use.
package store
