package auth

// MetaKeys lists every meta value the auth package keeps, for tools that
// move a whole database (authctl db copy): the store has no way to list
// them. A test checks that every meta key the package uses is here.
var MetaKeys = []string{auditAnchorKey, auditHeadKey, secretKeyMeta, djangoKeysMeta, verifyCostMeta}

// bookkeepingMeta are the meta values that change nothing about who may do
// what — a cross-reference of Django's primary keys for the next import of
// a numeric dump, a timing measurement — so writing one alone needs no
// audit record (auditedWriter). The others are the audit chain's own state
// and the session secret, written only beside an audited change.
// A switch, not a map: a package-level map is built when every authctl
// process starts.
func bookkeepingMeta(key string) bool {
	return key == djangoKeysMeta || key == verifyCostMeta
}
