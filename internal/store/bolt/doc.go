// Package bolt is the store.Store backend on a single bbolt file. It is the
// only package of authctl that imports go.etcd.io/bbolt.
//
// # File layout
//
// Each record kind has a top-level bucket whose keys are the exact bytes of
// the record's key and whose values are the encoded record (codec.go,
// codec_audit.go): a user and an audit record each in a compact binary
// encoding that starts with a version byte (a typical user: 181 bytes
// against 417 as JSON, decoded 6.4 times as fast, BenchmarkDecodeUser; a
// keyed audit record: 115 bytes against 301, with Prev and Hash kept as
// their 32 raw bytes when they are lowercase hex, encoded and decoded 5.8
// times as fast, BenchmarkAuditCodec), every other record as JSON. Users
// written as JSON by version 1 still decode, and are rewritten in binary
// when next written. Audit records written as JSON by earlier releases
// still decode and verify beside binary ones and are never rewritten; JSON
// never starts with a version byte, so this needed no schema version change
// (TestAuditJSONFixtureStillVerifies, on testdata/audit-json.db written by
// the release before):
//
//	users     Username   → store.User
//	groups    Name       → store.Group
//	perms     Perm       → store.Permission
//	sessions  ID         → store.Session
//	failures  Username   → store.Failure
//	audit     8-byte big-endian Seq → store.AuditRecord
//	meta      key        → raw bytes (store.Writer.PutMeta)
//	authctl   "schema_version" → decimal ASCII, currently "2"
//
// Schema version 2 adds the membership indexes (index.go), which PutUser
// and DeleteUser keep in the same transaction as the user, writing only
// what changed between the old record and the new:
//
//	idx_groups  group → nested bucket: Username → ""
//	idx_perms   perm  → nested bucket: Username → ""
//	idx_super   Username → ""
//
// GroupMembers and PermissionHolders are one cursor over a nested bucket,
// so their cost grows with the answer (0.2 ms for a 100-member group at
// 1,000,000 users, whose file takes 420 bytes per user;
// BenchmarkGroupMembers1M). A writable open upgrades a
// version 1 database in place, once, in one transaction that builds the
// indexes from the users (TestUpgradeFromV1, on testdata/v1.db written by
// the version 1 code); a read-only open of a version 1 database answers the
// membership queries by a scan and never writes.
//
// bbolt splits a bucket's nodes at commit at its FillPercent. This package
// fills pages to 0.9 for users, the other records and the indexes (room
// for a later insert at a random place) and to 1.0 for the append-only
// audit log (tx.go: fillRecords, fillAudit, fillIndex). 100,000 users with
// their audit records take 509 bytes per user, against 937 at bbolt's
// default 0.5 (BenchmarkBytesPerUser).
//
// Every bucket must exist in a database of its version: a missing one is
// damage (ErrCorrupt), not an empty table.
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
// first writable open with OpenOptions.Create; a read-only open never
// writes. A new database is built in a temporary file in the same directory
// and hard-linked into place, so the path never names a half-made file (a
// full disk leaves nothing behind), a database another process created
// meanwhile is never replaced, and nothing is created through a symbolic
// link planted at the path.
//
// A write grows the file, when its commit needs room, by an eighth of the
// database, between 256 KiB and bbolt's own 16 MiB (growStep, set as each
// write begins): bbolt's fixed 16 MiB made a database of one user a 16 MiB
// file; a step that grows with the database leaves a large one's growths
// as rare as before (TestSmallDatabaseStaysSmall).
//
// bbolt locks the whole file with flock for as long as it is open: a writable
// store holds an exclusive lock from Open to Close, which blocks every other
// opener, read-only ones included; read-only stores share the lock with one
// another. Waiting for the lock is bounded by OpenOptions.LockTimeout
// (default 5 s) and then fails with store.ErrBusy. Callers should therefore
// keep writable stores open only as long as they need them.
//
// # Staged writes
//
// UpdateStaged (store.Stager) builds a change too large for one
// transaction's memory in several transactions on a copy of the database: a
// file ".<name>.stage-<random>" in the same directory, with the database's
// owner and mode, filled from a read transaction and opened with NoSync
// and NoGrowSync (bbolt would otherwise grow the file 16 MiB ahead of its
// pages and fsync it at each growth, in the middle of a stage: 4-60 ms each,
// three times in an apply of 100,000 users). After each stage the kernel is
// asked to start writing the copy's new pages back (sync_file_range,
// without waiting), so that the fsync that publishes the copy finds most of
// it on disk (writeback_linux.go).
// Each stage commits on the copy, which is reopened after each stage so that
// the pages a stage read do not stay mapped. Stages that each add to many
// buckets leave free pages in the copy (each stage rewrites the pages it
// adds to, and the last stage's old pages stay free): where at least an
// eighth of the copy's pages are free, the copy is compacted before it is
// published (compact.go): its buckets are written again, in key order and in
// rounds of bounded memory, into a ".<name>.compact-<random>" file, synced
// before the copy is removed, with the same keys, values, nested buckets
// and sequences, pages filled to 0.95 (the audit log's to 1.0), no free
// page but the two its last commit leaves, and nothing past the last page.
// A compaction only saves space: one that fails for any reason but damage
// or an interruption publishes the copy as it is. The scale data set of bench/ (1,000,000 users written in 20
// stages, 10,000 groups of about 200 members, so that every stage adds to
// every group's index bucket) takes 488 bytes per user so, against 626
// staged without compaction and 643 in 20 ordinary transactions; the
// compaction makes that write take about 1.3 times the CPU time, and holds
// no more than 4 MiB of pairs in memory at a time. Otherwise the copy is
// published as it is (its file ends at its last page: an apply of 100,000
// users took 563 bytes per user when bbolt grew the copy ahead of its pages,
// 395 since). Publishing syncs the copy, renames it over the
// database, syncs the directory and makes the store use it; the store held
// the exclusive lock on the old file throughout, and already holds it on the
// new one. An error, a cancelled context or a panic removes the copy and
// leaves the database as it was; so does finding, just before the rename,
// that the path no longer names the file the store opened (ErrBusy). The
// copy needs as much free space as the database, and its compaction as much
// again for a moment (without the room, the copy is published uncompacted).
// Where a rename would change more than the contents (a symbolic link, other
// hard links, extended attributes such as ACLs or a security label, an owner
// or mode the copy cannot be given, a directory that takes no new file, no
// room for the copy, or not Unix), the stages run in one ordinary
// transaction instead. A process killed during a staged write leaves its
// ".<name>.stage-*" (or ".<name>.compact-*") file behind; it is not the
// database. The next staged write removes such files (stage_stale.go): it
// holds the exclusive lock on the database, which any staged write holds
// from its copy's creation to its publication, so none is another
// process's (and one that a process holds a lock on is left all the same).
// Open never deletes them.
// An opener that opened the old file and waited for its lock notices the
// rename once it has the lock and opens the path again, within the same lock
// timeout.
//
// # Damage
//
// bbolt maps the file and reads pages lazily, and may panic (or fault) on
// whichever damaged page a transaction first touches. Every bbolt call is
// made under a recover: in Open, in this package's own transactions and in
// each Reader and Writer method; the panic becomes an error wrapping
// store.ErrCorrupt that names the file. A panic raised by the caller's own
// fn (or by an iteration callback) is not recovered: it propagates
// unchanged.
//
// Open refuses, with ErrCorrupt, what it can see cheaply: something other
// than a regular file (opened with O_NONBLOCK, so a FIFO does not block),
// an empty file (unless OpenOptions.Create, which initialises it: what a
// creation that failed on a full disk leaves), a file shorter than its
// meta page's high-water mark (truncated), a missing bucket, and damage on
// the root page and on the first and last leaves of each bucket. A
// writable open also walks the header of every page in use and refuses a
// page that is not a branch, leaf or freelist page, so that a write never
// commits into a file where a full read would fail (0.4 ms at 100,000
// users, against 27 ms for bbolt's Tx.Check; BenchmarkCheckPages). An
// Update whose fn met damage rolls back, whatever fn returned. Check
// (store.Checker, the doctor command) runs bbolt's Tx.Check and decodes
// every record.
package bolt
