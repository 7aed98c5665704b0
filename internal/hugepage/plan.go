package hugepage

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Size is the size of a transparent huge page on the platforms where this
// matters (x86-64, and arm64 with 4 KiB base pages).
const Size = 2 << 20

// MinHeapReserve is the smallest reservation ReserveHeap makes: below it
// the faults saved are fewer than its collection costs.
const MinHeapReserve = 16 << 20

// hugeReserve is how many free 2 MiB blocks a plan leaves to others (and
// to races with them) when it counts the free lists.
const hugeReserve = 4

// The files a plan reads; tests point them at fakes.
var (
	thpEnabledFile = "/sys/kernel/mm/transparent_hugepage/enabled"
	thpDefragFile  = "/sys/kernel/mm/transparent_hugepage/defrag"
	buddyInfoFile  = "/proc/buddyinfo"
)

// Plan says how to mark a buffer's pages.
type Plan struct {
	// Huge is how many 2 MiB blocks, from the buffer's first 2 MiB
	// boundary on, are marked MADV_HUGEPAGE.
	Huge int
	// NoHuge marks the rest of the buffer MADV_NOHUGEPAGE.
	NoHuge bool
}

// thpMode returns the selected word of a THP sysfs setting ("always
// [madvise] never" gives "madvise"), or "" if the file is missing or has
// no selection (a kernel without THP).
func thpMode(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.IndexByte(s, '[')
	j := strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
}

// freeHugeBlocks counts the free blocks of 2 MiB or more in a
// /proc/buddyinfo text, in units of 2 MiB, over every zone user memory can
// come from (all but DMA). A line reads "Node 0, zone Normal" and then
// the number of free blocks of order 0, 1, ... (order 9 is 2 MiB with 4 KiB
// pages). It returns -1 for a text it cannot read, so that the caller
// assumes nothing is free.
func freeHugeBlocks(text []byte) int {
	const hugeOrder = 9
	total, zones := 0, 0
	for line := range bytes.Lines(text) {
		f := strings.Fields(string(line))
		if len(f) < 4 || f[0] != "Node" || f[2] != "zone" {
			return -1
		}
		zones++
		if f[3] == "DMA" {
			continue
		}
		for order, s := range f[4:] {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return -1
			}
			if order >= hugeOrder {
				total += n << (order - hugeOrder)
			}
		}
	}
	if zones == 0 {
		return -1
	}
	return total
}

// choosePlan decides the plan for need 2 MiB blocks of memory given the
// THP settings and, called only where the plan depends on them, the free
// 2 MiB blocks (-1: unknown).
func choosePlan(enabled, defrag string, free func() int, need int) Plan {
	if enabled != "always" && enabled != "madvise" {
		return Plan{} // no THP: MADV_HUGEPAGE would do nothing
	}
	if defrag == "defer" || defrag == "never" {
		return Plan{Huge: need} // a fault never waits for compaction
	}
	// always, madvise, defer+madvise, or a mode this code does not know:
	// a marked fault may compact, so mark only what is free.
	huge := min(max(free()-hugeReserve, 0), need)
	return Plan{Huge: huge, NoHuge: huge < need && enabled == "always" && defrag == "always"}
}

// For reads the THP settings and, where it matters, the free lists, and
// plans n bytes.
func For(n int) Plan {
	need := (n + Size - 1) / Size
	free := func() int {
		b, err := os.ReadFile(buddyInfoFile)
		if err != nil {
			return -1
		}
		return freeHugeBlocks(b)
	}
	return choosePlan(thpMode(thpEnabledFile), thpMode(thpDefragFile), free, need)
}

// Skip is how many bytes from addr to the next 2 MiB boundary.
func Skip(addr uintptr) int {
	return int((Size - addr%Size) % Size)
}
