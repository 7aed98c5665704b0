// Package hugepagetest has the helpers of tests that check what the kernel
// made of memory marks: fresh mappings, and the flags of the mapping that
// holds an address.
package hugepagetest

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// MapAnon maps n bytes of fresh anonymous memory, unmapped when the test
// ends.
func MapAnon(t testing.TB, n int) []byte {
	t.Helper()
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Munmap(b) })
	return b
}

// VMFlags returns the VmFlags of the mapping that holds addr, and its
// bounds, from /proc/self/smaps.
func VMFlags(t testing.TB, addr uintptr) (flags []string, start, end uintptr) {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	in := false
	for line := range strings.Lines(string(smaps)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if a, b, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			s, err1 := strconv.ParseUint(a, 16, 64)
			e, err2 := strconv.ParseUint(b, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(s) <= addr && addr < uintptr(e)
			start, end = uintptr(s), uintptr(e)
			continue
		}
		if in && f[0] == "VmFlags:" {
			return f[1:], start, end
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return nil, 0, 0
}
