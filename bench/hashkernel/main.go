// Command hashkernel makes one password hash in a fresh process and prints
// the hash's own figures: wall time, and the user and kernel CPU time and
// minor page faults the process spent between just before and just after
// it (getrusage), so that the process's start-up and exit do not count.
// bench/argon2_faults.sh runs it as shipped and built with each forced
// prefault choice (-tags authctl_prefault_huge, authctl_prefault_small,
// authctl_noprefault), for the issue 12 target "argon2 in a fresh process:
// kernel time <= 10% of the hash's wall time".
//
//	go run ./bench/hashkernel argon2   # or scrypt, pbkdf2_sha256, ...
//
// With "floor-huge" or "floor-small" instead of an algorithm it hashes
// nothing: it maps fresh anonymous memory of argon2's size at Django's
// default cost (100 MiB) on huge or 4 KiB pages and has the kernel
// populate it (madvise MADV_POPULATE_WRITE), which is the least kernel
// work any program that fills that much new memory pays: the kernel must
// zero every page it hands out.
//
// Output: "wall_s=… user_s=… sys_s=… minflt=… free2m=…" on one line;
// free2m is the free 2 MiB blocks in /proc/buddyinfo just before the hash
// (all zones but DMA; -1 where it cannot be read), which says whether a
// huge page was to be had without compaction (see fragment.py).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"authctl/internal/auth/hasher"
)

func usage() (user, sys time.Duration, minflt int64) {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		fmt.Fprintln(os.Stderr, "hashkernel:", err)
		os.Exit(1)
	}
	return time.Duration(r.Utime.Nano()), time.Duration(r.Stime.Nano()), r.Minflt
}

// freeHugeBlocks counts free 2 MiB blocks (order 9 and up) in
// /proc/buddyinfo, or -1.
func freeHugeBlocks() int {
	b, err := os.ReadFile("/proc/buddyinfo")
	if err != nil {
		return -1
	}
	n := 0
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 4 || f[3] == "DMA" {
			continue
		}
		for order, s := range f[4:] {
			c, err := strconv.Atoi(s)
			if err != nil {
				return -1
			}
			if order >= 9 {
				n += c << (order - 9)
			}
		}
	}
	return n
}

func main() {
	algorithm := "argon2"
	if len(os.Args) > 1 {
		algorithm = os.Args[1]
	}
	if floor, ok := strings.CutPrefix(algorithm, "floor-"); ok {
		measure(func() error { return populateFresh(argon2DefaultBytes, floor == "huge") })
		return
	}
	hs, err := hasher.NewSet(algorithm, hasher.DefaultParams())
	if err != nil {
		fmt.Fprintln(os.Stderr, "hashkernel:", err)
		os.Exit(2)
	}
	measure(func() error {
		_, err := hs.Make("correct horse battery staple")
		return err
	})
}

// argon2DefaultBytes is the memory of an argon2 hash at Django's default
// cost: 102,400 KiB.
const argon2DefaultBytes = 102400 << 10

// populateFresh maps n bytes of new anonymous memory, on huge pages or
// not, and has the kernel fault all of it in for writing.
func populateFresh(n int, huge bool) error {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return err
	}
	advice := unix.MADV_NOHUGEPAGE
	if huge {
		advice = unix.MADV_HUGEPAGE
	}
	_ = unix.Madvise(b, advice) // without THP the pages are small either way
	return unix.Madvise(b, unix.MADV_POPULATE_WRITE)
}

// measure runs work and prints its figures.
func measure(work func() error) {
	free := freeHugeBlocks()
	u0, s0, f0 := usage()
	start := time.Now()
	if err := work(); err != nil {
		fmt.Fprintln(os.Stderr, "hashkernel:", err)
		os.Exit(1)
	}
	wall := time.Since(start)
	u1, s1, f1 := usage()
	fmt.Printf("wall_s=%.4f user_s=%.4f sys_s=%.4f minflt=%d free2m=%d\n", wall.Seconds(), (u1 - u0).Seconds(), (s1 - s0).Seconds(), f1-f0, free)
}
