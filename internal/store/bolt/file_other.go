//go:build !unix

package bolt

const openFlags = 0
