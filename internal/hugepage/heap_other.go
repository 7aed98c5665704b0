//go:build !linux

package hugepage

// ReserveHeap does nothing off Linux: the heap's pages cannot be marked.
func ReserveHeap(n int) Plan { return Plan{} }
