//go:build !linux

package hasher

import "authctl/internal/hugepage"

// newHashMemory allocates n bytes on the Go heap. A hash writes each word
// before it reads it, so each fresh page costs one fault.
func newHashMemory(n int) (*hashMemory, hugepage.Plan) {
	return heapHashMemory(n), hugepage.Plan{}
}

// release leaves the buffer to the collector.
func (m *hashMemory) release() { m.b = nil }
