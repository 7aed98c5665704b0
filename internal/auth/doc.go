// Package auth is authctl's domain: Django's authentication model — users,
// flat groups, "app_label.codename" permissions, password hashing and
// validation, authentication with lockout, login sessions and a
// keyed, hash-chained audit log — over a store.Store. It never prints, never
// exits and imports no CLI, configuration or storage-engine package.
//
// Invariants every use case keeps:
//
//   - One change, one transaction: a change, the removal of every reference
//     to what it deletes (a group from its users, a permission from users
//     and groups, a user's sessions and failure record), and its audit
//     record are written in the same store.Update, or not at all. Use
//     cases write through Service.write, which refuses to commit a change
//     without an audit record; the actor is resolved in actor.go.
//   - No hashing inside a write transaction. Passwords are validated and
//     hashed first; the transaction then re-checks what the work depended
//     on (the name is still free, the hash being upgraded is still the one
//     that was checked) and fails or skips rather than overwrite.
//   - Permission checks follow Django's ModelBackend exactly (resolve.go):
//     inactive users have no permission; active superusers have all;
//     otherwise direct grants ∪ grants of the user's groups.
//   - Authentication leaks nothing: every failure is ErrAuthFailed, an
//     unknown user costs one run of the preferred hasher and every other
//     failure is padded to that measured time (timing.go), comparisons are
//     constant-time, and the audit log keeps the real reason.
//   - Secrets are never stored or recorded: session tokens only as SHA-256
//     digests, and audit records hold no password, hash or token.
//   - A session is valid only while unexpired, its user exists and is
//     active, and Django's session auth hash over the user's current
//     password hash still matches, so a password change or deactivation
//     ends it.
//   - Apply holds a document's users in a UserTable (usertable.go): each
//     user encoded once into an arena that is never written again, so that
//     the strings loaded from it may share its memory; the plan names users
//     by index, and a loaded user's pointers are valid only until the next
//     load into the same view. The write copies each part of the plan it
//     takes out of the document's order (usertable_gather.go) into a table
//     of its own, whose one arena holds the same encodings and, likewise,
//     is never written again once filled; the part's copied steps name
//     their users in it.
//
// Errors match ErrNotFound, ErrExists, ErrInvalid, ErrAuthFailed or
// ErrNotLoggedIn (with errors.Is) or are store errors; the cmd package maps
// them to exit codes.
package auth
