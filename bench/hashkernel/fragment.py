"""fragment.py: put the host's memory in the state where a huge page costs
the kernel a compaction: no free 2 MiB block anywhere, the free memory in
4 KiB holes. bench/argon2_faults.sh runs it (FRAGMENT=1) around its
fragmented rounds; it prints "ready" when the state is reached and holds
it until killed.

  python3 bench/hashkernel/fragment.py [LEAVE_MIB [CAP_MIB]]

1. It maps all of MemFree but LEAVE_MIB (default 1024) in 4 KiB pages,
   writes it and frees every other page: half of it stays held, half is
   free in holes that the buddy allocator cannot merge.
2. Then, every 20 ms, it takes whatever free 2 MiB blocks the kernel has
   (/proc/buddyinfo, every zone but DMA) with huge pages of its own, up to
   CAP_MIB (default 4096) in all, so that each measured hash starts with
   none: the blocks a finished hash returns, and those kcompactd makes.

It holds about half of the free memory, and up to CAP_MIB more; other
processes get the holes. (Blocks cannot be given back as holes: freeing
every other 4 KiB page of a huge page frees nothing until the kernel
splits it, which it defers until memory is short.)
"""
import mmap
import sys
import time

MADV_POPULATE_WRITE = 23
P = mmap.PAGESIZE
HUGE = 2 << 20


def memfree():
    for line in open("/proc/meminfo"):
        if line.startswith("MemFree:"):
            return int(line.split()[1]) * 1024
    raise SystemExit("fragment.py: no MemFree in /proc/meminfo")


def free_blocks():
    n = 0
    for line in open("/proc/buddyinfo"):
        f = line.split()
        if f[3] != "DMA":
            counts = [int(x) for x in f[4:]]
            n += sum(c << (o - 9) for o, c in enumerate(counts) if o >= 9)
    return n


def main():
    leave = (int(sys.argv[1]) if len(sys.argv) > 1 else 1024) << 20
    cap = (int(sys.argv[2]) if len(sys.argv) > 2 else 4096) << 20
    t = time.time()
    size = max(memfree() - leave, 0) // P * P
    held = []
    if size:
        m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        m.madvise(mmap.MADV_NOHUGEPAGE)
        try:
            m.madvise(MADV_POPULATE_WRITE)
        except OSError:  # before Linux 5.14
            ones = b"\1" * (64 << 20)
            for off in range(0, size, len(ones)):
                m[off:off + min(len(ones), size - off)] = ones[:size - off]
        for off in range(P, size, 2 * P):
            m.madvise(mmap.MADV_DONTNEED, off, P)
        held.append(m)
    grabbed = 0
    print(f"fragment.py: {size >> 20} MiB in holes, {time.time() - t:.0f} s; "
          f"free 2 MiB blocks: {free_blocks()}", file=sys.stderr, flush=True)
    ready = False
    while True:
        k = min(free_blocks(), (cap - grabbed) // HUGE)
        if k > 0:
            h = mmap.mmap(-1, k * HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            h.madvise(mmap.MADV_HUGEPAGE)
            for off in range(0, len(h), HUGE):
                h[off] = 1
            held.append(h)
            grabbed += k * HUGE
        elif not ready:
            ready = True
            print(f"ready: holding {grabbed >> 20} MiB of huge pages; "
                  f"free 2 MiB blocks: {free_blocks()}", flush=True)
        time.sleep(0.02)


main()
