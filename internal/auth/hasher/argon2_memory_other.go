//go:build !linux

package hasher

import "authctl/internal/auth/hasher/argon2"

// newArgon2Memory allocates n blocks on the Go heap. The hash's first
// pass writes each block before it reads it, so each fresh page costs one
// fault.
func newArgon2Memory(n int) (*argon2Memory, pagePlan) {
	return &argon2Memory{blocks: make([]argon2.Block, n)}, pagePlan{}
}

// release leaves the buffer to the collector.
func (m *argon2Memory) release() { m.blocks = nil }
