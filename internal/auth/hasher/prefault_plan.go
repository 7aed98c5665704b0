package hasher

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Which pages prefault asks for (Linux). Transparent huge pages (THP) make
// argon2 itself about twice as fast as 4 KiB pages do (its reads jump
// across 100 MiB, and a 2 MiB page covers 512 times what a TLB entry
// otherwise does) and cost 50 faults instead of 25,600. But a huge page
// needs a free, aligned 2 MiB block, and when the kernel has none at hand
// what happens depends on the THP "defrag" setting
// (/sys/kernel/mm/transparent_hugepage/defrag; the Linux documentation,
// admin-guide/mm/transhuge):
//
//   - always, madvise, defer+madvise: a fault in a region marked
//     MADV_HUGEPAGE compacts memory on the spot (direct compaction),
//     moving other pages away until a block is free. On a host whose
//     memory is fragmented (a long-running machine, or right after a large
//     apply) that made the kernel take 25-60% of the hash's wall time.
//   - defer, never: the fault never waits; it falls back to a 4 KiB page
//     ("defer" wakes kcompactd to compact in the background).
//
// So prefault marks as huge only what cannot stall: the whole buffer when
// the defrag mode never compacts on a fault, otherwise as many 2 MiB
// blocks as the kernel's free lists hold right now (/proc/buddyinfo),
// less a reserve for other processes, and 4 KiB pages for the rest. When
// THP is "always" on (not "madvise") with defrag "always", even unmarked
// memory compacts on a fault, so the rest is marked MADV_NOHUGEPAGE. The
// pages are then populated in one madvise(MADV_POPULATE_WRITE) call
// instead of one fault each.
//
// Under a hypervisor that takes free memory back (virtio-balloon free page
// reporting: a 2 MiB block left free for about two seconds goes back to
// the host), a huge page's first write costs the host a fault too: 110-170
// ms of kernel time for the buffer, against 27-35 ms for 4 KiB pages. Huge
// pages are kept there all the same: argon2 on 4 KiB pages takes about
// 0.2 s more CPU time, so the hash is slower by wall time whichever way
// the kernel's share comes out.

// hugePageSize is the size of a transparent huge page on the platforms
// where this matters (x86-64, and arm64 with 4 KiB base pages).
const hugePageSize = 2 << 20

// hugeReserve is how many free 2 MiB blocks prefault leaves to others (and
// to races with them) when it counts the free lists.
const hugeReserve = 4

// The files prefault reads; tests point them at fakes.
var (
	thpEnabledFile = "/sys/kernel/mm/transparent_hugepage/enabled"
	thpDefragFile  = "/sys/kernel/mm/transparent_hugepage/defrag"
	buddyInfoFile  = "/proc/buddyinfo"
)

// pagePlan says how to prepare a buffer of hash memory.
type pagePlan struct {
	// huge is how many 2 MiB blocks, from the buffer's first 2 MiB
	// boundary on, are marked MADV_HUGEPAGE.
	huge int
	// noHuge marks the rest of the buffer MADV_NOHUGEPAGE.
	noHuge bool
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
func choosePlan(enabled, defrag string, free func() int, need int) pagePlan {
	if enabled != "always" && enabled != "madvise" {
		return pagePlan{} // no THP: MADV_HUGEPAGE would do nothing
	}
	if defrag == "defer" || defrag == "never" {
		return pagePlan{huge: need} // a fault never waits for compaction
	}
	// always, madvise, defer+madvise, or a mode this code does not know:
	// a marked fault may compact, so mark only what is free.
	huge := min(max(free()-hugeReserve, 0), need)
	return pagePlan{huge: huge, noHuge: huge < need && enabled == "always" && defrag == "always"}
}

// currentPlan reads the THP settings and, where it matters, the free lists,
// and plans n bytes of hash memory.
func currentPlan(n int) pagePlan {
	need := (n + hugePageSize - 1) / hugePageSize
	switch forcedPlan {
	case "huge":
		return pagePlan{huge: need}
	case "small":
		return pagePlan{}
	}
	free := func() int {
		b, err := os.ReadFile(buddyInfoFile)
		if err != nil {
			return -1
		}
		return freeHugeBlocks(b)
	}
	return choosePlan(thpMode(thpEnabledFile), thpMode(thpDefragFile), free, need)
}
