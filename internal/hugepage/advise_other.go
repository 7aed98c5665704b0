//go:build !linux

package hugepage

// Apply does nothing off Linux: there is no madvise(MADV_HUGEPAGE).
func (p Plan) Apply(b []byte) {}
