//go:build !linux

package bolt

// hasXattrs is false where authctl does not look for extended attributes.
func hasXattrs(string) bool { return false }
