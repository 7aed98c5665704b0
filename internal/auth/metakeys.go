package auth

// MetaKeys lists every meta value the auth package keeps, for tools that
// move a whole database (authctl db copy): the store has no way to list
// them. A test checks that every meta key the package uses is here.
var MetaKeys = []string{auditAnchorKey, auditHeadKey, secretKeyMeta, djangoKeysMeta, verifyCostMeta}
