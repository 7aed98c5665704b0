package auth

// MetaKeys lists every meta value the auth package keeps, for tools that
// move a whole database (authctl db copy): the store has no way to list
// them.
var MetaKeys = []string{auditAnchorKey, secretKeyMeta}
