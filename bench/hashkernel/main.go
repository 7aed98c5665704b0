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
	hs, err := hasher.NewSet(algorithm, hasher.DefaultParams())
	if err != nil {
		fmt.Fprintln(os.Stderr, "hashkernel:", err)
		os.Exit(2)
	}
	free := freeHugeBlocks()
	u0, s0, f0 := usage()
	start := time.Now()
	if _, err := hs.Make("correct horse battery staple"); err != nil {
		fmt.Fprintln(os.Stderr, "hashkernel:", err)
		os.Exit(1)
	}
	wall := time.Since(start)
	u1, s1, f1 := usage()
	fmt.Printf("wall_s=%.4f user_s=%.4f sys_s=%.4f minflt=%d free2m=%d\n", wall.Seconds(), (u1 - u0).Seconds(), (s1 - s0).Seconds(), f1-f0, free)
}
