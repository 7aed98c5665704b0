// Package hugepage decides when memory may be backed by transparent huge
// pages (THP) on Linux and marks it so: the hasher's argon2 and scrypt
// buffers (outside the Go heap), and the part of the Go heap a large apply
// is about to fill (ReserveHeap).
//
// A 2 MiB page costs one fault where 4 KiB pages cost 512, and covers 512
// times what a TLB entry otherwise does: argon2 itself runs about twice as
// fast on them (its reads jump across 100 MiB), and on a virtual machine,
// where each fault costs several microseconds, a 100,000-user apply spent
// a fifth of its CPU time faulting in the Go heap 4 KiB at a time.
//
// But a huge page needs a free, aligned 2 MiB block, and when the kernel
// has none at hand what happens depends on the THP "defrag" setting
// (/sys/kernel/mm/transparent_hugepage/defrag; the Linux documentation,
// admin-guide/mm/transhuge):
//
//   - always, madvise, defer+madvise: a fault in a region marked
//     MADV_HUGEPAGE compacts memory on the spot (direct compaction),
//     moving other pages away until a block is free. On a host whose
//     memory is fragmented (a long-running machine, or right after a large
//     apply) that made the kernel take 25-60% of a hash's wall time.
//   - defer, never: the fault never waits; it falls back to a 4 KiB page
//     ("defer" wakes kcompactd to compact in the background).
//
// So a Plan marks as huge only what cannot stall: the whole buffer when
// the defrag mode never compacts on a fault, otherwise as many 2 MiB
// blocks as the kernel's free lists hold right now (/proc/buddyinfo),
// less a reserve for other processes, and 4 KiB pages for the rest. When
// THP is "always" on (not "madvise") with defrag "always", even unmarked
// memory compacts on a fault, so the rest is marked MADV_NOHUGEPAGE. That
// count ages: a hash populates its buffer at once, but a heap reservation
// is faulted in over a whole apply, so where a marked fault may compact,
// ReserveHeap reserves only when the free lists hold all of it (and only
// in "madvise" mode: with "always" the heap gets huge pages without a
// mark).
//
// Under a hypervisor that takes free memory back (virtio-balloon free page
// reporting: a 2 MiB block left free for about two seconds goes back to
// the host), a huge page's first write costs the host a fault too: 110-170
// ms of kernel time for argon2's 100 MiB, against 27-35 ms for 4 KiB
// pages. Huge pages are kept there all the same: argon2 on 4 KiB pages
// takes about 0.2 s more CPU time, so the hash is slower by wall time
// whichever way the kernel's share comes out.
//
// Marks are advice: where the kernel refuses them (no THP built in) memory
// stays on 4 KiB pages, which only costs speed. Off Linux nothing is
// marked.
package hugepage
