//go:build !linux

package hugepage

// MinHeapReserve is the smallest reservation ReserveHeap makes.
const MinHeapReserve = 16 << 20

// ReserveHeap does nothing off Linux: the heap's pages cannot be marked.
func ReserveHeap(n int) Plan { return Plan{} }
